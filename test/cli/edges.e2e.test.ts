/**
 * The CLI's rough edges of issue 10, reproduced as a user met them: expressions that start with a
 * minus, files saved with a byte-order mark, --steps when an order's derivative is identically zero,
 * LaTeX and HTML for names with digits, a division by zero. Each printed result is paired with
 * finite differences of the input (helpers.fdOf) or rendered by KaTeX.
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

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |internal/);
const BOM = '\uFEFF';

describe.concurrent('an expression that starts with a minus', () => {
  it('diff "-t\'*log(softmax(z))" --wrt z is the expression, not an option', async () => {
    const at = { t: [0.2, 0.3, 0.5], z: [0.1, -0.4, 1.2] };
    const r = await run(['diff', "-t'*log(softmax(z))", '--wrt', 'z', '--format', 'json', '--at', JSON.stringify(at)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { expression: string; value: number[] };
    expect(json.expression).toBe('sum(t)*softmax(z) - t');
    expect(maxRelError(json.value, toNested(fdOf("-t'*log(softmax(z))", 'z', at)))).toBeLessThan(1e-7);
  });

  it('an option value may start with a minus too: check --answer "-2*x"', async () => {
    const r = await run(['check', "-x'*x", '--wrt', 'x', '--answer', '-2*x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^correct/);
  });

  it('what reads as an option (-x) is a usage error that says to use --; after -- it works', async () => {
    const r = await run(['diff', '--wrt', 'x', '-x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `unknown option '-x'; if it is an expression that starts with a minus, put it last, after --: … -- "-x"`,
    );
    const ok = await run(['diff', '--wrt', 'x', '--format', 'json', '--', '-x']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ expression: '-eye(n)', kind: 'jacobian' });
    // A misspelt long option is still just that.
    const typo = await run(['diff', 'x', '--wrt', 'x', '--wrtt', 'y']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).not.toContain('after --');
  });
});

describe.concurrent('a UTF-8 byte-order mark at the start of input is ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'matcalc-bom-'));
  const QUAD_AT = {
    x: [0.3, -1.2],
    A: [
      [1.5, -0.4],
      [0.3, 2.1],
    ],
  };

  it('batch: the first line is read as JSON (file and stdin)', async () => {
    const line = `${BOM}{"id": 1, "task": "diff", "expr": "x'*A*x", "wrt": "x", "at": ${JSON.stringify(QUAD_AT)}}\n`;
    const file = join(dir, 'requests.jsonl');
    writeFileSync(file, line);
    for (const r of [await run(['batch', file]), await run(['batch'], { input: line })]) {
      expect(r.code).toBe(0);
      const res = JSON.parse(r.stdout) as { id: number; ok: boolean; value: number[] };
      expect(res).toMatchObject({ id: 1, ok: true });
      expect(maxRelError(res.value, toNested(fdOf("x'*A*x", 'x', QUAD_AT)))).toBeLessThan(1e-7);
    }
  });

  it('grade: the first answer is read', async () => {
    const file = join(dir, 'answers.jsonl');
    writeFileSync(file, `${BOM}{"id": "ana", "expr": "x'*x", "wrt": "x", "answer": "2x"}\n`);
    const r = await run(['grade', file, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('"verdict":"correct"');
  });

  it('--at @FILE and an expression on stdin', async () => {
    const file = join(dir, 'at.json');
    writeFileSync(file, `${BOM}${JSON.stringify(QUAD_AT)}`);
    const r = await run(['eval', '-', '--at', `@${file}`], { input: `${BOM}x'*A*x\n` });
    expect(r.stderr).toBe('');
    expect(Number(r.stdout)).toBeCloseTo(evaluate("x'*A*x", QUAD_AT).data[0]!, 9);
  });
});

describe.concurrent('reproductions that ended in an internal error or a wrong exit', () => {
  it.each([
    ['A*x', 'x', '2'],
    ["x'*A*x", 'x', '3'],
    ['W*x', 'W', '2'],
  ])('diff %s --wrt %s --order %s --steps: the zero order is shown and checked', async (expr, wrt, order) => {
    const r = await run(['diff', expr, '--wrt', wrt, '--order', order, '--steps']);
    noStack(r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^∂.* = matrix\(0\)\n/);
    expect(r.stdout).toContain('its differential is identically zero');
    expect(r.stdout).not.toContain('✗');
  });

  it('diff "W2*W1*x" --wrt W1: LaTeX index notation renders, HTML is written', async () => {
    const tex = await run(['diff', 'W2*W1*x', '--wrt', 'W1', '--format', 'latex']);
    expect(tex.code).toBe(0);
    const lines = tex.stdout
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('%'));
    expect(lines[1]).toBe(String.raw`\frac{\partial f_{i}}{\partial (W_{1})_{ab}} = (W_{2})_{ia} x_{b}`);
    for (const l of lines) rendered(l);
    const html = await run(['diff', 'W2*W1*x', '--wrt', 'W1', '--format', 'html']);
    noStack(html.stderr);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<html');
  });

  it('diff "x\'*x/0": a domain error, exit 1', async () => {
    const r = await run(['diff', "x'*x/0", '--wrt', 'x']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^matcalc: error \(domain\): division by zero/);
  });
});

describe.concurrent('warnings: stderr in text, "warnings" in JSON and batch', () => {
  const at = {
    W: [
      [0.5, -1, 2],
      [1.5, 0.2, -0.3],
    ],
    x: [0.1, 0.7, -1.1],
    b: 0.3,
  };
  const broadcastB =
    'b is a scalar by the naming convention (names a–g are scalars), so it is broadcast against W*x (m): declare b (e.g. b=vector(m)) if it is not a scalar';

  it('diff "tanh(W*x + b)": a warning on stderr, the result on stdout and true', async () => {
    const r = await run(['diff', 'tanh(W*x + b)', '--wrt', 'x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`matcalc: warning: ${broadcastB}\n`);
    const json = await run(['diff', 'tanh(W*x + b)', '--wrt', 'x', '--format', 'json', '--at', JSON.stringify(at)]);
    expect(json.stderr).toBe('');
    const parsed = JSON.parse(json.stdout) as { warnings: unknown; value: number[][] };
    expect(parsed.warnings).toEqual([{ kind: 'convention-broadcast', name: 'b', message: broadcastB }]);
    expect(maxRelError(parsed.value, toNested(fdOf('tanh(W*x + b)', 'x', at)))).toBeLessThan(1e-7);
  });

  it('a --var for a name not in the expression; declared properly, no warning', async () => {
    const r = await run(['eval', "x'*x", '--var', 'z=vector(n)', '--at', '{"x": [1, 2]}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('5\n');
    expect(r.stderr).toBe('matcalc: warning: z is declared but does not occur in the expression\n');
    const clean = await run(['diff', 'tanh(W*x + b)', '--wrt', 'x', '--var', 'b=vector(m)']);
    expect(clean.stderr).toBe('');
  });

  it('batch: diff, eval and check responses carry "warnings"', async () => {
    const lines = [
      { id: 1, task: 'diff', expr: 'norm2(X*w - y)^2 + lambda*norm2(w)^2', wrt: 'w' },
      { id: 2, task: 'eval', expr: 'x + c', at: { x: [1, 2], c: 1 } },
      { id: 3, task: 'check', expr: 'W*x + b', wrt: 'x', answer: 'W' },
      { id: 4, task: 'diff', expr: "x'*x", wrt: 'x' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = await run(['batch'], { input: `${lines}\n` });
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; warnings?: Array<{ name: string }> });
    expect(out.map((o) => o.warnings?.map((w) => w.name))).toEqual([['lambda'], ['c'], ['b'], undefined]);
  });
});
