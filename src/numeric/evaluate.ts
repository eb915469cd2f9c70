/**
 * Numeric evaluation of the IR on Float64Array tensors: the ground truth every symbolic result is
 * checked against (finite differences call it thousands of times), so it is direct and plain.
 *
 * 1. Dimension binding: each symbolic dimension name gets its size from the values of the
 *    variables that use it (scalar [], vector and row [n], matrix [m, n]); a product dimension
 *    'k·n' is the product of its factors and can also bind its one unknown factor. Disagreements
 *    are ShapeErrors that name the variable and the one that bound the dimension first.
 * 2. Evaluation: nodes in topological order, each once (the IR is a DAG with sharing), each result
 *    kept in a Map keyed by node. Rows and vectors are both 1-d, so x' has the data of x; a matrix
 *    product views its operands as matrices (vector n×1, row 1×n) and the result's row-major data
 *    is already the layout of the node's shape.
 * 3. Guards: a value outside a function's domain or a non-finite result is a DomainError naming the
 *    operation. det, inv and logdet use LU with partial pivoting.
 */
import { DomainError, RequestError, ShapeError } from '../errors.js';
import { type Expr, type Var, assertNever } from '../ir/expr.js';
import { FUNCTIONS, type FnName } from '../ir/functions.js';
import { postorder } from '../ir/walk.js';
import { toText } from '../print/text.js';
import { type Dim, type Shape, dimFactors, formatShape, tensorDims } from '../shape/shape.js';
import { erf, normalCdf } from './special.js';
import { type Tensor, sizeOf } from './tensor.js';

/** Values of the variables, by name. */
export type Env = ReadonlyMap<string, Tensor>;

/** Sizes of the symbolic dimensions, by name. */
export type DimSizes = ReadonlyMap<string, number>;

// ---------------------------------------------------------------------------------------------
// Dimension binding

interface Binding {
  readonly size: number;
  /** The variable whose value fixed the size (for messages). */
  readonly by: string;
}

/** The size of a dimension: a number, a name, or a product 'k·n' of factors. */
export function resolveDim(d: Dim, sizes: DimSizes): number {
  let out = 1;
  for (const f of dimFactors(d)) {
    if (typeof f === 'number') { out *= f; continue; }
    const size = sizes.get(f);
    if (size === undefined) throw new RequestError(`no size for the dimension ${f}: no variable's value fixes it`);
    out *= size;
  }
  return out;
}

/** The tensor dims of a shape under concrete sizes. */
export const shapeSizes = (s: Shape, sizes: DimSizes): number[] => tensorDims(s).map((d) => resolveDim(d, sizes));

const describeDecl = (s: Shape): string => {
  switch (s.kind) {
    case 'scalar': return 'a scalar';
    case 'vector': return `a vector of length ${formatShape(s)}`;
    case 'row': return `a row vector (${formatShape(s)})`;
    case 'matrix': return `an ${formatShape(s)} matrix`;
  }
};

const describeValue = (dims: readonly number[]): string =>
  dims.length === 0 ? 'a single number'
    : dims.length === 1 ? `a list of ${dims[0]} numbers`
      : dims.length === 2 ? `a ${dims[0]}×${dims[1]} array`
        : `an array with dims [${dims.join(', ')}]`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function axisPhrase(s: Shape, axis: number, size: number): string {
  if (s.kind !== 'matrix') return `length ${size}`;
  return axis === 0 ? plural(size, 'row') : plural(size, 'column');
}

interface Pending {
  readonly v: Var;
  readonly axis: number;
  readonly dim: string;
  readonly size: number;
}

/**
 * Binds every dimension name used by the variables of `vars` to a size, from their values in `at`
 * (and from `given`, which takes precedence and is checked like any other binding).
 */
