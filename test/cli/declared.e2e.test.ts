/**
 * End-to-end regressions of issue 10 items 1–5 (declared properties, e and pi, zero derivatives,
 * dimensions from values), through the built CLI. Each printed value is compared with finite
 * differences of the original f computed here (numeric/fd-higher.ts), at the given point.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toEnv } from '../../src/api/values.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fdHigher } from '../../src/numeric/fd-higher.js';
import { parse, type VarDecl } from '../../src/parse/parse.js';
import { type Nested, fromNested } from '../../src/numeric/tensor.js';
import { answerLine } from '../../src/cli/protocol.js';
import { ensureBuilt, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

/** The order-k derivative of expr at `at` by nested differences of f. */
function fdK(
  expr: string,
  wrt: string,
  order: number,
  at: Record<string, Nested>,
  vars: Record<string, VarDecl> = {},
): number[] {
  const f = evaluator(parse(expr, { vars }));
  return Array.from(fdHigher((e) => f(e), toEnv(at), wrt, order).value.data);
}

const flat = (v: Nested): number[] => Array.from(fromNested(v).data);

describe.concurrent('declared properties (issue 10 item 1)', () => {
  it('diff "tr(S*S)" --order 2 with S symmetric: the commutation tensor, as without the declaration', async () => {
    const at = {
      S: [
        [1, 2],
        [2, 3],
      ],
    };
    const args = ['diff', 'tr(S*S)', '--wrt', 'S', '--order', '2', '--at', JSON.stringify(at), '--format', 'json'];
    const declared = await run([...args, '--var', 'S=matrix(n,n) symmetric']);
    const plain = await run(args);
    expect(declared.code).toBe(0);
    const d = JSON.parse(declared.stdout) as { expression: string; value: Nested; check: { ok: boolean } };
    expect(d.expression).not.toBe('2*eye(n*n)');
    expect(d.check.ok).toBe(true);
    expect(d.value).toEqual((JSON.parse(plain.stdout) as { value: Nested }).value);
    flat(d.value).forEach((v, i) => expect(Math.abs(v - fdK('tr(S*S)', 'S', 2, at)[i]!)).toBeLessThan(1e-6));
  });

  it('diff "logdet(S)" --order 2 with S spd agrees with differences of f', async () => {
    const at = {
      S: [
        [2, 0.5],
        [0.5, 1],
      ],
    };
    const r = await run([
      'diff',
      'logdet(S)',
      '--wrt',
      'S',
      '--order',
      '2',
      '--var',
      'S=matrix(n,n) spd',
      '--at',
      JSON.stringify(at),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { value: Nested; check: { ok: boolean } };
    expect(d.check.ok).toBe(true);
    const want = fdK('logdet(S)', 'S', 2, at);
    flat(d.value).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6));
  });
});

