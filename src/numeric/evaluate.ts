/**
 * Numeric evaluation of the IR on Float64Array tensors: the ground truth every symbolic result is
 * checked against (finite differences call it thousands of times), so it is direct and plain.
 *
 * 1. Dimensions: every symbolic dimension is bound from the variables' values first (dims.ts).
 * 2. Evaluation: nodes in topological order, each once (the IR is a DAG with sharing), each result
 *    kept in a Map keyed by node. Rows and vectors are both 1-d, so x' has the data of x; a matrix
 *    product views its operands as matrices (vector n×1, row 1×n) and the result's row-major data
 *    is already the layout of the node's shape.
 * 3. Guards: a value outside a function's domain or a non-finite result is a DomainError naming the
 *    operation. The kernels live beside this module: matrix algebra and LU in linalg.ts, the
 *    elementwise functions and stable reductions in kernels.ts.
 */
import { DomainError } from '../errors.js';
import { type Expr, type Var, assertNever } from '../ir/expr.js';
import { dimOf } from '../ir/build.js';
import { FUNCTIONS } from '../ir/functions.js';
import { postorder } from '../ir/walk.js';
import { toText } from '../print/text.js';
import type { Shape } from '../shape/shape.js';
import { type DimSizes, type Env, bindDims, resolveDim, shapeSizes } from './dims.js';
import { type ElementwiseFn, KERNELS, isElementwise, norm2, pNorm } from './kernels.js';
import { logSoftmaxAlong, logsumexpAlong, softmaxAlong } from './softmax.js';
import {
  asMatrix,
  commutationMatrix,
  determinant,
  diag,
  identity,
  inverse,
  kron,
  logdetOf,
  matmul,
  trace,
} from './linalg.js';
import { type Tensor, allFinite, sizeOf } from './tensor.js';
import { reduce } from './reductions.js';

// The dimension-binding API is imported by many callers from here, beside the evaluator it feeds.
export { type DimSizes, type Env, bindDims, resolveDim, shapeSizes } from './dims.js';

/**
 * Prepares `e` for repeated evaluation (finite differences evaluate one expression many times):
 * the node order and the variables are computed once.
 */
export function evaluator(e: Expr): (at: Env, dims?: DimSizes) => Tensor {
  const order = postorder(e);
  const vars = order.filter((n): n is Var => n.kind === 'var');
  return (at, dims) => {
    const sizes = bindDims(vars, at, dims);
    const memo = new Map<Expr, Tensor>();
    const get = (x: Expr): Tensor => memo.get(x)!;
    for (const node of order) memo.set(node, evalChecked(node, get, at, sizes));
    return get(e);
  };
}

/**
 * The value of `e` at `at`; `dims` sizes dimensions that no variable fixes (such as eye(n) alone).
 * Tensors are treated as immutable: a result may share its data with a value in `at`.
 */
export function evaluate(e: Expr, at: Env, dims?: DimSizes): Tensor {
  return evaluator(e)(at, dims);
}

type Get = (x: Expr) => Tensor;

/** Short printed form of a node for error messages. */
function labelOf(node: Expr): string {
  const s = toText(node);
  return s.length <= 60 ? s : `${s.slice(0, 57)}…`;
}

function evalChecked(node: Expr, get: Get, at: Env, sizes: DimSizes): Tensor {
  const out = evalNode(node, get, at, sizes);
  if (!allFinite(out.data)) {
    throw new DomainError(
      `${labelOf(node)}: the result is not a finite number (an overflow, or a value outside the domain)`,
    );
  }
  return out;
}

function make(dims: readonly number[], data: Float64Array): Tensor {
  if (data.length !== sizeOf(dims))
    throw new Error(`internal error: ${data.length} values for dims [${dims.join(',')}]`);
  return { dims: [...dims], data };
}

const scalar = (v: number): Tensor => make([], Float64Array.of(v));

const isScalarT = (t: Tensor): boolean => t.dims.length === 0;

function map(t: Tensor, f: (x: number) => number, dims: readonly number[] = t.dims): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(t.data[i]!);
  return make(dims, out);
}

/** Elementwise f(a, b) into `dims`, a scalar operand broadcasting. */
function zipWith(a: Tensor, b: Tensor, dims: readonly number[], f: (x: number, y: number) => number): Tensor {
  const out = new Float64Array(sizeOf(dims));
  const sa = isScalarT(a),
    sb = isScalarT(b);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[sa ? 0 : i]!, b.data[sb ? 0 : i]!);
  return make(dims, out);
}

