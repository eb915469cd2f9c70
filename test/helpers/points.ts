/**
 * Plain reference values for tests: seeded random arrays and the textbook loops (products, traces,
 * determinants by cofactor expansion, inverses by Gauss–Jordan) that evaluation results are compared
 * with, and the comparison itself (largest relative error). Deliberately independent of the
 * evaluator: nothing here shares code with src/numeric/evaluate.ts.
 */
import { rng } from '../../src/numeric/random.js';
import { type Nested, type Tensor, fromNested, tensor } from '../../src/numeric/tensor.js';

export type Vec = number[];
export type Mat = number[][];

/** A seeded source of standard normals. */
export function normals(seed: number): () => number {
  return rng(seed).normal;
}

export const randVec = (next: () => number, n: number): Vec => Array.from({ length: n }, next);
export const randMat = (next: () => number, m: number, n: number): Mat =>
  Array.from({ length: m }, () => randVec(next, n));
/** B*B'/n + I: symmetric positive definite. */
export const randSpd = (next: () => number, n: number): Mat => {
  const b = randMat(next, n, n);
  return b.map((_, i) => b.map((__, j) => (i === j ? 1 : 0) + b[i]!.reduce((s, v, k) => s + v * b[j]![k]!, 0) / n));
};

export const T = (v: number | Vec | Mat): Tensor => {
  if (typeof v === 'number') return tensor([], [v]);
  if (typeof v[0] === 'number') return tensor([v.length], v as Vec);
  const m = v as Mat;
  return tensor([m.length, m[0]!.length], m.flat());
};
export const env = (vals: Record<string, number | Vec | Mat>): Map<string, Tensor> =>
  new Map(Object.entries(vals).map(([k, v]) => [k, T(v)]));

export const transpose = (a: Mat): Mat => a[0]!.map((_, j) => a.map((r) => r[j]!));
export const matmul = (a: Mat, b: Mat): Mat =>
  a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
export const matvec = (a: Mat, x: Vec): Vec => a.map((r) => r.reduce((s, v, k) => s + v * x[k]!, 0));
export const dot = (x: Vec, y: Vec): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
export const trace = (a: Mat): number => a.reduce((s, r, i) => s + r[i]!, 0);
export const eye = (n: number): Mat =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i === j ? 1 : 0)));

/** Laplace (cofactor) expansion along the first row: exponential, exact, and nothing like LU. */
export function detCofactor(a: Mat): number {
  if (a.length === 1) return a[0]![0]!;
  return a[0]!.reduce(
    (s, v, j) => s + (j % 2 === 0 ? 1 : -1) * v * detCofactor(a.slice(1).map((r) => r.filter((_, c) => c !== j))),
    0,
  );
}

/** Gauss–Jordan elimination with partial pivoting on [A | I]. */
export function inverseGaussJordan(a: Mat): Mat {
  const n = a.length;
  const m = a.map((r, i) => [...r, ...eye(n)[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((r) => r.slice(n));
}

/** Largest |a - b| relative to max(1, |b|), entry by entry; Infinity when the counts differ. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}

/** A tensor against plain values, after flattening both. */
export const maxRelErr = (got: Tensor, want: number | Vec | Mat): number =>
  relErr(got.data, typeof want === 'number' ? [want] : ((want as Array<number | Vec>).flat() as number[]));

/** Two nested values (JSON output: a number, a list, a list of rows, …); Infinity unless their dims agree. */
export function maxRelError(got: Nested, want: Nested): number {
  const a = fromNested(got),
    b = fromNested(want);
  return a.dims.join() === b.dims.join() ? relErr(a.data, b.data) : Infinity;
}

/**
 * erf by its definition, (2/√π)∫₀ˣ e^(−s²) ds, with composite Simpson's rule: a reference
 * independent of numeric/special.ts (error below 1e-14 for |x| ≤ 3).
 */
export function erfByQuadrature(x: number): number {
  const steps = 6000,
    h = x / steps;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < steps; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * (s * h)) / 3;
}
