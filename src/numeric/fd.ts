/**
 * Finite differences: the numeric truth that symbolic derivatives are checked against.
 *
 * Layout: the derivative of f with respect to a variable x is a tensor of dims dims(f) + dims(x)
 * (+ dims(x) again for a second derivative), row-major, like jax.jacobian.
 *
 * Steps. Central differences err by about h²·|f'''|/6 (truncation) + ε·|f|/h (rounding); the sum
 * is smallest at h ≈ ε^(1/3) ≈ 6e-6, relative to max(1, |x_i|), where agreement to ~1e-9 relative is
 * typical. Second differences err by h²·|f''''|/12 + ε·|f|/h², smallest at h ≈ ε^(1/4) ≈ 1.2e-4,
 * and agree only to ~1e-7; when a symbolic gradient is available, prefer fdJacobian of the gradient
 * (first-order accuracy) over fdSecond of f. Each step is rounded so that x + h is exact.
 *
 * Kinks. Near a point where f is not smooth (relu or abs at 0, a step), a difference quotient is
 * meaningless and a check would cry wolf. With `avoidKinks` (or fdLooksSmooth) the estimate is
 * cross-checked twice; the caller resamples when either test fails.
 *  - Step halving: the central estimates at h and 2h must agree to about the tolerance the result
 *    will be compared with. Smooth f: they differ by ~h²·|f'''|/2. A kink within 2h of x (not
 *    exactly at x) moves them by different O(1) amounts.
 *  - One-sided scaling: D(h) = forward(h) - backward(h) is ~2h·f''' for a smooth f (for order 1,
 *    h·f''), so D(2h) ≈ 2·D(h); at a kink it is the jump in slope whatever h, so D(2h) ≈ D(h).
 *    This catches a kink exactly at x, where the symmetric estimates agree with each other (relu
 *    at 0 gives 1/2 at every step). Being a ratio, it needs no scale for f'''.
 */
import { RequestError } from '../errors.js';
import type { Env } from './evaluate.js';
import type { Tensor } from './tensor.js';

export type Fn = (at: Env) => Tensor;

export interface FdOptions {
  /** Relative step; default ε^(1/3) for first differences, ε^(1/4) for second differences. */
  readonly step?: number;
  /** Throw NearKinkError instead of returning an estimate taken across a kink. */
  readonly avoidKinks?: boolean;
}

/** Thrown (only with `avoidKinks`) when f is not smooth around the point: resample it. */
export class NearKinkError extends Error {
  constructor(readonly wrt: string) {
    super(`f is not smooth near this value of ${wrt}; take another point`);
    this.name = 'NearKinkError';
  }
}

const STEP1 = Math.cbrt(Number.EPSILON);
const STEP2 = Number.EPSILON ** 0.25;

/**
 * Rounding floor of a difference quotient: FLOOR·ε·M / h^order, where M = max over outputs j of
 * |f_j| + Σ_i |x_i·∂f_j/∂x_i| estimates the size of the terms whose rounding errors f carries (it
 * exceeds |f| when terms cancel, as in x'*A*x near 0). A kink's O(1) disagreement is far above it.
 */
const FLOOR = 1000;

/** M above, from f's value and its (estimated) derivatives with respect to some variables. */
function termMagnitude(f0: Float64Array, parts: ReadonlyArray<{ x: Float64Array; jac: Float64Array }>): number {
  let m = 0;
  for (let j = 0; j < f0.length; j++) {
    let s = Math.abs(f0[j]!);
    for (const { x, jac } of parts) for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! * jac[j * x.length + i]!);
    m = Math.max(m, s);
  }
  return m;
}

/**
 * Step halving: |central(h) - central(2h)| may be this fraction of max(|estimate|, rms of all
 * estimates), on top of the rounding floor. Equal to the default rtol of the comparison (ORDER1,
 * ORDER2), so a kink too small to be flagged is also too small to fail a comparison; smooth
 * functions stay below it unless |f'''| exceeds ~5e5 times the derivative's magnitude.
 */
const WIDER = { 1: 1e-5, 2: 1e-3 } as const;

/** One-sided scaling: |D(2h) - 2·D(h)| may be this fraction of |D(h)| (smooth: ~0; kink: ~1). */
const SIDED = 0.5;

// ---------------------------------------------------------------------------------------------
// Perturbation

interface Shift {
  readonly name: string;
  readonly index: number;
  readonly delta: number;
}

function valueAt(at: Env, name: string): Tensor {
  const t = at.get(name);
  if (t === undefined) throw new RequestError(`no value for ${name}`);
  return t;
}

