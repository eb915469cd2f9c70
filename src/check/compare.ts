/**
 * Lining an answer's values up with the expected ones. An answer is compared in the views its shape
 * allows (`fits`): as it is, transposed (a row gradient, a denominator-layout Jacobian), as a scalar
 * standing for a constant tensor, or — for a first-order vec-form Jacobian — in the Matrix Cookbook's
 * column-major vec. A dimension the answer's variables do not fix (eye's, vector(1)'s) matches the
 * target's. Values are equal when they agree entrywise to a relative tolerance of 1e-8 against the
 * larger magnitude.
 */
import type { Expr } from '../ir/expr.js';
import { dimNamesOf, varsOf } from '../ir/walk.js';
import { type DimSizes, evaluator, resolveDim, shapeSizes } from '../numeric/evaluate.js';
import { type Tensor, transposeMatrix } from '../numeric/tensor.js';
import { type Dim, type Shape, dimFactors, mulDim, tensorDims, transposeShape } from '../shape/shape.js';
import type { Point, Question } from './question.js';

const RTOL = 1e-8;

/** How the answer's value lines up with the expected one. */
export type View = 'same' | 'transposed' | 'broadcast' | 'column-major';

/**
 * Whether an answer of shape `a` can be compared with a target of shape `t`: same kind, equal
 * dimensions, where a dimension the answer's variables do not fix (eye's, vector(1)'s) matches any.
 */
function fits(a: Shape, t: Shape, fixed: ReadonlySet<Dim>): Map<Dim, Dim> | undefined {
  if (a.kind !== t.kind) return undefined;
  const match = new Map<Dim, Dim>();
  const ad = tensorDims(a),
    td = tensorDims(t);
  for (let i = 0; i < ad.length; i++) {
    const x = ad[i]!,
      y = td[i]!;
    // A product k·n is fixed when its factors are (kron(A, B) is (k·n)×(m·n) whatever it meets).
    if (typeof x === 'number' || dimFactors(x).every((f) => typeof f === 'number' || fixed.has(f))) {
      if (x !== y) return undefined;
      continue;
    }
    const bind = (from: Dim, to: Dim): boolean => {
      const prev = match.get(from);
      if (prev !== undefined && prev !== to) return false;
      match.set(from, to);
      return true;
    };
    if (!bind(x, y)) return undefined;
    // n·k with k free meeting n·n: k is n (kron(eye(n), vector(1)) printed from a derivative, read back).
    const free = dimFactors(x).filter((f) => typeof f !== 'number' && !fixed.has(f));
    if (free.length === 1 && free[0] !== x) {
      const rest = [...dimFactors(y)];
      const placed = dimFactors(x).every((f) => {
        if (f === free[0]) return true;
        const i = rest.indexOf(f);
        if (i < 0) return false;
        rest.splice(i, 1);
        return true;
      });
      if (
        !placed ||
        !bind(
          free[0]!,
          rest.reduce<Dim>((acc, f) => mulDim(acc, f), 1),
        )
      )
        return undefined;
    }
  }
  return match;
}

export interface Reading {
  readonly expr: Expr;
  /** The dimension names the answer uses. */
  readonly dimNames: readonly string[];
  /** Dimensions its variables fix. */
  readonly fixed: ReadonlySet<Dim>;
  /** Valid views with the answer's free dimensions matched to the target's. */
  readonly views: ReadonlyMap<View, Map<Dim, Dim>>;
}

export function reading(q: Question, answer: Expr): Reading {
  const answerVars = varsOf(answer);
  const fixed = new Set<Dim>(answerVars.flatMap((v) => tensorDims(v.shape)));
  const views = new Map<View, Map<Dim, Dim>>();
  const es = q.expected.shape;
  const same = fits(answer.shape, es, fixed);
  if (same) views.set('same', same);
  // A vec-form Jacobian may be written in the column-major vec (the Cookbook's): same shape, entries permuted.
  if (same && q.d.kind === 'vec-jacobian' && q.d.order === 1) views.set('column-major', same);
  if (es.kind !== 'scalar') {
    const tr = fits(answer.shape, transposeShape(es), fixed);
    if (tr) views.set('transposed', tr);
    if (answer.shape.kind === 'scalar' && answerVars.length === 0) views.set('broadcast', new Map());
  }
  return { expr: answer, dimNames: dimNamesOf(answer), fixed, views };
}

