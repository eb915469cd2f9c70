/**
 * `matcalc web`: the command is documented, its server module stays off the start-up path of the
 * other commands, and the static server (src/cli/serve.ts) hands out the files of its folder and
 * nothing else. The page itself, served by the built CLI and driven in Chromium, is tested by
 * `npm run test:web` (test/web/*.browser.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors.js';
import { type Served, fileFor, serve } from '../../src/cli/serve.js';
import { ensureBuilt, run } from './helpers.js';

beforeAll(ensureBuilt, 120_000);

describe('matcalc web', () => {
  it('--help documents the command, its port and 127.0.0.1', async () => {
    const top = await run(['--help']);
    expect(top.stdout).toMatch(/web \[options\] +serve the web playground on 127\.0\.0\.1/);
    const r = await run(['web', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--port <n>');
    expect(r.stdout).toContain('(default: 8357)');
    expect(r.stdout).toContain("http://127.0.0.1:8357/#expr=x'*A*x&wrt=x");
  });

  it('a port that is not a number is a usage error', async () => {
    const r = await run(['web', '--port', 'eighty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give a port number from 0 to 65535');
  });

  it('other commands never load node:http (the server is imported by `web` only)', async () => {
    const probe = join(mkdtempSync(join(tmpdir(), 'matcalc-probe-')), 'probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write('loaded:' + process.moduleLoadList.filter((m) => m === 'NativeModule http').join(',') + '\\n'));\n",
    );
    const r = await run(['diff', "x'*A*x", '--wrt', 'x'], { env: { NODE_OPTIONS: `--require ${probe}` } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('loaded:\n');
  });
});

describe('the static server', () => {
  const parent = mkdtempSync(join(tmpdir(), 'matcalc-web-'));
  const root = join(parent, 'site');
  mkdirSync(join(root, 'katex'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!DOCTYPE html><title>t</title>');
  writeFileSync(join(root, 'katex', 'k.css'), 'b{}');
  writeFileSync(join(parent, 'secret.txt'), 'no');
  let served: Served;
  beforeAll(async () => {
    served = await serve(root, 0);
  });
  afterAll(() => served.close());

  it("serves index.html at / with its type and the page's Content-Security-Policy", async () => {
    const r = await fetch(served.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain("connect-src 'none'");
    expect(await r.text()).toContain('<title>t</title>');
    expect((await fetch(`${served.url}katex/k.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('nothing outside the folder, no directory listings, no writes', async () => {
    for (const path of [
      '../secret.txt',
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      'katex/',
      'missing.js',
      'index.html%00.js',
    ]) {
      expect(fileFor(root, `/${path}`), path).toBeUndefined();
      expect((await fetch(`${served.url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(served.url, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(served.url, { method: 'HEAD' })).status).toBe(200);
  });

  it('a port in use is a clear error', async () => {
    const port = Number(new URL(served.url).port);
    await expect(serve(root, port)).rejects.toThrow(RequestError);
    await expect(serve(root, port)).rejects.toThrow(`port ${port} is in use: choose another with --port N`);
  });
});
