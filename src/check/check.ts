/**
 * The homework checker: is a student's answer the derivative, and if not, what is wrong with it?
 *
 * check(expr, wrt, answer) derives the expected result with derivative() (itself verified by finite
 * differences in the test suite), reads the answer in the question's terms (answer.ts: input syntax
 * or LaTeX, the question's variables and shapes), and decides numerically, at several random points
 * drawn from the variables' domains (numeric/random.ts), by comparing values:
 *
 *   correct       equal at every point (relative tolerance 1e-8) — "proved" when the simplifier
 *                 brings both to the same hash-consed node;
 *   transposed    equal to the transpose: a row gradient, a denominator-layout Jacobian, A for A';
 *   incorrect     with the first diagnosis that explains the difference, tried in this order:
 *                 wrong shape; sign (−1×) or constant factor (c×), possibly also transposed; factors
 *                 of a product in the wrong order (symbolic, terms.ts); a symmetry assumed (equal when
 *                 the non-symmetric square matrices are sampled symmetric); one term missing or one
 *                 extra (terms.ts, each term tested numerically); otherwise a counterexample.
 * Every incorrect numeric verdict carries a counterexample point, rounded to small numbers when the
 * difference survives the rounding, with both values.
 *
 * A bad answer never throws (verdict incorrect, diagnosis unparseable or ill-shaped, with the
 * parser's message); a bad question (expr, wrt, vars, order) throws the typed error of derivative().
 */
import { type Derivative, derivative } from '../api/derivative.js';
import { DomainError, MatcalcError, RequestError, UnsupportedError } from '../errors.js';
import type { Expr, Prop, Var } from '../ir/expr.js';
import { dimNamesOf, varsOf } from '../ir/walk.js';
import type { Declarations } from '../parse/parse.js';
import type { Warning } from '../parse/warnings.js';
import { type DimSizes, bindDims, evaluator, resolveDim, shapeSizes } from '../numeric/evaluate.js';
import { choleskyPivotsPositive } from '../numeric/linalg.js';
import { type Rung, defaultDims, nextRung, randomPointOnRung } from '../numeric/random.js';
import { type Nested, type Tensor, toNested, transposeMatrix } from '../numeric/tensor.js';
import { programWhereText } from '../print/program.js';
import { toText } from '../print/text.js';
import { type Dim, type Shape, dimFactors, formatShape, mulDim, tensorDims, transposeShape } from '../shape/shape.js';
import { simplify } from '../simplify/simplify.js';
import { type AnswerSyntax, readAnswer } from './answer.js';
import { kinkTest } from './kinks.js';
import { type SymmetricConvention, symmetricConvention } from './symmetric.js';
import { type Term, expandTerms, reorderedTerm, termExpr } from './terms.js';

export interface CheckOptions {
  readonly vars?: Declarations;
  readonly order?: number;
  readonly seed?: number;
}

export type Verdict = 'correct' | 'transposed' | 'incorrect';

export type Diagnosis =
  | 'equal' | 'proved-equal' | 'transposed' | 'denominator-layout' | 'sign' | 'factor'
  | 'missing-term' | 'extra-term' | 'wrong-shape' | 'factor-order' | 'assumed-symmetric'
  | 'unparseable' | 'ill-shaped' | 'convention' | 'other';

/**
 * A convention other than matcalc's in which an answer is right (verdict `transposed`, diagnosis
 * `convention`): `column-major-vec` is the Matrix Cookbook's vec, stacking columns, in which
 * d(W*x)/dW reads kron(x', eye(k)) where matcalc's row-major vec gives kron(eye(k), x'); `symmetric`
 * and `cookbook` are the symmetric gradient (G + G')/2 and the Cookbook's G + G' - diag(diag(G)) for a
 * matrix declared symmetric (check/symmetric.ts).
 */
export type AnswerConvention = 'column-major-vec' | SymmetricConvention;

export interface Counterexample {
  readonly at: Record<string, Nested>;
  readonly expected: Nested;
  readonly answer: Nested;
}

