/**
 * Constructors: the only way to make IR nodes. Each computes the node's shape with the shared shape
 * rules (throwing a ShapeError that names both operands), then folds the trivial algebra that every
 * later stage would otherwise have to clean up — zeros, ones, identities, double negation and
 * double transposition. Anything beyond these exact, local identities belongs to simplify/.
 */
import { DomainError, ParseError, ShapeError, UnknownError } from '../errors.js';
import {
  type Dim,
  type Shape,
  SCALAR,
  dimFactors,
  matrixShape,
  mulDim,
  shapeEquals,
  transposeShape,
} from '../shape/shape.js';
import { type Operand, binaryShape, callShape, reductionAxis, strictUnifier } from '../shape/rules.js';
import { toText } from '../print/text.js';
import { type Binary, type BinaryKind, type Const, type Expr, type Prop, type Var, children } from './expr.js';
import { type FnName, checkArity, isFnName, takesDim, tensorArity } from './functions.js';
import { intern } from './intern.js';

const operand = (e: Expr): Operand => ({
  shape: e.shape,
  label: () => toText(e),
  ...(e.kind === 'const' ? { value: e.value } : {}),
});

/** A variable; `spd` implies symmetric and invertible, so every later stage can ask for just one. */
export function variable(name: string, shape: Shape, props: readonly Prop[] = []): Var {
  const all = new Set(props);
  if (all.has('spd')) {
    all.add('symmetric');
    all.add('invertible');
  }
  return intern<Var>({ kind: 'var', name, shape, props: [...all].sort() });
}

export const num = (value: number): Const =>
  intern<Const>({ kind: 'const', value: Object.is(value, -0) ? 0 : value, shape: SCALAR });

export const zero = (shape: Shape): Expr => (shape.kind === 'scalar' ? num(0) : intern({ kind: 'zero', shape }));
export const ones = (shape: Shape): Expr => (shape.kind === 'scalar' ? num(1) : intern({ kind: 'ones', shape }));
export const eye = (n: Dim): Expr => intern({ kind: 'eye', shape: matrixShape(n, n) });

/** The commutation matrix K_{m,n}: K vec(A) = vec(A') for A m×n (row-major vec); K_{1,n} = K_{n,1} = I. */
export function commutation(m: Dim, n: Dim): Expr {
  if (m === 1) return eye(n);
  if (n === 1) return eye(m);
  const mn = mulDim(m, n);
  return intern({ kind: 'commutation', m, n, shape: matrixShape(mn, mn) });
}

export const isZero = (e: Expr): boolean => e.kind === 'zero' || (e.kind === 'const' && e.value === 0);
const isConst = (e: Expr, v: number): boolean => e.kind === 'const' && e.value === v;

function raw(kind: BinaryKind, a: Expr, b: Expr, shape: Shape): Expr {
  return intern<Binary>({ kind, a, b, shape });
}

export function add(a: Expr, b: Expr): Expr {
  const shape = binaryShape('add', operand(a), operand(b), strictUnifier);
  if (isZero(a) && shapeEquals(b.shape, shape)) return b;
  if (isZero(b) && shapeEquals(a.shape, shape)) return a;
  // 0 + s over a vector or matrix is s broadcast: s*vector(1), not vector(0) + s.
  if (isZero(a)) return mul(b, ones(shape));
  if (isZero(b)) return mul(a, ones(shape));
  if (a.kind === 'const' && b.kind === 'const') return num(a.value + b.value);
  // vector(1) + c is the constant 1 + c broadcast: d(x + b - b)/db is vector(1) - 1, a real zero.
  if (a.kind === 'ones' && b.kind === 'const') return mul(num(1 + b.value), a);
  if (b.kind === 'ones' && a.kind === 'const') return mul(num(1 + a.value), b);
  return raw('add', a, b, shape);
}

export function neg(x: Expr): Expr {
  if (isZero(x)) return x;
  if (x.kind === 'const') return num(-x.value);
  if (x.kind === 'neg') return x.x;
  return intern({ kind: 'neg', x, shape: x.shape });
}

export const sub = (a: Expr, b: Expr): Expr => add(a, neg(b));

