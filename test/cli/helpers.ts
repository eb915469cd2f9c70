/**
 * Running the built CLI (dist/cli.js) as a subprocess, as a user or a grader would, and the truths
 * its output is compared with: central finite differences of the function itself, computed here in
 * the test process (src/numeric/fd.ts), independent of the CLI's own check; and KaTeX, which must
 * render every LaTeX string it prints.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import katex from 'katex';
import { toEnv } from '../../src/api/values.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import type { Nested, Tensor } from '../../src/numeric/tensor.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds dist/ unless it is newer than every source file, package.json and the build script. The
 * vitest global setup calls this once per run; test files call it too, so that they work without it
 * (a lock directory keeps parallel test files from building at the same time).
 */
export function ensureBuilt(): void {
  const built = join(ROOT, 'dist', 'cli.cjs');
  const fresh = () =>
    existsSync(built) &&
    existsSync(CLI) &&
    statSync(built).mtimeMs >=
      Math.max(
        newestSource(join(ROOT, 'src')),
        newestSource(join(ROOT, 'rules')),
        ...['package.json', 'scripts/build.mjs'].map((f) => statSync(join(ROOT, f)).mtimeMs),
      );
  if (fresh()) return;
  const lock = join(ROOT, 'dist', '.build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      } // a stale lock from a killed run
      sleep(100);
    }
  }
  try {
    if (!fresh())
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--quiet', '--no-types'], {
        stdio: 'inherit',
      });
  } finally {
    rmdirSync(lock);
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli.js ...args`, optionally feeding stdin; resolves when it exits. */
export function run(
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
    });
    let stdout = '',
      stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The derivative of `expr` with respect to `wrt` at `at` by central finite differences, in the
 * layout dims(f) + dims(wrt) (order 1), or of a given gradient expression for order 2.
 */
export function fdOf(
  expr: string,
  wrt: string,
  at: Record<string, Nested>,
  vars: Record<string, VarDecl> = {},
): Tensor {
  const run = evaluator(parse(expr, { vars }));
  return fdJacobian((e) => run(e), toEnv(at), wrt);
}

/** `tex` itself, once KaTeX has rendered it strictly (an error or a strict-mode warning throws). */
export function rendered(tex: string): string {
  katex.renderToString(tex, { throwOnError: true, strict: 'error' });
  return tex;
}
