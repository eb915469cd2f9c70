/**
 * Driving the playground in a real browser: Debian's Chromium (/usr/bin/chromium; `.ci/run`
 * installs it) through playwright-core, with a fresh profile and the flags that keep it off the
 * network, against the page as `matcalc web` serves it from dist/web. Every request the browser
 * makes is recorded, so that a test can assert that none left the page's origin.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { CLI, ROOT } from '../cli/helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const OUTPUT = join(ROOT, 'test-output');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Session {
  readonly context: BrowserContext;
  /** The address `matcalc web` printed, e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  /** Every URL the browser asked for. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts `matcalc web --port 0` and reads the address it prints. */
function startServer(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'web', '--port', '0'], { cwd: ROOT });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve({ url: m[0], child });
    });
    child.on('exit', (code) => reject(new Error(`matcalc web exited (${code}) before printing its address: ${out}`)));
  });
}

/** Debian's Chromium, headless and off the network, with a fresh profile (the tests and `bench:web`). */
export async function launchChromium(): Promise<{ context: BrowserContext; profile: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'matcalc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  return { context, profile };
}

export async function openSession(): Promise<Session> {
  const { url, child } = await startServer();
  const { context, profile } = await launchChromium();
  const requests: string[] = [];
  context.on('request', (r) => {
    requests.push(r.url());
  });
  // Anything for another origin is refused here too, so a stray request cannot even be attempted
  // (the page opened from disk may read its own folder).
  const local = pathToFileURL(join(ROOT, 'dist', 'web')).href;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    return u.startsWith(url) || u.startsWith(local) ? route.continue() : route.abort('blockedbyclient');
  });
  return {
    context,
    url,
    requests,
    close: async () => {
      await context.close();
      child.kill('SIGTERM');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page, failing the test on any script error in it. */
export async function newPage(s: Session, errors: string[]): Promise<Page> {
  const page = await s.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return page;
}

/** A link to the playground with these hash parameters (values URI-encoded as the page writes them). */
export const link = (base: string, params: Readonly<Record<string, string | number>>): string =>
  `${base}#${Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')}`;

/** Waits for the worker's answer to the newest request to be on the page. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => !document.body.classList.contains('busy') && document.body.dataset.responses !== undefined,
  );
}

/** The LaTeX source KaTeX keeps in the annotation of a rendered formula. */
export const texOf = (page: Page, testid: string): Promise<string> =>
  page
    .locator(`[data-testid="${testid}"] annotation[encoding="application/x-tex"]`)
    .first()
    .textContent()
    .then((t) => t ?? '');