export interface CheckResult {
  readonly verdict: Verdict;
  readonly explanation: string;
  readonly diagnosis?: Diagnosis;
  /** Our derivative, in the input syntax. */
  readonly expected: string;
  readonly expectedShape: string;
  readonly answerShape?: string;
  /** How the answer was read: 'input' syntax or 'latex'. */
  readonly syntax?: AnswerSyntax;
  /** The answer as read, in the input syntax. */
  readonly answerInput?: string;
  readonly counterexample?: Counterexample;
  /** For diagnosis 'factor' (and 'sign', -1): answer = factor × derivative. */
  readonly factor?: number;
  /** For diagnosis 'convention': the convention in which the answer is right. */
  readonly convention?: AnswerConvention;
  /** About the question as posed (parse/warnings.ts), when there are any. */
  readonly warnings?: readonly Warning[];
}

/** Random points per comparison; each has its own dimension sizes, so coincidences of size do not pass. */
const POINTS = 4;
const MAX_TRIES = 12;
const RTOL = 1e-8;
const DEFAULT_SEED = 20261125;

// ---------------------------------------------------------------------------------------------
// The question

interface Question {
  readonly d: Derivative;
  /** The derivative in matrix form. */
  readonly expected: Expr;
  /** The question's variables (the answer may use these and no others). */
  readonly vars: readonly Var[];
  /** The question's intermediates (z1 = W1*x + b1, …), which the answer may use by name. */
  readonly intermediates: ReadonlyMap<string, Expr>;
  readonly seed: number;
}

/** Derives the expected result; throws the typed error of a bad question. */
function prepareQuestion(expr: string, wrt: string, opts: CheckOptions = {}): Question {
  if (typeof expr !== 'string') throw new RequestError('the question\'s expression must be a string');
  if (typeof wrt !== 'string') throw new RequestError('the variable to differentiate by ("wrt") must be a string');
  const d = derivative(expr, wrt, { ...(opts.order !== undefined ? { order: opts.order } : {}), ...(opts.vars ? { vars: opts.vars } : {}) });
  if (d.kind === 'differential') {
    throw new UnsupportedError(`matcalc has no matrix form for this derivative (${d.symbolic.note ?? 'only a differential'}), so an answer cannot be compared with it`);
  }
  return { d, expected: d.expr, vars: varsOf(d.f), intermediates: d.intermediates, seed: opts.seed ?? DEFAULT_SEED };
}

// ---------------------------------------------------------------------------------------------
// Points and values

interface Point {
  readonly seed: number;
  readonly env: Map<string, Tensor>;
  /** Sizes of the question's dimension names. */
  readonly sizes: ReadonlyMap<string, number>;
  /** The expected derivative's value here. */
  readonly e: Tensor;
}

const allFinite = (t: Tensor): boolean => t.data.every(Number.isFinite);

/**
 * `count` points inside the domain where the expected derivative is finite. `symmetric` names
 * matrices to sample symmetric (to test an assumed symmetry). Like verify(): a point outside a
 * function's domain moves to the next rung of the sampling ladder (numeric/random.ts).
 */
function samplePoints(q: Question, count: number, symmetric: ReadonlySet<string> = new Set()): Point[] {
  const run = evaluator(q.expected);
  const onKink = kinkTest([q.d.f, q.expected]);
  const out: Point[] = [];
  let rung: Rung = 'normal';
  for (let k = 0; out.length < count && k < count + MAX_TRIES; k++) {
    const seed = q.seed + 7919 * k;
    const dims = defaultDims(q.d.f, seed);
    const vars = q.vars.map((v) => withProps(v, symmetric.has(v.name) ? ['symmetric'] : []));
    try {
      const env = randomPointOnRung(vars, dims, seed, rung);
      const sizes = bindDims(q.vars, env, dims);
      const e = run(env, sizes);
      if (allFinite(e) && !onKink(env, sizes)) out.push({ seed, env, sizes, e });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      rung = nextRung(rung);
    }
  }
  if (out.length === 0) throw new DomainError('could not find a point inside the domain where the derivative is defined to compare the answer at');
  return out;
}

const withProps = (v: Var, extra: readonly Prop[]): Var =>
  extra.length === 0 ? v : { ...v, props: [...new Set([...v.props, ...extra])] };

/** How the answer's value lines up with the expected one. */
type View = 'same' | 'transposed' | 'broadcast' | 'column-major';

/**
 * Whether an answer of shape `a` can be compared with a target of shape `t`: same kind, equal
 * dimensions, where a dimension the answer's variables do not fix (eye's, vector(1)'s) matches any.
 */
