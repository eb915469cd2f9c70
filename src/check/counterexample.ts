/**
 * Counterexamples for an incorrect answer: the first point where it differs, with the variables'
 * values rounded to integers, or 1 or 2 decimals, when the difference survives the rounding (so a
 * student can redo the arithmetic by hand). Rounding keeps each variable in its declared domain
 * (spd by the one Cholesky in numeric/linalg.ts, positive above 0) and avoids kinks, where the
 * derivative is a convention rather than a value.
 */
import { MatcalcError } from '../errors.js';
import { evaluator } from '../numeric/evaluate.js';
import { choleskyPivotsPositive } from '../numeric/linalg.js';
import { type Nested, type Tensor, allFinite, toNested } from '../numeric/tensor.js';
import { type Pair, type Reading, type View, align, answerSizes, near } from './compare.js';
import { kinkTest } from './kinks.js';
import type { Question } from './question.js';

export interface Counterexample {
  readonly at: Record<string, Nested>;
  readonly expected: Nested;
  readonly answer: Nested;
}

const roundSig = (v: number): number => {
  const r = Number(v.toPrecision(6));
  return Object.is(r, -0) ? 0 : r;
};

function roundedNested(t: Tensor): Nested {
  return toNested({ dims: t.dims, data: t.data.map(roundSig) });
}

/** Rounds a point's values (to integers, or to 1 or 2 decimals) keeping each variable in its domain. */
function roundPoint(q: Question, env: ReadonlyMap<string, Tensor>, decimals: number): Map<string, Tensor> | undefined {
  const out = new Map<string, Tensor>();
  for (const v of q.vars) {
    const t = env.get(v.name)!;
    const constrained = v.props.some((p) => p === 'spd' || p === 'invertible' || p === 'positive');
    const places = constrained ? Math.max(decimals, 1) : decimals;
    const step = 10 ** -places;
    const data = t.data.map((x) => {
      const r = Math.round(x / step) * step;
      const y = Number(r.toFixed(places));
      return v.props.includes('positive') && y <= 0 ? step : Object.is(y, -0) ? 0 : y;
    });
    if (v.props.includes('spd') && !isPositiveDefinite(data, t.dims[0] ?? 1)) return undefined;
    out.set(v.name, { dims: t.dims, data });
  }
  return out;
}

function isPositiveDefinite(a: Float64Array, n: number): boolean {
  return a.length !== n * n ? a.every((x) => x > 0) : choleskyPivotsPositive(a, n, 1e-9);
}

/** The first point where the answer differs, with values rounded for reading when the difference survives. */
export function counterexampleOf(
  q: Question,
  r: Reading,
  byView: ReadonlyMap<View, Pair[]>,
): { counterexample?: Counterexample } {
  const entry = [...byView].find(([v]) => v === 'same' || v === 'broadcast') ?? [...byView][0];
  if (entry === undefined) return {};
  const [view, pairs] = entry;
  const bad = pairs.find((p) => !near(p.a.data, p.e));
  if (bad === undefined) return {};
  const runE = evaluator(q.expected),
    runA = evaluator(r.expr);
  // Rounding may land on a kink (relu at 0), where the derivative is a convention: not a counterexample.
  const onKink = kinkTest([q.d.f, q.expected]),
    answerOnKink = kinkTest([r.expr]);
  for (const decimals of [0, 1, 2]) {
    const env = roundPoint(q, bad.p.env, decimals);
    if (env === undefined) continue;
    try {
      if (onKink(env, bad.p.sizes) || answerOnKink(env, answerSizes(r, view, bad.p))) continue;
      const e = runE(env, bad.p.sizes);
      let a = runA(env, answerSizes(r, view, bad.p));
      if (view === 'broadcast') a = { dims: e.dims, data: new Float64Array(e.data.length).fill(a.data[0]!) };
      if (allFinite(e.data) && allFinite(a.data) && !near(a.data, align(view, e, q, bad.p.sizes))) {
        return { counterexample: { at: atOf(q, env), expected: roundedNested(e), answer: roundedNested(a) } };
      }
    } catch (err) {
      if (!(err instanceof MatcalcError)) throw err;
    }
  }
  return {
    counterexample: { at: atOf(q, bad.p.env, true), expected: roundedNested(bad.p.e), answer: roundedNested(bad.a) },
  };
}

function atOf(q: Question, env: ReadonlyMap<string, Tensor>, round = false): Record<string, Nested> {
  const out: Record<string, Nested> = {};
  for (const v of q.vars) {
    const t = env.get(v.name)!;
    out[v.name] = round ? roundedNested(t) : toNested(t);
  }
  return out;
}