export function bindDims(vars: readonly Var[], at: Env, given?: DimSizes): Map<string, number> {
  const bound = new Map<string, Binding>();
  for (const [name, size] of given ?? []) if (!name.includes('·')) bound.set(name, { size, by: 'the given sizes' });
  const pending: Pending[] = [];
  for (const v of vars) {
    const t = varValue(v, at);
    const want = tensorDims(v.shape);
    if (t.dims.length !== want.length) {
      throw new ShapeError(`${v.name} is declared as ${describeDecl(v.shape)} but its value is ${describeValue(t.dims)}`);
    }
    want.forEach((dim, axis) => {
      const size = t.dims[axis]!;
      const mismatch = (needs: string): ShapeError =>
        new ShapeError(`${v.name} has ${axisPhrase(v.shape, axis, size)} but its declared shape needs ${needs}`);
      if (typeof dim === 'number') {
        if (size !== dim) throw mismatch(String(dim));
      } else if (dim.includes('·')) {
        pending.push({ v, axis, dim, size });
      } else {
        const b = bound.get(dim);
        if (b === undefined) bound.set(dim, { size, by: v.name });
        else if (b.size !== size) throw mismatch(`${dim} = ${b.size} (bound by ${b.by})`);
      }
    });
  }
  bindProducts(pending, bound);
  return new Map([...bound].map(([k, b]) => [k, b.size]));
}

/**
 * Product dimensions: checked once all their factors are bound; one unknown factor (possibly
 * repeated, as in 'n·n') is solved for. Repeats until nothing changes.
 */
function bindProducts(pending: Pending[], bound: Map<string, Binding>): void {
  let todo = pending;
  while (todo.length > 0) {
    const next = todo.filter((p) => !settleProduct(p, bound));
    if (next.length === todo.length) {
      const p = next[0]!;
      throw new RequestError(`cannot tell the sizes in ${p.dim} from ${p.v.name} alone: give a value for a variable with a plain ${p.dim.split('·').filter((f) => !/^\d+$/.test(f)).join(' or ')} dimension`);
    }
    todo = next;
  }
}

/** Checks or solves one product dimension; false if it still has two unknown factors. */
function settleProduct(p: Pending, bound: Map<string, Binding>): boolean {
  let known = 1;
  const unknown = new Map<string, number>();
  const by = new Set<string>();
  for (const f of dimFactors(p.dim)) {
    if (typeof f === 'number') { known *= f; continue; }
    const b = bound.get(f);
    if (b === undefined) unknown.set(f, (unknown.get(f) ?? 0) + 1);
    else { known *= b.size; by.add(b.by); }
  }
  const fail = (): never => {
    throw new ShapeError(
      `${p.v.name} has ${axisPhrase(p.v.shape, p.axis, p.size)} but its declared shape needs ${p.dim} = ${known}` +
      (by.size > 0 ? ` (bound by ${[...by].join(', ')})` : ''),
    );
  };
  if (unknown.size === 0) {
    if (known !== p.size) fail();
    return true;
  }
  if (unknown.size > 1) return false;
  const [[name, power]] = [...unknown] as [[string, number]];
  const root = Math.round((p.size / known) ** (1 / power));
  if (root < 1 || root ** power * known !== p.size) {
    throw new ShapeError(`${p.v.name} has ${axisPhrase(p.v.shape, p.axis, p.size)}, which is not a multiple of ${p.dim} for any size of ${name}`);
  }
  bound.set(name, { size: root, by: p.v.name });
  return true;
}