function fits(a: Shape, t: Shape, fixed: ReadonlySet<Dim>): Map<Dim, Dim> | undefined {
  if (a.kind !== t.kind) return undefined;
  const match = new Map<Dim, Dim>();
  const ad = tensorDims(a), td = tensorDims(t);
  for (let i = 0; i < ad.length; i++) {
    const x = ad[i]!, y = td[i]!;
    // A product k·n is fixed when its factors are (kron(A, B) is (k·n)×(m·n) whatever it meets).
    if (typeof x === 'number' || dimFactors(x).every((f) => typeof f === 'number' || fixed.has(f))) { if (x !== y) return undefined; continue; }
    const bind = (from: Dim, to: Dim): boolean => {
      const prev = match.get(from);
      if (prev !== undefined && prev !== to) return false;
      match.set(from, to);
      return true;
    };
    if (!bind(x, y)) return undefined;
    // n·k with k free meeting n·n: k is n (kron(eye(n), vector(1)) printed from a derivative, read back).
    const free = dimFactors(x).filter((f) => typeof f !== 'number' && !fixed.has(f));
    if (free.length === 1 && free[0] !== x) {
      const rest = [...dimFactors(y)];
      const placed = dimFactors(x).every((f) => {
        if (f === free[0]) return true;
        const i = rest.indexOf(f);
        if (i < 0) return false;
        rest.splice(i, 1);
        return true;
      });
      if (!placed || !bind(free[0]!, rest.reduce<Dim>((acc, f) => mulDim(acc, f), 1))) return undefined;
    }
  }
  return match;
}

interface Reading {
  readonly expr: Expr;
  /** The dimension names the answer uses. */
  readonly dimNames: readonly string[];
  /** Dimensions its variables fix. */
  readonly fixed: ReadonlySet<Dim>;
  /** Valid views with the answer's free dimensions matched to the target's. */
  readonly views: ReadonlyMap<View, Map<Dim, Dim>>;
}

function reading(q: Question, answer: Expr): Reading {
  const answerVars = varsOf(answer);
  const fixed = new Set<Dim>(answerVars.flatMap((v) => tensorDims(v.shape)));
  const views = new Map<View, Map<Dim, Dim>>();
  const es = q.expected.shape;
  const same = fits(answer.shape, es, fixed);
  if (same) views.set('same', same);
  // A vec-form Jacobian may be written in the column-major vec (the Cookbook's): same shape, entries permuted.
  if (same && q.d.kind === 'vec-jacobian' && q.d.order === 1) views.set('column-major', same);
  if (es.kind !== 'scalar') {
    const tr = fits(answer.shape, transposeShape(es), fixed);
    if (tr) views.set('transposed', tr);
    if (answer.shape.kind === 'scalar' && answerVars.length === 0) views.set('broadcast', new Map());
  }
  return { expr: answer, dimNames: dimNamesOf(answer), fixed, views };
}

/** The expected value laid out as the answer's view sees it (`p` sizes the dims of f and wrt for the column-major view). */
function align(view: View, t: Tensor, q: Question, sizes: DimSizes): Float64Array {
  if (view === 'column-major') return columnMajorVec(t, shapeSizes(q.d.f.shape, sizes), shapeSizes(q.d.wrt.shape, sizes));
  return view !== 'transposed' || t.dims.length < 2 ? t.data : transposeMatrix(t).data;
}

/**
 * A Jacobian K with vec(df) = K vec(dX) in row-major vec, rewritten for column-major vec: row and
 * column indices are the entries of f and X, renumbered column by column.
 */
function columnMajorVec(t: Tensor, fDims: readonly number[], xDims: readonly number[]): Float64Array {
  const renumber = (dims: readonly number[]): Int32Array => {
    const size = dims.reduce((a, b) => a * b, 1);
    const out = new Int32Array(size);
    const [m, n] = dims.length === 2 ? [dims[0]!, dims[1]!] : [size, 1];
    for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) out[a * n + b] = b * m + a;
    return out;
  };
  const rows = renumber(fDims), cols = renumber(xDims);
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) out[rows[i]! * cols.length + cols[j]!] = t.data[i * cols.length + j]!;
  return out;
}