export function mul(a: Expr, b: Expr): Expr {
  const shape = binaryShape('mul', operand(a), operand(b), strictUnifier);
  if (isZero(a) || isZero(b)) return zero(shape);
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (a.kind === 'const' && b.kind === 'const') return num(a.value * b.value);
  // An outer product of ones is all ones (the adjoint of a sum along a dim of a sum: d sum(var(X, 0))).
  // Only an outer product, column times row: a product of ones over an inner dimension n is n times
  // ones. Not over a product dimension (k·m), whose matrix(1) could not be sized when read back.
  if (
    a.kind === 'ones' &&
    b.kind === 'ones' &&
    a.shape.kind === 'vector' &&
    b.shape.kind === 'row' &&
    !`${a.shape.n}${b.shape.n}`.includes('·')
  )
    return ones(shape);
  if (a.kind === 'eye' && b.shape.kind !== 'scalar') return b;
  if (b.kind === 'eye' && a.shape.kind !== 'scalar') return a;
  return raw('mul', a, b, shape);
}

export function emul(a: Expr, b: Expr): Expr {
  const shape = binaryShape('emul', operand(a), operand(b), strictUnifier);
  if (isZero(a) || isZero(b)) return zero(shape);
  if ((a.kind === 'ones' || isConst(a, 1)) && shapeEquals(b.shape, shape)) return b;
  if ((b.kind === 'ones' || isConst(b, 1)) && shapeEquals(a.shape, shape)) return a;
  // A scalar factor is ordinary scaling; print it as such.
  if (a.shape.kind === 'scalar' || b.shape.kind === 'scalar') return mul(a, b);
  return raw('emul', a, b, shape);
}

/** A division by a constant zero is undefined everywhere: say so rather than print `x/0`. */
function checkDivisor(a: Expr, b: Expr, op: '/' | './'): void {
  if (isZero(b))
    throw new DomainError(
      `division by zero: ${toText(a)} ${op} ${toText(b)} is undefined for every value of the variables`,
    );
}

export function ediv(a: Expr, b: Expr): Expr {
  const shape = binaryShape('ediv', operand(a), operand(b), strictUnifier);
  checkDivisor(a, b, './');
  if (isZero(a)) return zero(shape);
  if (isConst(b, 1) && shapeEquals(a.shape, shape)) return a;
  if (b.shape.kind === 'scalar') return div(a, b);
  return raw('ediv', a, b, shape);
}

export function div(a: Expr, b: Expr): Expr {
  const shape = binaryShape('div', operand(a), operand(b), strictUnifier);
  checkDivisor(a, b, '/');
  if (isZero(a)) return zero(shape);
  if (isConst(b, 1)) return a;
  if (a.kind === 'const' && b.kind === 'const' && b.value !== 0 && Number.isInteger(a.value / b.value))
    return num(a.value / b.value);
  return raw('div', a, b, shape);
}

export function pow(a: Expr, b: Expr): Expr {
  const shape = binaryShape('pow', operand(a), operand(b), strictUnifier);
  if (isConst(b, 1)) return a;
  if (isConst(b, 0)) return a.shape.kind === 'matrix' ? eye((a.shape as { n: Dim }).n) : num(1);
  if (a.kind === 'const' && b.kind === 'const' && Number.isInteger(a.value) && Number.isInteger(b.value) && b.value > 0)
    return num(a.value ** b.value);
  return raw('pow', a, b, shape);
}

export function epow(a: Expr, b: Expr): Expr {
  const shape = binaryShape('epow', operand(a), operand(b), strictUnifier);
  if (a.shape.kind === 'scalar' && b.shape.kind === 'scalar') return pow(a, b);
  if (isConst(b, 1) && shapeEquals(a.shape, shape)) return a;
  return raw('epow', a, b, shape);
}

export function transpose(x: Expr): Expr {
  if (x.shape.kind === 'scalar') return x;
  if (x.kind === 'transpose') return x.x;
  if (x.kind === 'eye') return x;
  if (x.kind === 'commutation') return commutation(x.n, x.m);
  if (x.kind === 'zero') return zero(transposeShape(x.shape));
  if (x.kind === 'ones') return ones(transposeShape(x.shape));
  return intern({ kind: 'transpose', x, shape: transposeShape(x.shape) });
}

/** Functions linear in each tensor argument (kron: in each one separately). */
const LINEAR: ReadonlySet<FnName> = new Set<FnName>(['sum', 'mean', 'tr', 'diag', 'vec', 'kron']);

