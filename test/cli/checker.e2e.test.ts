/**
 * End-to-end: `matcalc check`, `matcalc grade` and `matcalc backprop` run from the built CLI. Each
 * verdict and gradient the tests rely on is paired with its numeric truth, computed here: the
 * answer's value against central finite differences of the function.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/api/basic.js';
import { toNested } from '../../src/numeric/tensor.js';
import { maxRelError } from '../helpers/points.js';
import { ensureBuilt, fdOf, rendered, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

const AT = {
  x: [0.4, -1.3, 0.9],
  A: [
    [1.2, -0.5, 0.3],
    [0.8, 2.2, -1.1],
    [-0.6, 0.4, 1.7],
  ],
};
/** Whether `answer` equals ∂(x'Ax)/∂x at AT, by finite differences (the truth behind each verdict). */
const agreesWithFd = (answer: string): boolean =>
  maxRelError(toNested(evaluate(answer, AT)), toNested(fdOf("x'*A*x", 'x', AT))) < 1e-7;

describe.concurrent('matcalc check', () => {
  it("a correct answer: (A + A')*x for x'*A*x", async () => {
    expect(agreesWithFd("(A + A')*x")).toBe(true);
    const r = await run(['check', "x'*A*x", '--wrt', 'x', '--answer', "A*x + A'*x"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^correct: /);
    expect(r.stdout).toMatch(/expected: +\(A \+ A'\)\*x/);
  });

  it('an answer correct only for a symmetric A is incorrect, with a counterexample', async () => {
    expect(agreesWithFd('2*A*x')).toBe(false);
    const r = await run(['check', "x'*A*x", '--wrt', 'x', '--answer', '2*A*x', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      verdict: string;
      counterexample?: { at: Record<string, number[][]>; expected: number[]; answer: number[] };
    };
    expect(j.verdict).toBe('incorrect');
    // The counterexample is honest: at its point, the expected value is the finite-difference gradient.
    const c = j.counterexample!;
    expect(maxRelError(c.expected, toNested(fdOf("x'*A*x", 'x', c.at)))).toBeLessThan(1e-7);
    expect(maxRelError(c.answer, c.expected)).toBeGreaterThan(1e-6);
  });

  it('a row vector where the gradient is a column is transposed; a LaTeX answer is read as LaTeX', async () => {
    const t = await run(['check', "x'*A*x", '--wrt', 'x', '--answer', "x'*(A + A')"]);
    expect(t.stdout).toMatch(/^transposed: /);
    const l = await run(['check', "x'*A*x", '--wrt', 'x', '--answer', String.raw`(A + A^\top) x`, '--format', 'json']);
    expect(JSON.parse(l.stdout)).toMatchObject({ verdict: 'correct', syntax: 'latex' });
  });

  it('a bad question is a math error (exit 1); a missing --answer a usage error (exit 2)', async () => {
    const bad = await run(['check', 'A*(x+', '--wrt', 'x', '--answer', 'A']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^matcalc: error \(syntax\): /);
    const usage = await run(['check', "x'*x", '--wrt', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '--answer <answer>' not specified/);
  });
});

describe.concurrent('matcalc grade', () => {
  const file = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'matcalc-grade-'));
    const path = join(dir, 'answers.jsonl');
    writeFileSync(
      path,
      [
        JSON.stringify({ id: 'q1', expr: "x'*A*x", wrt: 'x', answer: "(A + A')*x" }),
        JSON.stringify({ id: 'q2', expr: "x'*A*x", wrt: 'x', answer: "x'*(A + A')" }),
        JSON.stringify({ id: 'q3', expr: "x'*A*x", wrt: 'x', answer: '2*A*x' }),
        '',
        'not json',
        JSON.stringify({ id: 'q5', expr: 'A*(x+', wrt: 'x', answer: 'A' }),
        JSON.stringify({ id: 'q6', expr: "x'*S*x", wrt: 'x', answer: '2*S*x', vars: { S: 'matrix(n,n) symmetric' } }),
      ].join('\n'),
    );
    return path;
  })();

  it('grades every line in order, with a summary', async () => {
    expect(agreesWithFd("(A + A')*x")).toBe(true);
    const r = await run(['grade', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      results: { id: string; ok: boolean; result?: { verdict: string }; error?: { kind: string } }[];
      summary: Record<string, number>;
    };
    expect(j.results.map((x) => [x.id, x.result?.verdict ?? x.error?.kind])).toEqual([
      ['q1', 'correct'],
      ['q2', 'transposed'],
      ['q3', 'incorrect'],
      ['line 5', 'request'],
      ['q5', 'syntax'],
      ['q6', 'correct'],
    ]);
    expect(j.summary).toMatchObject({ total: 6, correct: 2, transposed: 1, incorrect: 1, errors: 2 });
    const text = await run(['grade', file]);
    expect(text.stdout).toMatch(/6 answers: 2 correct, 1 transposed, 1 incorrect, 2 errors\n$/);
  });
});

describe.concurrent('matcalc backprop', () => {
  const AT_XYZ = '{"x": -2, "y": 5, "z": -4}';

  it('the course-notes example f = (x + y)*z: ∂f/∂x = ∂f/∂y = z = -4, ∂f/∂z = x + y = 3', async () => {
    const r = await run(['backprop', '(x + y)*z', '--at', AT_XYZ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('∂f/∂x = -4');
    expect(r.stdout).toContain('∂f/∂z = 3');
    expect(r.stdout).toMatch(/check: ok: every gradient agrees with central finite differences/);
    const j = await run(['backprop', '(x + y)*z', '--at', AT_XYZ, '--format', 'json']);
    const json = JSON.parse(j.stdout) as { value: number; gradients: Record<string, number>; check: { ok: boolean } };
    expect(json).toMatchObject({ value: -12, gradients: { x: -4, y: -4, z: 3 }, check: { ok: true } });
  });

  it("a vector example: gradients of sigmoid(w'*x + b) against finite differences", async () => {
    const at = { w: [1, -1], x: [0.5, 2], b: 0.1 };
    const r = await run([
      'backprop',
      "sigmoid(w'*x + b)",
      '--at',
      JSON.stringify(at),
      '--format',
      'json',
      '--no-check',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { gradients: Record<string, number[]>; check?: unknown };
    expect(json.check).toBeUndefined();
    const vars = { w: { dims: [2] }, x: { dims: [2] }, b: { dims: [] } };
    for (const v of ['w', 'x', 'b'])
      expect(maxRelError(json.gradients[v]!, toNested(fdOf("sigmoid(w'*x + b)", v, at, vars)))).toBeLessThan(1e-7);
  });

  it('latex renders with KaTeX; dot is a graph; html is a standalone page', async () => {
    const l = await run(['backprop', 'q = x + y; f = q*z', '--at', AT_XYZ, '--format', 'latex']);
    expect(l.code).toBe(0);
    const tex = l.stdout
      .split('\n')
      .filter((line) => !line.startsWith('%'))
      .join('\n');
    rendered(tex);
    const d = await run(['backprop', 'q = x + y; f = q*z', '--at', AT_XYZ, '--format', 'dot']);
    expect(d.stdout).toMatch(/^digraph backprop \{[\s\S]*\}\n$/);
    const h = await run(['backprop', 'q = x + y; f = q*z', '--at', AT_XYZ, '--format', 'html']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(h.stdout).toContain('<math');
  });

  it('a non-scalar output needs --upstream (exit 1 without it); --at is required (exit 2)', async () => {
    const noUp = await run(['backprop', 'W*x', '--at', '{"W": [[1, 2]], "x": [3, 4]}']);
    expect(noUp.code).toBe(1);
    expect(noUp.stderr).toMatch(/^matcalc: error \(shape\): backprop needs a scalar output/);
    const up = await run([
      'backprop',
      'W*x',
      '--at',
      '{"W": [[1, 2]], "x": [3, 4]}',
      '--upstream',
      '[1]',
      '--format',
      'json',
    ]);
    // L = <[1], W*x>: ∂L/∂W = x' = [[3, 4]], ∂L/∂x = W' = [1, 2].
    expect(JSON.parse(up.stdout)).toMatchObject({ gradients: { W: [[3, 4]], x: [1, 2] } });
    const noAt = await run(['backprop', 'x*y']);
    expect(noAt.code).toBe(2);
    expect(noAt.stderr).toMatch(/required option '--at/);
  });
});
