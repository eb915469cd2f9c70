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
 * Claims: `value` (the line equals f), `differential` (the line, with dX = V, equals the directional
 * derivative of `of` along V), `derivative` (the value, in the layout dims(of) + dims(wrt), equals the
 * finite-difference derivative), `adjoint` (the value equals ∂of/∂node with the node set free).
 */
import { DomainError, NoMatrixFormError, RequestError, UnsupportedError } from '../errors.js';
import * as b from '../ir/build.js';
import { type Expr, type Var, children } from '../ir/expr.js';
import { OPERATORS } from '../ir/operators.js';
import { substitute } from '../ir/substitute.js';
import { allVarsOf, postorder } from '../ir/walk.js';
import type { Declarations } from '../parse/parse.js';
import { fracHeading, latexName, toLatex } from '../print/latex.js';
import { programForm, whereLatex } from '../print/program.js';
import { atomText, operatorText, partialText, toText } from '../print/text.js';
import { simplify } from '../simplify/simplify.js';
import { ELEMENTWISE_RULES, FUNCTION_RULES, OPERATOR_RULES, isElementwiseRule } from '../../rules/index.js';
import { type DimSizes, type Env, evaluator } from '../numeric/evaluate.js';
import { NearKinkError, ORDER1, type Tolerance, compareTensors, fdDirectional, fdJacobian } from '../numeric/fd.js';
import { type Rung, defaultDims, nextRung, randomPointOnRung, rng } from '../numeric/random.js';
import { type Tensor, reshape, tensor } from '../numeric/tensor.js';
import { findVar } from '../api/derivative.js';
import { programOf } from '../backprop/program.js';
import { texBranch, texChainTerm, texDirectTerm, texPartial, texWith, upstreamTex } from '../backprop/render.js';
import {
  Names, type SymGraph, type SymNode, buildGraph, consumerSum, downstream, inlineUpstreams, localDerivative,
} from '../backprop/symbolic.js';
import { unconstrained } from '../diff/assumptions.js';
import { checkOrder, directionVars, nextLevel } from '../diff/derivative.js';
import { differential } from '../diff/differential.js';
import { gradientOf, inner, jacobianOf } from '../diff/linear.js';

export type StepClaim =
  /** expr has the values of `of`. */
  | { readonly kind: 'value'; readonly expr: Expr; readonly of: Expr }
  /** expr, with `direction` = V, is the directional derivative of `of` along V in `wrt` (compared entry by entry, flattened). */
  | { readonly kind: 'differential'; readonly expr: Expr; readonly of: Expr; readonly wrt: Var; readonly direction: Var }
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
    if (order !== 1) throw new RequestError('the chain-rule route gives first derivatives; use the differential route for higher orders');
    if (f.shape.kind !== 'scalar') throw new RequestError('the chain-rule route needs a scalar function (a loss): wrap it in sum(...), or use the differential route');
    return chainSteps(f, X, name, program.names);
  }
  if (route !== 'differential') throw new RequestError(`the route must be differential or chain, not ${String(route)}`);
  return differentialSteps(f, X, name, order, program.names);
}

// ---------------------------------------------------------------------------------------------
// Headings


// ---------------------------------------------------------------------------------------------
// Differential route

/** Each operator as its rule's left-hand side reads (A + B, -X, X'), printed from the vocabulary table. */
const operatorForm = (op: keyof typeof OPERATOR_RULES): string =>
  operatorText(op, OPERATORS[op].arity === 1 ? [atomText('X')] : [atomText('A'), atomText('B')]).text;

/** The rules of the operations in f that depend on x, as "d(A*B) = dA*B + A*dB" lines. */
/** The differential rule a call of fn uses: along its dim for a reduction with one (sum(X, 1)), else the row's d. */
function ruleOf(fn: keyof typeof FUNCTION_RULES, dim: 0 | 1 | undefined): string {
  const r = FUNCTION_RULES[fn];
  return dim === undefined ? r.d : r.alongDim?.[dim] ?? r.d;
}

