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
 * This module holds the verdict and its order; the question and its points (question.ts), the
 * comparison of values (compare.ts), the diagnoses (diagnose.ts), counterexamples
 * (counterexample.ts) and the wording (wording.ts) sit beside it.
 *
 * A bad answer never throws (verdict incorrect, diagnosis unparseable or ill-shaped, with the
 * parser's message); a bad question (expr, wrt, vars, order) throws the typed error of derivative().
 */
import { MatcalcError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import type { Declarations } from '../parse/parse.js';
import type { Warning } from '../parse/warnings.js';
import { programWhereText } from '../print/program.js';
import { toText } from '../print/text.js';
import { formatShape } from '../shape/shape.js';
import { simplify } from '../simplify/simplify.js';
import { type AnswerSyntax, readAnswer } from './answer.js';
import { type Pair, type View, allNear, constantFactor, near, pairsFor, reading } from './compare.js';
import { type Counterexample, counterexampleOf } from './counterexample.js';
import { assumedSymmetric, missingOrExtra } from './diagnose.js';
import { type CheckOptions, POINTS, type Question, prepareQuestion, samplePoints } from './question.js';
import { type SymmetricConvention, symmetricConvention } from './symmetric.js';
import { expandTerms, reorderedTerm, termExpr } from './terms.js';
import { factorHint, formatAt, formatFactor, formatNested, layoutNote, niceNumber, wrongShape } from './wording.js';

export type { CheckOptions } from './question.js';
export type { Counterexample } from './counterexample.js';

export type Verdict = 'correct' | 'transposed' | 'incorrect';

export type Diagnosis =
  | 'equal'
  | 'proved-equal'
  | 'transposed'
  | 'denominator-layout'
  | 'sign'
  | 'factor'
  | 'missing-term'
  | 'extra-term'
  | 'wrong-shape'
  | 'factor-order'
  | 'assumed-symmetric'
  | 'unparseable'
  | 'ill-shaped'
  | 'convention'
  | 'other';

/**
 * A convention other than matcalc's in which an answer is right (verdict `transposed`, diagnosis
 * `convention`): `column-major-vec` is the Matrix Cookbook's vec, stacking columns, in which
 * d(W*x)/dW reads kron(x', eye(k)) where matcalc's row-major vec gives kron(eye(k), x'); `symmetric`
 * and `cookbook` are the symmetric gradient (G + G')/2 and the Cookbook's G + G' - diag(diag(G)) for a
 * matrix declared symmetric (check/symmetric.ts).
 */
export type AnswerConvention = 'column-major-vec' | SymmetricConvention;

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

/** What every verdict on a readable answer carries: the derivative, and the answer as read. */
type AnswerBase = Pick<CheckResult, 'expected' | 'expectedShape' | 'answerShape' | 'syntax' | 'answerInput'>;

// ---------------------------------------------------------------------------------------------
// The verdict

/** Grades `answer` as the derivative of `expr` with respect to `wrt` (the module header says how). */
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
  const wrongShaped = (): CheckResult => ({
    ...withAnswer,
    verdict: 'incorrect',
    diagnosis: 'wrong-shape',
    explanation: wrongShape(q, a),
  });
  if (r.views.size === 0) return wrongShaped();
  const points = samplePoints(q, POINTS);
  const byView = new Map<View, Pair[]>();
  try {
    for (const v of r.views.keys()) byView.set(v, pairsFor(q, r, v, points));
  } catch (err) {
    if (!(err instanceof MatcalcError)) throw err;
    return {
      ...withAnswer,
      verdict: 'incorrect',
      diagnosis: 'other',
      explanation: `the answer cannot be evaluated where the derivative is defined: ${err.message}`,
    };
  }
  // A constant scalar stands for a constant tensor only when that is what the derivative is (0 for a zero gradient).
  const onlyBroadcast = r.views.size === 1 && r.views.has('broadcast');
  if (onlyBroadcast && !allNear(byView.get('broadcast')!)) return wrongShaped();
  const incorrect = (
    diagnosis: Diagnosis,
    explanation: string,
    extra: Partial<CheckResult> = {},
    ce = counterexampleOf(q, r, byView),
  ): CheckResult => ({ ...withAnswer, verdict: 'incorrect', diagnosis, explanation, ...extra, ...ce });

  const agreed = agreement(q, a, byView, withAnswer);
  if (agreed) return agreed;

  // sign, constant factor (possibly also transposed)
  for (const [view, pairs] of byView) {
    if (view === 'broadcast') continue;
    const c = constantFactor(pairs);
    if (c === undefined) continue;
    const also =
      view === 'transposed'
        ? `, and it is transposed (${layoutNote(q, a)})`
        : view === 'column-major'
          ? ', in the column-major vec convention'
          : '';
    if (Math.abs(c + 1) < 1e-9)
      return incorrect('sign', `the sign is wrong: the answer is −(${expected})${also}`, { factor: -1 });
    const nice = niceNumber(c);
    return incorrect(
      'factor',
      `off by a factor of ${formatFactor(nice)}: the answer is ${formatFactor(nice)} × (${expected})${factorHint(nice)}${also}`,
      { factor: nice },
    );
  }

  // factors in the wrong order (symbolic)
  const eTerms = expandTerms(q.expected);
  const aTerms = expandTerms(a);
  if (eTerms && aTerms) {
    const w = reorderedTerm(eTerms, aTerms);
    if (w) {
      return incorrect(
        'factor-order',
        `factors in the wrong order: the answer has ${toText(termExpr(w.answer))} where the derivative has ${toText(termExpr(w.expected))} (matrix products do not commute); the derivative is ${expected}`,
      );
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

/** The verdict when the answer agrees with the derivative: equal, in another convention, or transposed. */
function agreement(
  q: Question,
  a: Expr,
  byView: ReadonlyMap<View, Pair[]>,
  withAnswer: AnswerBase,
): CheckResult | undefined {
  const { expected } = withAnswer;
  const same = byView.get('same') ?? byView.get('broadcast');
  if (same && allNear(same)) {
    const proved = simplify(a) === simplify(q.expected);
    return {
      ...withAnswer,
      verdict: 'correct',
      diagnosis: proved ? 'proved-equal' : 'equal',
      explanation: proved
        ? `proved equal symbolically (both simplify to ${expected})`
        : `equal to ${expected} at ${same.length} random points`,
    };
  }
  const colMajor = byView.get('column-major');
  if (colMajor && allNear(colMajor)) {
    return {
      ...withAnswer,
      verdict: 'transposed',
      diagnosis: 'convention',
      convention: 'column-major-vec',
      explanation: `right in the column-major vec convention (the Matrix Cookbook's: vec stacks columns); matcalc's vec stacks rows, in which the derivative reads ${expected}. Both are right; the conventions order the entries of f and ${q.d.wrt.name} differently`,
    };
  }
  const tr = byView.get('transposed');
  if (tr && allNear(tr)) {
    const denominator = q.d.kind === 'jacobian';
    return {
      ...withAnswer,
      verdict: 'transposed',
      diagnosis: denominator ? 'denominator-layout' : 'transposed',
      explanation: layoutNote(q, a),
    };
  }

  // the symmetric gradient or the Cookbook's form, for a matrix declared symmetric
  if (q.d.kind === 'gradient' && same !== undefined) {
    const match = symmetricConvention(
      q.d.wrt,
      expected,
      same.map((p) => ({ expected: p.p.e, answer: p.a.data })),
      near,
    );
    if (match)
      return {
        ...withAnswer,
        verdict: 'transposed',
        diagnosis: 'convention',
        convention: match.convention,
        explanation: match.explanation,
      };
  }
  return undefined;
}

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
export function gradeAll(
  items: readonly GradeItem[],
  opts: { readonly seed?: number } = {},
): { readonly results: readonly GradeRow[]; readonly summary: GradeSummary } {
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
          ...(item.vars ? { vars: item.vars } : {}),
          ...(item.order !== undefined ? { order: item.order } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
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
