/**
 * Kinks, for the checker's points. The checker compares values at points with small integer entries
 * (readable counterexamples), which land on kinks all the time: relu(x) at x = 0, where the
 * derivative step(x) is a convention (0) and an answer that takes the other one-sided value is not
 * wrong. A point where the argument of a non-smooth function (relu, abs, step, sign, leaky_relu,
 * elu; for maximum and minimum the difference of the two) is zero, or where a max or min reduction
 * has a tie (its two largest entries along the dim equal: the arg-max is not unique), in the
 * question or in the derivative, is not used.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import type { FnName } from '../ir/functions.js';
import { postorder } from '../ir/walk.js';
import { type DimSizes, type Env, evaluator } from '../numeric/evaluate.js';
import { tieGaps } from '../numeric/reductions.js';

/** Functions whose derivative jumps where their argument (for maximum, minimum: the difference of the two) is zero. */
const KINKED: ReadonlySet<FnName> = new Set<FnName>([
  'abs',
  'relu',
  'step',
  'sign',
  'leaky_relu',
  'elu',
  'maximum',
  'minimum',
]);

type Probe = (env: Env, sizes: DimSizes) => boolean;

/** Whether some entry of the argument is zero (relative to its largest). */
function zeroProbe(e: Expr): Probe {
  const run = evaluator(e);
  return (env, sizes) => {
    const t = run(env, sizes);
    let scale = 1;
    for (const v of t.data) scale = Math.max(scale, Math.abs(v));
    return t.data.some((v) => Math.abs(v) <= 1e-9 * scale);
  };
}

/** Whether a max or min reduction has a tie along its dim. */
function tieProbe(n: Expr & { kind: 'call' }, fn: 'max' | 'min'): Probe {
  const run = evaluator(n.args[0]!);
  const dim = b.dimOf(n);
  return (env, sizes) => tieGaps(fn, run(env, sizes), dim).some((g) => g <= 1e-9);
}

const isReduction = (n: Expr): boolean => n.kind === 'call' && (n.fn === 'max' || n.fn === 'min');

/**
 * The probes of the kinks of `exprs`, one per non-smooth node. An argument that holds a max or min
 * reduction is not probed for zeros: the arg-max indicator of their derivative, 1 - step(max(X) - X),
 * is zero there by construction and jumps only where the reduction has a tie, which its own probe finds.
 */
function kinkProbes(exprs: readonly Expr[]): Probe[] {
  const out = new Map<Expr, Probe>();
  for (const e of exprs) {
    for (const n of postorder(e)) {
      if (n.kind !== 'call' || out.has(n)) continue;
      if (n.fn === 'max' || n.fn === 'min') out.set(n, tieProbe(n, n.fn));
      else if (KINKED.has(n.fn)) {
        const arg = n.fn === 'maximum' || n.fn === 'minimum' ? b.sub(n.args[0]!, n.args[1]!) : n.args[0]!;
        if (!postorder(arg).some(isReduction)) out.set(n, zeroProbe(arg));
      }
    }
  }
  return [...out.values()];
}

/** A test `(env, sizes) => true` when the point is on a kink of any of `exprs` (never true when there are none). */
export function kinkTest(exprs: readonly Expr[]): (env: Env, sizes: DimSizes) => boolean {
  const probes = kinkProbes(exprs);
  if (probes.length === 0) return () => false;
  return (env, sizes) => probes.some((probe) => probe(env, sizes));
}