function evalNode(node: Expr, get: Get, at: Env, sizes: DimSizes): Tensor {
  const dims = shapeSizes(node.shape, sizes);
  switch (node.kind) {
    case 'var':
      return make(dims, at.get(node.name)!.data);
    case 'const':
      return scalar(node.value);
    case 'zero':
      return make(dims, new Float64Array(sizeOf(dims)));
    case 'ones':
      return make(dims, new Float64Array(sizeOf(dims)).fill(1));
    case 'eye':
      return make(dims, identity(dims[0]!));
    case 'commutation':
      return make(dims, commutationMatrix(resolveDim(node.m, sizes), resolveDim(node.n, sizes)));
    case 'neg':
      return map(get(node.x), (x) => -x);
    case 'transpose':
      return transposeT(get(node.x), node.x.shape, dims);
    case 'add':
      return zipWith(get(node.a), get(node.b), dims, (x, y) => x + y);
    case 'emul':
      return zipWith(get(node.a), get(node.b), dims, (x, y) => x * y);
    case 'ediv':
    case 'div':
      if (get(node.b).data.includes(0)) throw new DomainError(`${labelOf(node)}: division by zero`);
      return zipWith(get(node.a), get(node.b), dims, (x, y) => x / y);
    case 'epow':
      return zipWith(get(node.a), get(node.b), dims, Math.pow);
    case 'mul':
      return matmulNode(node.a, node.b, get, dims);
    case 'pow':
      return powNode(node, get(node.a), get(node.b).data[0]!, dims);
    case 'call':
      return callNode(node as Expr & { kind: 'call' }, get, dims);
    default:
      return assertNever(node);
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix nodes

function transposeT(t: Tensor, s: Shape, dims: readonly number[]): Tensor {
  if (s.kind !== 'matrix') return make(dims, t.data);
  const [m, n] = [t.dims[0]!, t.dims[1]!];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = t.data[i * n + j]!;
  return make(dims, out);
}

function matmulNode(a: Expr, b: Expr, get: Get, dims: readonly number[]): Tensor {
  const ta = get(a),
    tb = get(b);
  if (a.shape.kind === 'scalar') return map(tb, (y) => ta.data[0]! * y, dims);
  if (b.shape.kind === 'scalar') return map(ta, (x) => x * tb.data[0]!, dims);
  const [r, k] = asMatrix(a.shape, ta);
  const [k2, c] = asMatrix(b.shape, tb);
  if (k !== k2) throw new Error(`internal error: inner dimensions ${k} and ${k2}`);
  return make(dims, matmul(ta.data, tb.data, r, k, c));
}

function powNode(node: Expr, a: Tensor, p: number, dims: readonly number[]): Tensor {
  if (a.dims.length === 0) return scalar(a.data[0]! ** p);
  if (!Number.isInteger(p))
    throw new DomainError(`${labelOf(node)}: a matrix power needs an integer exponent, not ${p}`);
  const n = a.dims[0]!;
  let base = p < 0 ? inverse(a.data, n, labelOf(node)) : a.data;
  let out = identity(n);
  // Binary exponentiation.
  for (let e = Math.abs(p); e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) out = matmul(out, base, n, n, n);
    if (e > 1) base = matmul(base, base, n, n, n);
  }
  return make(dims, out);
}

// ---------------------------------------------------------------------------------------------
// Function calls

type CallNode = Expr & { kind: 'call' };

function callNode(node: CallNode, get: Get, dims: readonly number[]): Tensor {
  const fn = node.fn;
  const [x, y] = [node.args[0]!, node.args[1]];
  const t = get(x);
  if (isElementwise(fn)) return elementwise(node, fn, t, get, dims);
  const label = labelOf(node);
  switch (fn) {
    case 'maximum':
      return zipWith(t, get(y!), dims, Math.max);
    case 'minimum':
      return zipWith(t, get(y!), dims, Math.min);
    case 'sum':
    case 'mean':
    case 'var':
    case 'std':
    case 'max':
    case 'min':
      return make(dims, reduce(fn, t, dimOf(node)));
    case 'norm1':
      return scalar(t.data.reduce((s, v) => s + Math.abs(v), 0));
    case 'norm2':
      return scalar(norm2(t.data));
    case 'tr':
      return scalar(isScalarT(t) ? t.data[0]! : trace(t.data, t.dims[0]!));
    case 'det':
      return scalar(isScalarT(t) ? t.data[0]! : determinant(t.data, t.dims[0]!));
    case 'logdet':
      return scalar(logdet(t, label));
    case 'inv':
      if (isScalarT(t)) {
        if (t.data[0] === 0) throw new DomainError(`${label}: the matrix is singular`);
        return scalar(1 / t.data[0]!);
      }
      return make(dims, inverse(t.data, t.dims[0]!, label));
    case 'diag':
      return make(dims, diag(t));
    case 'softmax':
      return make(dims, softmaxAlong(t, dimOf(node)));
    case 'log_softmax':
      return make(dims, logSoftmaxAlong(t, dimOf(node)));
    case 'logsumexp':
      return make(dims, logsumexpAlong(t, dimOf(node)));
    case 'norm':
      return scalar(pNorm(t.data, get(y!).data[0]!));
    case 'kron':
      return make(dims, kron(x.shape, t, y!.shape, get(y!)));
    case 'vec':
      return make(dims, t.data);
    default:
      return assertNever(fn);
  }
}

function elementwise(node: CallNode, fn: ElementwiseFn, t: Tensor, get: Get, dims: readonly number[]): Tensor {
  const k = KERNELS[fn];
  const param =
    node.args.length > 1 ? get(node.args[1]!).data[0]! : ((FUNCTIONS[fn].params as readonly number[])[0] ?? 0);
  if (k.domain !== undefined) {
    const bad = t.data.find((v) => !k.domain!.ok(v));
    if (bad !== undefined) throw new DomainError(`${labelOf(node)}: ${fn} needs ${k.domain.needs}, but one is ${bad}`);
  }
  return map(t, (v) => k.f(v, param), dims);
}

/** log det, defined when the determinant is positive. */
function logdet(t: Tensor, label: string): number {
  const value = isScalarT(t) ? (t.data[0]! > 0 ? Math.log(t.data[0]!) : undefined) : logdetOf(t.data, t.dims[0]!);
  if (value === undefined)
    throw new DomainError(`${label}: the determinant is not positive (the matrix must be positive definite)`);
  return value;
}
