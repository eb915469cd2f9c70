/**
 * `npm run bench`, section 5: the speed of generated code (issue 13). Logistic regression,
 * f(w) = sum(softplus(X*w)) - y'*X*w with X n×n, n = 100 and 1000: its gradient and its Hessian with
 * the generated NumPy, PyTorch and JAX functions beside the libraries' autograd of the plain value
 * function (torch.func.grad / hessian, jax.grad / hessian under jax.jit), on the same inputs, timed in
 * one python3 run (bench/codegen.py), as times and ratios to the generated NumPy code. A library that
 * is not installed is left out, and said so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '../src/codegen/codegen.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXPR = "sum(softplus(X*w)) - y'*X*w";

type Row = { n: number; kind: 'gradient' | 'hessian' } & Record<string, number>;

export function codegenSpeed(
  heading: (s: string) => void,
  table: (rows: readonly (readonly string[])[]) => void,
  quick: boolean,
): void {
  heading(`5. Generated code against autograd: ${EXPR}, X n×n (median time, ms; ratio to generated NumPy)`);
  if (spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0) {
    console.log('  skipped: python3 with numpy is not available');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'matcalc-bench-codegen-'));
  const modules: Record<string, Record<string, string>> = {};
  const fn: Record<string, string> = {};
  for (const [kind, order] of [
    ['gradient', 1],
    ['hessian', 2],
  ] as const) {
    modules[kind] = {};
    for (const target of ['numpy', 'torch', 'jax'] as const) {
      const r = codegen(EXPR, 'w', { target, order, vars: { X: 'matrix(n,n)' } });
      const path = join(dir, `${target}_${kind}.py`);
      writeFileSync(path, r.code);
      modules[kind][target] = path;
      fn[kind] = r.function;
    }
  }
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({ sizes: [100, 1000], repeats: quick ? 3 : 10, modules, function: fn }));
  const run = spawnSync('python3', [join(HERE, 'codegen.py'), spec], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 1_800_000,
  });
  if (run.status !== 0) {
    console.log(`  failed: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return;
  }
  const out = JSON.parse(run.stdout) as { versions: Record<string, string>; results: Row[] };
  const columns = [
    'generated numpy',
    'generated torch',
    'torch.func autograd',
    'generated jax (jit)',
    'jax autograd (jit)',
  ].filter((c) => out.results.some((r) => c in r));
  const rows: string[][] = [['n', 'result', ...columns]];
  for (const r of out.results) {
    const base = r['generated numpy']!;
    rows.push([
      String(r.n),
      r.kind,
      ...columns.map((c) => (c in r ? `${(r[c]! * 1e3).toPrecision(3)} (${(r[c]! / base).toFixed(2)}×)` : '—')),
    ]);
  }
  table(rows);
  console.log(
    `\n  ${Object.entries(out.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${
      ['torch', 'jax']
        .filter((l) => !(l in out.versions))
        .map((l) => `${l} not installed`)
        .join(', ') || 'all libraries present'
    }.`,
  );
  const at = (n: number, kind: string): Row | undefined => out.results.find((r) => r.n === n && r.kind === kind);
  const h = at(1000, 'hessian');
  if (h !== undefined && 'torch.func autograd' in h && 'generated torch' in h) {
    console.log(
      `  Hessian at n = 1000: torch.func.hessian / generated PyTorch = ${(h['torch.func autograd']! / h['generated torch']!).toFixed(1)}×` +
        ('jax autograd (jit)' in h
          ? `, jit(jax.hessian) / generated NumPy = ${(h['jax autograd (jit)']! / h['generated numpy']!).toFixed(1)}×`
          : ''),
    );
  }
}
