/**
 * The homework checker against its corpus. For every case: the question's derivative is verified by
 * finite differences; the answer's relation to it is established numerically (relations.ts, no
 * checker code); the verdict and diagnosis the checker must give follow from that relation.
 */
import { describe, expect, it } from 'vitest';
import { type CheckResult, type Diagnosis, check, gradeAll } from '../../src/check/check.js';
import { MatcalcError, ParseError, ShapeError, UnknownError } from '../../src/errors.js';
import type { Expr } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { parse } from '../../src/parse/parse.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { fromNested } from '../../src/numeric/tensor.js';
import { simplify } from '../../src/simplify/simplify.js';
import { CORPUS, type Case, Q } from './corpus.js';
import {
  type Setting,
  answerExpr,
  differsByTerm,
  equalWhenSymmetric,
  factsOf,
  near,
  settingOf,
  transposed,
} from './relations.js';

interface Outcome {
  readonly verdict: CheckResult['verdict'];
  readonly diagnosis: Diagnosis;
  readonly factor?: number;
}

/** Matrices the checker may suspect of an assumed symmetry: square, not declared symmetric. */
const squareNonSymmetric = (s: Setting): string[] =>
  s.vars
    .filter((v) => v.shape.kind === 'matrix' && v.shape.m === v.shape.n && !v.props.includes('symmetric'))
    .map((v) => v.name);

/** The chain of factors of a product, constants dropped, transposes stripped. */
function baseFactors(e: Expr): Expr[] {
  if (e.kind === 'mul') return [...baseFactors(e.a), ...baseFactors(e.b)];
  if (e.kind === 'const') return [];
  return [e.kind === 'transpose' ? e.x : e];
}

/** Establishes the case's relation numerically and returns the outcome it implies. */
function expectedOutcome(c: Case, s: Setting, text: string): Outcome {
  const r = c.relation;
  if (r.kind === 'syntax') {
    // Either the text does not parse, or it names a variable the question does not have.
    let unreadable: boolean;
    try {
      unreadable = varsOf(answerExpr(s, text, c.syntax)).some((v) => !Object.hasOwn(s.decls, v.name));
    } catch (err) {
      expect(err).toBeInstanceOf(MatcalcError);
      expect(err).not.toBeInstanceOf(ShapeError);
      unreadable = true;
    }
    expect(unreadable).toBe(true);
    return { verdict: 'incorrect', diagnosis: 'unparseable' };
  }
  if (r.kind === 'ill-shaped') {
    expect(() => answerExpr(s, text, c.syntax)).toThrow(ShapeError);
    return { verdict: 'incorrect', diagnosis: 'ill-shaped' };
  }
  const A = answerExpr(s, text, c.syntax);
  const f = factsOf(s, A);
  const notSimpler = (): void => {
    expect(f.equal, 'answer equals the derivative').toBe(false);
    expect(f.equalToTranspose, 'answer equals the transposed derivative').toBe(false);
    expect(f.factor, 'answer is a multiple of the derivative').toBeUndefined();
  };
  const notSymmetric = (): void => {
    const m = squareNonSymmetric(s);
    if (m.length > 0) expect(equalWhenSymmetric(s, A, m), 'answer is right for symmetric matrices').toBe(false);
  };
  switch (r.kind) {
    case 'equal':
      expect(f.equal).toBe(true);
      return { verdict: 'correct', diagnosis: simplify(A) === simplify(s.E) ? 'proved-equal' : 'equal' };
    case 'transpose':
      expect(f.equal).toBe(false);
      expect(f.equalToTranspose).toBe(true);
      return { verdict: 'transposed', diagnosis: s.d.kind === 'jacobian' ? 'denominator-layout' : 'transposed' };
    case 'scaled':
      expect(f.equal || f.equalToTranspose).toBe(false);
      expect(f.factor).toBeCloseTo(r.c, 9);
      return r.c === -1
        ? { verdict: 'incorrect', diagnosis: 'sign', factor: -1 }
        : { verdict: 'incorrect', diagnosis: 'factor', factor: r.c };
    case 'reordered': {
      notSimpler();
      const a = baseFactors(A),
        e = baseFactors(s.E);
      expect([...a].sort((x, y) => x.id - y.id)).toEqual([...e].sort((x, y) => x.id - y.id));
      expect(a).not.toEqual(e);
      return { verdict: 'incorrect', diagnosis: 'factor-order' };
    }
    case 'symmetric':
      notSimpler();
      expect(equalWhenSymmetric(s, A, r.matrices)).toBe(true);
      return { verdict: 'incorrect', diagnosis: 'assumed-symmetric' };
    case 'missing':
    case 'extra': {
      notSimpler();
      notSymmetric();
      const T = parse(r.term, { vars: s.decls });
      expect(differsByTerm(s, A, T, r.kind === 'missing' ? -1 : 1)).toBe(true);
      return { verdict: 'incorrect', diagnosis: r.kind === 'missing' ? 'missing-term' : 'extra-term' };
    }
    case 'shape':
      expect(f.sameShape || f.transposeShape).toBe(false);
      return { verdict: 'incorrect', diagnosis: 'wrong-shape' };
    case 'unrelated':
      notSimpler();
      notSymmetric();
      return { verdict: 'incorrect', diagnosis: 'other' };
  }
}

