/**
 * Programs end to end through the built CLI and the batch protocol: a two-layer network read as a
 * program, its derivative printed in the program's names (text, LaTeX rendered by KaTeX, JSON whose
 * "expression" parses back), --inline, --wrt an intermediate, warnings, errors with their column, and
 * the batch `backprop` task. Every value is compared with finite differences of the original program.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toEnv } from '../../src/api/values.js';
import { answerLine } from '../../src/cli/protocol.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { type Nested, toNested } from '../../src/numeric/tensor.js';
import { readProgram } from '../../src/parse/program.js';
import { maxRelError } from '../helpers/points.js';
import { ensureBuilt, rendered, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

const MLP = 'z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2';
const VARS = [
  '--var',
  'W1=matrix(k,n)',
  '--var',
  'b1=vector(k)',
  '--var',
  'W2=matrix(m,k)',
  '--var',
  'x=vector(n)',
  '--var',
  'y=vector(m)',
];
const DECLS = {
  W1: { dims: ['k', 'n'] },
  b1: { dims: ['k'] },
  W2: { dims: ['m', 'k'] },
  x: { dims: ['n'] },
  y: { dims: ['m'] },
};
const AT = {
  W1: [
    [1, 2],
    [3, -4],
    [0.5, 1],
  ],
  b1: [0.1, 0.2, -0.3],
  W2: [
    [1, 0, 2],
    [0, 1, -1],
  ],
  x: [1, 2],
  y: [0.5, -1],
};

/** ∂L/∂wrt by central differences of the original program. */
const fd = (wrt: string): Nested => {
  const run1 = evaluator(readProgram(MLP, { vars: DECLS }).root);
  return toNested(fdJacobian((e) => run1(e), toEnv(AT), wrt));
};
/** A program printed by matcalc, evaluated here from the inputs alone. */
const valueOfProgram = (src: string): Nested => toNested(evaluator(readProgram(src, { vars: DECLS }).root)(toEnv(AT)));