export function call(fn: FnName, args: readonly Expr[]): Expr {
  checkArity(fn, args.length);
  if (takesDim(fn) && args.length === 2) {
    // One node per meaning: sum(x, 0) of a vector is sum(x), and dim -1 of a matrix is dim 1.
    const axis = reductionAxis(fn, operand(args[0]!), operand(args[1]!));
    if (axis === 'all') return call(fn, [args[0]!]);
    if ((args[1] as Const).value !== axis) return call(fn, [args[0]!, num(axis)]);
  }
  const arity = tensorArity(fn);
  // Parameters (alpha of leaky_relu, elu) are numbers: a derivative never flows through them.
  args.slice(arity).forEach((p, i) => {
    if (p.kind !== 'const') throw new ParseError(`the parameter ${i + 1} of ${fn} must be a number, not ${toText(p)}`);
  });
  if (fn === 'norm') return pNorm(args[0]!, args[1]);
  const shape = callShape(fn, args.map(operand), strictUnifier);
  // Linear functions of a zero are zero: kron(dA, B) + kron(A, 0) → kron(dA, B).
  if (LINEAR.has(fn) && args.slice(0, arity).some(isZero)) return zero(shape);
  return intern({ kind: 'call', fn, args: [...args], shape });
}

/** The reduction's dim (0 or 1) when a call has one, else undefined (all entries). */
export const dimOf = (e: Expr & { kind: 'call' }): 0 | 1 | undefined =>
  takesDim(e.fn) && e.args[1]?.kind === 'const' ? (e.args[1].value as 0 | 1) : undefined;

/**
 * The size of a dimension as a scalar: the number itself, or tr(eye(n)) for a named one (the
 * language has no other scalar that names a dimension; mean's 1/n needs one); a product of
 * dimensions (m·n, all entries of a matrix) is the product of its factors' sizes.
 */
export const dimCount = (d: Dim): Expr =>
  dimFactors(d).reduce<Expr>((acc, f) => mul(acc, typeof f === 'number' ? num(f) : call('tr', [eye(f)])), num(1));

/**
 * norm(x, p): norm(x) and norm(x, 2) are norm2(x) (for a matrix, norm(X) is the Frobenius norm, as in
 * NumPy), norm(x, 1) is norm1(x); any other literal p ≥ 1 stays a p-norm of a vector (or of all the
 * entries of a matrix, written norm(vec(X), p): NumPy's norm(X, p) is an induced norm, which matcalc
 * does not have).
 */
function pNorm(x: Expr, pArg: Expr | undefined): Expr {
  const p = pArg === undefined ? 2 : (pArg as Const).value;
  const shown = `norm(${toText(x)}${pArg === undefined ? '' : `, ${toText(pArg)}`})`;
  if (Number.isNaN(p) || p < 1) {
    throw new DomainError(
      `${shown}: p must be at least 1 (for p < 1, (Σ|xᵢ|ᵖ)^(1/p) is not a norm, and matcalc does not differentiate it)`,
    );
  }
  if (x.shape.kind === 'matrix' && pArg !== undefined) {
    throw new ShapeError(
      `${shown}: for a matrix, NumPy's norm(X, ${toText(pArg)}) is an induced norm, which matcalc does not have; write norm(X) or norm(X, 'fro') for the Frobenius norm, or norm(vec(X), ${toText(pArg)}) for the p-norm of its entries`,
    );
  }
  if (p === 2) return call('norm2', [x]);
  if (p === 1) return call('norm1', [x]);
  if (!Number.isFinite(p)) return call('max', [call('abs', [x])]);
  return intern({ kind: 'call', fn: 'norm', args: [x, pArg!], shape: SCALAR });
}

/** Calls a function by name, as the parser does. */
export function callByName(name: string, args: readonly Expr[]): Expr {
  if (!isFnName(name)) throw new UnknownError(`unknown function ${name}`);
  return call(name, args);
}

/** Rebuilds a node of the same kind over new children (used by rewriting passes). */
export function rebuild(e: Expr, kids: readonly Expr[]): Expr {
  const old = children(e);
  if (old.length === kids.length && old.every((k, i) => k === kids[i])) return e;
  switch (e.kind) {
    case 'var':
    case 'const':
    case 'zero':
    case 'ones':
    case 'eye':
    case 'commutation':
      return e;
    case 'neg':
      return neg(kids[0]!);
    case 'transpose':
      return transpose(kids[0]!);
    case 'call':
      return call(e.fn, kids);
    case 'add':
      return add(kids[0]!, kids[1]!);
    case 'mul':
      return mul(kids[0]!, kids[1]!);
    case 'emul':
      return emul(kids[0]!, kids[1]!);
    case 'ediv':
      return ediv(kids[0]!, kids[1]!);
    case 'div':
      return div(kids[0]!, kids[1]!);
    case 'pow':
      return pow(kids[0]!, kids[1]!);
    case 'epow':
      return epow(kids[0]!, kids[1]!);
  }
}