/** Sizes for evaluating the answer (or a term of it) at a point: its variables' dims, plus its free dims from the view. */
function answerSizes(r: Reading, view: View, p: Point): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [k, v] of p.sizes) if (r.fixed.has(k)) sizes.set(k, v);
  const match = r.views.get(view) ?? new Map<Dim, Dim>();
  for (const d of r.dimNames) {
    if (sizes.has(d)) continue;
    const target = match.get(d);
    // A target may be a product (matrix(0) standing for a (m·n)×(m·n) zero): resolve it factor by factor.
    const known = (t: Dim) => dimFactors(t).every((f) => typeof f === 'number' || p.sizes.has(f));
    const size = target !== undefined ? (known(target) ? resolveDim(target, p.sizes) : undefined) : p.sizes.get(d);
    sizes.set(d, size ?? 3);
  }
  return sizes;
}

interface Pair {
  readonly p: Point;
  /** Expected, aligned to the answer's layout. */
  readonly e: Float64Array;
  readonly a: Tensor;
}

/** The answer's value next to the expected one at every point; a DomainError is the answer's. */
function pairsFor(q: Question, r: Reading, view: View, points: readonly Point[]): Pair[] {
  const run = evaluator(r.expr);
  return points.map((p) => {
    let a = run(p.env, answerSizes(r, view, p));
    if (view === 'broadcast') a = { dims: p.e.dims, data: new Float64Array(p.e.data.length).fill(a.data[0]!) };
    return { p, e: align(view, p.e, q, p.sizes), a };
  });
}

const maxAbs = (xs: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]!));
  return m;
};

/** a ≈ e entrywise, relative to the larger of the two magnitudes. */
function near(a: ArrayLike<number>, e: ArrayLike<number>): boolean {
  if (a.length !== e.length) return false;
  const scale = Math.max(maxAbs(a), maxAbs(e));
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= RTOL * scale + 1e-12)) return false;
  }
  return true;
}

/** Every pair near, by default answer against expected; `f` may compare other arrays (k: the pair's point). */
const allNear = (pairs: readonly Pair[], f: (p: Pair, k: number) => [ArrayLike<number>, ArrayLike<number>] = (p) => [p.a.data, p.e]): boolean =>
  pairs.every((p, k) => { const [x, y] = f(p, k); return near(x, y); });

/** The constant c with answer = c × expected at every point, if there is one (c ≠ 0, 1). */
function constantFactor(pairs: readonly Pair[]): number | undefined {
  let ae = 0, ee = 0;
  for (const { a, e } of pairs) {
    if (a.data.length !== e.length) return undefined;
    for (let i = 0; i < e.length; i++) { ae += a.data[i]! * e[i]!; ee += e[i]! * e[i]!; }
  }
  if (!(ee > 0)) return undefined;
  const c = ae / ee;
  if (Math.abs(c) < 1e-9 || Math.abs(c - 1) < 1e-9) return undefined;
  return allNear(pairs, (p) => [p.a.data, p.e.map((v) => c * v)]) ? c : undefined;
}

// ---------------------------------------------------------------------------------------------
// The verdict

export function check(expr: string, wrt: string, answer: string, opts: CheckOptions = {}): CheckResult {
  return judge(prepareQuestion(expr, wrt, opts), answer);
}

/** Checks one answer against a prepared question (gradeAll reuses questions), with the question's warnings. */
function judge(q: Question, answer: string): CheckResult {
  const r = judgeAnswer(q, answer);
  return q.d.warnings.length === 0 ? r : { ...r, warnings: q.d.warnings };
}

