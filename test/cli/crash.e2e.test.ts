/**
 * An error that escapes the CLI (a bug, or a failure outside any command) is reported by the
 * launcher's handler (src/cli/crash.ts): one line in the CLI's format, exit code 3, and a stack
 * whose bundle positions are translated to src/, never Node's default report, which quotes a line
 * of the minified bundle (tens of kB). The escape is provoked for real: stdout is /dev/full, so the
 * first write fails with ENOSPC, which main.ts's stdout error handler rethrows (only EPIPE is expected).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

describe.runIf(existsSync('/dev/full'))('an uncaught error in the built CLI', () => {
  it('is one short report, its stack mapped to src/, exit code 3', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, 'diff', "x'*A*x", '--wrt', 'x'], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(3);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'matcalc: error (internal): ENOSPC: no space left on device, write (this is a bug in matcalc; please report it with the command that caused it)',
      );
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(300);
      expect(lines.slice(1).every((line) => /^\s+at /.test(line))).toBe(true);
      const inSources = lines.filter(
        (line) => line.startsWith(`    at ${join(ROOT, 'src')}/`) && /\.ts:\d+:\d+$/.test(line),
      );
      expect(inSources.length, r.stderr).toBeGreaterThan(0);
      expect(r.stderr).not.toContain('cli.cjs');
    } finally {
      closeSync(full);
    }
  });
});
