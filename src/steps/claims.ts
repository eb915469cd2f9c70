/**
 * A derivation step and its check. Each step is a line a textbook would print (LaTeX and text) and a
 * claim that finite differences can test: `value` (the line equals f), `differential` (the line,
 * with dX = V, equals the directional derivative of `of` along V), `derivative` (the value, in the
 * layout dims(of) + dims(wrt), equals the finite-difference derivative), `adjoint` (the value equals
 * ∂of/∂node with the node set free). verifyStep draws points (and directions) from the variables'
 * domains, moving up the sampling ladder at a domain error and resampling near a kink.
 */
import { DomainError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { allVarsOf } from '../ir/walk.js';
import { toLatex } from '../print/latex.js';
import { programForm, whereLatex } from '../print/program.js';
import { toText } from '../print/text.js';
import { type DimSizes, type Env, evaluator } from '../numeric/evaluate.js';
import { NearKinkError, ORDER1, type Tolerance, compareTensors, fdDirectional, fdJacobian } from '../numeric/fd.js';
import { type Rung, defaultDims, nextRung, randomPointOnRung, rng } from '../numeric/random.js';
import { type Tensor, reshape, tensor } from '../numeric/tensor.js';
import { Names } from '../backprop/symbolic.js';

export type StepClaim =
  /** expr has the values of `of`. */
  | { readonly kind: 'value'; readonly expr: Expr; readonly of: Expr }
  /** expr, with `direction` = V, is the directional derivative of `of` along V in `wrt` (compared entry by entry, flattened). */
  | {
      readonly kind: 'differential';
      readonly expr: Expr;
      readonly of: Expr;
      readonly wrt: Var;
      readonly direction: Var;
    }
  /** expr's value, reshaped to dims(of) + dims(wrt), is ∂of/∂wrt. */
  | { readonly kind: 'derivative'; readonly expr: Expr; readonly of: Expr; readonly wrt: Var }
  /** expr is ∂of/∂node for a scalar `of`, the node set free (the sum over every path through it). */
  | { readonly kind: 'adjoint'; readonly expr: Expr; readonly of: Expr; readonly node: Expr };

export interface Step {
  /** What the step does: "differentiate", "simplify", "canonical form", "gradient", "upstream × local", … */
  readonly title: string;
  /** Why the step holds (the rules applied), for the reader. */
  readonly rule: string;
  /** One display line, KaTeX-valid. */
  readonly latex: string;
  readonly text: string;
  readonly claim: StepClaim;
}

/**
 * `lhs = e` in the program's names (print/program.ts), the definitions it uses after a where:
 * `∂L/∂W1 = W2'*(yhat - y).*step(z1)*x'  where  z1 = W1*x + b1; …`, one display line in LaTeX.
 */
export function programLine(
  lhsText: string,
  lhsTex: string,
  e: Expr,
  names: ReadonlyMap<Expr, string>,
): { text: string; latex: string } {
  const form = programForm(e, { names });
  if (form.bindings.length === 0) return { text: `${lhsText} = ${toText(e)}`, latex: `${lhsTex} = ${toLatex(e)}` };
  return {
    text: `${lhsText} = ${toText(form.result)}  where  ${form.bindings.map((x) => `${x.name} = ${toText(x.expr)}`).join('; ')}`,
    latex: `${lhsTex} = ${toLatex(form.result)} \\quad ${whereLatex(form.bindings)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Checking

export interface StepCheck {
  readonly ok: boolean;
  readonly maxError: number;
  readonly points: number;
  readonly resampled: number;
  readonly seed: number;
}

export interface StepCheckOptions {
  readonly points?: number;
  readonly seed?: number;
  readonly tolerance?: Tolerance;
}

/** Checks one step's claim at random points (and random directions) against finite differences. */
export function verifyStep(step: Step, opts: StepCheckOptions = {}): StepCheck {
  const c = step.claim;
  const seed = opts.seed ?? 20261125;
  const want = opts.points ?? 3;
  const tol = opts.tolerance ?? ORDER1;
  // The variable differentiated is part of the point even when the claim no longer mentions it: at
  // order k ≥ 2 `of` is the order k-1 result, which may be free of it (d(A*x)/dx = A, whose
  // differential is identically zero) — its dimensions are fixed by it all the same.
  const exprs: Expr[] = c.kind === 'differential' || c.kind === 'derivative' ? [c.of, c.expr, c.wrt] : [c.of, c.expr];
  const vars = allVarsOf(...exprs).filter((v) => c.kind !== 'differential' || v !== c.direction);
  const measure = measurer(c);
  let worst = 0,
    checked = 0,
    resampled = 0;
  let rung: Rung = 'normal';
  for (let attempt = 0; checked < want && attempt < want + 12; attempt++) {
    const s = seed + 7919 * attempt;
    const sizes = new Map<string, number>();
    for (const e of exprs) for (const [k, v] of defaultDims(e, s)) if (!sizes.has(k)) sizes.set(k, v);
    const at = randomPointOnRung(vars, sizes, s, rung);
    try {
      const { claimed, numeric } = measure(at, sizes, s);
      const cmp = compareTensors(claimed, numeric, tol);
      checked++;
      worst = Math.max(worst, cmp.maxError);
      if (!cmp.ok) return { ok: false, maxError: worst, points: checked, resampled, seed };
    } catch (err) {
      if (err instanceof NearKinkError) {
        resampled++;
        continue;
      }
      if (err instanceof DomainError) {
        if (rung !== 'normal') resampled++;
        rung = nextRung(rung);
        continue;
      }
      throw err;
    }
  }
  if (checked === 0)
    throw new DomainError('could not find a point inside the domain where the function is smooth to check the step at');
  return { ok: true, maxError: worst, points: checked, resampled, seed };
}

/** The claimed value and its numeric truth at a point (claimed reshaped to the truth's dims); evaluators are compiled once. */
function measurer(c: StepClaim): (at: Env, sizes: DimSizes, seed: number) => { claimed: Tensor; numeric: Tensor } {
  const runOf = evaluator(c.of),
    runExpr = evaluator(c.expr);
  switch (c.kind) {
    case 'value':
      return (at, sizes) => ({ claimed: runExpr(at, sizes), numeric: runOf(at, sizes) });
    case 'differential':
      return (at, sizes, seed) => {
        const x = at.get(c.wrt.name)!;
        const r = rng(seed ^ 0x5bd1e995);
        const V = tensor(
          x.dims,
          Array.from(x.data, () => r.normal()),
        );
        const claimed = runExpr(new Map(at).set(c.direction.name, V), sizes);
        const numeric = fdDirectional((e) => runOf(e, sizes), at, c.wrt.name, V, { avoidKinks: true });
        return { claimed: reshape(claimed, numeric.dims), numeric };
      };
    case 'derivative':
      return (at, sizes) => {
        const numeric = fdJacobian((e) => runOf(e, sizes), at, c.wrt.name, { avoidKinks: true });
        return { claimed: reshape(runExpr(at, sizes), numeric.dims), numeric };
      };
    case 'adjoint': {
      // `of` with the node replaced by a free variable, perturbed from the node's value.
      const free = b.variable(new Names(allVarsOf(c.of, c.expr).map((v) => v.name)).fresh('node_free'), c.node.shape);
      const run = evaluator(substitute(c.of, new Map([[c.node, free]])));
      const runNode = evaluator(c.node);
      return (at, sizes) => {
        const point = new Map(at).set(free.name, runNode(at, sizes));
        const numeric = fdJacobian((e) => run(e, sizes), point, free.name, { avoidKinks: true });
        return { claimed: reshape(runExpr(at, sizes), numeric.dims), numeric };
      };
    }
  }
}

export function verifySteps(steps: readonly Step[], opts: StepCheckOptions = {}): StepCheck[] {
  return steps.map((s) => verifyStep(s, opts));
}
