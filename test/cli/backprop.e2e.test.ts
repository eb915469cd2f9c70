/**
 * `matcalc backprop` as installed (dist/cli.js), for the regressions of issue 10 item 10: a missing
 * --at value or a mistyped step is named (not "needs a scalar output"), the CLI and the library take
 * shapes from the values by one code path (their JSON is identical), a fan-out through the output
 * prints named branches, and dagre (the HTML graph's layout) is loaded for --format html only. Gradients are compared with central
 * differences of the original expression (helpers.fdOf), independent of the CLI's own check.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backprop, backpropJson } from '../../src/index.js';
import { ROOT, fdOf, run } from './helpers.js';

const notesAt = { x: -2, y: 5, z: -4 };
const S = { dims: [] };

describe.concurrent('matcalc backprop', () => {
  it('a mistyped step name: exit 1, "r is not defined" with its statement and column', async () => {
    const r = await run(['backprop', 'q = x + y; f = r*z', '--at', JSON.stringify(notesAt)]);
    expect(r.code).toBe(1);
    const [line, source, caret] = r.stderr.split('\n');
    expect(line).toBe('matcalc: error (syntax): r is not defined — in statement 2, "f = r*z" (at column 16)');
    expect(source).toBe('  q = x + y; f = r*z');
    expect(caret).toBe(`  ${' '.repeat(15)}^`);
  });

  it('a value missing from --at: exit 2, "no value for z" with its column', async () => {
    const r = await run(['backprop', '(x + y)*z', '--at', '{"x": -2, "y": 5}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('matcalc: error (usage): no value for z (at column 9)\n');
  });

  it('the CLI and the library read shapes from the values alike: identical JSON, gradients = finite differences', async () => {
    const r = await run(['backprop', '(x + y)*z', '--at', JSON.stringify(notesAt), '--format', 'json', '--no-check']);
    expect(r.code).toBe(0);
    const cli = JSON.parse(r.stdout);
    expect(cli).toEqual(JSON.parse(JSON.stringify(backpropJson(backprop('(x + y)*z', notesAt)))));
    for (const v of ['x', 'y', 'z'] as const) {
      expect(cli.gradients[v]).toBeCloseTo(fdOf('(x + y)*z', v, notesAt, { x: S, y: S, z: S }).data[0]!, 6);
    }
  });

  it('attention over a batch (Vaswani et al. 2017), as a program: the backward pass of the papers, checked; gradients = finite differences', async () => {
    const program = "S = Q*K'/sqrt(d); P = softmax(S, 1); O = P*V; L = sum(G.*O)";
    const at = {
      Q: [
        [1, 0.5],
        [-0.3, 2],
        [0.2, -1],
      ],
      K: [
        [0.3, -0.2],
        [1, 1],
        [-0.5, 0.4],
      ],
      V: [
        [1, 2],
        [0, -1],
        [0.5, 0.5],
      ],
      G: [
        [1, 0],
        [0, 1],
        [0.5, -0.5],
      ],
      d: 2,
    };
    const r = await run(['backprop', program, '--at', JSON.stringify(at)]);
    expect(r.code).toBe(0);
    // Dao et al. (2022), FlashAttention, App. B.2: dV = PᵀdO, dP = dO Vᵀ, dS = P ∘ (dP − rowsum(dP ∘ P)), dQ = dS K/√d, dK = dSᵀQ/√d.
    for (const step of [
      "∂L/∂V = P'*G_O = ",
      "∂L/∂P = G_O*V' = ",
      "∂L/∂S = P.*(G_P - sum(G_P.*P, 1)*vector(1)') = ",
      '∂L/∂Q = G_S*K/sqrt(d) = ',
      "∂L/∂K = G_S'*Q/sqrt(d) = ",
    ]) {
      expect(r.stdout).toContain(step);
    }
    expect(r.stdout).toContain('check: ok');
    const json = JSON.parse(
      (await run(['backprop', program, '--at', JSON.stringify(at), '--format', 'json', '--no-check'])).stdout,
    );
    const flat = "sum(G.*(softmax(Q*K'/sqrt(d), 1)*V))";
    const vars = { Q: { dims: [3, 2] }, K: { dims: [3, 2] }, V: { dims: [3, 2] }, G: { dims: [3, 2] }, d: S };
    for (const v of ['Q', 'K', 'V'] as const) {
      const fd = fdOf(flat, v, at, vars);
      json.gradients[v].flat().forEach((g: number, i: number) => expect(g).toBeCloseTo(fd.data[i]!, 6));
    }
  });

  it('fan-out through the output: named branches, checked', async () => {
    const r = await run(['backprop', 'q = a*b; f = q*a', '--at', '{"a": 2, "b": 3}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ∂f/∂a = ∂f/∂a (via q) + ∂f/∂a (via f) = ∂f/∂q · ∂q/∂a + q = (2)(3) + (6) = 12\n');
    expect(r.stdout).toContain('check: ok');
    expect(12).toBeCloseTo(fdOf('a*b*a', 'a', { a: 2, b: 3 }, { a: S, b: S }).data[0]!, 6);
  });

  it('dagre is loaded for --format html only: the start path of every other format stays light', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'matcalc-dagre-'));
    const hook = join(dir, 'report-loads.cjs');
    writeFileSync(
      hook,
      "const M = require('node:module'); const load = M._load;\n" +
        "M._load = function (request, ...rest) { if (/dagre|katex/.test(request)) process.stderr.write('loaded ' + request + '\\n'); return load.call(this, request, ...rest); };\n",
    );
    const env = { NODE_OPTIONS: `--require ${hook}` };
    const args = ['backprop', 'q = a*b; f = q*a + x', '--at', '{"a": 2, "b": 3, "x": 1}', '--no-check'];
    try {
      for (const format of ['text', 'latex', 'json', 'dot']) {
        const r = await run([...args, '--format', format], { env });
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
      }
      const html = await run([...args, '--format', 'html'], { env });
      expect(html.code).toBe(0);
      expect(html.stderr).toContain('loaded @dagrejs/dagre');
      expect(html.stdout).toContain('<div class="graph"><svg');
      expect((html.stdout.match(/marker-end=/g) ?? []).length).toBe(6); // a→q, b→q, q→v1, a→v1, v1→f, x→f
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bundle leaves dagre out: it is required, lazily, from the package', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'cli.cjs'), 'utf8');
    expect(bundle).toContain('require("@dagrejs/dagre")');
    expect(bundle).not.toContain('network-simplex');
  });
});