function judgeAnswer(q: Question, answer: string): CheckResult {
  // A question given as a program is answered in its own names: `W2'*(yhat - y).*step(z1)*x' where z1 = W1*x + b1, …`.
  const expected = q.d.program.definitions.length > 0 ? programWhereText(q.d.programForm()) : toText(q.expected);
  const base = { expected, expectedShape: formatShape(q.expected.shape) };
  const read = readAnswer(answer, q.vars, q.intermediates);
  if (!read.ok) {
    const what = read.diagnosis === 'unparseable' ? 'the answer cannot be read' : 'the answer does not shape-check';
    return { ...base, verdict: 'incorrect', diagnosis: read.diagnosis, explanation: `${what}: ${read.message}` };
  }
  const a = read.expr;
  const withAnswer = { ...base, answerShape: formatShape(a.shape), syntax: read.syntax, answerInput: read.input };
  const r = reading(q, a);
  const wrongShaped = (): CheckResult => ({ ...withAnswer, verdict: 'incorrect', diagnosis: 'wrong-shape', explanation: wrongShape(q, a) });
  if (r.views.size === 0) return wrongShaped();
  const points = samplePoints(q, POINTS);
  const byView = new Map<View, Pair[]>();
  try {
    for (const v of r.views.keys()) byView.set(v, pairsFor(q, r, v, points));
  } catch (err) {
    if (!(err instanceof MatcalcError)) throw err;
    return { ...withAnswer, verdict: 'incorrect', diagnosis: 'other', explanation: `the answer cannot be evaluated where the derivative is defined: ${err.message}` };
  }
  // A constant scalar stands for a constant tensor only when that is what the derivative is (0 for a zero gradient).
  const onlyBroadcast = r.views.size === 1 && r.views.has('broadcast');
  if (onlyBroadcast && !allNear(byView.get('broadcast')!)) return wrongShaped();
  const incorrect = (
    diagnosis: Diagnosis, explanation: string, extra: Partial<CheckResult> = {}, ce = counterexampleOf(q, r, byView),
  ): CheckResult => ({ ...withAnswer, verdict: 'incorrect', diagnosis, explanation, ...extra, ...ce });

  // correct, transposed
  const same = byView.get('same') ?? byView.get('broadcast');
  if (same && allNear(same)) {
    const proved = simplify(a) === simplify(q.expected);
    return {
      ...withAnswer, verdict: 'correct', diagnosis: proved ? 'proved-equal' : 'equal',
      explanation: proved
        ? `proved equal symbolically (both simplify to ${expected})`
        : `equal to ${expected} at ${same.length} random points`,
    };
  }
  const colMajor = byView.get('column-major');
  if (colMajor && allNear(colMajor)) {
    return {
      ...withAnswer, verdict: 'transposed', diagnosis: 'convention', convention: 'column-major-vec',
      explanation: `right in the column-major vec convention (the Matrix Cookbook's: vec stacks columns); matcalc's vec stacks rows, in which the derivative reads ${expected}. Both are right; the conventions order the entries of f and ${q.d.wrt.name} differently`,
    };
  }
  const tr = byView.get('transposed');
  if (tr && allNear(tr)) {
    const denominator = q.d.kind === 'jacobian';
    return {
      ...withAnswer, verdict: 'transposed', diagnosis: denominator ? 'denominator-layout' : 'transposed',
      explanation: layoutNote(q, a),
    };
  }

  // the symmetric gradient or the Cookbook's form, for a matrix declared symmetric
  if (q.d.kind === 'gradient' && same !== undefined) {
    const match = symmetricConvention(q.d.wrt, expected, same.map((p) => ({ expected: p.p.e, answer: p.a.data })), near);
    if (match) return { ...withAnswer, verdict: 'transposed', diagnosis: 'convention', convention: match.convention, explanation: match.explanation };
  }

  // sign, constant factor (possibly also transposed)
  for (const [view, pairs] of byView) {
    if (view === 'broadcast') continue;
    const c = constantFactor(pairs);
    if (c === undefined) continue;
    const also = view === 'transposed' ? `, and it is transposed (${layoutNote(q, a)})` : view === 'column-major' ? ', in the column-major vec convention' : '';
    if (Math.abs(c + 1) < 1e-9) return incorrect('sign', `the sign is wrong: the answer is −(${expected})${also}`, { factor: -1 });
    const nice = niceNumber(c);
    return incorrect('factor', `off by a factor of ${formatFactor(nice)}: the answer is ${formatFactor(nice)} × (${expected})${factorHint(nice)}${also}`, { factor: nice });
  }

  // factors in the wrong order (symbolic)
  const eTerms = expandTerms(q.expected);
  const aTerms = expandTerms(a);
  if (eTerms && aTerms) {
    const w = reorderedTerm(eTerms, aTerms);
    if (w) {
      return incorrect('factor-order', `factors in the wrong order: the answer has ${toText(termExpr(w.answer))} where the derivative has ${toText(termExpr(w.expected))} (matrix products do not commute); the derivative is ${expected}`);
    }
  }

  // a symmetry assumed
  const sym = assumedSymmetric(q, r);
  if (sym) return incorrect('assumed-symmetric', sym);

  // one term missing or extra
  const term = missingOrExtra(q, r, byView, points, eTerms, aTerms);
  if (term) return incorrect(term.diagnosis, term.explanation);

  const ce = counterexampleOf(q, r, byView);
  const where = ce.counterexample
    ? `; for example at ${formatAt(ce.counterexample.at)} the derivative is ${formatNested(ce.counterexample.expected)} but the answer gives ${formatNested(ce.counterexample.answer)}`
    : '';
  return incorrect('other', `the answer is not the derivative ${expected}${where}`, {}, ce);
}