function varValue(v: Var, at: Env): Tensor {
  const t = at.get(v.name);
  if (t === undefined) throw new RequestError(`no value for ${v.name}`);
  if (!allFinite(t.data)) throw new RequestError(`the value of ${v.name} must contain only finite numbers`);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

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

function allFinite(data: Float64Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

function evalChecked(node: Expr, get: Get, at: Env, sizes: DimSizes): Tensor {
  const out = evalNode(node, get, at, sizes);
  if (!allFinite(out.data)) {
    throw new DomainError(`${labelOf(node)}: the result is not a finite number (an overflow, or a value outside the domain)`);
  }
  return out;
}

function make(dims: readonly number[], data: Float64Array): Tensor {
  if (data.length !== sizeOf(dims)) throw new Error(`internal error: ${data.length} values for dims [${dims.join(',')}]`);
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
  const sa = isScalarT(a), sb = isScalarT(b);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[sa ? 0 : i]!, b.data[sb ? 0 : i]!);
  return make(dims, out);
}

function evalNode(node: Expr, get: Get, at: Env, sizes: DimSizes): Tensor {
  const dims = shapeSizes(node.shape, sizes);
  switch (node.kind) {
    case 'var': return make(dims, at.get(node.name)!.data);
    case 'const': return scalar(node.value);
    case 'zero': return make(dims, new Float64Array(sizeOf(dims)));
    case 'ones': return make(dims, new Float64Array(sizeOf(dims)).fill(1));
    case 'eye': return make(dims, identity(dims[0]!));
    case 'commutation': return make(dims, commutationMatrix(resolveDim(node.m, sizes), resolveDim(node.n, sizes)));
    case 'neg': return map(get(node.x), (x) => -x);
    case 'transpose': return transposeT(get(node.x), node.x.shape, dims);
    case 'add': return zipWith(get(node.a), get(node.b), dims, (x, y) => x + y);
    case 'emul': return zipWith(get(node.a), get(node.b), dims, (x, y) => x * y);
    case 'ediv': case 'div':
      if (get(node.b).data.includes(0)) throw new DomainError(`${labelOf(node)}: division by zero`);
      return zipWith(get(node.a), get(node.b), dims, (x, y) => x / y);
    case 'epow': return zipWith(get(node.a), get(node.b), dims, Math.pow);
    case 'mul': return matmulNode(node.a, node.b, get, dims);
    case 'pow': return powNode(node, get(node.a), get(node.b).data[0]!, dims);
    case 'call': return callNode(node as Expr & { kind: 'call' }, get, dims);
    default: return assertNever(node);
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix kernels (row-major, n×n unless said otherwise)

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** K_{m,n} (mn×mn), row-major vec: K vec(A) = vec(A'), i.e. K[j·m + i, i·n + j] = 1. */
function commutationMatrix(m: number, n: number): Float64Array {
  const mn = m * n;
  const out = new Float64Array(mn * mn);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[(j * m + i) * mn + i * n + j] = 1;
  return out;
}

/** A value seen as a matrix: vector n×1, row 1×n, scalar 1×1. */
function asMatrix(s: Shape, t: Tensor): [number, number] {
  switch (s.kind) {
    case 'scalar': return [1, 1];
    case 'vector': return [t.dims[0]!, 1];
    case 'row': return [1, t.dims[0]!];
    case 'matrix': return [t.dims[0]!, t.dims[1]!];
  }
}

function transposeT(t: Tensor, s: Shape, dims: readonly number[]): Tensor {
  if (s.kind !== 'matrix') return make(dims, t.data);
  const [m, n] = [t.dims[0]!, t.dims[1]!];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = t.data[i * n + j]!;
  return make(dims, out);
}

/** (r×k) times (k×c). */
function matmul(a: Float64Array, b: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j]! += aip * b[p * c + j]!;
    }
  }
  return out;
}

function matmulNode(a: Expr, b: Expr, get: Get, dims: readonly number[]): Tensor {
  const ta = get(a), tb = get(b);
  if (a.shape.kind === 'scalar') return map(tb, (y) => ta.data[0]! * y, dims);
  if (b.shape.kind === 'scalar') return map(ta, (x) => x * tb.data[0]!, dims);
  const [r, k] = asMatrix(a.shape, ta);
  const [k2, c] = asMatrix(b.shape, tb);
  if (k !== k2) throw new Error(`internal error: inner dimensions ${k} and ${k2}`);
  return make(dims, matmul(ta.data, tb.data, r, k, c));
}

interface Lu {
  readonly n: number;
  /** L (unit lower, below the diagonal) and U (on and above it), packed. */
  readonly lu: Float64Array;
  /** Row i of LU is row perm[i] of the input. */
  readonly perm: Int32Array;
  /** The sign of the permutation. */
  readonly sign: number;
  /** A pivot is negligible next to the largest entry: the matrix is singular to working precision. */
  readonly singular: boolean;
}

/** LU decomposition with partial pivoting (Doolittle), P*A = L*U. */
function luDecompose(a: Float64Array, n: number): Lu {
  const lu = Float64Array.from(a);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let sign = 1;
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  const tiny = 4 * n * Number.EPSILON * scale;
  let singular = scale === 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[p * n + k]!)) p = i;
    if (p !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[p * n + j]] = [lu[p * n + j]!, lu[k * n + j]!];
      [perm[k], perm[p]] = [perm[p]!, perm[k]!];
      sign = -sign;
    }
    const pivot = lu[k * n + k]!;
    if (Math.abs(pivot) <= tiny) { singular = true; if (pivot === 0) continue; }
    for (let i = k + 1; i < n; i++) {
      lu[i * n + k]! /= pivot;
      const l = lu[i * n + k]!;
      for (let j = k + 1; j < n; j++) lu[i * n + j]! -= l * lu[k * n + j]!;
    }
  }
  return { n, lu, perm, sign, singular };
}