describe.concurrent('values, names and zero derivatives (issue 10 items 2–5)', () => {
  it('item 2: diff "x\'*S*x" with S declared symmetric at a non-symmetric S is a domain error (was the value [6, 2])', async () => {
    const r = await run([
      'diff',
      "x'*S*x",
      '--wrt',
      'x',
      '--var',
      'S=matrix(n,n) symmetric',
      '--at',
      '{"S":[[1,2],[0,1]],"x":[1,1]}',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^matcalc: error \(domain\): S is declared symmetric, but its value is not/);
    const ok = await run([
      'diff',
      "x'*S*x",
      '--wrt',
      'x',
      '--var',
      'S=matrix(n,n) symmetric',
      '--at',
      '{"S":[[1,2],[2,1]],"x":[1,1]}',
      '--format',
      'json',
    ]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { value: Nested }).value).toEqual([6, 6]);
    const batch = answerLine(
      JSON.stringify({
        id: 1,
        task: 'eval',
        expr: 'logdet(S)',
        vars: { S: 'matrix(n,n) spd' },
        at: {
          S: [
            [1, 2],
            [2, 1],
          ],
        },
      }),
    );
    expect(batch).toMatchObject({ id: 1, ok: false, error: { kind: 'domain' } });
  });

  it('item 3: eval "e*2" --at \'{"e":5}\' is 10; without a value e is the constant', async () => {
    const r = await run(['eval', 'e*2', '--at', '{"e":5}']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('10');
    const c = await run(['eval', 'e*2']);
    expect(Number(c.stdout.trim())).toBeCloseTo(2 * Math.E, 10);
    expect(answerLine(JSON.stringify({ id: 2, task: 'eval', expr: 'pi*x', at: { pi: 3, x: [1, 2] } }))).toMatchObject({
      ok: true,
      value: [3, 6],
    });
    const d = await run(['diff', 'e*x', '--wrt', 'e', '--at', '{"e":2,"x":[1,2]}', '--format', 'json']);
    expect(d.code).toBe(0);
    expect((JSON.parse(d.stdout) as { value: Nested }).value).toEqual([1, 2]);
  });

  it('item 4: a declared variable f does not contain has a zero derivative; an undeclared one says how to declare it', async () => {
    const r = await run([
      'diff',
      'A*y',
      '--wrt',
      'x',
      '--var',
      'x=vector(p)',
      '--at',
      '{"A":[[1,2],[3,4],[5,6]],"y":[1,1],"x":[1,2,3,4]}',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { expression: string; value: Nested; check: { ok: boolean } };
    expect(d.expression).toBe('matrix(0)');
    expect(d.value).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(d.check.ok).toBe(true);
    const z = await run(['diff', '0*x', '--wrt', 'x', '--at', '{"x":[1,2]}', '--format', 'json']);
    expect(z.code).toBe(0);
    expect((JSON.parse(z.stdout) as { value: Nested }).value).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const u = await run(['diff', "x'*A*x", '--wrt', 'y']);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain('--var "y=vector(n)"');
  });

  it('item 5: eval "0*x" --at \'{"x":[1,2]}\' is [0, 0]', async () => {
    const r = await run(['eval', '0*x', '--at', '{"x":[1,2]}', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ value: [0, 0] });
    expect(answerLine(JSON.stringify({ id: 3, task: 'eval', expr: '0*x', at: { x: [1, 2] } }))).toMatchObject({
      ok: true,
      value: [0, 0],
    });
  });
});

describe.concurrent('the symmetric gradient: --symmetric-gradient, batch "symmetric": "projected", check conventions', () => {
  const at = {
    A: [
      [1, 2],
      [3, 4],
    ],
    S: [
      [1, 0.5],
      [0.5, 2],
    ],
  };
  it('diff "tr(A*S)" --symmetric-gradient: (A + A\')/2, said in the convention line, checked', async () => {
    const r = await run([
      'diff',
      'tr(A*S)',
      '--wrt',
      'S',
      '--var',
      'S=matrix(n,n) symmetric',
      '--symmetric-gradient',
      '--at',
      JSON.stringify(at),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { convention: string; value: Nested; check: { ok: boolean; method: string } };
    expect(d.convention).toMatch(/^symmetric gradient \(G \+ G'\)\/2/);
    // ∂tr(AS)/∂S entrywise is A' = [[1, 3], [2, 4]]; its symmetric part is [[1, 2.5], [2.5, 4]].
    expect(d.value).toEqual([
      [1, 2.5],
      [2.5, 4],
    ]);
    expect(d.check).toMatchObject({ ok: true, method: 'symmetric' });
    const refused = await run(['diff', 'tr(A*S)', '--wrt', 'S', '--symmetric-gradient']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('declared a symmetric');
  });

  it('batch: "symmetric": "projected" gives the same; an unknown value is a request error', () => {
    const req = {
      id: 's',
      task: 'diff',
      expr: 'tr(A*S)',
      wrt: 'S',
      vars: { S: 'matrix(n,n) symmetric' },
      at,
      symmetric: 'projected',
    };
    expect(answerLine(JSON.stringify(req))).toMatchObject({
      ok: true,
      value: [
        [1, 2.5],
        [2.5, 4],
      ],
    });
    expect(answerLine(JSON.stringify({ ...req, symmetric: 'entrywise' }))).toMatchObject({
      ok: true,
      value: [
        [1, 3],
        [2, 4],
      ],
    });
    expect(answerLine(JSON.stringify({ ...req, symmetric: 'half' }))).toMatchObject({
      ok: false,
      error: { kind: 'request' },
    });
  });

  it('check: the Cookbook form is transposed with "convention": "cookbook"', async () => {
    const r = await run([
      'check',
      'tr(A*S)',
      '--wrt',
      'S',
      '--var',
      'S=matrix(n,n) symmetric',
      '--answer',
      "A + A' - diag(diag(A))",
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'transposed',
      diagnosis: 'convention',
      convention: 'cookbook',
    });
  });
});
