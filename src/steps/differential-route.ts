/**
 * The differential route (Magnus & Neudecker; the default of `--steps`): f, then df by one rule per
 * operation (the rows of rules/), then simplified; for a scalar f each term brought to the canonical
 * form tr(Gᵀ dX) (⟨G, dX⟩), the terms collected, and ∇f = G read off; for a vector or matrix f,
 * vec(df) = J vec(dX) and J. A derivative with respect to a scalar is read off at dx = 1. Higher
 * orders repeat the steps on the previous result, from the unconstrained form when declared
 * properties shortened it (diff/assumptions.ts).
 */
import { NoMatrixFormError } from '../errors.js';
import * as b from '../ir/build.js';
import { type Expr, type Var, children } from '../ir/expr.js';
import { OPERATORS } from '../ir/operators.js';
import { postorder } from '../ir/walk.js';
import { fracHeading, latexName, toLatex } from '../print/latex.js';
import { atomText, operatorText, partialText, toText } from '../print/text.js';
import { simplify } from '../simplify/simplify.js';
import { ELEMENTWISE_RULES, FUNCTION_RULES, OPERATOR_RULES, isElementwiseRule } from '../../rules/index.js';
import { texWith } from '../backprop/render.js';
import { unconstrained } from '../diff/assumptions.js';
import { directionVars, nextLevel } from '../diff/derivative.js';
import { differential } from '../diff/differential.js';
import { gradientOf, inner, jacobianOf } from '../diff/linear.js';
import { type Step, type StepClaim, programLine } from './claims.js';

/** Each operator as its rule's left-hand side reads (A + B, -X, X'), printed from the vocabulary table. */
const operatorForm = (op: keyof typeof OPERATOR_RULES): string =>
  operatorText(op, OPERATORS[op].arity === 1 ? [atomText('X')] : [atomText('A'), atomText('B')]).text;

/** The differential rule a call of fn uses: along its dim for a reduction with one (sum(X, 1)), else the row's d. */
function ruleOf(fn: keyof typeof FUNCTION_RULES, dim: 0 | 1 | undefined): string {
  const r = FUNCTION_RULES[fn];
  return dim === undefined ? r.d : (r.alongDim?.[dim] ?? r.d);
}