/** Whether an n×n matrix (row-major) is singular to working precision (a negligible LU pivot). */
export const isSingular = (a: Float64Array, n: number): boolean => luDecompose(a, n).singular;

function luDet(f: Lu): number {
  let d = f.sign;
  for (let i = 0; i < f.n; i++) d *= f.lu[i * f.n + i]!;
  return d === 0 ? 0 : d; // no -0 from the sign of the permutation
}

/** The inverse from a non-singular LU: solve L*U*X = P column by column. */
function luInverse(f: Lu): Float64Array {
  const { n, lu, perm } = f;
  const out = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) col[i] = perm[i] === c ? 1 : 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) col[i]! -= lu[i * n + j]! * col[j]!;
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) col[i]! -= lu[i * n + j]! * col[j]!;
      col[i]! /= lu[i * n + i]!;
    }
    for (let i = 0; i < n; i++) out[i * n + c] = col[i]!;
  }
  return out;
}

function inverse(a: Float64Array, n: number, label: string): Float64Array {
  const f = luDecompose(a, n);
  if (f.singular) throw new DomainError(`${label}: the matrix is singular`);
  return luInverse(f);
}

function powNode(node: Expr, a: Tensor, p: number, dims: readonly number[]): Tensor {
  if (a.dims.length === 0) return scalar(a.data[0]! ** p);
  if (!Number.isInteger(p)) throw new DomainError(`${labelOf(node)}: a matrix power needs an integer exponent, not ${p}`);
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

type ElementwiseFn = { [K in FnName]: (typeof FUNCTIONS)[K]['shape'] extends 'elementwise' ? K : never }[FnName];

interface Kernel {
  /** The value at x with the function's scalar parameter p (the default when not given). */
  readonly f: (x: number, p: number) => number;
  /** The domain, when it is smaller than all reals, and how to say so. */
  readonly domain?: { readonly ok: (x: number) => boolean; readonly needs: string };
}

/** The logistic function, stable on both sides: exp of a non-positive number only. */
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** One kernel per elementwise function; a missing one is a compile error. */
const KERNELS: { readonly [K in ElementwiseFn]: Kernel } = {
  exp: { f: Math.exp },
  log: { f: Math.log, domain: { ok: (x) => x > 0, needs: 'positive entries' } },
  sqrt: { f: Math.sqrt, domain: { ok: (x) => x >= 0, needs: 'non-negative entries' } },
  sin: { f: Math.sin },
  cos: { f: Math.cos },
  tan: { f: Math.tan },
  tanh: { f: Math.tanh },
  sinh: { f: Math.sinh },
  cosh: { f: Math.cosh },
  asin: { f: Math.asin, domain: { ok: (x) => x >= -1 && x <= 1, needs: 'entries in [-1, 1]' } },
  acos: { f: Math.acos, domain: { ok: (x) => x >= -1 && x <= 1, needs: 'entries in [-1, 1]' } },
  atan: { f: Math.atan },
  erf: { f: erf },
  gelu: { f: (x) => x * normalCdf(x) },
  silu: { f: (x) => x * sigmoid(x) },
  softsign: { f: (x) => x / (1 + Math.abs(x)) },
  log1p: { f: Math.log1p, domain: { ok: (x) => x > -1, needs: 'entries above -1' } },
  expm1: { f: Math.expm1 },
  abs: { f: Math.abs },
  sign: { f: Math.sign },
  sigmoid: { f: sigmoid },
  relu: { f: (x) => (x > 0 ? x : 0) },
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|), without overflow.
  softplus: { f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) },
  step: { f: (x) => (x > 0 ? 1 : 0) },
  leaky_relu: { f: (x, alpha) => (x > 0 ? x : alpha * x) },
  elu: { f: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)) },
};

const isElementwise = (fn: FnName): fn is ElementwiseFn => FUNCTIONS[fn].shape === 'elementwise';

type CallNode = Expr & { kind: 'call' };

