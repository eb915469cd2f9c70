/**
 * Running generated Python modules from the tests: availability of each target's runtime, and one
 * python3 process per batch of cases (test/codegen/driver.py), so the whole catalogue costs one
 * interpreter start per target.
 *
 * A target whose runtime is missing is skipped with a message outside CI; under CI=true it fails,
 * since .ci/run installs numpy, torch and jax.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Nested } from '../../src/numeric/tensor.js';

export type PythonTarget = 'numpy' | 'torch' | 'jax';

const IMPORT: Record<PythonTarget, string> = {
  numpy: 'import numpy',
  torch: 'import torch',
  jax: 'import jax, jax.numpy',
};

/** Whether python3 can import the target's library; the reason when it cannot. */
export function runtimeOf(target: PythonTarget): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('python3', ['-c', IMPORT[target]], { encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined) return { ok: false, why: `python3 is not available (${r.error.message})` };
  if (r.status !== 0)
    return { ok: false, why: `python3 cannot ${IMPORT[target]}: ${r.stderr.trim().split('\n').pop()}` };
  return { ok: true };
}

/** Skips (with a visible message) outside CI when the runtime is missing; under CI=true, a missing runtime fails. */
export function requireRuntime(target: PythonTarget): boolean {
  const r = runtimeOf(target);
  if (r.ok) return true;
  if (process.env.CI === 'true') throw new Error(`CI: the ${target} runtime is required: ${r.why}`);
  console.warn(
    `SKIPPED: the ${target} execution tests: ${r.why} (pip install ${target === 'jax' ? 'jax jaxlib' : target})`,
  );
  return false;
}

export interface PyCase {
  readonly code: string;
  readonly function: string;
  readonly inputs: Readonly<Record<string, Nested>>;
  readonly wrt: readonly string[];
  readonly single: boolean;
  readonly order: number;
  readonly autograd?: boolean;
}

export type PyResult =
  | { readonly value: Nested; readonly derivatives: Nested[]; readonly autograd?: Nested[]; readonly error?: undefined }
  | { readonly error: string };

/** Runs every case in one python3 process; results in order. */
export function runPython(target: PythonTarget, cases: readonly PyCase[]): PyResult[] {
  const dir = mkdtempSync(join(tmpdir(), `matcalc-codegen-${target}-`));
  const spec = cases.map((c, i) => {
    const module = join(dir, `m${i}.py`);
    writeFileSync(module, c.code);
    return {
      module,
      function: c.function,
      inputs: c.inputs,
      wrt: c.wrt,
      single: c.single,
      order: c.order,
      autograd: c.autograd === true,
    };
  });
  const file = join(dir, 'cases.json');
  writeFileSync(file, JSON.stringify(spec));
  const r = spawnSync('python3', [join(import.meta.dirname, 'driver.py'), target, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`python3 driver.py failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}
