/**
 * Kinks, for the checker's points. The checker compares values at points with small integer entries
 * (readable counterexamples), which land on kinks all the time: relu(x) at x = 0, where the
 * derivative step(x) is a convention (0) and an answer that takes the other one-sided value is not
 * wrong. A point where the argument of a non-smooth function (relu, abs, step, sign, leaky_relu,
 * elu, or a tie in max) is zero, in the question or in the derivative, is not used.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import type { FnName } from '../ir/functions.js';
import { postorder } from '../ir/walk.js';
import { type DimSizes, type Env, evaluator } from '../numeric/evaluate.js';

/** Functions whose derivative jumps where their argument (for max: the difference of the two) is zero. */
const KINKED: ReadonlySet<FnName> = new Set<FnName>(['abs', 'relu', 'step', 'sign', 'leaky_relu', 'elu', 'max']);

/** The expressions whose zeros are kinks of `exprs`. */
function kinkArguments(exprs: readonly Expr[]): Expr[] {
  const out = new Set<Expr>();
  for (const e of exprs) {
    for (const n of postorder(e)) {
      if (n.kind !== 'call' || !KINKED.has(n.fn)) continue;
      out.add(n.fn === 'max' ? b.sub(n.args[0]!, n.args[1]!) : n.args[0]!);
    }
  }
  return [...out];
}

/** A test `(env, sizes) => true` when the point is on a kink of any of `exprs` (never true when there are none). */
export function kinkTest(exprs: readonly Expr[]): (env: Env, sizes: DimSizes) => boolean {
  const runs = kinkArguments(exprs).map((e) => evaluator(e));
  if (runs.length === 0) return () => false;
  return (env, sizes) => runs.some((run) => {
    const t = run(env, sizes);
    let scale = 1;
    for (const v of t.data) scale = Math.max(scale, Math.abs(v));
    return t.data.some((v) => Math.abs(v) <= 1e-9 * scale);
  });
}
