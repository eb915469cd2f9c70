/**
 * Seeded random points for numeric checks: every variable is sampled from the domain its properties
 * declare, so a check never fails because a point was outside the function's domain.
 *
 * The generator is mulberry32 (a 32-bit state, fast, good enough for test points) with Box–Muller
 * normals. Each variable gets its own stream, seeded from the point's seed and the variable's name,
 * so adding a variable to an expression does not change the values drawn for the others.
 *
 * Domains (B has independent N(0,1) entries, n is the matrix size):
 *   spd          B*B'/n + I          eigenvalues in [1, ~5]: well conditioned and positive definite
 *   invertible   B + (n+1)*I         eigenvalues of B lie within ~sqrt(n) of 0, so far from singular
 *   symmetric    (B + B')/2
 *   diagonal     diagonal entries only (positive: exp(N); invertible: ±(0.5 + |N|); else N)
 *   positive     exp(N(0,1)) entrywise (kept by symmetrising and by the invertible shift)
 *   default      N(0,1) entrywise, or on request ('unit') uniform in (0.05, 0.95): inside the
 *                domains of asin and acos (away from their infinite slopes) and of log, sqrt, log1p
 */
import { ShapeError } from '../errors.js';
import type { Expr, Prop, Var } from '../ir/expr.js';
import { dimNamesOf, postorder } from '../ir/walk.js';
import { formatShape, shapeEquals, tensorDims } from '../shape/shape.js';
import { type DimSizes, resolveDim, shapeSizes } from './evaluate.js';
import { type Tensor, checkedSize, sizeOf, tensor } from './tensor.js';

export interface Rng {
  /** Uniform in [0, 1). */
  readonly uniform: () => number;
  /** Standard normal. */
  readonly normal: () => number;
  /** Uniform integer in [lo, hi]. */
  readonly int: (lo: number, hi: number) => number;
}

/** mulberry32: a 32-bit seeded generator of uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function rng(seed: number): Rng {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  // Box–Muller gives normals in pairs; the second is kept for the next call.
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(uniform() * (hi - lo + 1));
  return { uniform, normal, int };
}

/** FNV-1a hash of a string mixed with a seed: independent streams per variable. */
function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A value for each variable, sampled from its declared domain, with dimension sizes from `dims`
 * (product dimensions are computed from their factors). A name declared twice must have one shape;
 * its properties are merged.
 */
export function randomPoint(
  vars: readonly Var[],
  dims: DimSizes,
  seed: number,
  plain: 'normal' | 'unit' = 'normal',
): Map<string, Tensor> {
  const merged = new Map<string, Var>();
  const props = new Map<string, Set<Prop>>();
  for (const v of vars) {
    const prev = merged.get(v.name);
    if (prev !== undefined && !shapeEquals(prev.shape, v.shape)) {
      throw new ShapeError(`${v.name} is declared twice, as ${formatShape(prev.shape)} and as ${formatShape(v.shape)}`);
    }
    merged.set(v.name, v);
    props.set(v.name, new Set([...(props.get(v.name) ?? []), ...v.props]));
  }
  const out = new Map<string, Tensor>();
  for (const [name, v] of merged) {
    const p = props.get(name)!,
      dimsOf = shapeSizes(v.shape, dims),
      r = rng(streamSeed(seed, name));
    out.set(name, plain === 'unit' && p.size === 0 ? unitSample(dimsOf, r) : sample(dimsOf, p, r));
  }
  return out;
}

/**
 * The sampling ladder of the numeric checks (verify, the checker, derivation steps), for variables
 * without declared properties: N(0, 1) first; after a point outside the domain, positive values
 * (log, sqrt); after one more, values inside (0, 1) (asin, acos — and log, sqrt, log1p too),
 * alternating with positive ones so that neither kind of domain loses its tries.
 */
export type Rung = 'normal' | 'positive' | 'unit';
export const nextRung = (r: Rung): Rung => (r === 'positive' ? 'unit' : 'positive');

/** randomPoint on a rung of the ladder. */
export function randomPointOnRung(vars: readonly Var[], dims: DimSizes, seed: number, rung: Rung): Map<string, Tensor> {
  const vs =
    rung === 'positive' ? vars.map((v) => (v.props.length === 0 ? { ...v, props: ['positive' as const] } : v)) : vars;
  return randomPoint(vs, dims, seed, rung === 'unit' ? 'unit' : 'normal');
}

/** Entries uniform in (0.05, 0.95). */
function unitSample(dims: readonly number[], r: Rng): Tensor {
  checkedSize(dims);
  return tensor(
    dims,
    Array.from({ length: sizeOf(dims) }, () => 0.05 + 0.9 * r.uniform()),
  );
}

/** One value of the given dims from the domain described by `props`. */
function sample(dims: readonly number[], props: ReadonlySet<Prop>, r: Rng): Tensor {
  checkedSize(dims);
  const positive = props.has('positive');
  const entry = positive ? () => Math.exp(r.normal()) : r.normal;
  const square = dims.length === 2 && dims[0] === dims[1];
  if (!square) {
    // Scalars and vectors: an spd scalar is positive, an invertible one stays away from 0.
    const scalar = dims.length === 0;
    const draw =
      scalar && props.has('spd')
        ? () => Math.exp(r.normal())
        : scalar && props.has('invertible') && !positive
          ? () => awayFromZero(r)
          : entry;
    return tensor(dims, Array.from({ length: sizeOf(dims) }, draw));
  }
  const n = dims[0]!;
  const b = Array.from({ length: n * n }, entry);
  if (props.has('diagonal')) return tensor(dims, diagonal(n, props, r));
  if (props.has('spd')) return tensor(dims, spd(n, b));
  let m = props.has('symmetric') ? symmetrise(n, b) : b;
  if (props.has('invertible')) m = m.map((v, k) => (k % (n + 1) === 0 ? v + n + 1 : v));
  return tensor(dims, m);
}

const awayFromZero = (r: Rng): number => (r.uniform() < 0.5 ? -1 : 1) * (0.5 + Math.abs(r.normal()));

function diagonal(n: number, props: ReadonlySet<Prop>, r: Rng): number[] {
  const out = new Array<number>(n * n).fill(0);
  const positive = props.has('positive') || props.has('spd');
  for (let i = 0; i < n; i++) {
    out[i * n + i] = positive ? Math.exp(r.normal()) : props.has('invertible') ? awayFromZero(r) : r.normal();
  }
  return out;
}

/** B*B'/n + I. */
function spd(n: number, b: readonly number[]): number[] {
  const out = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      out[i * n + j] = s / n;
    }
  return out;
}

function symmetrise(n: number, b: readonly number[]): number[] {
  return b.map((_, k) => {
    const i = Math.floor(k / n),
      j = k % n;
    return (b[i * n + j]! + b[j * n + i]!) / 2;
  });
}

/**
 * A small random size (2..4) for every dimension name in `e`, and the size of every product
 * dimension it uses. Up to three names get distinct sizes, so that a dimension mix-up (m for n)
 * shows as a shape error instead of passing by coincidence.
 */
export function defaultDims(e: Expr, seed: number): Map<string, number> {
  const r = rng(seed);
  const names = dimNamesOf(e);
  const pool = [2, 3, 4];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const out = new Map<string, number>();
  names.forEach((name, i) => out.set(name, i < pool.length ? pool[i]! : r.int(2, 4)));
  for (const node of postorder(e)) {
    for (const d of tensorDims(node.shape))
      if (typeof d === 'string' && d.includes('·')) out.set(d, resolveDim(d, out));
  }
  return out;
}
