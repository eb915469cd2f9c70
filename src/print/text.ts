/**
 * Text printer: IR back to the input syntax. Its output re-parses to the same tree (a property test
 * checks this), so it parenthesises by the parser's precedence: the `text` binding of each operator
 * in the vocabulary table (ir/operators.ts: + - < * / .* ./ < unary minus < ^ .^ (right-associative)
 * < postfix ' < atoms), through the shared policy `needsParens`. A negated operand on the right of an
 * operator is parenthesised for readability (`a*(-b)`, `a - (-b)`).
 *
 * `operatorText` is the same printer for one operator over already-printed operands; the LaTeX
 * reader prints its translations with it.
 */
import type { Expr } from '../ir/expr.js';
import { OPERATORS, type OpName, type Operand, type Side, TEXT, needsParens } from '../ir/operators.js';
import type { Dim } from '../shape/shape.js';

/** A printed piece of input syntax, with what its parent needs to know to parenthesise it. */
export interface TextPart extends Operand {
  readonly text: string;
}

/** An atom: a name, a number, a call. */
export const atomText = (text: string): TextPart => ({ text, prec: TEXT.atom, signed: false });

/** A number: negative ones bind like a unary minus. */
export const numberText = (v: number): TextPart =>
  v < 0 ? { text: String(v), prec: TEXT.prefix, signed: true } : atomText(String(v));

/** An operator of the input syntax applied to printed operands, parenthesised by the shared policy. */
export function operatorText(op: OpName, operands: readonly TextPart[]): TextPart {
  const row = OPERATORS[op];
  const put = (p: TextPart, side: Side): string => (needsParens(row.text, p, side) ? `(${p.text})` : p.text);
  const [a, b] = operands as [TextPart, TextPart];
  let text: string;
  switch (row.fixity) {
    case 'prefix':
      text = `${row.symbol}${put(a, 'right')}`;
      break;
    case 'postfix':
      text = `${put(a, 'left')}${row.symbol}`;
      break;
    case 'infix':
      text = `${put(a, 'left')}${row.text.spaced ? ` ${row.symbol} ` : row.symbol}${put(b, 'right')}`;
      break;
  }
  return { text, prec: row.text.prec, op, signed: op === 'neg' };
}

/** A dimension as the parser reads it inside eye(…): n, 3, k*n. */
const dimText = (d: Dim): string => (typeof d === 'number' ? String(d) : d.split('·').join('*'));

/** vector(0), matrix(1), and vector(1)' for a row: a transposed atom. */
const onesPart = (e: Expr, v: 0 | 1): TextPart => {
  const s = e.shape;
  if (s.kind === 'matrix') return atomText(`matrix(${v})`);
  return s.kind === 'row' ? operatorText('transpose', [atomText(`vector(${v})`)]) : atomText(`vector(${v})`);
};

/** Prints `e` in the input syntax. Memoised per call, so a shared DAG prints in time linear in its output. */
export function toText(e: Expr): string {
  return textPart(e).text;
}

/** `e` in the input syntax, with how it binds as an operand (for printers that wrap it, such as index notation). */
export function textPart(e: Expr): TextPart {
  const memo = new Map<Expr, TextPart>();
  const go = (x: Expr): TextPart => {
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    const out = print(x);
    memo.set(x, out);
    return out;
  };
  const print = (x: Expr): TextPart => {
    switch (x.kind) {
      case 'var':
        return atomText(x.name);
      case 'const':
        return numberText(x.value);
      case 'zero':
        return onesPart(x, 0);
      case 'ones':
        return onesPart(x, 1);
      case 'eye':
        return atomText(`eye(${dimText((x.shape as { n: Dim }).n)})`);
      case 'commutation':
        return atomText(`commutation(${dimText(x.m)}, ${dimText(x.n)})`);
      case 'call':
        return atomText(`${x.fn}(${x.args.map((a) => go(a).text).join(', ')})`);
      case 'neg':
      case 'transpose':
        return operatorText(x.kind, [go(x.x)]);
      // a + (-b) and a + (-2) print as subtractions.
      case 'add':
        if (x.b.kind === 'neg') return operatorText('sub', [go(x.a), go(x.b.x)]);
        if (x.b.kind === 'const' && x.b.value < 0) return operatorText('sub', [go(x.a), numberText(-x.b.value)]);
        return operatorText('add', [go(x.a), go(x.b)]);
      case 'mul':
      case 'emul':
      case 'ediv':
      case 'div':
      case 'pow':
      case 'epow':
        return operatorText(x.kind, [go(x.a), go(x.b)]);
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