/** f at `at` with the given entries moved; fresh tensors, so `at` is never mutated. */
function fAt(f: Fn, at: Env, shifts: readonly Shift[]): Float64Array {
  const env = new Map(at);
  for (const s of shifts) {
    const old = env.get(s.name)!;
    const data = old === at.get(s.name) ? Float64Array.from(old.data) : old.data;
    data[s.index]! += s.delta;
    env.set(s.name, { dims: old.dims, data });
  }
  return f(env).data;
}

/** The step for entry x: relative to max(1, |x|), rounded so that x + h is exactly representable. */
function stepFor(x: number, rel: number): number {
  const h = rel * Math.max(1, Math.abs(x));
  return x + h - x;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function rms(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return a.length === 0 ? 0 : Math.sqrt(s / a.length);
}

/** Estimates for the kink test: central at h and 2h, forward minus backward at h and 2h. */
interface Estimates {
  readonly central: Float64Array;
  readonly wider: Float64Array;
  readonly sided: Float64Array;
  readonly sided2: Float64Array;
}

const estimates = (size: number): Estimates => ({
  central: new Float64Array(size),
  wider: new Float64Array(size),
  sided: new Float64Array(size),
  sided2: new Float64Array(size),
});

/** The two kink tests of the module header, over every entry; `floor` is the rounding floor. */
function smoothAll(est: Estimates, floor: number, order: 1 | 2): boolean {
  const typical = rms(est.central);
  for (let i = 0; i < est.central.length; i++) {
    const scale = Math.max(Math.abs(est.central[i]!), typical);
    if (!(Math.abs(est.central[i]! - est.wider[i]!) <= WIDER[order] * scale + floor)) return false;
    if (!(Math.abs(est.sided2[i]! - 2 * est.sided[i]!) <= SIDED * Math.abs(est.sided[i]!) + floor)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// First derivatives

export interface FdResult {
  /** The central-difference estimate, in the layout dims(f) + dims(wrt). */
  readonly value: Tensor;
  /** False when the kink test failed: the estimate is unreliable here. */
  readonly smooth: boolean;
}

/**
 * The derivative of f with respect to the variable `wrt` by central differences, with the kink test.
 * Costs 4 evaluations per entry of wrt (2 without the test, see fdJacobian).
 */
export function fdJacobianChecked(f: Fn, at: Env, wrt: string, opts: FdOptions = {}): FdResult {
  return jacobian(f, at, wrt, opts, true);
}

/** The derivative of f with respect to `wrt`, dims(f) + dims(wrt), by central differences. */
export function fdJacobian(f: Fn, at: Env, wrt: string, opts: FdOptions = {}): Tensor {
  return jacobian(f, at, wrt, opts, opts.avoidKinks === true).value;
}

/** Whether f looks smooth in `wrt` around the point (the kink test of fdJacobianChecked). */
export function fdLooksSmooth(f: Fn, at: Env, wrt: string, opts: FdOptions = {}): boolean {
  return jacobian(f, at, wrt, { ...opts, avoidKinks: false }, true).smooth;
}

function jacobian(f: Fn, at: Env, wrt: string, opts: FdOptions, check: boolean): FdResult {
  const x = valueAt(at, wrt);
  const f0t = f(at);
  const f0 = f0t.data;
  const nf = f0.length,
    nx = x.data.length;
  const size = nf * nx;
  const est = check ? estimates(size) : undefined;
  const central = est?.central ?? new Float64Array(size);
  let hmin = Infinity;
  for (let i = 0; i < nx; i++) {
    const h = stepFor(x.data[i]!, opts.step ?? STEP1);
    hmin = Math.min(hmin, h);
    const at1 = (k: number) => fAt(f, at, [{ name: wrt, index: i, delta: k * h }]);
    const fp = at1(1),
      fm = at1(-1);
    for (let j = 0; j < nf; j++) central[j * nx + i] = (fp[j]! - fm[j]!) / (2 * h);
    if (est === undefined) continue;
    const fpp = at1(2),
      fmm = at1(-2);
    for (let j = 0; j < nf; j++) {
      est.wider[j * nx + i] = (fpp[j]! - fmm[j]!) / (4 * h);
      // forward - backward, at h and at 2h
      est.sided[j * nx + i] = (fp[j]! - 2 * f0[j]! + fm[j]!) / h;
      est.sided2[j * nx + i] = (fpp[j]! - 2 * f0[j]! + fmm[j]!) / (2 * h);
    }
  }
  const value: Tensor = { dims: [...f0t.dims, ...x.dims], data: central };
  const floor = (FLOOR * Number.EPSILON * termMagnitude(f0, [{ x: x.data, jac: central }])) / hmin;
  const smooth = est === undefined || smoothAll(est, floor, 1);
  if (!smooth && opts.avoidKinks === true) throw new NearKinkError(wrt);
  return { value, smooth };
}

/**
 * The directional derivative (f(x + h·v) - f(x - h·v)) / 2h, dims(f): a constant number of
 * evaluations whatever the size of x (JAX check_grads). h is relative to max(1, max|x|) / max|v|.
 * With `avoidKinks`, throws NearKinkError when f is not smooth along v.
 */
export function fdDirectional(f: Fn, at: Env, wrt: string, v: Tensor, opts: FdOptions = {}): Tensor {
  const x = valueAt(at, wrt);
  if (v.data.length !== x.data.length) {
    throw new RequestError(`the direction has ${v.data.length} entries but ${wrt} has ${x.data.length}`);
  }
  const vmax = maxAbs(v.data);
  if (vmax === 0) return { dims: [...f(at).dims], data: new Float64Array(f(at).data.length) };
  const h = ((opts.step ?? STEP1) * Math.max(1, maxAbs(x.data))) / vmax;
  const along = (k: number): Float64Array => {
    const data = x.data.map((xi, i) => xi + k * h * v.data[i]!);
    return f(new Map(at).set(wrt, { dims: x.dims, data })).data;
  };
  const f0t = f(at);
  const fp = along(1),
    fm = along(-1);
  const central = fp.map((p, j) => (p - fm[j]!) / (2 * h));
  if (opts.avoidKinks === true) {
    const fpp = along(2),
      fmm = along(-2);
    const est: Estimates = {
      central,
      wider: fpp.map((p, j) => (p - fmm[j]!) / (4 * h)),
      sided: fp.map((p, j) => (p - 2 * f0t.data[j]! + fm[j]!) / h),
      sided2: fpp.map((p, j) => (p - 2 * f0t.data[j]! + fmm[j]!) / (2 * h)),
    };
    // Σ|x_i ∂f/∂x_i| is bounded via the derivative along v: ≈ max|x|·|J·v| / max|v|.
    const magnitude = maxAbs(f0t.data) + (maxAbs(x.data) * maxAbs(central) * x.data.length) / vmax;
    if (!smoothAll(est, (FLOOR * Number.EPSILON * magnitude) / h, 1)) throw new NearKinkError(wrt);
  }
  return { dims: [...f0t.dims], data: central };
}

// ---------------------------------------------------------------------------------------------
// Second derivatives

export interface FdSecondOptions extends FdOptions {
  /** The second variable, for mixed derivatives; default `wrt` itself. */
  readonly wrt2?: string;
}

/**
 * The second derivative ∂²f/∂wrt ∂wrt2 by second differences, dims(f) + dims(wrt) + dims(wrt2).
 * Diagonal entries use (f(x+h) - 2f(x) + f(x-h))/h², the others the four-point mixed difference.
 * Noisier than first differences (see the module header); compare with ORDER2 tolerances.
 */
export function fdSecond(f: Fn, at: Env, wrt: string, opts: FdSecondOptions = {}): Tensor {
  const wrt2 = opts.wrt2 ?? wrt;
  const x = valueAt(at, wrt),
    y = valueAt(at, wrt2);
  const f0t = f(at);
  const f0 = f0t.data;
  const nf = f0.length,
    nx = x.data.length,
    ny = y.data.length;
  const size = nf * nx * ny;
  const check = opts.avoidKinks === true;
  const est = estimates(size);
  const same = wrt2 === wrt;
  let hmin = Infinity;
  for (let a = 0; a < nx; a++) {
    for (let b = same ? a : 0; b < ny; b++) {
      const ha = stepFor(x.data[a]!, opts.step ?? STEP2),
        hb = stepFor(y.data[b]!, opts.step ?? STEP2);
      const diagonal = same && a === b;
      // g(s, t) = f at x + s·ha·e_a (+ t·hb·e_b).
      const g = (s: number, t: number): Float64Array => {
        if (diagonal) return s + t === 0 ? f0 : fAt(f, at, [{ name: wrt, index: a, delta: (s + t) * ha }]);
        const shifts: Shift[] = [];
        if (s !== 0) shifts.push({ name: wrt, index: a, delta: s * ha });
        if (t !== 0) shifts.push({ name: wrt2, index: b, delta: t * hb });
        return shifts.length === 0 ? f0 : fAt(f, at, shifts);
      };
      // Second difference with steps scaled by k, centred at offset c (in steps); diagonal entries
      // are the same formula with both steps along one axis.
      const diff = (k: number, c: number): Float64Array => {
        const pp = g(c + k, c + k),
          pm = g(c + k, c - k),
          mp = g(c - k, c + k),
          mm = g(c - k, c - k);
        return pp.map((v, j) => (v - pm[j]! - mp[j]! + mm[j]!) / (4 * k * k * ha * hb));
      };
      const minus = (p: Float64Array, q: Float64Array): Float64Array => p.map((v, j) => v - q[j]!);
      const put = (arr: Float64Array, vals: Float64Array): void => {
        for (let j = 0; j < nf; j++) {
          arr[(j * nx + a) * ny + b] = vals[j]!;
          if (same) arr[(j * nx + b) * ny + a] = vals[j]!;
        }
      };
      // On the diagonal, k = 1/2 gives (f(x+h) - 2f(x) + f(x-h))/h².
      const k = diagonal ? 0.5 : 1;
      put(est.central, diff(k, 0));
      if (!check) continue;
      put(est.wider, diff(2 * k, 0));
      // One-sided: the same difference centred one step to either side, at h and at 2h.
      const side = diagonal ? 0.5 : 1;
      put(est.sided, minus(diff(k, side), diff(k, -side)));
      put(est.sided2, minus(diff(2 * k, 2 * side), diff(2 * k, -2 * side)));
      hmin = Math.min(hmin, ha, hb);
    }
  }
  if (check) {
    const parts = [{ x: x.data, jac: fdJacobian(f, at, wrt).data }];
    if (!same) parts.push({ x: y.data, jac: fdJacobian(f, at, wrt2).data });
    const floor = (FLOOR * Number.EPSILON * termMagnitude(f0, parts)) / (hmin * hmin);
    if (!smoothAll(est, floor, 2)) throw new NearKinkError(wrt);
  }
  return { dims: [...f0t.dims, ...x.dims, ...y.dims], data: est.central };
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** For first derivatives by central differences (typical agreement ~1e-9: four orders of margin). */
export const ORDER1: Tolerance = { rtol: 1e-5, atol: 1e-7 };
/** For second differences (typical agreement ~1e-7; rounding grows like ε·|f|/h²). */
export const ORDER2: Tolerance = { rtol: 1e-3, atol: 1e-5 };

export interface Comparison {
  readonly ok: boolean;
  /** The worst error relative to its scale (see compareTensors); Infinity when dims differ or a value is NaN. */
  readonly maxError: number;
  /** Multi-index of the worst entry (by error over tolerance); [] when dims differ. */
  readonly worstIndex: number[];
}

/**
 * Compares entry by entry with |actual - expected| <= atol + rtol·scale, where
 * scale = max(|expected_i|, rms(expected)). Scaling by the typical magnitude as well as the entry
 * itself keeps entries that should be 0 (or nearly so) from failing on rounding noise, which is
 * proportional to the size of the whole tensor rather than to that entry; a wrong derivative is
 * wrong by O(scale), far beyond rtol. `slack` (per entry) widens the bound by twice an estimate's
 * own error (higher-order differences report one). maxError is the largest |actual - expected| /
 * scale (the absolute error where scale is 0).
 */
export function compareTensors(
  actual: Tensor,
  expected: Tensor,
  tol: Tolerance = ORDER1,
  slack?: ArrayLike<number>,
): Comparison {
  const sameDims = actual.dims.length === expected.dims.length && actual.dims.every((d, i) => d === expected.dims[i]);
  if (!sameDims) return { ok: false, maxError: Infinity, worstIndex: [] };
  const typical = rms(expected.data);
  let ok = true,
    maxError = 0,
    worstRatio = -1,
    worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const scale = Math.max(Math.abs(expected.data[i]!), typical);
    const err = Math.abs(actual.data[i]! - expected.data[i]!);
    const ratio = Number.isNaN(err) ? Infinity : err / (tol.atol + tol.rtol * scale + 2 * (slack?.[i] ?? 0));
    if (!(ratio <= 1)) ok = false;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
    // With a slack (an estimate of order ≥ 2), an all-but-zero derivative is measured against the
    // smallest scale the tolerance resolves, not against the estimate's own rounding noise.
    const unit = slack === undefined ? scale : Math.max(scale, tol.atol / tol.rtol);
    maxError = Math.max(maxError, Number.isNaN(err) ? Infinity : unit > 0 ? err / unit : err);
  }
  return { ok, maxError, worstIndex: unravel(worst, expected.dims) };
}

/** Flat row-major index → multi-index. */
export function unravel(flat: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    out[k] = flat % dims[k]!;
    flat = Math.floor(flat / dims[k]!);
  }
  return out;
}
