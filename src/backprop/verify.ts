/**
 * Finite-difference checks of a walkthrough: every number backprop reports is a claim about a
 * derivative, and each is checked against central differences (numeric/fd.ts).
 *
 *   - upstream of a node n: set n free — perturb its value and recompute every node computed from it
 *     (through all of its consumers, since nodes are shared), the others held at their values — and
 *     difference L. This is ∂L/∂n, the sum over paths that backprop adds up.
 *   - gradient of an input: the same, for the variable itself.
 *   - local Jacobian of an edge: differences of the node's formula in the input's placeholder.
 * For a non-scalar output the loss is L = ⟨upstream, output⟩. Near a kink (relu at 0, max at a tie)
 * the check reports `kink` instead of a verdict; callers resample the point.
 */
import type { Expr } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { downstream } from './symbolic.js';
import { type DimSizes, type Env, evaluator } from '../numeric/evaluate.js';
import { NearKinkError, ORDER1, type Tolerance, compareTensors, fdJacobian } from '../numeric/fd.js';
import { type Tensor, reshape } from '../numeric/tensor.js';
import type { Walkthrough, WalkNode } from './graph.js';

export interface CheckResult {
  /** Node id, or "to←from" for a local Jacobian. */
  readonly what: string;
  readonly kind: 'upstream' | 'local';
  readonly ok: boolean;
  readonly maxError: number;
  /** The point was near a kink: no verdict. */
  readonly kink: boolean;
}

export interface WalkthroughCheck {
  readonly ok: boolean;
  /** Some check met a kink (resample for a verdict). */
  readonly kink: boolean;
  readonly maxError: number;
  readonly results: readonly CheckResult[];
}

export interface CheckOptions {
  readonly tolerance?: Tolerance;
  /** Check the local Jacobians too (default true). */
  readonly locals?: boolean;
}

export function checkWalkthrough(w: Walkthrough, opts: CheckOptions = {}): WalkthroughCheck {
  const tol = opts.tolerance ?? ORDER1;
  const results: CheckResult[] = [];
  const values = new Map<string, Tensor>(w.at);
  for (const n of w.nodes) values.set(n.id, n.value);
  const weights = w.upstreamGiven ? w.node(w.output).upstream : undefined;
  const scalarLoss = (t: Tensor): Tensor => {
    if (weights === undefined) return t;
    let s = 0;
    for (let i = 0; i < t.data.length; i++) s += t.data[i]! * weights.data[i]!;
    return { dims: [], data: Float64Array.of(s) };
  };
  const attempt = (what: string, kind: CheckResult['kind'], claimed: Tensor, fd: () => Tensor): void => {
    try {
      const numeric = fd();
      const cmp = compareTensors(reshape(claimed, numeric.dims), numeric, tol);
      results.push({ what, kind, ok: cmp.ok, maxError: cmp.maxError, kink: false });
    } catch (err) {
      if (!(err instanceof NearKinkError)) throw err;
      results.push({ what, kind, ok: true, maxError: 0, kink: true });
    }
  };
  // Setting a node free: the output expression with that node replaced by its placeholder (perturbed)
  // and every node not computed from it frozen at its value (its placeholder too), so that each
  // evaluation recomputes only the nodes downstream of it — through all of its consumers.
  const root = w.graph.root.expr;
  for (const n of w.nodes) {
    const self = w.graph.byId.get(n.id)!;
    const free = downstream(w.graph, [self]);
    const frozen = new Map<Expr, Expr>([[self.expr, self.placeholder]]);
    for (const d of free) for (const input of d.inputs) if (!free.has(input)) frozen.set(input.expr, input.placeholder);
    const run = evaluator(substitute(root, frozen));
    attempt(n.id, 'upstream', n.upstream, () =>
      fdJacobian((at) => scalarLoss(run(at, w.sizes)), values, n.id, { avoidKinks: true }),
    );
    if (opts.locals !== false) checkLocals(n, values, w.sizes, attempt);
  }
  const ok = results.every((r) => r.ok);
  return { ok, kink: results.some((r) => r.kink), maxError: Math.max(0, ...results.map((r) => r.maxError)), results };
}

function checkLocals(
  n: WalkNode,
  values: Env,
  sizes: DimSizes,
  attempt: (what: string, kind: 'local', claimed: Tensor, fd: () => Tensor) => void,
): void {
  if (n.edges.length === 0) return;
  const run = evaluator(n.formula);
  for (const e of n.edges) {
    if (e.local.value === null) continue;
    attempt(`${n.id}←${e.from}`, 'local', e.local.value, () =>
      fdJacobian((at) => run(at, sizes), values, e.from, { avoidKinks: true }),
    );
  }
}