/** The expected value laid out as the answer's view sees it (`p` sizes the dims of f and wrt for the column-major view). */
export function align(view: View, t: Tensor, q: Question, sizes: DimSizes): Float64Array {
  if (view === 'column-major')
    return columnMajorVec(t, shapeSizes(q.d.f.shape, sizes), shapeSizes(q.d.wrt.shape, sizes));
  return view !== 'transposed' || t.dims.length < 2 ? t.data : transposeMatrix(t).data;
}

/**
 * A Jacobian K with vec(df) = K vec(dX) in row-major vec, rewritten for column-major vec: row and
 * column indices are the entries of f and X, renumbered column by column.
 */
function columnMajorVec(t: Tensor, fDims: readonly number[], xDims: readonly number[]): Float64Array {
  const renumber = (dims: readonly number[]): Int32Array => {
    const size = dims.reduce((a, b) => a * b, 1);
    const out = new Int32Array(size);
    const [m, n] = dims.length === 2 ? [dims[0]!, dims[1]!] : [size, 1];
    for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) out[a * n + b] = b * m + a;
    return out;
  };
  const rows = renumber(fDims),
    cols = renumber(xDims);
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < rows.length; i++)
    for (let j = 0; j < cols.length; j++) out[rows[i]! * cols.length + cols[j]!] = t.data[i * cols.length + j]!;
  return out;
}

/** Sizes for evaluating the answer (or a term of it) at a point: its variables' dims, plus its free dims from the view. */
export function answerSizes(r: Reading, view: View, p: Point): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [k, v] of p.sizes) if (r.fixed.has(k)) sizes.set(k, v);
  const match = r.views.get(view) ?? new Map<Dim, Dim>();
  for (const d of r.dimNames) {
    if (sizes.has(d)) continue;
    const target = match.get(d);
    // A target may be a product (matrix(0) standing for a (m·n)×(m·n) zero): resolve it factor by factor.
    const known = (t: Dim) => dimFactors(t).every((f) => typeof f === 'number' || p.sizes.has(f));
    const size = target !== undefined ? (known(target) ? resolveDim(target, p.sizes) : undefined) : p.sizes.get(d);
    sizes.set(d, size ?? 3);
  }
  return sizes;
}

export interface Pair {
  readonly p: Point;
  /** Expected, aligned to the answer's layout. */
  readonly e: Float64Array;
  readonly a: Tensor;
}

/** The answer's value next to the expected one at every point; a DomainError is the answer's. */
export function pairsFor(q: Question, r: Reading, view: View, points: readonly Point[]): Pair[] {
  const run = evaluator(r.expr);
  return points.map((p) => {
    let a = run(p.env, answerSizes(r, view, p));
    if (view === 'broadcast') a = { dims: p.e.dims, data: new Float64Array(p.e.data.length).fill(a.data[0]!) };
    return { p, e: align(view, p.e, q, p.sizes), a };
  });
}

const maxAbs = (xs: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]!));
  return m;
};

/** a ≈ e entrywise, relative to the larger of the two magnitudes. */
export function near(a: ArrayLike<number>, e: ArrayLike<number>): boolean {
  if (a.length !== e.length) return false;
  const scale = Math.max(maxAbs(a), maxAbs(e));
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= RTOL * scale + 1e-12)) return false;
  }
  return true;
}

/** Every pair near, by default answer against expected; `f` may compare other arrays (k: the pair's point). */
export const allNear = (
  pairs: readonly Pair[],
  f: (p: Pair, k: number) => [ArrayLike<number>, ArrayLike<number>] = (p) => [p.a.data, p.e],
): boolean =>
  pairs.every((p, k) => {
    const [x, y] = f(p, k);
    return near(x, y);
  });

/** The constant c with answer = c × expected at every point, if there is one (c ≠ 0, 1). */
export function constantFactor(pairs: readonly Pair[]): number | undefined {
  let ae = 0,
    ee = 0;
  for (const { a, e } of pairs) {
    if (a.data.length !== e.length) return undefined;
    for (let i = 0; i < e.length; i++) {
      ae += a.data[i]! * e[i]!;
      ee += e[i]! * e[i]!;
    }
  }
  if (!(ee > 0)) return undefined;
  const c = ae / ee;
  if (Math.abs(c) < 1e-9 || Math.abs(c - 1) < 1e-9) return undefined;
  return allNear(pairs, (p) => [p.a.data, p.e.map((v) => c * v)]) ? c : undefined;
}
