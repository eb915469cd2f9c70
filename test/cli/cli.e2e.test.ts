/**
 * End-to-end: the built CLI (node dist/cli.js) as a subprocess, every command and every error path.
 * Every derivative a test prints is also checked numerically here: its value at a point (--at)
 * against central finite differences of the function, computed in the test process. Every LaTeX
 * string is rendered by KaTeX with throwOnError.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/api/basic.js';
import { toNested } from '../../src/numeric/tensor.js';
import { maxRelError } from '../helpers/points.js';
import { ROOT, ensureBuilt, fdOf, rendered, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

/** A point for x'*A*x with n = 3. */
const QUAD_AT = {
  x: [0.3, -1.2, 0.7],
  A: [
    [1.5, -0.4, 0.2],
    [0.3, 2.1, -0.7],
    [0.9, 0.1, 0.6],
  ],
};

/** Runs `diff --format json --at`, checks its value against finite differences, returns the JSON. */
async function diffJson(
  expr: string,
  wrt: string,
  at: Record<string, unknown>,
  extra: string[] = [],
): Promise<Record<string, unknown>> {
  const r = await run(['diff', expr, '--wrt', wrt, '--format', 'json', '--at', JSON.stringify(at), ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe.concurrent('matcalc diff', () => {
  it("text: heading, shape, convention and a passing check — ∂(x'Ax)/∂x = (A + A')x (Matrix Cookbook §2.4.2)", async () => {
    const r = await run(['diff', "x'*A*x", '--wrt', 'x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("∂f/∂x = (A + A')*x");
    expect(r.stdout).toMatch(/shape: +n /);
    expect(r.stdout).toContain('gradient: same shape as x');
    expect(r.stdout).toMatch(
      /check: +ok: agrees with central finite differences \(max relative error [0-9.]+e-\d+; 3 random points, seed \d+\)/,
    );
    expect(r.stdout).not.toContain('\x1b['); // not a terminal: no colour
    // The printed formula is true: evaluate it and compare with finite differences of f.
    const printed = toNested(evaluate("(A + A')*x", QUAD_AT));
    expect(maxRelError(printed, toNested(fdOf("x'*A*x", 'x', QUAD_AT)))).toBeLessThan(1e-7);
  });

  it('--no-check skips the check; --at prints the value', async () => {
    const r = await run(['diff', "x'*A*x", '--wrt', 'x', '--no-check', '--at', JSON.stringify(QUAD_AT)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('check:');
    expect(r.stdout).toMatch(/value:\n +\[[-0-9., ]+\]\n/);
    const json = await diffJson("x'*A*x", 'x', QUAD_AT);
    expect(maxRelError(json.value as number[], toNested(fdOf("x'*A*x", 'x', QUAD_AT)))).toBeLessThan(1e-7);
  });

  it('json: the fields of the contract, and the value against finite differences', async () => {
    const at = {
      W: [
        [0.5, -1, 2],
        [1.5, 0.2, -0.3],
      ],
      x: [0.1, 0.7, -1.1],
    };
    const json = await diffJson('W*x', 'W', at, ['--var', 'W=matrix(k,n)', '--var', 'x=vector(n)']);
    expect(json).toMatchObject({
      expression: "kron(eye(k), x')",
      kind: 'vec-jacobian',
      shape: ['k', 'k', 'n'],
      order: 1,
      layout: 'numerator',
    });
    expect(json.check).toMatchObject({ ok: true, points: 3 });
    rendered(json.latex as string);
    rendered(`${json.heading as string} = ${json.latex as string}`);
    expect(maxRelError(json.value as number[][][], toNested(fdOf('W*x', 'W', at)))).toBeLessThan(1e-7);
  });

  it('latex: a heading and formula that KaTeX renders — ∂ log det X / ∂X = X^{-T} (Matrix Cookbook §2.1.4)', async () => {
    const r = await run(['diff', 'log(det(X))', '--wrt', 'X', '--format', 'latex']);
    expect(r.code).toBe(0);
    const [formula, comment] = r.stdout.trimEnd().split('\n');
    expect(rendered(formula!)).toMatch(/^\\frac\{\\partial f\}\{\\partial X\} = /);
    expect(comment).toMatch(/^% check: ok/);
    const at = {
      X: [
        [2, 0.3],
        [-0.4, 1.5],
      ],
    };
    const json = await diffJson('log(det(X))', 'X', at);
    expect(maxRelError(json.value as number[][], toNested(fdOf('log(det(X))', 'X', at)))).toBeLessThan(1e-7);
  });

  it('--bold: bold vectors and matrices in LaTeX', async () => {
    const r = await run(['diff', "x'*A*x", '--wrt', 'x', '--format', 'latex', '--bold', '--no-check']);
    const formula = r.stdout.split('\n')[0]!;
    expect(rendered(formula)).toContain('\\mathbf{A}');
    expect(formula).toContain('\\partial \\mathbf{x}');
  });

  it('--order 2: the Hessian of sum(exp(z)) is diag(exp(z)), checked against differences of the gradient', async () => {
    const at = { z: [0.2, -1.1, 0.8] };
    const json = await diffJson('sum(exp(z))', 'z', at, ['--order', '2']);
    expect(json).toMatchObject({ kind: 'hessian', shape: ['n', 'n'], expression: 'diag(exp(z))' });
    expect(maxRelError(json.value as number[][], toNested(fdOf('exp(z)', 'z', at)))).toBeLessThan(1e-7);
  });

  it('--layout denominator transposes a Jacobian: rows index the variable', async () => {
    const at = {
      W: [
        [0.5, -1, 2],
        [1.5, 0.2, -0.3],
      ],
      x: [0.1, 0.7, -1.1],
      b: 0.3,
    };
    const num = await diffJson('tanh(W*x + b)', 'x', at);
    const den = await diffJson('tanh(W*x + b)', 'x', at, ['--layout', 'denominator']);
    const fd = toNested(fdOf('tanh(W*x + b)', 'x', at)) as number[][];
    expect(maxRelError(num.value as number[][], fd)).toBeLessThan(1e-7);
    const fdT = fd[0]!.map((_, j) => fd.map((row) => row[j]!));
    expect(maxRelError(den.value as number[][], fdT)).toBeLessThan(1e-7);
    expect(den.convention).toContain('denominator layout');
  });

  it("d(X')/dX is printed as the commutation matrix (it was only a differential), with its value", async () => {
    const at = {
      X: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    };
    const json = await diffJson("X'", 'X', at);
    expect(json).toMatchObject({ kind: 'vec-jacobian', expression: 'commutation(n, m)' });
    expect(json.shape).toHaveLength(4);
    expect(maxRelError(json.value as number[], toNested(fdOf("X'", 'X', at)))).toBeLessThan(1e-7);
  });

  it("--vec cols: d(A*X*B)/dX = kron(B', A) (Matrix Cookbook §10.2.2), the value in the tensor layout; not with --steps", async () => {
    const at = {
      A: [
        [1, 2],
        [0, 1],
        [3, -1],
      ],
      X: [
        [0.5, 1, -1],
        [2, 0, 1],
      ],
      B: [
        [1, 0],
        [2, 1],
        [-1, 3],
      ],
    };
    const json = await diffJson('A*X*B', 'X', at, ['--vec', 'cols']);
    expect(json).toMatchObject({ kind: 'vec-jacobian', expression: "kron(B', A)" });
    expect(json.convention).toMatch(/vec stacks columns/);
    expect(
      maxRelError((json.value as number[][][][]).flat(3), (toNested(fdOf('A*X*B', 'X', at)) as number[][][][]).flat(3)),
    ).toBeLessThan(1e-7);
    const r = await run(['diff', 'A*X*B', '--wrt', 'X', '--vec', 'cols', '--steps']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--steps derives with the row-major vec/);
  });

  it('EXPR - reads stdin, and --at @FILE reads a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'matcalc-cli-'));
    const file = join(dir, 'at.json');
    writeFileSync(file, JSON.stringify(QUAD_AT));
    const r = await run(['diff', '-', '--wrt', 'x', '--format', 'json', '--at', `@${file}`], { input: "x'*A*x\n" });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { expression: string; value: number[] };
    expect(json.expression).toBe("(A + A')*x");
    expect(maxRelError(json.value, toNested(fdOf("x'*A*x", 'x', QUAD_AT)))).toBeLessThan(1e-7);
  });

  it('--steps: every step of d log det X is shown and checked; the LaTeX steps render', async () => {
    const r = await run(['diff', 'log(det(X))', '--wrt', 'X', '--steps']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/steps \(✓ checked by finite differences\):\n +1\. function: f = log\(det\(X\)\) ✓/);
    expect(r.stdout).toMatch(/gradient: ∂f\/∂X = inv\(X\)' ✓/);
    const tex = await run(['diff', 'log(det(X))', '--wrt', 'X', '--steps', '--format', 'latex']);
    const formulas = tex.stdout
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('%'));
    expect(formulas.length).toBeGreaterThanOrEqual(3);
    formulas.forEach(rendered);
    const at = {
      X: [
        [1.5, 0.2],
        [-0.3, 0.9],
      ],
    };
    const json = await diffJson('log(det(X))', 'X', at, ['--steps']);
    expect((json.steps as { check: { ok: boolean } }[]).every((st) => st.check.ok)).toBe(true);
    expect(maxRelError(json.value as number[][], toNested(fdOf('log(det(X))', 'X', at)))).toBeLessThan(1e-7);
  });

  it('--steps chain: the backward pass of (x + y)*z, ending in ∂f/∂x = z', async () => {
    const r = await run([
      'diff',
      '(x + y)*z',
      '--wrt',
      'x',
      '--steps',
      'chain',
      '--var',
      'x=scalar',
      '--var',
      'y=scalar',
      '--var',
      'z=scalar',
      '--at',
      '{"x": -2, "y": 5, "z": -4}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+\. gradient: ∂f\/∂x = z ✓/);
    expect(r.stdout).toMatch(/value:\n +-4\n/); // ∂((x + y)z)/∂x = z = -4
  });

  it('html: a standalone page with the formula rendered by KaTeX and its stylesheet inlined', async () => {
    const r = await run(['diff', "x'*A*x", '--wrt', 'x', '--format', 'html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).toContain('class="katex-display"');
    expect(r.stdout).toMatch(/<style>[^<]*\.katex\{/);
    expect(r.stdout).not.toContain('katex-error');
    expect(r.stdout).toContain('agrees with central finite differences');
  });
});

describe.concurrent('matcalc eval and latex', () => {
  it("eval: u'*D*u at u = [1, 2], D = diag(2, 3) is 2 + 12 = 14", async () => {
    const r = await run(['eval', "u'*D*u", '--at', '{"u": [1, 2], "D": [[2, 0], [0, 3]]}']);
    expect(r).toMatchObject({ code: 0, stdout: '14\n', stderr: '' });
    const j = await run(['eval', 'A*x', '--at', '{"x": [1, 2], "A": [[1, 2], [3, 4]]}', '--format', 'json']);
    expect(JSON.parse(j.stdout)).toEqual({ expression: 'A*x', shape: ['m'], value: [5, 11] });
  });

  it('eval prints a matrix as aligned rows', async () => {
    const r = await run(['eval', "x*y'", '--at', '{"x": [1, -2], "y": [3, 40]}']);
    expect(r.stdout).toBe('[ 3   40\n -6  -80]\n');
  });

  it('latex: an expression in Matrix Cookbook notation, rendered by KaTeX', async () => {
    const r = await run(['latex', "x'*inv(S)*x + log(det(S))"]);
    expect(r.code).toBe(0);
    expect(rendered(r.stdout.trim())).toMatch(/^x\^\\top S\^\{-1\} x \+ \\log/);
    const stdin = await run(['latex', '-'], { input: 'sigmoid(W*x + b)' });
    expect(rendered(stdin.stdout.trim())).toContain('W x + b');
  });
});

describe.concurrent('errors, exit codes and help', () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it('a syntax error: exit 1, its column, a caret under the source', async () => {
    const r = await run(['diff', 'A*(x+', '--wrt', 'x']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('matcalc: error (syntax): unexpected end of expression (at column 6)\n  A*(x+\n       ^\n');
  });

  it('a shape error: exit 1', async () => {
    const r = await run(['diff', "A*x + y'", '--wrt', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^matcalc: error \(shape\): cannot add A\*x \(n\) and y' \(1×m\)/);
    noStack(r.stderr);
  });

  it('a value whose shape disagrees with a declaration: exit 1, kind shape', async () => {
    const r = await run(['eval', 'W*x', '--var', 'W=matrix(k,n)', '--at', '{"W": [[1, 2]], "x": [1, 2, 3]}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^matcalc: error \(shape\): /);
  });

  it('an unknown function, an unknown variable: exit 1, kind unknown', async () => {
    const f = await run(['diff', 'foo(x)', '--wrt', 'x']);
    expect(f).toMatchObject({ code: 1, stderr: 'matcalc: error (unknown): unknown function foo\n' });
    const v = await run(['diff', "x'*x", '--wrt', 'z']);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('error (unknown): the expression does not contain z');
  });

  it('a domain error and a limit: exit 1', async () => {
    const d = await run(['eval', 'log(a)', '--at', '{"a": -1}']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^matcalc: error \(domain\): /);
    const l = await run(['diff', '-', '--wrt', 'x'], { input: `${'x+'.repeat(15_000)}x` });
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/^matcalc: error \(limit\): /);
  });

  it('values too large to hold in memory: exit 1, kind limit, not an internal error', async () => {
    const r = await run(['eval', 'sum(eye(100000))', '--at', '{}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^matcalc: error \(limit\): /);
    noStack(r.stderr);
  });

  it.each([
    [['diff', 'x'], /required option '--wrt <var>' not specified/],
    [['diff', 'x', '--wrt', 'x', '--format', 'pdf'], /argument 'pdf' is invalid/],
    [['diff', 'x', '--wrt', 'x', '--order', 'two'], /the order is a positive integer/],
    [['diff', 'x', '--wrt', 'x', '--frobnicate'], /unknown option '--frobnicate'/],
    [['diff', 'x', '--wrt', 'x', '--at', '{x: 1}'], /--at is not valid JSON/],
    [['diff', 'x', '--wrt', 'x', '--at', '[1, 2]'], /--at must be a JSON object/],
    [['diff', 'x', '--wrt', 'x', '--at', '@/nonexistent/at.json'], /cannot read \/nonexistent\/at.json: no such file/],
    [['diff', 'x', '--wrt', 'x', '--var', 'x=tensor(3)'], /--var: cannot read the shape/],
    [['eval', "x'*A*x", '--at', '{"x": [1, 2]}'], /no value for A/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['batch', '/nonexistent/requests.jsonl'], /cannot read \/nonexistent\/requests.jsonl: no such file/],
    [['batch', 'test'], /cannot read test \(EISDIR\)/],
    [['diff', 'x', '--wrt', 'x', '--at', '@'], /--at @FILE needs a file name/],
    [['backprop', 'x*y', '--at', '{"x": 1, "y": 2}', '--wrt', ','], /give the names of inputs/],
    [['backprop', 'x*y', '--at', '{"x": [[1, 2], [3]], "y": 2}'], /the value of x is ragged/],
    [[], /Usage: matcalc/],
  ])('usage error %j: exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });

  it('--help with examples for the program and every command; exit 0', async () => {
    const commands = [[], ['diff'], ['eval'], ['latex'], ['check'], ['grade'], ['backprop'], ['batch']];
    const results = await Promise.all(commands.map((cmd) => run([...cmd, '--help'])));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: matcalc/);
      expect(r.stdout).toMatch(/Examples:\n +\$ matcalc /);
    }
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});