// ---------------------------------------------------------------------------------------------
// Diagnoses

function assumedSymmetric(q: Question, r: Reading): string | undefined {
  const candidates = q.vars.filter((v) => v.shape.kind === 'matrix' && v.shape.m === v.shape.n && !v.props.includes('symmetric')).map((v) => v.name);
  if (candidates.length === 0) return undefined;
  const holds = (names: readonly string[]): View | undefined => {
    let points: Point[];
    try {
      points = samplePoints(q, POINTS, new Set(names));
    } catch (err) {
      if (err instanceof DomainError) return undefined;
      throw err;
    }
    for (const view of ['same', 'transposed'] as const) {
      if (!r.views.has(view)) continue;
      try {
        if (allNear(pairsFor(q, r, view, points))) return view;
      } catch (err) {
        if (!(err instanceof MatcalcError)) throw err;
      }
    }
    return undefined;
  };
  const all = holds(candidates);
  if (all === undefined) return undefined;
  const single = candidates.find((c) => holds([c]) !== undefined);
  const names = single !== undefined ? [single] : candidates;
  const list = names.join(' and ');
  const verb = names.length === 1 ? 'it is' : 'they are';
  const also = all === 'transposed' ? ' (and it is written transposed)' : '';
  return `correct only if ${list} ${names.length === 1 ? 'is' : 'are'} symmetric, which ${verb} not declared to be${also}; for a general ${list} the derivative is ${toText(q.expected)}`;
}

function missingOrExtra(
  q: Question, r: Reading, byView: ReadonlyMap<View, Pair[]>, points: readonly Point[],
  eTerms: readonly Term[] | undefined, aTerms: readonly Term[] | undefined,
): { diagnosis: 'missing-term' | 'extra-term'; explanation: string } | undefined {
  const expected = toText(q.expected);
  const views = [...byView].filter(([v]) => v !== 'broadcast');
  if (eTerms && eTerms.length >= 2) {
    const values = termValues(eTerms, (run, p) => run(p.env, p.sizes), points);
    // The decomposition must add up to the derivative before a term is named.
    if (values && points.every((p, k) => near(sum(values.map((v) => v[k]!.data)), p.e.data))) {
      for (const [i, t] of eTerms.entries()) {
        for (const [view, pairs] of views) {
          if (allNear(pairs, (pr, k) => [pr.a.data, subtract(pr.e, align(view, values[i]![k]!, q, pr.p.sizes))])) {
            return { diagnosis: 'missing-term', explanation: `a term is missing: ${toText(termExpr(t))} (the derivative is ${expected})${view === 'transposed' ? `, and the answer is transposed (${layoutNote(q, r.expr)})` : ''}` };
          }
        }
      }
    }
  }
  if (aTerms && aTerms.length >= 2) {
    for (const [view, pairs] of views) {
      const values = termValues(aTerms, (run, p) => run(p.env, answerSizes(r, view, p)), points);
      if (!values || !pairs.every((pr, k) => near(sum(values.map((v) => v[k]!.data)), pr.a.data))) continue;
      for (const [j, t] of aTerms.entries()) {
        if (allNear(pairs, (pr, k) => [subtract(pr.a.data, values[j]![k]!.data), pr.e])) {
          return { diagnosis: 'extra-term', explanation: `the term ${toText(termExpr(t))} is extra: without it the answer is ${view === 'transposed' ? 'the transpose of ' : ''}the derivative ${expected}` };
        }
      }
    }
  }
  return undefined;
}