function rulesUsed(f: Expr, x: Var): string {
  const depends = new Set<Expr>();
  const seen: string[] = [];
  for (const n of postorder(f)) {
    if (n === x || children(n).some((k) => depends.has(k))) depends.add(n);
    else continue;
    let line: string | undefined;
    if (n.kind === 'var' || n.kind === 'const' || n.kind === 'zero' || n.kind === 'ones' || n.kind === 'eye' || n.kind === 'commutation') continue;
    if (n.kind === 'call') {
      line = isElementwiseRule(n.fn)
        ? `d ${n.fn}(x) = ${ELEMENTWISE_RULES[n.fn].dx} .* dx`
        : `d ${n.fn}: ${ruleOf(n.fn, b.dimOf(n))}`;
    } else if (n.kind === 'pow' && n.a.shape.kind === 'matrix') {
      line = 'd(X^k) = Σ X^i dX X^(k-1-i)';
    } else {
      line = `d(${operatorForm(n.kind)}) = ${OPERATOR_RULES[n.kind].d}`;
    }
    if (!seen.includes(line)) seen.push(line);
  }
  return seen.join('; ');
}

/** Signed terms of a sum (a + b - c → [+a, +b, -c]), keeping scalar broadcasts whole. */
function sumTerms(e: Expr, sign = 1, out: Array<{ sign: number; term: Expr }> = []): Array<{ sign: number; term: Expr }> {
  if (e.kind === 'add' && e.a.shape.kind === e.shape.kind && e.b.shape.kind === e.shape.kind) {
    sumTerms(e.a, sign, out);
    sumTerms(e.b, sign, out);
  } else if (e.kind === 'neg') sumTerms(e.x, -sign, out);
  else out.push({ sign, term: e });
  return out;
}

const signed = (sign: number, e: Expr): Expr => (sign < 0 ? b.neg(e) : e);

/** ⟨G, dX⟩ as tr(G' dX) / G' dx, a leading minus of G kept outside: -tr(M' dX) rather than tr((-M)' dX). */
function canonical(g: Expr, dX: Expr): Expr {
  return g.kind === 'neg' ? b.neg(inner(g.x, dX)) : inner(g, dX);
}

/** vec of a direction, as a column (row-major vec). */
function vecOf(e: Expr): Expr {
  switch (e.shape.kind) {
    case 'scalar': case 'vector': return e;
    case 'row': return b.transpose(e);
    case 'matrix': return b.call('vec', [e]);
  }
}