describe.concurrent('programs in the CLI', () => {
  it("diff: the result in the program's names, then the where lines", async () => {
    const r = await run(['diff', MLP, '--wrt', 'W1', ...VARS]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      "∂L/∂W1 = W2'*(yhat - y).*step(z1)*x'",
      '  where  z1 = W1*x + b1',
      '         h1 = relu(z1)',
      '         yhat = W2*h1',
    ]);
    expect(r.stdout).toMatch(/check: +ok/);
  });

  it('--inline prints one expression, as before', async () => {
    const r = await run(['diff', MLP, '--wrt', 'W1', '--inline', '--no-check', ...VARS]);
    expect(r.stdout.split('\n')[0]).toBe("∂L/∂W1 = W2'*(W2*relu(W1*x + b1) - y).*step(W1*x + b1)*x'");
    expect(r.stdout).not.toContain('where');
  });

  it('json: "expression" is a program that parses back and evaluates to the derivative; bindings in order', async () => {
    const r = await run(['diff', MLP, '--wrt', 'W1', '--format', 'json', '--at', JSON.stringify(AT), ...VARS]);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json.expression).toBe("z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; W2'*(yhat - y).*step(z1)*x'");
    expect((json.bindings as { name: string }[]).map((b) => b.name)).toEqual(['z1', 'h1', 'yhat']);
    for (const b of json.bindings as { latex: string }[]) rendered(b.latex);
    rendered(`${json.heading as string} = ${json.latex as string}`);
    expect(maxRelError(valueOfProgram(json.expression as string), fd('W1'))).toBeLessThan(1e-6);
    expect(maxRelError(valueOfProgram((json.inline as { expression: string }).expression), fd('W1'))).toBeLessThan(
      1e-6,
    );
    expect(maxRelError(json.value as Nested, fd('W1'))).toBeLessThan(1e-6);
  });

  it('latex: the result and an aligned where block, both rendered by KaTeX', async () => {
    const r = await run(['diff', MLP, '--wrt', 'W2', '--format', 'latex', '--no-check', ...VARS]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(String.raw`\frac{\partial L}{\partial W_{2}} = \left(\mathrm{yhat} - y\right) h_{1}^\top`);
    expect(lines[1]).toMatch(/^\\text\{where\}\\quad \\begin\{aligned\}\[t\] z_\{1\} &= /);
    lines.forEach(rendered);
  });

  it('html: the result and a "Where" block, rendered', async () => {
    const r = await run(['diff', MLP, '--wrt', 'W1', '--format', 'html', '--no-check', ...VARS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<p class="label">Where</p>');
    expect(r.stdout).toContain(
      '<annotation encoding="application/x-tex">\\text{where}\\quad \\begin{aligned}[t] z_{1} &amp;= W_{1} x + b_{1}',
    );
  });

  it('--wrt an intermediate: the upstream gradient, evaluated from the inputs', async () => {
    const r = await run(['diff', MLP, '--wrt', 'h1', '--format', 'json', '--at', JSON.stringify(AT), ...VARS]);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json.latex).toBe(String.raw`W_{2}^\top \left(\mathrm{yhat} - y\right)`);
    expect((json.check as { ok: boolean }).ok).toBe(true);
    // Truth: L as a function of h1 alone, differenced at h1 = relu(W1*x + b1) (by hand: [5.1, 0, 2.2]).
    const h1 = [5.1, 0, 2.2];
    const inH = evaluator(readProgram('norm2(W2*h1 - y)^2/2', { vars: { ...DECLS, h1: { dims: ['k'] } } }).root);
    const want = toNested(fdJacobian((e) => inH(e), toEnv({ ...AT, h1 }), 'h1'));
    expect(maxRelError(json.value as Nested, want)).toBeLessThan(1e-6);
    expect(maxRelError(valueOfProgram(json.expression as string), want)).toBeLessThan(1e-6);
  });

  it('an unused definition is a warning on stderr; the result is unchanged', async () => {
    const r = await run(['diff', 'q = x + y; r = x*2; f = sum(q.*z)', '--wrt', 'z', '--no-check']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('matcalc: warning: r is defined but not used (statement 2: r = x*2)\n');
    expect(r.stdout.split('\n')[0]).toBe('∂f/∂z = x + y');
  });

  it('an error names the statement and points at its column', async () => {
    const r = await run(['diff', 'q = x + y; f = sum(r.*z); q = x', '--wrt', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        'matcalc: error (syntax): q is defined twice (statements 1 and 3) — in statement 3, "q = x" (at column 27)',
        '  q = x + y; f = sum(r.*z); q = x',
        '                            ^',
        '',
      ].join('\n'),
    );
  });

  it('eval, latex and check take programs', async () => {
    const e = await run(['eval', MLP, '--at', JSON.stringify(AT), ...VARS]);
    expect(Number(e.stdout)).toBeCloseTo(((5.1 + 4.4 - 0.5) ** 2 + (0 - 2.2 + 1) ** 2) / 2, 10);
    const l = await run(['latex', MLP]);
    expect(l.stdout.trim()).toMatch(/^\\begin\{aligned\} z_\{1\} &= W_\{1\} x \+ b_\{1\} \\\\ h_\{1\} &= /);
    rendered(l.stdout.trim());
    const c = await run(['check', MLP, '--wrt', 'W1', '--answer', "(W2'*(yhat - y) .* step(z1))*x'", ...VARS]);
    expect(c.stdout).toMatch(/correct/);
  });
});

describe('programs in the batch protocol', () => {
  it('diff: expression, bindings and inline', () => {
    const r = answerLine(
      JSON.stringify({
        id: 1,
        task: 'diff',
        expr: MLP,
        wrt: 'b1',
        vars: { W1: ['k', 'n'], b1: ['k'], W2: ['m', 'k'], x: ['n'], y: ['m'] },
        at: AT,
      }),
    );
    expect(r).toMatchObject({
      id: 1,
      ok: true,
      expression: "z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; W2'*(yhat - y).*step(z1)",
    });
    expect((r.bindings as { name: string; expression: string }[])[0]).toMatchObject({
      name: 'z1',
      expression: 'W1*x + b1',
    });
    expect(maxRelError(r.value as Nested, fd('b1'))).toBeLessThan(1e-6);
    const inline = answerLine(
      JSON.stringify({ id: 2, task: 'diff', expr: MLP, wrt: 'b1', vars: { b1: ['k'] }, inline: true }),
    );
    expect(inline.expression).toBe("W2'*(W2*relu(W1*x + b1) - y).*step(W1*x + b1)");
    expect(inline.bindings).toBeUndefined();
  });

  it('backprop: the walkthrough that `matcalc backprop --format json` prints', async () => {
    const at = { x: -2, y: 5, z: -4 };
    const batch = answerLine(JSON.stringify({ id: 'n', task: 'backprop', expr: 'q = x + y; f = q*z', at }));
    const cli = await run(['backprop', 'q = x + y; f = q*z', '--at', JSON.stringify(at), '--format', 'json']);
    const { id, ok, ...walk } = batch;
    expect({ id, ok }).toEqual({ id: 'n', ok: true });
    expect(walk).toEqual(JSON.parse(cli.stdout));
    // Course notes: ∂f/∂x = ∂f/∂y = z = -4, ∂f/∂z = q = 3.
    expect(walk.gradients).toMatchObject({ x: -4, y: -4, z: 3 });
    expect(answerLine(JSON.stringify({ id: 3, task: 'backprop', expr: 'x*y' }))).toMatchObject({
      ok: false,
      error: { kind: 'request' },
    });
  });
});
