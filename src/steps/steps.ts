/**
 * Derivations step by step, for `matcalc diff --steps`: each step is a LaTeX line a textbook would
 * print, paired with a claim that finite differences can check (verifyStep), so that every
 * intermediate line — not only the answer — is tested.
 *
 * Two routes:
 *   - differential (Magnus & Neudecker; the default): f, then df by one rule per operation, then
 *     simplified; for a scalar f each term brought to the canonical form tr(Gᵀ dX) (⟨G, dX⟩), the
 *     terms collected, and ∇f = G read off; for a vector or matrix f, vec(df) = J vec(dX) and J.
 *     A derivative with respect to a scalar is read off at dx = 1. Higher orders repeat the steps on
 *     the previous result.
 *   - chain (backpropagation, scalar f only): the forward definitions of the computational graph,
 *     then for every node from the output back to the variable its upstream gradient as the sum over
 *     consumers of upstream × local (a vector–Jacobian product), ending in the gradient. Names given
 *     with `q = x + y; f = q*z` label the nodes.
 *
 * The routes are differential-route.ts and chain-route.ts; steps and their checks are claims.ts.
 *
 * Claims: `value` (the line equals f), `differential` (the line, with dX = V, equals the directional
 * derivative of `of` along V), `derivative` (the value, in the layout dims(of) + dims(wrt), equals the
 * finite-difference derivative), `adjoint` (the value equals ∂of/∂node with the node set free).
 */
import { RequestError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import type { Declarations } from '../parse/parse.js';
import { findVar } from '../api/derivative.js';
import { programOf } from '../backprop/program.js';
import { checkOrder } from '../diff/derivative.js';
import { chainSteps } from './chain-route.js';
import type { Step } from './claims.js';
import { differentialSteps } from './differential-route.js';

export { type Step, type StepCheck, type StepCheckOptions, type StepClaim, verifyStep, verifySteps } from './claims.js';

export type Route = 'differential' | 'chain';

export interface StepsOptions {
  readonly vars?: Declarations;
  /** Default: differential. */
  readonly route?: Route;
  /** Default 1 (differential route only above 1). */
  readonly order?: number;
  /** The function's name in the display (default f, or the program's last name). */
  readonly name?: string;
}

export function derivationSteps(expr: string | Expr, wrt: string, opts: StepsOptions = {}): Step[] {
  const program = programOf(expr, opts.vars);
  const f = program.root;
  const X = findVar(f, wrt);
  const order = opts.order ?? 1;
  checkOrder(order);
  const name = opts.name ?? program.output ?? 'f';
  const route = opts.route ?? 'differential';
  if (route === 'chain') {
    if (order !== 1)
      throw new RequestError(
        'the chain-rule route gives first derivatives; use the differential route for higher orders',
      );
    if (f.shape.kind !== 'scalar')
      throw new RequestError(
        'the chain-rule route needs a scalar function (a loss): wrap it in sum(...), or use the differential route',
      );
    return chainSteps(f, X, name, program.names);
  }
  if (route !== 'differential') throw new RequestError(`the route must be differential or chain, not ${String(route)}`);
  return differentialSteps(f, X, name, order, program.names);
}