function differentialSteps(f0: Expr, declaredX: Var, name: string, order: number, names: ReadonlyMap<Expr, string>): Step[] {
  // Declared properties shorten what is printed, never what the next order differentiates
  // (diff/assumptions.ts): from order 2 on, the steps continue from the unconstrained result.
  const u = unconstrained(f0, [declaredX]);
  let X = declaredX;
  const [dX] = directionVars(f0, X, 1) as [Var];
  const tex = new Map([[dX.name, `\\mathrm{d}${latexName(X.name)}`]]);
  const T = (e: Expr): string => texWith(e, tex);
  const x = latexName(X.name);
  const all: Step[] = [];
  /** Adds an intermediate step unless it prints exactly as the one before (results go to `all` directly). */
  const push = (st: Step): void => {
    if (all.length === 0 || all[all.length - 1]!.latex !== st.latex) all.push(st);
  };
  const F = latexName(name);
  const fn = programLine(name, F, f0, names);
  push({ title: 'function', rule: 'the expression to differentiate', ...fn, claim: { kind: 'value', expr: f0, of: f0 } });
  let f = f0;
  for (let k = 1; k <= order; k++) {
    // Level k differentiates the order k-1 result: f, then ∂f/∂x, then ∂²f/∂x∂xᵀ, …
    const lhs = k === 1 ? F : fracHeading(F, x, k - 1, { transposeSecond: X.shape.kind === 'vector' });
    const lhsText = k === 1 ? name : partialText(name, X.name, k - 1);
    const resultTex = fracHeading(F, x, k, { transposeSecond: X.shape.kind === 'vector' });
    const resultText = partialText(name, X.name, k);
    const pre = order > 1 ? `order ${k}: ` : '';
    const dLhs = k === 1 ? `\\mathrm{d}${F}` : `\\mathrm{d}\\left(${lhs}\\right)`;
    const dText = k === 1 ? `d${name}` : `d(${lhsText})`;
    const diffClaim = (expr: Expr): StepClaim => ({ kind: 'differential', expr, of: f, wrt: X, direction: dX });
    const raw = differential(f, X, dX);
    const rules = rulesUsed(f, X);
    push({
      title: `${pre}differentiate`,
      rule: rules === '' ? `${lhsText} does not depend on ${X.name}: its differential is identically zero` : `one rule per operation: ${rules}`,
      latex: `${dLhs} = ${T(raw)}`, text: `${dText} = ${toText(raw)}`, claim: diffClaim(raw),
    });
    const L = simplify(raw);
    if (L !== raw && T(L) !== T(raw)) push({ title: `${pre}simplify`, rule: 'algebraic simplification (rules/simplify)', latex: `${dLhs} = ${T(L)}`, text: `${dText} = ${toText(L)}`, claim: diffClaim(L) });
    let result: Expr;
    if (X.shape.kind === 'scalar') {
      result = simplify(differential(f, X, b.num(1)));
      all.push({
        title: `${pre}derivative`, rule: `${dText} = (∂${lhsText}/∂${X.name}) d${X.name}: the derivative is the differential at d${X.name} = 1`,
        ...programLine(resultText, resultTex, result, names),
        claim: { kind: 'derivative', expr: result, of: f, wrt: X },
      });
    } else if (f.shape.kind === 'scalar') {
      const terms = sumTerms(L).map(({ sign, term }) => signed(sign, simplify(gradientOf(term, dX))));
      const termForms = terms.map((g) => canonical(g, dX)).reduce((acc, t) => b.add(acc, t));
      if (termForms !== L) {
        push({
          title: `${pre}canonical form`, rule: `each term written as ⟨G, d${X.name}⟩ = tr(G' d${X.name}), using a'b = b'a for scalars, tr(AB) = tr(BA) and tr(A') = tr(A)`,
          latex: `${dLhs} = ${T(termForms)}`, text: `${dText} = ${toText(termForms)}`, claim: diffClaim(termForms),
        });
      }
      result = simplify(terms.reduce((acc, t) => b.add(acc, t)));
      const collected = canonical(result, dX);
      if (terms.length > 1 && collected !== termForms) {
        push({
          title: `${pre}collect`, rule: `the terms' gradients added: d${lhsText} = tr(G' d${X.name}) with one G`,
          latex: `${dLhs} = ${T(collected)}`, text: `${dText} = ${toText(collected)}`, claim: diffClaim(collected),
        });
      }
      all.push({
        title: `${pre}gradient`, rule: `${dText} = tr(G' d${X.name}) ⇒ ∂${lhsText}/∂${X.name} = G (the shape of ${X.name})`,
        ...programLine(resultText, resultTex, result, names),
        claim: { kind: 'derivative', expr: result, of: f, wrt: X },
      });
    } else {
      try {
        result = simplify(jacobianOf(L, dX));
      } catch (err) {
        if (!(err instanceof NoMatrixFormError)) throw err;
        all.push({
          title: `${pre}differential`, rule: `no matrix form (${err.reason}): the differential is the derivative`,
          latex: `${dLhs} = ${T(L)}`, text: `${dText} = ${toText(L)}`, claim: diffClaim(L),
        });
        return all;
      }
      const vecForm = b.mul(result, vecOf(dX));
      const dfVec = f.shape.kind === 'matrix' ? `\\operatorname{vec}\\left(${dLhs}\\right)` : dLhs;
      push({
        title: `${pre}vec form`, rule: `vec(d${lhsText}) = J vec(d${X.name}), vec stacking rows (row-major), via vec(AUB) identities`,
        latex: `${dfVec} = ${T(vecForm)}`, text: `${f.shape.kind === 'matrix' ? `vec(${dText})` : dText} = ${toText(vecForm)}`, claim: diffClaim(vecForm),
      });
      all.push({
        title: `${pre}Jacobian`, rule: `vec(d${lhsText}) = J vec(d${X.name}) ⇒ ∂${lhsText}/∂${X.name} = J (numerator layout: rows index ${lhsText})`,
        ...programLine(resultText, resultTex, result, names),
        claim: { kind: 'derivative', expr: result, of: f, wrt: X },
      });
    }
    f = result;
    if (k === 1 && order > 1 && u.f !== f0) {
      X = u.plain(declaredX);
      f = nextLevel(u.f, X, dX).expr;
      if (toText(f) !== toText(result)) {
        push({
          title: `order ${k}: unconstrained form`,
          rule: `${declaredX.name}'s declared properties shortened the result; the next order differentiates the entrywise derivative without them (docs/conventions.md)`,
          latex: `${resultTex} = ${toLatex(f)}`, text: `${resultText} = ${toText(f)}`,
          claim: { kind: 'value', expr: f, of: result },
        });
      }
    }
  }
  return all;
}