/** Each term's value at each point, or undefined when one cannot be evaluated. */
function termValues(
  terms: readonly Term[], at: (run: ReturnType<typeof evaluator>, p: Point) => Tensor, points: readonly Point[],
): Tensor[][] | undefined {
  try {
    return terms.map((t) => {
      const run = evaluator(termExpr(t));
      return points.map((p) => at(run, p));
    });
  } catch (err) {
    if (err instanceof MatcalcError) return undefined;
    throw err;
  }
}

function sum(xs: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(xs[0]!.length);
  for (const x of xs) {
    if (x.length !== out.length) return new Float64Array(0);
    for (let i = 0; i < x.length; i++) out[i]! += x[i]!;
  }
  return out;
}

function subtract(x: Float64Array, y: Float64Array): Float64Array {
  if (x.length !== y.length) return new Float64Array(0);
  return x.map((v, i) => v - y[i]!);
}

// ---------------------------------------------------------------------------------------------
// Wording

function layoutNote(q: Question, a: Expr): string {
  const x = q.d.wrt;
  const es = formatShape(q.expected.shape), as = formatShape(a.shape);
  switch (q.d.kind) {
    case 'gradient':
      if (x.shape.kind === 'vector') {
        return `the answer is a row vector (${as}), the numerator-layout ∂f/∂${x.name}; matcalc's gradient is a column, the shape of ${x.name} (${es})`;
      }
      return `the answer is the transpose of the gradient, the numerator-layout ∂f/∂${x.name} (${as}); matcalc's gradient has the shape of ${x.name} (${es}), so that df = tr(G'*d${x.name})`;
    case 'jacobian':
      return `the answer is the Jacobian in denominator layout (rows index ${x.name}: ${as}); matcalc uses numerator layout (rows index the outputs: ${es})`;
    default:
      return `the answer (${as}) is the transpose of the ${q.d.kind === 'hessian' ? 'Hessian' : 'derivative'} (${es}); ${q.d.convention}`;
  }
}

function wrongShape(q: Question, a: Expr): string {
  const shown = (s: Shape): string => (s.kind === 'scalar' ? 'a scalar' : `${describeShape(s)} (${formatShape(s)})`);
  return `wrong shape: the answer is ${shown(a.shape)} but the derivative is ${shown(q.expected.shape)}: ${q.d.convention}`;
}

function describeShape(s: Shape): string {
  switch (s.kind) {
    case 'scalar': return 'a scalar';
    case 'vector': return 'a column vector';
    case 'row': return 'a row vector';
    case 'matrix': return 'a matrix';
  }
}

/** The fraction num/den (den ≤ 12, the smallest that fits; num ≠ 0) within `tol` of c, if any. */
function fractionNear(c: number, tol: number): { num: number; den: number } | undefined {
  for (let den = 1; den <= 12; den++) {
    const num = Math.round(c * den);
    if (num !== 0 && Math.abs(c - num / den) < tol) return { num, den };
  }
  return undefined;
}

/** A factor snapped to a short fraction when it is one (1/2, -3/2), else rounded. */
function niceNumber(c: number): number {
  const f = fractionNear(c, 1e-7 * Math.max(1, Math.abs(c)));
  return f !== undefined ? f.num / f.den : Number(c.toPrecision(6));
}

/** A factor as written: 3, 1/2, -3/2, 0.123457. */
function formatFactor(c: number): string {
  const f = Number.isInteger(c) ? undefined : fractionNear(c, 1e-12);
  return f !== undefined && f.den > 1 ? `${f.num}/${f.den}` : String(c);
}

