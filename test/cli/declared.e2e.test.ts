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
import { ensureBuilt, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

/** The order-k derivative of expr at `at` by nested differences of f. */
function fdK(expr: string, wrt: string, order: number, at: Record<string, Nested>, vars: Record<string, VarDecl> = {}): number[] {
  const f = evaluator(parse(expr, { vars }));
  return Array.from(fdHigher((e) => f(e), toEnv(at), wrt, order).value.data);
}

const flat = (v: Nested): number[] => Array.from(fromNested(v).data);

describe.concurrent('declared properties (issue 10 item 1)', () => {
  it('diff "tr(S*S)" --order 2 with S symmetric: the commutation tensor, as without the declaration', async () => {
    const at = { S: [[1, 2], [2, 3]] };
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
    const at = { S: [[2, 0.5], [0.5, 1]] };
    const r = await run(['diff', 'logdet(S)', '--wrt', 'S', '--order', '2', '--var', 'S=matrix(n,n) spd', '--at', JSON.stringify(at), '--format', 'json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { value: Nested; check: { ok: boolean } };
    expect(d.check.ok).toBe(true);
    const want = fdK('logdet(S)', 'S', 2, at);
    flat(d.value).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6));
  });
});