/**
 * `lhs = e` in the program's names (print/program.ts), the definitions it uses after a where:
 * `∂L/∂W1 = W2'*(yhat - y).*step(z1)*x'  where  z1 = W1*x + b1; …`, one display line in LaTeX.
 */
function programLine(lhsText: string, lhsTex: string, e: Expr, names: ReadonlyMap<Expr, string>): { text: string; latex: string } {
  const form = programForm(e, { names });
  if (form.bindings.length === 0) return { text: `${lhsText} = ${toText(e)}`, latex: `${lhsTex} = ${toLatex(e)}` };
  return {
    text: `${lhsText} = ${toText(form.result)}  where  ${form.bindings.map((x) => `${x.name} = ${toText(x.expr)}`).join('; ')}`,
    latex: `${lhsTex} = ${toLatex(form.result)} \\quad ${whereLatex(form.bindings)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Chain-rule route

function chainSteps(f: Expr, X: Var, name: string, names: ReadonlyMap<Expr, string>): Step[] {
  const g = buildGraph(f, { names, output: name });
  const out = g.output;
  const xNode = g.byExpr.get(X)!;
  const relevant = downstream(g, [xNode]);
  const one = b.num(1);
  const expanded = inlineUpstreams(g, () => false, one);
  if (expanded === null) throw new UnsupportedError('an operation on the way from the variable to the output has no adjoint rule; use the differential route');
  const tex = upstreamTex(g);
  const T = (e: Expr): string => texWith(e, tex);
  const steps: Step[] = [];
  // Every definition, not only those on the way from the variable: they are read by the others.
  const defs = g.nodes.filter((n) => n.op !== 'input');
  steps.push({
    title: 'forward pass', rule: 'the computational graph: one node per operation',
    latex: `\\begin{aligned} ${defs.map((n) => `${latexName(n.id)} &= ${toLatex(n.formula)}`).join(' \\\\ ')} \\end{aligned}`,
    text: defs.map((n) => `${n.id} = ${toText(n.formula)}`).join('; '),
    claim: { kind: 'value', expr: substituteAll(g, g.root.formula), of: f },
  });
  for (const n of [...g.nodes].reverse()) {
    if (n === g.root || !relevant.has(n)) continue;
    // Upstream × local summed over the consumers, each consumer's upstream left as its placeholder.
    const formula = simplify(consumerSum(n, (c) => (c === g.root ? one : c.upstreamVar))!);
    // Through the output itself a path is the output's local derivative, and the branches are named
    // first: ∂f/∂a written inside its own sum would be circular.
    const directTerm = (c: SymNode): string | undefined => {
      if (c !== g.root) return undefined;
      const d = localDerivative(c, n);
      return d.kind === 'differential' ? texBranch(out, n.id, c.id) : texDirectTerm(d.expr, tex);
    };
    const products = n.consumers.map((c) => texChainTerm(out, c.id, n.id, directTerm(c))).join(' + ');
    const paths = n.consumers.length > 1 && n.consumers.includes(g.root)
      ? `${n.consumers.map((c) => texBranch(out, n.id, c.id)).join(' + ')} = ${products}` : products;
    const direct = n.consumers.length === 1 && n.consumers[0] === g.root;
    const head = texPartial(out, n.id);
    const isX = n === xNode;
    const vectorial = n.expr.shape.kind !== 'scalar' || n.consumers.some((c) => c.expr.shape.kind !== 'scalar');
    steps.push({
      title: isX ? 'gradient (upstream × local)' : 'upstream × local',
      rule: direct
        ? `${out} = ${toText(g.root.formula)} gives ∂${out}/∂${n.id} directly`
        : `${n.consumers.map((c) => `upstream ∂${out}/∂${c.id} times local ∂${c.id}/∂${n.id} = ${localText(c, n)}`).join(', plus ')}${vectorial ? ' (a vector–Jacobian product)' : ''}`,
      latex: direct ? `${head} = ${T(formula)}` : `${head} = ${paths} = ${T(formula)}`,
      text: `∂${out}/∂${n.id} = ${toText(formula)}`,
      claim: isX ? { kind: 'derivative', expr: expanded.get(n)!, of: f, wrt: X } : { kind: 'adjoint', expr: expanded.get(n)!, of: f, node: n.expr },
    });
  }
  const result = expanded.get(xNode)!;
  steps.push({
    title: 'gradient', rule: 'the upstream of the variable, with every node written out in the program\'s names',
    ...programLine(`∂${out}/∂${X.name}`, texPartial(out, X.name), result, names),
    claim: { kind: 'derivative', expr: result, of: f, wrt: X },
  });
  return steps;
}

/** The local derivative ∂c/∂n of a consumer's formula, in its compact form. */
function localText(c: SymNode, n: SymNode): string {
  const d = localDerivative(c, n);
  return d.kind === 'differential' ? `(differential) ${toText(d.expr)}` : toText(d.expr);
}

/** A node's formula with every placeholder replaced by its node: the expression itself. */
function substituteAll(g: SymGraph, e: Expr): Expr {
  return substitute(e, new Map(g.nodes.filter((n) => n.op !== 'input').map((n) => [n.placeholder as Expr, n.expr])));
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
  let worst = 0, checked = 0, resampled = 0;
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
      if (err instanceof NearKinkError) { resampled++; continue; }
      if (err instanceof DomainError) { if (rung !== 'normal') resampled++; rung = nextRung(rung); continue; }
      throw err;
    }
  }
  if (checked === 0) throw new DomainError('could not find a point inside the domain where the function is smooth to check the step at');
  return { ok: true, maxError: worst, points: checked, resampled, seed };
}

/** The claimed value and its numeric truth at a point (claimed reshaped to the truth's dims); evaluators are compiled once. */
function measurer(c: StepClaim): (at: Env, sizes: DimSizes, seed: number) => { claimed: Tensor; numeric: Tensor } {
  const runOf = evaluator(c.of), runExpr = evaluator(c.expr);
  switch (c.kind) {
    case 'value':
      return (at, sizes) => ({ claimed: runExpr(at, sizes), numeric: runOf(at, sizes) });
    case 'differential':
      return (at, sizes, seed) => {
        const x = at.get(c.wrt.name)!;
        const r = rng(seed ^ 0x5bd1e995);
        const V = tensor(x.dims, Array.from(x.data, () => r.normal()));
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


