/**
 * The batch protocol end to end (node dist/cli.js batch), plus the protocol module in-process:
 *   - the shared examples (fixtures/requests.jsonl → fixtures/expected.jsonl, relative tolerance 1e-9),
 *     with every order-1 derivative value also checked against finite differences here;
 *   - one process answering 10,000 mixed requests, valid and invalid: exactly one line each, in order;
 *   - a client that waits for each answer before sending the next request (nothing is buffered);
 *   - memory: many distinct requests leave neither the heap nor the hash-consing table growing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { internTableSize } from '../../src/ir/intern.js';
import { mulberry32 } from '../../src/numeric/random.js';
import { toNested } from '../../src/numeric/tensor.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { answerLine } from '../../src/cli/protocol.js';
import { maxRelError } from '../helpers/points.js';
import { CLI, ROOT, ensureBuilt, fdOf, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `actual` has every field of `expected`, numbers equal to a relative tolerance. */
function expectSubset(actual: Json, expected: Json, path = '$'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected) / Math.max(1, Math.abs(expected)), path).toBeLessThanOrEqual(1e-9);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as Json[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectSubset((actual as Json[])[i]!, e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object' && !Array.isArray(actual), path).toBe(true);
    for (const [k, e] of Object.entries(expected))
      expectSubset((actual as Record<string, Json>)[k] ?? null, e, `${path}.${k}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('the shared protocol examples', () => {
  it('answers fixtures/requests.jsonl as fixtures/expected.jsonl says, and the values are true', async () => {
    const input = readFileSync(join(ROOT, 'test/cli/fixtures/requests.jsonl'), 'utf8');
    const expected = lines(readFileSync(join(ROOT, 'test/cli/fixtures/expected.jsonl'), 'utf8')).map(
      (l) => JSON.parse(l) as Json,
    );
    const r = await run(['batch', '-'], { input });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const answers = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, Json>);
    expect(answers).toHaveLength(expected.length);
    const requests = lines(input);
    answers.forEach((a, i) => {
      const req = (() => {
        try {
          return JSON.parse(requests[i]!) as Record<string, Json>;
        } catch {
          return undefined;
        }
      })();
      expectSubset(a, expected[i]!, `line ${i + 1}`);
      // Independent truth for order-1 derivative values: central differences of the function.
      if (req?.task === 'diff' && a.ok === true && req.at !== undefined && req.order === undefined) {
        const vars = Object.fromEntries(
          Object.entries((req.vars ?? {}) as Record<string, (string | number)[]>).map(([k, d]) => [
            k,
            { dims: d } as VarDecl,
          ]),
        );
        const fd = toNested(fdOf(req.expr as string, req.wrt as string, req.at as Record<string, number[]>, vars));
        expect(maxRelError(a.value as number[], fd), `line ${i + 1} against finite differences`).toBeLessThan(1e-7);
      }
    });
  });

  it('a file argument reads the same requests', async () => {
    const r = await run(['batch', join(ROOT, 'test/cli/fixtures/requests.jsonl')]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(11);
  });
});

// ---------------------------------------------------------------------------------------------
// 10,000 mixed requests

interface Expectation {
  readonly id: Json;
  readonly ok: boolean;
  readonly kind?: string;
  /** The true value, where the request has one. */
  readonly value?: Json;
}

function mixedRequests(count: number, seed: number): { input: string; expect: Expectation[] } {
  const rand = mulberry32(seed); // a deterministic request mix
  const num = () => Math.round((rand() * 4 - 2) * 1000) / 1000;
  const vec = (n: number) => Array.from({ length: n }, num);
  const out: string[] = [];
  const exp: Expectation[] = [];
  for (let id = 0; id < count; id++) {
    if (id % 997 === 5) out.push('', '   '); // blank lines are not requests
    const n = 1 + (id % 4);
    switch (id % 12) {
      case 0: {
        // ∂(x'Ax)/∂x = (A + A')x
        const x = vec(n),
          A = Array.from({ length: n }, () => vec(n));
        const g = x.map((_, i) => x.reduce((s, xj, j) => s + (A[i]![j]! + A[j]![i]!) * xj, 0));
        out.push(JSON.stringify({ id, task: 'diff', expr: "x'*A*x", wrt: 'x', at: { x, A } }));
        exp.push({ id, ok: true, value: g });
        break;
      }
      case 1: {
        // x'y
        const x = vec(n),
          y = vec(n);
        out.push(JSON.stringify({ id, task: 'eval', expr: "x'*y", vars: { x: ['n'], y: ['n'] }, at: { x, y } }));
        exp.push({ id, ok: true, value: x.reduce((s, xi, i) => s + xi * y[i]!, 0) });
        break;
      }
      case 2:
        out.push(`{"id": ${id}, "task": "diff", "expr": `);
        exp.push({ id: null, ok: false, kind: 'request' });
        break;
      case 3:
        out.push(JSON.stringify({ id, task: 'diff', expr: 'x*(y+', wrt: 'x' }));
        exp.push({ id, ok: false, kind: 'syntax' });
        break;
      case 4:
        out.push(JSON.stringify({ id, task: 'diff', expr: "A*x + y'", wrt: 'x' }));
        exp.push({ id, ok: false, kind: 'shape' });
        break;
      case 5:
        out.push(JSON.stringify({ id, task: 'eval', expr: `foo${id}(x)`, at: { x: [1] } }));
        exp.push({ id, ok: false, kind: 'unknown' });
        break;
      case 6:
        out.push(JSON.stringify({ id, expr: 'x' }));
        exp.push({ id, ok: false, kind: 'request' });
        break;
      case 7: {
        // Hessian of sum(exp(z)) is diag(exp(z))
        const z = vec(n);
        out.push(JSON.stringify({ id, task: 'diff', expr: 'sum(exp(z))', wrt: 'z', order: 2, at: { z } }));
        exp.push({ id, ok: true, value: z.map((zi, i) => z.map((_, j) => (i === j ? Math.exp(zi) : 0))) });
        break;
      }
      case 8:
        out.push(JSON.stringify([id]));
        exp.push({ id: null, ok: false, kind: 'request' });
        break;
      case 9:
        out.push(JSON.stringify({ id, task: 'eval', expr: 'log(a)', at: { a: -1 - rand() } }));
        exp.push({ id, ok: false, kind: 'domain' });
        break;
      case 10:
        out.push(
          JSON.stringify({
            id,
            task: 'diff',
            expr: 'B*y',
            wrt: 'y',
            vars: { B: ['m', 'n'], y: ['n'] },
            at: { B: [[1, 2]], y: [1, 2, 3] },
          }),
        );
        exp.push({ id, ok: false, kind: 'shape' });
        break;
      case 11: {
        // d(w_id'*x)/dx = w_id, with a fresh variable name each time
        const w = vec(n),
          x = vec(n);
        out.push(
          JSON.stringify({
            id,
            task: 'diff',
            expr: `w${id}'*x`,
            wrt: 'x',
            vars: { [`w${id}`]: [`n${id}`] },
            at: { [`w${id}`]: w, x },
          }),
        );
        exp.push({ id, ok: true, value: w });
        break;
      }
    }
  }
  return { input: `${out.join('\n')}\n`, expect: exp };
}