function factorHint(c: number): string {
  if (Number.isInteger(1 / c) && Math.abs(1 / c) > 1) return ` (a factor ${Math.abs(1 / c)} is missing)`;
  if (Number.isInteger(c) && Math.abs(c) > 1) return ` (an extra factor ${Math.abs(c)})`;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Counterexamples

const roundSig = (v: number): number => { const r = Number(v.toPrecision(6)); return Object.is(r, -0) ? 0 : r; };

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
function counterexampleOf(q: Question, r: Reading, byView: ReadonlyMap<View, Pair[]>): { counterexample?: Counterexample } {
  const entry = [...byView].find(([v]) => v === 'same' || v === 'broadcast') ?? [...byView][0];
  if (entry === undefined) return {};
  const [view, pairs] = entry;
  const bad = pairs.find((p) => !near(p.a.data, p.e));
  if (bad === undefined) return {};
  const runE = evaluator(q.expected), runA = evaluator(r.expr);
  // Rounding may land on a kink (relu at 0), where the derivative is a convention: not a counterexample.
  const onKink = kinkTest([q.d.f, q.expected]), answerOnKink = kinkTest([r.expr]);
  for (const decimals of [0, 1, 2]) {
    const env = roundPoint(q, bad.p.env, decimals);
    if (env === undefined) continue;
    try {
      if (onKink(env, bad.p.sizes) || answerOnKink(env, answerSizes(r, view, bad.p))) continue;
      const e = runE(env, bad.p.sizes);
      let a = runA(env, answerSizes(r, view, bad.p));
      if (view === 'broadcast') a = { dims: e.dims, data: new Float64Array(e.data.length).fill(a.data[0]!) };
      if (allFinite(e) && allFinite(a) && !near(a.data, align(view, e, q, bad.p.sizes))) {
        return { counterexample: { at: atOf(q, env), expected: roundedNested(e), answer: roundedNested(a) } };
      }
    } catch (err) {
      if (!(err instanceof MatcalcError)) throw err;
    }
  }
  return { counterexample: { at: atOf(q, bad.p.env, true), expected: roundedNested(bad.p.e), answer: roundedNested(bad.a) } };
}

function atOf(q: Question, env: ReadonlyMap<string, Tensor>, round = false): Record<string, Nested> {
  const out: Record<string, Nested> = {};
  for (const v of q.vars) {
    const t = env.get(v.name)!;
    out[v.name] = round ? roundedNested(t) : toNested(t);
  }
  return out;
}

function formatNested(v: Nested): string {
  return Array.isArray(v) ? `[${v.map(formatNested).join(', ')}]` : String(v);
}

const formatAt = (at: Record<string, Nested>): string => Object.entries(at).map(([k, v]) => `${k} = ${formatNested(v)}`).join(', ');

// ---------------------------------------------------------------------------------------------
// Grading many answers

export interface GradeItem {
  readonly id?: string | number;
  readonly expr: string;
  readonly wrt: string;
  readonly answer: string;
  readonly vars?: Declarations;
  readonly order?: number;
}

/** One graded item: `result` when ok, else `error` (the question could not be derived). */
export interface GradeRow {
  readonly id?: string | number;
  readonly ok: boolean;
  readonly result?: CheckResult;
  readonly error?: { readonly kind: string; readonly message: string };
}

export interface GradeSummary {
  readonly total: number;
  readonly correct: number;
  readonly transposed: number;
  readonly incorrect: number;
  /** Items whose question could not be derived (bad expr, wrt, vars). */
  readonly errors: number;
  /** Count per diagnosis over the graded answers. */
  readonly byDiagnosis?: Readonly<Partial<Record<Diagnosis, number>>>;
}

/** Grades many answers; questions shared by several answers are derived once. */
export function gradeAll(items: readonly GradeItem[], opts: { readonly seed?: number } = {}): { readonly results: readonly GradeRow[]; readonly summary: GradeSummary } {
  const questions = new Map<string, Question | MatcalcError>();
  const results: GradeRow[] = [];
  const counts = { correct: 0, transposed: 0, incorrect: 0, errors: 0 };
  const byDiagnosis: Partial<Record<Diagnosis, number>> = {};
  for (const item of items) {
    const id = item.id !== undefined ? { id: item.id } : {};
    const key = JSON.stringify([item.expr, item.wrt, item.vars ?? null, item.order ?? 1]);
    let q = questions.get(key);
    if (q === undefined) {
      try {
        q = prepareQuestion(item.expr, item.wrt, {
          ...(item.vars ? { vars: item.vars } : {}), ...(item.order !== undefined ? { order: item.order } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        });
      } catch (err) {
        if (!(err instanceof MatcalcError)) throw err;
        q = err;
      }
      questions.set(key, q);
    }
    if (q instanceof MatcalcError) {
      counts.errors++;
      results.push({ ...id, ok: false, error: { kind: q.kind, message: q.message } });
      continue;
    }
    const result = judge(q, item.answer);
    counts[result.verdict]++;
    if (result.diagnosis) byDiagnosis[result.diagnosis] = (byDiagnosis[result.diagnosis] ?? 0) + 1;
    results.push({ ...id, ok: true, result });
  }
  return { results, summary: { total: items.length, ...counts, byDiagnosis } };
}
