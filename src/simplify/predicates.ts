/**
 * Facts the rewrite rules may ask about an expression. Each is conservative: `false` means "not
 * known", never "known not".
 */
import type { Expr } from '../ir/expr.js';
import { ELEMENTWISE } from '../ir/functions.js';
import type { Condition } from '../../rules/simplify/algebra.js';

export function isSymmetric(e: Expr): boolean {
  switch (e.kind) {
    case 'var':
      return e.shape.kind === 'matrix' && (e.props.includes('symmetric') || e.props.includes('diagonal'));
    case 'eye':
    case 'zero':
    case 'ones':
      return isSquare(e);
    case 'commutation':
      return e.m === e.n;
    case 'neg':
      return isSymmetric(e.x);
    case 'add':
      return (
        (isSymmetric(e.a) && isSymmetric(e.b)) ||
        (e.b.kind === 'transpose' && e.b.x === e.a) ||
        (e.a.kind === 'transpose' && e.a.x === e.b)
      );
    case 'mul':
      if (e.a.shape.kind === 'scalar') return isSymmetric(e.b);
      if (e.b.shape.kind === 'scalar') return isSymmetric(e.a);
      // X'*X, X*X', X'*S*X with S symmetric, x*x'
      if (e.a.kind === 'transpose' && e.a.x === e.b) return true;
      if (e.b.kind === 'transpose' && e.b.x === e.a) return true;
      if (e.a.kind === 'mul' && e.a.a.kind === 'transpose' && e.a.a.x === e.b && isSymmetric(e.a.b)) return true;
      if (e.a.kind === 'mul' && e.b.kind === 'transpose' && e.b.x === e.a.a && isSymmetric(e.a.b)) return true;
      return false;
    case 'emul':
    case 'ediv':
      return isSymmetric(e.a) && isSymmetric(e.b);
    case 'div':
      return isSymmetric(e.a);
    case 'pow':
    case 'epow':
      return isSymmetric(e.a) && e.b.shape.kind === 'scalar';
    case 'call':
      if (e.fn === 'diag') return e.args[0]!.shape.kind === 'vector';
      if (e.fn === 'inv') return isSymmetric(e.args[0]!);
      if (e.fn === 'kron') return isSymmetric(e.args[0]!) && isSymmetric(e.args[1]!);
      return e.shape.kind === 'matrix' && (ELEMENTWISE as readonly string[]).includes(e.fn) && isSymmetric(e.args[0]!);
    default:
      return false;
  }
}

export const isSquare = (e: Expr): boolean => e.shape.kind === 'matrix' && e.shape.m === e.shape.n;

const TESTS: Record<string, (e: Expr) => boolean> = {
  symmetric: isSymmetric,
  vector: (e) => e.shape.kind === 'vector',
  matrix: (e) => e.shape.kind === 'matrix',
  square: isSquare,
  integer: (e) => e.kind === 'const' && Number.isInteger(e.value),
};

/** Compiles a condition such as 'square(A)' into a test on the bindings. */
export function compileCondition(c: Condition): (b: ReadonlyMap<string, Expr>) => boolean {
  const m = /^(\w+)\((\w+)\)$/.exec(c);
  const test = m ? TESTS[m[1]!] : undefined;
  if (!m || !test) throw new Error(`internal: unknown rule condition ${c}`);
  const name = m[2]!;
  return (b) => {
    const e = b.get(name);
    if (e === undefined) throw new Error(`internal: the condition ${c} names no wildcard of its rule`);
    return test(e);
  };
}