/** The counterexample's values are the derivative's and the answer's at its point (to the 6 digits shown). */
function checkCounterexample(s: Setting, text: string, c: Case, r: CheckResult): void {
  const ce = r.counterexample!;
  const env = new Map(Object.entries(ce.at).map(([k, v]) => [k, fromNested(v)]));
  const E = evaluate(s.E, env);
  const A = evaluate(answerExpr(s, text, c.syntax), env);
  expect(near(fromNested(ce.expected).data, E.data, 1e-5)).toBe(true);
  expect(near(fromNested(ce.answer).data, A.data, 1e-5)).toBe(true);
  const aligned = r.answerShape === r.expectedShape ? E.data : transposed(E);
  expect(near(A.data, aligned, 1e-6), 'the counterexample really differs').toBe(false);
}

const seen = new Map<Diagnosis, Set<string>>();

describe('checker corpus: verdicts follow from numerically established relations', () => {
  it(`has at least 50 cases (${CORPUS.length})`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
  });

  for (const c of CORPUS) {
    it(`${c.id} (${c.syntax}, ${c.relation.kind})`, () => {
      const s = settingOf(c.question);
      expect(s.fdOk, `d(${c.question.expr})/d${c.question.wrt} passes the finite-difference check`).toBe(true);
      const text = typeof c.answer === 'string' ? c.answer : c.answer(s.E);
      const want = expectedOutcome(c, s, text);
      const q = c.question;
      const r = check(q.expr, q.wrt, text, {
        ...(q.vars ? { vars: q.vars } : {}),
        ...(q.order ? { order: q.order } : {}),
      });
      expect({ verdict: r.verdict, diagnosis: r.diagnosis }, r.explanation).toEqual({
        verdict: want.verdict,
        diagnosis: want.diagnosis,
      });
      if (want.factor !== undefined) expect(r.factor).toBeCloseTo(want.factor, 9);
      if (r.syntax !== undefined) expect(r.syntax).toBe(c.syntax);
      expect(r.expected).toBe(parse(r.expected, { vars: s.decls }) === s.E ? r.expected : '(unparseable)');
      if (r.verdict === 'incorrect' && !['unparseable', 'ill-shaped', 'wrong-shape'].includes(r.diagnosis!)) {
        expect(r.counterexample).toBeDefined();
        checkCounterexample(s, text, c, r);
      }
      if (!seen.has(want.diagnosis)) seen.set(want.diagnosis, new Set());
      seen.get(want.diagnosis)!.add(c.syntax);
    });
  }

  it('covers every verdict and every diagnosis in both syntaxes', () => {
    const all: Diagnosis[] = [
      'equal',
      'proved-equal',
      'transposed',
      'denominator-layout',
      'sign',
      'factor',
      'missing-term',
      'extra-term',
      'wrong-shape',
      'factor-order',
      'assumed-symmetric',
      'unparseable',
      'ill-shaped',
      'other',
    ];
    for (const d of all) expect([d, [...(seen.get(d) ?? [])].sort()]).toEqual([d, ['input', 'latex']]);
  });
});

