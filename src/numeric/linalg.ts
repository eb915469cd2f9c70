/**
 * Dense linear algebra on row-major Float64Array matrices: the kernels the evaluator's matrix nodes
 * run, and the factorisations every layer that looks at a matrix value shares — one LU (partial
 * pivoting, Doolittle) for det, inv, logdet and the invertibility check, one Cholesky for spd.
 * Matrices are n×n unless said otherwise; a vector is n×1 and a row 1×n (asMatrix).
 */
import { DomainError } from '../errors.js';
import type { Shape } from '../shape/shape.js';
import type { Tensor } from './tensor.js';

export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** K_{m,n} (mn×mn), row-major vec: K vec(A) = vec(A'), i.e. K[j·m + i, i·n + j] = 1. */
export function commutationMatrix(m: number, n: number): Float64Array {
  const mn = m * n;
  const out = new Float64Array(mn * mn);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[(j * m + i) * mn + i * n + j] = 1;
  return out;
}

/** A value seen as a matrix: vector n×1, row 1×n, scalar 1×1. */
export function asMatrix(s: Shape, t: Tensor): [number, number] {
  switch (s.kind) {
    case 'scalar':
      return [1, 1];
    case 'vector':
      return [t.dims[0]!, 1];
    case 'row':
      return [1, t.dims[0]!];
    case 'matrix':
      return [t.dims[0]!, t.dims[1]!];
  }
}

/** (r×k) times (k×c). */
export function matmul(a: Float64Array, b: Float64Array, r: number, k: number, c: number): Float64Array {
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

/** Kronecker product of the operands seen as matrices (vector n×1, row 1×n); row-major result. */
export function kron(sa: Shape, a: Tensor, sb: Shape, b: Tensor): Float64Array {
  const [ra, ca] = asMatrix(sa, a);
  const [rb, cb] = asMatrix(sb, b);
  const cols = ca * cb;
  const out = new Float64Array(ra * rb * cols);
  for (let i = 0; i < ra; i++)
    for (let j = 0; j < ca; j++) {
      const aij = a.data[i * ca + j]!;
      for (let k = 0; k < rb; k++)
        for (let l = 0; l < cb; l++) {
          out[(i * rb + k) * cols + j * cb + l] = aij * b.data[k * cb + l]!;
        }
    }
  return out;
}

/** vector → diagonal matrix; square matrix → its diagonal. */
export function diag(t: Tensor): Float64Array {
  const n = t.dims[0]!;
  if (t.dims.length === 1) {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = t.data[i]!;
    return out;
  }
  return Float64Array.from({ length: n }, (_, i) => t.data[i * n + i]!);
}

/** The trace of an n×n matrix. */
export function trace(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i]!;
  return s;
}

// ---------------------------------------------------------------------------------------------
// LU and Cholesky

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
    if (Math.abs(pivot) <= tiny) {
      singular = true;
      if (pivot === 0) continue;
    }
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

/** The determinant of an n×n matrix via LU. */
export const determinant = (a: Float64Array, n: number): number => luDet(luDecompose(a, n));

/** The inverse of an n×n matrix via LU; a DomainError naming `label` when it is singular. */
export function inverse(a: Float64Array, n: number, label: string): Float64Array {
  const f = luDecompose(a, n);
  if (f.singular) throw new DomainError(`${label}: the matrix is singular`);
  return luInverse(f);
}

/**
 * log det of an n×n matrix via LU: the sum of log|pivot|, or undefined when the determinant is not
 * positive (or the matrix is singular to working precision).
 */
export function logdetOf(a: Float64Array, n: number): number | undefined {
  const f = luDecompose(a, n);
  let sign = f.sign,
    sum = 0;
  for (let i = 0; i < f.n; i++) {
    const u = f.lu[i * f.n + i]!;
    sign *= Math.sign(u);
    sum += Math.log(Math.abs(u));
  }
  return f.singular || sign <= 0 ? undefined : sum;
}

/**
 * Cholesky (A = L·Lᵀ, column by column): every pivot positive iff the symmetric A is positive
 * definite. Declared spd values (domain.ts) and the checker's rounded counterexample points (check/) use it;
 * `floor` asks for pivots above it rather than above 0.
 */
export function choleskyPivotsPositive(a: ArrayLike<number>, n: number, floor = 0): boolean {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > floor)) return false;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return true;
}
