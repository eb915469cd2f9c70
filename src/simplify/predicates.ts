/**
 * Facts the rewrite rules may ask about an expression. Each is conservative: `false` means "not
 * known", never "known not".
 */
import type { Expr } from '../ir/expr.js';

export function isSymmetric(e: Expr): boolean {
  switch (e.kind) {
    case 'var': return e.shape.kind === 'matrix' && (e.props.includes('symmetric') || e.props.includes('diagonal'));
    case 'eye': case 'zero': return e.shape.kind === 'matrix' && e.shape.m === e.shape.n;
    case 'ones': return e.shape.kind === 'matrix' && e.shape.m === e.shape.n;
    case 'neg': return isSymmetric(e.x);
    case 'add': return (isSymmetric(e.a) && isSymmetric(e.b)) || (e.b.kind === 'transpose' && e.b.x === e.a) || (e.a.kind === 'transpose' && e.a.x === e.b);
    case 'mul':
      if (e.a.shape.kind === 'scalar') return isSymmetric(e.b);
      // X'*X, X*X', X'*S*X with S symmetric
      if (e.a.kind === 'transpose' && e.a.x === e.b) return true;
      if (e.b.kind === 'transpose' && e.b.x === e.a) return true;
      if (e.a.kind === 'mul' && e.a.a.kind === 'transpose' && e.a.a.x === e.b && isSymmetric(e.a.b)) return true;
      if (e.a.kind === 'mul' && e.b.kind === 'transpose' && e.b.x === e.a.a && isSymmetric(e.a.b)) return true;
      return false;
    case 'emul': case 'ediv': return isSymmetric(e.a) && isSymmetric(e.b);
    case 'div': return isSymmetric(e.a);
    case 'pow': return isSymmetric(e.a);
    case 'call':
      if (e.fn === 'diag') return e.args[0]!.shape.kind === 'vector';
      if (e.fn === 'inv') return isSymmetric(e.args[0]!);
      if (e.fn === 'kron') return isSymmetric(e.args[0]!) && isSymmetric(e.args[1]!);
      return e.shape.kind === 'matrix' && e.args.length >= 1 && e.args[0]!.shape.kind === 'matrix' && isElementwiseCall(e) && isSymmetric(e.args[0]!);
    default: return false;
  }
}

const ELEMENTWISE_CALLS = new Set(['exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'abs', 'sign', 'sigmoid', 'relu', 'softplus', 'step', 'leaky_relu', 'elu']);
const isElementwiseCall = (e: Expr): boolean => e.kind === 'call' && ELEMENTWISE_CALLS.has(e.fn);

export const PREDICATES = {
  'symmetric(A)': (b: ReadonlyMap<string, Expr>) => isSymmetric(b.get('A')!),
  'vector(u)': (b: ReadonlyMap<string, Expr>) => b.get('u')!.shape.kind === 'vector',
  'matrix(A)': (b: ReadonlyMap<string, Expr>) => b.get('A')!.shape.kind === 'matrix',
  'notNeg(v)': (b: ReadonlyMap<string, Expr>) => b.get('v')!.kind !== 'neg' && !(b.get('v')!.kind === 'const' && (b.get('v') as { value: number }).value < 0),
  'notConst(s)': (b: ReadonlyMap<string, Expr>) => b.get('s')!.kind !== 'const',
} as const;