describe('explanations', () => {
  it("protocol: u'*(D+D') is the row gradient, named as the numerator layout", () => {
    const r = check("u'*D*u", 'u', "u'*(D+D')");
    expect(r.verdict).toBe('transposed');
    expect(r.explanation).toContain('row vector');
    expect(r.explanation).toContain('numerator-layout');
    expect(r.answerShape).toBe('1×n');
    expect(r.expectedShape).toBe('n');
  });

  it('a missing 2 is "off by a factor of 1/2"', () => {
    const r = check("x'*x", 'x', 'x');
    expect(r.explanation).toMatch(/^off by a factor of 1\/2/);
    expect(r.factor).toBe(0.5);
  });

  it('an assumed symmetry names the matrix and says it is not declared symmetric', () => {
    const r = check("x'*A*x", 'x', '2*A*x');
    expect(r.explanation).toMatch(/^correct only if A is symmetric, which it is not declared to be/);
  });

  it('a missing term is named', () => {
    const r = check("x'*A*x + y'*x", 'x', "(A + A')*x");
    expect(r.explanation).toContain('a term is missing: y');
  });

  it('a wrong shape gives the expected shape', () => {
    const r = check("x'*A*x", 'x', "A + A'");
    expect(r.explanation).toContain('(n×n)');
    expect(r.expectedShape).toBe('n');
    expect(r.explanation).toContain('a column vector (n)');
  });

  it('a denominator-layout Jacobian says which layout it follows', () => {
    const r = check('W*x', 'x', String.raw`W^\top`);
    expect(r.diagnosis).toBe('denominator-layout');
    expect(r.explanation).toContain('denominator layout');
  });

  // Issue 10 item 11: the column counted in the answer's body, after a dropped left-hand side.
  it.each([
    [String.raw`\nabla f = 2x + )`, 'value expected (at column 17)'],
    [String.raw`\nabla_x f = 2 \foo{x}`, String.raw`unknown LaTeX command \foo (at column 16)`],
    ['g = 2*x +* 3', 'value expected (at column 10)'],
    ['df/dx = 2*x + (', 'unexpected end of expression (at column 16)'],
    ['2*x +* 3', 'value expected (at column 6)'],
  ])('the column of an error in %s counts in what the student typed', (answer, message) => {
    const r = check("x'*x", 'x', answer);
    expect(r.verdict).toBe('incorrect');
    expect(r.diagnosis).toBe('unparseable');
    expect(r.explanation).toBe(`the answer cannot be read: ${message}`);
  });

  it("an unparseable answer carries the parser's message and column", () => {
    const r = check("x'*A*x", 'x', '2*A*');
    expect(r.explanation).toMatch(/column 5/);
    const u = check("x'*A*x", 'x', '2*A*y');
    expect(u.explanation).toContain('y, which is not a variable of the question (its variables: A, x)');
  });

  it('the LaTeX reading of an answer is reported in the input syntax', () => {
    const r = check("x'*A*x", 'x', String.raw`\left(A + A^\top\right)\mathbf{x}`);
    expect(r.answerInput).toBe("(A + A')*x");
    expect(r.syntax).toBe('latex');
  });

  it('a counterexample prefers small rounded values', () => {
    const r = check("x'*A*x", 'x', 'sin(x)');
    const values = Object.values(r.counterexample!.at).flat(2) as number[];
    expect(values.every((v) => Number.isInteger(v))).toBe(true);
  });
});

describe('bad input', () => {
  it('a bad answer never throws', () => {
    for (const answer of [
      '',
      '   ',
      ')(',
      '\\',
      '{',
      'x +',
      "A*x'",
      'foo(x)',
      'x^^2',
      '\\frac',
      '1/0*x',
      'log(-x)',
      'log(-1)',
      'sqrt(-1)',
      'x[1]',
      'a = b = ',
      '$$',
    ]) {
      const r = check("x'*A*x", 'x', answer);
      expect(r.verdict).toBe('incorrect');
    }
  });

  it('a bad question throws the typed error', () => {
    expect(() => check("x'*A*", 'x', 'x')).toThrow(ParseError);
    expect(() => check("x'*A*x", 'y', 'x')).toThrow(UnknownError);
    expect(() => check('A*x + x', 'x', 'x', { vars: { A: { dims: ['m', 'n'] } } })).toThrow(ShapeError);
  });
});

describe('gradeAll', () => {
  it('grades a batch, derives shared questions once, and summarises', () => {
    const items = [
      { id: 1, expr: "x'*A*x", wrt: 'x', answer: "(A+A')*x" },
      { id: 2, expr: "x'*A*x", wrt: 'x', answer: "x'*(A+A')" },
      { id: 3, expr: "x'*A*x", wrt: 'x', answer: '2Ax' },
      { id: 4, expr: "x'*A*x", wrt: 'q', answer: 'x' },
      { id: 5, expr: "x'*A*x", wrt: 'x', answer: '2*A*x', vars: Q.quadSym.vars },
    ];
    const { results, summary } = gradeAll(items);
    expect(results.map((r) => (r.ok ? r.result!.verdict : r.error!.kind))).toEqual([
      'correct',
      'transposed',
      'incorrect',
      'unknown',
      'correct',
    ]);
    expect(results.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(summary).toMatchObject({ total: 5, correct: 2, transposed: 1, incorrect: 1, errors: 1 });
    expect(summary.byDiagnosis).toMatchObject({ 'proved-equal': 2, transposed: 1, 'assumed-symmetric': 1 });
  });
});