/** The rules of the operations in f that depend on x, as "d(A*B) = dA*B + A*dB" lines. */
function rulesUsed(f: Expr, x: Var): string {
  const depends = new Set<Expr>();
  const seen: string[] = [];
  for (const n of postorder(f)) {
    if (n === x || children(n).some((k) => depends.has(k))) depends.add(n);
    else continue;
    let line: string | undefined;
    if (
      n.kind === 'var' ||
      n.kind === 'const' ||
      n.kind === 'zero' ||
      n.kind === 'ones' ||
      n.kind === 'eye' ||
      n.kind === 'commutation'
    )
      continue;
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
function sumTerms(
  e: Expr,
  sign = 1,
  out: Array<{ sign: number; term: Expr }> = [],
): Array<{ sign: number; term: Expr }> {
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
    case 'scalar':
    case 'vector':
      return e;
    case 'row':
      return b.transpose(e);
    case 'matrix':
      return b.call('vec', [e]);
  }
}

export function differentialSteps(
  f0: Expr,
  declaredX: Var,
  name: string,
  order: number,
  names: ReadonlyMap<Expr, string>,
): Step[] {
  // Declared properties shorten what is printed, never what the next order differentiates
  // (diff/assumptions.ts): from order 2 on, the steps continue from the unconstrained result.
  const u = unconstrained(f0, [declaredX]);
  let X = declaredX;
  const [dX] = directionVars(f0, X, 1) as [Var];
  const tex = new Map([[dX.name, `\\mathrm{d}${latexName(X.name)}`]]);
  const all: Step[] = [];
  /** Adds an intermediate step unless it prints exactly as the one before (results go to `all` directly). */
  const push = (st: Step): void => {
    if (all.length === 0 || all[all.length - 1]!.latex !== st.latex) all.push(st);
  };
  const F = latexName(name);
  push({
    title: 'function',
    rule: 'the expression to differentiate',
    ...programLine(name, F, f0, names),
    claim: { kind: 'value', expr: f0, of: f0 },
  });
  let f = f0;
  for (let k = 1; k <= order; k++) {
    const lv = level({
      f,
      X,
      dX,
      name,
      F,
      k,
      order,
      names,
      T: (e) => texWith(e, tex),
      push,
      result: (st) => all.push(st),
    });
    const result = levelSteps(lv);
    if (result === undefined) return all;
    f = result;
    if (k === 1 && order > 1 && u.f !== f0) {
      X = u.plain(declaredX);
      f = nextLevel(u.f, X, dX).expr;
      if (toText(f) !== toText(result)) {
        push({
          title: `order ${k}: unconstrained form`,
          rule: `${declaredX.name}'s declared properties shortened the result; the next order differentiates the entrywise derivative without them (docs/conventions.md)`,
          latex: `${lv.resultTex} = ${toLatex(f)}`,
          text: `${lv.resultText} = ${toText(f)}`,
          claim: { kind: 'value', expr: f, of: result },
        });
      }
    }
  }
  return all;
}

/** One order of the derivation: the function it differentiates, its headings, and where its steps go. */
interface Level {
  /** The order k-1 result (f itself at k = 1), differentiated in X along dX. */
  readonly f: Expr;
  readonly X: Var;
  readonly dX: Var;
  readonly names: ReadonlyMap<Expr, string>;
  /** "order k: " when there are several orders, else empty. */
  readonly pre: string;
  /** The left-hand sides: this level's function, its differential, and the result's heading. */
  readonly lhsText: string;
  readonly dLhs: string;
  readonly dText: string;
  readonly resultTex: string;
  readonly resultText: string;
  /** LaTeX of an expression with dX written d(X). */
  readonly T: (e: Expr) => string;
  /** An intermediate step (dropped when it prints as the one before), and a result step. */
  readonly push: (st: Step) => void;
  readonly result: (st: Step) => void;
}

/** Level k differentiates the order k-1 result: f, then ∂f/∂x, then ∂²f/∂x∂xᵀ, … */
function level(a: {
  f: Expr;
  X: Var;
  dX: Var;
  name: string;
  F: string;
  k: number;
  order: number;
  names: ReadonlyMap<Expr, string>;
  T: (e: Expr) => string;
  push: (st: Step) => void;
  result: (st: Step) => void;
}): Level {
  const { X, name, F, k } = a;
  const transposeSecond = X.shape.kind === 'vector';
  const lhs = k === 1 ? F : fracHeading(F, latexName(X.name), k - 1, { transposeSecond });
  const lhsText = k === 1 ? name : partialText(name, X.name, k - 1);
  return {
    f: a.f,
    X,
    dX: a.dX,
    names: a.names,
    pre: a.order > 1 ? `order ${k}: ` : '',
    lhsText,
    dLhs: k === 1 ? `\\mathrm{d}${F}` : `\\mathrm{d}\\left(${lhs}\\right)`,
    dText: k === 1 ? `d${name}` : `d(${lhsText})`,
    resultTex: fracHeading(F, latexName(X.name), k, { transposeSecond }),
    resultText: partialText(name, X.name, k),
    T: a.T,
    push: a.push,
    result: a.result,
  };
}

/** The claim that `expr` is this level's differential. */
const diffClaim = (lv: Level, expr: Expr): StepClaim => ({
  kind: 'differential',
  expr,
  of: lv.f,
  wrt: lv.X,
  direction: lv.dX,
});

/** A line `d(lhs) = expr` claimed to be the differential. */
const differentialLine = (lv: Level, title: string, rule: string, expr: Expr): Step => ({
  title: `${lv.pre}${title}`,
  rule,
  latex: `${lv.dLhs} = ${lv.T(expr)}`,
  text: `${lv.dText} = ${toText(expr)}`,
  claim: diffClaim(lv, expr),
});

/** The level's result line, claimed to be the derivative. */
const resultLine = (lv: Level, title: string, rule: string, result: Expr): Step => ({
  title: `${lv.pre}${title}`,
  rule,
  ...programLine(lv.resultText, lv.resultTex, result, lv.names),
  claim: { kind: 'derivative', expr: result, of: lv.f, wrt: lv.X },
});

/** The steps of one level; its result, or undefined when it has no matrix form (the differential is the last step). */
function levelSteps(lv: Level): Expr | undefined {
  const { f, X, dX } = lv;
  const raw = differential(f, X, dX);
  const rules = rulesUsed(f, X);
  lv.push(
    differentialLine(
      lv,
      'differentiate',
      rules === ''
        ? `${lv.lhsText} does not depend on ${X.name}: its differential is identically zero`
        : `one rule per operation: ${rules}`,
      raw,
    ),
  );
  const L = simplify(raw);
  if (L !== raw && lv.T(L) !== lv.T(raw))
    lv.push(differentialLine(lv, 'simplify', 'algebraic simplification (rules/simplify)', L));
  if (X.shape.kind === 'scalar') {
    const result = simplify(differential(f, X, b.num(1)));
    lv.result(
      resultLine(
        lv,
        'derivative',
        `${lv.dText} = (∂${lv.lhsText}/∂${X.name}) d${X.name}: the derivative is the differential at d${X.name} = 1`,
        result,
      ),
    );
    return result;
  }
  return f.shape.kind === 'scalar' ? gradientSteps(lv, L) : jacobianSteps(lv, L);
}

/** A scalar f: each term as ⟨G, dX⟩ = tr(G' dX), the terms collected, and ∇f = G read off. */
function gradientSteps(lv: Level, L: Expr): Expr {
  const { X, dX } = lv;
  const terms = sumTerms(L).map(({ sign, term }) => signed(sign, simplify(gradientOf(term, dX))));
  const termForms = terms.map((g) => canonical(g, dX)).reduce((acc, t) => b.add(acc, t));
  if (termForms !== L) {
    lv.push(
      differentialLine(
        lv,
        'canonical form',
        `each term written as ⟨G, d${X.name}⟩ = tr(G' d${X.name}), using a'b = b'a for scalars, tr(AB) = tr(BA) and tr(A') = tr(A)`,
        termForms,
      ),
    );
  }
  const result = simplify(terms.reduce((acc, t) => b.add(acc, t)));
  const collected = canonical(result, dX);
  if (terms.length > 1 && collected !== termForms) {
    lv.push(
      differentialLine(
        lv,
        'collect',
        `the terms' gradients added: d${lv.lhsText} = tr(G' d${X.name}) with one G`,
        collected,
      ),
    );
  }
  lv.result(
    resultLine(
      lv,
      'gradient',
      `${lv.dText} = tr(G' d${X.name}) ⇒ ∂${lv.lhsText}/∂${X.name} = G (the shape of ${X.name})`,
      result,
    ),
  );
  return result;
}

/** A vector or matrix f: vec(df) = J vec(dX), and J; or the differential when there is no matrix form. */
function jacobianSteps(lv: Level, L: Expr): Expr | undefined {
  const { f, X, dX } = lv;
  let result: Expr;
  try {
    result = simplify(jacobianOf(L, dX));
  } catch (err) {
    if (!(err instanceof NoMatrixFormError)) throw err;
    lv.result(
      differentialLine(lv, 'differential', `no matrix form (${err.reason}): the differential is the derivative`, L),
    );
    return undefined;
  }
  const vecForm = b.mul(result, vecOf(dX));
  const dfVec = f.shape.kind === 'matrix' ? `\\operatorname{vec}\\left(${lv.dLhs}\\right)` : lv.dLhs;
  lv.push({
    title: `${lv.pre}vec form`,
    rule: `vec(d${lv.lhsText}) = J vec(d${X.name}), vec stacking rows (row-major), via vec(AUB) identities`,
    latex: `${dfVec} = ${lv.T(vecForm)}`,
    text: `${f.shape.kind === 'matrix' ? `vec(${lv.dText})` : lv.dText} = ${toText(vecForm)}`,
    claim: diffClaim(lv, vecForm),
  });
  lv.result(
    resultLine(
      lv,
      'Jacobian',
      `vec(d${lv.lhsText}) = J vec(d${X.name}) ⇒ ∂${lv.lhsText}/∂${X.name} = J (numerator layout: rows index ${lv.lhsText})`,
      result,
    ),
  );
  return result;
}