function callNode(node: CallNode, get: Get, dims: readonly number[]): Tensor {
  const fn = node.fn;
  const [x, y] = [node.args[0]!, node.args[1]];
  const t = get(x);
  if (isElementwise(fn)) return elementwise(node, fn, t, get, dims);
  const label = labelOf(node);
  switch (fn) {
    case 'max': return zipWith(t, get(y!), dims, Math.max);
    case 'sum': return scalar(t.data.reduce((s, v) => s + v, 0));
    case 'norm1': return scalar(t.data.reduce((s, v) => s + Math.abs(v), 0));
    case 'norm2': return scalar(norm2(t.data));
    case 'tr': return scalar(isScalarT(t) ? t.data[0]! : trace(t));
    case 'det': return scalar(isScalarT(t) ? t.data[0]! : luDet(luDecompose(t.data, t.dims[0]!)));
    case 'logdet': return scalar(logdet(t, label));
    case 'inv':
      if (isScalarT(t)) {
        if (t.data[0] === 0) throw new DomainError(`${label}: the matrix is singular`);
        return scalar(1 / t.data[0]!);
      }
      return make(dims, inverse(t.data, t.dims[0]!, label));
    case 'diag': return make(dims, diag(t));
    case 'softmax': return make(dims, softmax(t.data));
    case 'logsumexp': return scalar(logsumexp(t.data));
    case 'kron': return make(dims, kron(x.shape, t, y!.shape, get(y!)));
    case 'vec': return make(dims, t.data);
    default: return assertNever(fn);
  }
}

function elementwise(node: CallNode, fn: ElementwiseFn, t: Tensor, get: Get, dims: readonly number[]): Tensor {
  const k = KERNELS[fn];
  const param = node.args.length > 1 ? get(node.args[1]!).data[0]! : (FUNCTIONS[fn].params as readonly number[])[0] ?? 0;
  if (k.domain !== undefined) {
    const bad = t.data.find((v) => !k.domain!.ok(v));
    if (bad !== undefined) throw new DomainError(`${labelOf(node)}: ${fn} needs ${k.domain.needs}, but one is ${bad}`);
  }
  return map(t, (v) => k.f(v, param), dims);
}

function norm2(data: Float64Array): number {
  // Scaled by the largest entry, so squares cannot overflow.
  let big = 0;
  for (const v of data) big = Math.max(big, Math.abs(v));
  if (big === 0) return 0;
  let s = 0;
  for (const v of data) s += (v / big) ** 2;
  return big * Math.sqrt(s);
}

function trace(t: Tensor): number {
  const n = t.dims[0]!;
  let s = 0;
  for (let i = 0; i < n; i++) s += t.data[i * n + i]!;
  return s;
}

/** log det via LU: the sum of log|pivot|, defined when the determinant is positive. */
function logdet(t: Tensor, label: string): number {
  if (isScalarT(t)) {
    if (!(t.data[0]! > 0)) throw new DomainError(`${label}: the determinant is not positive (the matrix must be positive definite)`);
    return Math.log(t.data[0]!);
  }
  const f = luDecompose(t.data, t.dims[0]!);
  let sign = f.sign, sum = 0;
  for (let i = 0; i < f.n; i++) {
    const u = f.lu[i * f.n + i]!;
    sign *= Math.sign(u);
    sum += Math.log(Math.abs(u));
  }
  if (f.singular || sign <= 0) throw new DomainError(`${label}: the determinant is not positive (the matrix must be positive definite)`);
  return sum;
}

/** vector → diagonal matrix; square matrix → its diagonal. */
function diag(t: Tensor): Float64Array {
  const n = t.dims[0]!;
  if (t.dims.length === 1) {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = t.data[i]!;
    return out;
  }
  return Float64Array.from({ length: n }, (_, i) => t.data[i * n + i]!);
}

/** A loop, not Math.max(...x): spreading a long array can overflow the call stack. */
function maxOf(x: Float64Array): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  return m;
}

/** Stable: shifted by the maximum, so exp never overflows. */
function softmax(x: Float64Array): Float64Array {
  const m = maxOf(x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function logsumexp(x: Float64Array): number {
  const m = maxOf(x);
  return m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** Kronecker product of the operands seen as matrices (vector n×1, row 1×n); row-major result. */
function kron(sa: Shape, a: Tensor, sb: Shape, b: Tensor): Float64Array {
  const [ra, ca] = asMatrix(sa, a);
  const [rb, cb] = asMatrix(sb, b);
  const cols = ca * cb;
  const out = new Float64Array(ra * rb * cols);
  for (let i = 0; i < ra; i++) for (let j = 0; j < ca; j++) {
    const aij = a.data[i * ca + j]!;
    for (let k = 0; k < rb; k++) for (let l = 0; l < cb; l++) {
      out[(i * rb + k) * cols + j * cb + l] = aij * b.data[k * cb + l]!;
    }
  }
  return out;
}