describe('one batch process, 10,000 mixed requests', () => {
  it('answers every request with exactly one line, in order, with the right outcome', async () => {
    const { input, expect: want } = mixedRequests(10_000, 20261125);
    const r = await run(['batch'], { input });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const got = lines(r.stdout);
    expect(got).toHaveLength(10_000);
    got.forEach((line, i) => {
      const a = JSON.parse(line) as { id: Json; ok: boolean; value?: Json; error?: { kind: string } };
      const w = want[i]!;
      expect(a.id, `line ${i + 1}`).toBe(w.id);
      expect(a.ok, `line ${i + 1}: ${line}`).toBe(w.ok);
      if (w.kind !== undefined) expect(a.error?.kind, `line ${i + 1}`).toBe(w.kind);
      if (w.value !== undefined)
        expect(maxRelError(a.value as number[], w.value as number[]), `line ${i + 1}`).toBeLessThan(1e-12);
    });
  }, 30_000);

  it('a client that waits for each answer before sending the next request gets each one at once', async () => {
    const child = spawn(process.execPath, [CLI, 'batch', '-'], { cwd: ROOT });
    child.stdout.setEncoding('utf8');
    let buffer = '';
    const waiters: ((line: string) => void)[] = [];
    child.stdout.on('data', (d: string) => {
      buffer += d;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        waiters.shift()?.(line);
      }
    });
    const ask = (req: string) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${req}`)), 5_000);
        waiters.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
        child.stdin.write(`${req}\n`);
      });
    try {
      for (let i = 0; i < 20; i++) {
        const answer = JSON.parse(
          await ask(
            i % 3 === 2 ? 'not json' : JSON.stringify({ id: i, task: 'eval', expr: 'sum(x)', at: { x: [i, 1] } }),
          ),
        ) as { id: Json; value?: number };
        if (i % 3 === 2) expect(answer.id).toBeNull();
        else expect(answer).toMatchObject({ id: i, value: i + 1 });
      }
    } finally {
      child.stdin.end();
    }
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The protocol module in-process

describe('protocol: requests that are wrong in every way answer, never throw', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', order: 0 }, 'request', /"order" must be a positive integer/],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', order: 1.5 }, 'request', /"order"/],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', layout: 'sideways' }, 'request', /"layout"/],
    [
      { id: 1, task: 'diff', expr: 'x', wrt: 'x', vars: { x: ['n', 0] } },
      'request',
      /a dimension is a name or a positive integer/,
    ],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', vars: { x: ['a', 'b', 'c'] } }, 'request', /at most two dimensions/],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', vars: ['x'] }, 'request', /"vars" must be an object/],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', at: [1] }, 'request', /"at" must be an object/],
    [{ id: 1, task: 'diff', expr: 'x', wrt: 'x', at: { x: [[1, 2], [3]] } }, 'request', /ragged/],
    [{ id: 1, task: 'diff', expr: 7, wrt: 'x' }, 'request', /"expr" must be a string/],
    [{ id: 1, task: 'diff', expr: 'x' }, 'request', /no "wrt"/],
    [{ id: 1, task: 'eval', expr: "x'*A*x", at: { x: [1, 2] } }, 'request', /no value for A/],
    [{ id: 1, task: 'integrate', expr: 'x' }, 'request', /unknown task "integrate"/],
    [{ id: 1, task: 'diff', expr: 'x+'.repeat(15_000) + 'x', wrt: 'x' }, 'limit', /the limit is/],
    [{ id: 1, task: 'diff', expr: "x'*x", wrt: 'q' }, 'unknown', /does not contain q/],
  ];
  const label = (req: Record<string, unknown>) => {
    const text = JSON.stringify(req);
    return text.length <= 100 ? text : `${text.slice(0, 60)}… (${text.length} characters)`;
  };
  it.each(cases.map(([req, kind, message]) => [label(req), kind, req, message] as const))(
    '%s → error kind %s',
    (_label, kind, req, message) => {
      const a = answerLine(JSON.stringify(req)) as { id: Json; ok: boolean; error: { kind: string; message: string } };
      expect(a).toMatchObject({ id: 1, ok: false, error: { kind } });
      expect(a.error.message).toMatch(message);
    },
  );

  it('vars may also be declarations in words, and dims are bound from the values', () => {
    const a = answerLine(
      JSON.stringify({
        id: 'q',
        task: 'diff',
        expr: "x'*S*x",
        wrt: 'x',
        vars: { S: 'matrix(n,n) symmetric', x: ['n'] },
        at: {
          S: [
            [2, 1],
            [1, 3],
          ],
          x: [1, -1],
        },
      }),
    );
    expect(a).toMatchObject({ id: 'q', ok: true, shape: ['n'] });
    // Truth: ∇(x'Sx) = 2Sx for a symmetric S = [[2,1],[1,3]], x = [1,-1]: 2·[1, -2].
    expect(maxRelError(a.value as number[], [2, -4])).toBeLessThan(1e-12);
    expect(
      maxRelError(
        a.value as number[],
        toNested(
          fdOf("x'*S*x", 'x', {
            S: [
              [2, 1],
              [1, 3],
            ],
            x: [1, -1],
          }),
        ),
      ),
    ).toBeLessThan(1e-7);
  });

  it('"check": true whose check cannot run still answers, as diff --format json does: {ok: null, skipped}', () => {
    // log(-exp(a)) has no point inside its domain, so there is nothing to compare with.
    const a = answerLine(JSON.stringify({ id: 3, task: 'diff', expr: 'log(-exp(a))', wrt: 'a', check: true }));
    expect(a).toMatchObject({
      id: 3,
      ok: true,
      check: { ok: null, skipped: expect.stringMatching(/inside the domain/) },
    });
  });

  it('"vec": "cols" prints the Cookbook\'s kron(x\', eye(k)) for d(W*x)/dW; the value keeps the tensor layout; a bad vec is a request error', () => {
    const at = {
      W: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      x: [0.5, -1, 2],
    };
    const a = answerLine(
      JSON.stringify({
        id: 4,
        task: 'diff',
        expr: 'W*x',
        wrt: 'W',
        vars: { W: ['k', 'n'] },
        vec: 'cols',
        check: true,
        at,
      }),
    );
    expect(a).toMatchObject({
      id: 4,
      ok: true,
      expression: "kron(x', eye(k))",
      shape: ['k', 'k', 'n'],
      check: { ok: true },
    });
    expect(a.convention).toMatch(/vec stacks columns/);
    expect(
      maxRelError(
        (a.value as number[][][]).flat(2),
        (toNested(fdOf('W*x', 'W', at, { W: { dims: ['k', 'n'] } })) as number[][][]).flat(2),
      ),
    ).toBeLessThan(1e-7);
    expect(answerLine(JSON.stringify({ id: 5, task: 'diff', expr: 'W*x', wrt: 'W', vec: 'columns' }))).toMatchObject({
      ok: false,
      error: { kind: 'request' },
    });
  });

  it('"check": true adds the finite-difference check to a diff answer', () => {
    const a = answerLine(
      JSON.stringify({ id: 2, task: 'diff', expr: 'sum(log(x))', wrt: 'x', check: true, at: { x: [0.5, 2, 4] } }),
    );
    expect(a).toMatchObject({ ok: true, check: { ok: true, points: 3 } });
    expect(maxRelError(a.value as number[], [2, 0.5, 0.25])).toBeLessThan(1e-12); // ∇ Σ log x = 1./x
  });
});

describe('memory over many distinct requests', () => {
  it('neither the heap nor the hash-consing table grows with the number of requests answered', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r)); // FinalizationRegistry callbacks run between turns
      }
    };
    const burst = (from: number, count: number) => {
      for (let id = from; id < from + count; id++) {
        const w = `w${id}`;
        answerLine(
          JSON.stringify({
            id,
            task: 'diff',
            expr: `sum(tanh(${w}*x))`,
            wrt: 'x',
            vars: { [w]: [`m${id}`, 'n'] },
            at: {
              [w]: [
                [1, 2],
                [3, 4],
              ],
              x: [0.1, 0.2],
            },
          }),
        );
      }
    };
    burst(0, 100);
    await settle();
    const heap0 = process.memoryUsage().heapUsed,
      table0 = internTableSize();
    burst(100, 800);
    await settle();
    const heap1 = process.memoryUsage().heapUsed,
      table1 = internTableSize();
    expect(table1).toBeLessThan(table0 + 500); // 800 requests × a dozen fresh nodes each, if retained
    expect(heap1 - heap0).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);
});
