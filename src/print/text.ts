/**
 * Text printer: IR back to the input syntax. Its output re-parses to the same tree (a property test
 * checks this), so it parenthesises by the parser's precedence table: + - < * / .* ./ < unary minus
 * < ^ .^ (right-associative) < postfix ' < atoms. A negated operand on the right of a binary
 * operator is parenthesised for readability.
 */
import type { Expr } from '../ir/expr.js';
import type { Dim } from '../shape/shape.js';

/** A dimension as the parser reads it inside eye(…): n, 3, k*n. */
const dimText = (d: Dim): string => (typeof d === 'number' ? String(d) : d.split('·').join('*'));

const PREC = { add: 1, mul: 2, neg: 3, pow: 4, transpose: 5, atom: 6 } as const;

function prec(e: Expr): number {
  switch (e.kind) {
    case 'add': return PREC.add;
    case 'mul': case 'emul': case 'ediv': case 'div': return PREC.mul;
    case 'neg': return PREC.neg;
    case 'const': return e.value < 0 ? PREC.neg : PREC.atom;
    case 'pow': case 'epow': return PREC.pow;
    case 'transpose': return PREC.transpose;
    default: return PREC.atom;
  }
}

const OP: Record<'mul' | 'emul' | 'ediv' | 'div' | 'pow' | 'epow', string> = {
  mul: '*', emul: '.*', ediv: './', div: '/', pow: '^', epow: '.^',
};

const onesName = (e: Expr, v: 0 | 1): string => {
  const s = e.shape;
  if (s.kind === 'matrix') return `matrix(${v})`;
  return s.kind === 'row' ? `vector(${v})'` : `vector(${v})`;
};

/** Prints `e` in the input syntax. Memoised per call, so a shared DAG prints in time linear in its output. */
export function toText(e: Expr): string {
  const memo = new Map<Expr, string>();
  const wrap = (x: Expr, ok: boolean): string => (ok ? go(x) : `(${go(x)})`);
  /** An operand after an operator: a negated one is parenthesised even where precedence allows it. */
  const right = (x: Expr, minPrec: number): string => wrap(x, prec(x) >= minPrec && x.kind !== 'neg' && !(x.kind === 'const' && x.value < 0));
  const go = (x: Expr): string => {
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    const out = print(x);
    memo.set(x, out);
    return out;
  };
  const print = (x: Expr): string => {
    switch (x.kind) {
      case 'var': return x.name;
      case 'const': return String(x.value);
      case 'zero': return onesName(x, 0);
      case 'ones': return onesName(x, 1);
      case 'eye': return `eye(${dimText((x.shape as { n: Dim }).n)})`;
      case 'neg': return `-${right(x.x, PREC.neg)}`;
      case 'transpose': return `${wrap(x.x, prec(x.x) >= PREC.transpose)}'`;
      case 'call': return `${x.fn}(${x.args.map(go).join(', ')})`;
      // + binds loosest, so its left operand never needs parentheses.
      case 'add': {
        if (x.b.kind === 'neg') return `${go(x.a)} - ${right(x.b.x, PREC.add + 1)}`;
        if (x.b.kind === 'const' && x.b.value < 0) return `${go(x.a)} - ${String(-x.b.value)}`;
        return `${go(x.a)} + ${right(x.b, PREC.add + 1)}`;
      }
      case 'mul': case 'emul': case 'ediv': case 'div':
        return `${wrap(x.a, prec(x.a) >= PREC.mul)}${OP[x.kind]}${right(x.b, PREC.mul + 1)}`;
      case 'pow': case 'epow':
        return `${wrap(x.a, prec(x.a) > PREC.pow)}${OP[x.kind]}${right(x.b, PREC.pow)}`;
    }
  };
  return go(e);
}

const SUPERSCRIPT = ['', '', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/** A superscript order for plain-text headings: ², ³, …, ^12. */
export const superscript = (k: number): string => (k < SUPERSCRIPT.length ? SUPERSCRIPT[k]! : `^${k}`);

/** ∂f/∂x, ∂²f/∂x², ∂ᵏf/∂xᵏ: the plain-text counterpart of fracHeading in print/latex.ts. */
export function partialText(f: string, x: string, k = 1): string {
  return `∂${superscript(k)}${f}/∂${x}${superscript(k)}`;
}
