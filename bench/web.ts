/**
 * `npm run bench:web` (builds dist/web, then this file): figures for the web playground, never
 * pass/fail. Kept apart from `npm run bench` because it needs a browser (Debian's Chromium at
 * /usr/bin/chromium, driven by playwright-core).
 *
 *   1. Bundle size: page.js, worker.js and KaTeX's stylesheet, raw and gzipped, and the fonts.
 *   2. Load to first result: a fresh page opened on a link (x'*A*x by x), from navigation start to
 *      the first rendered result (the page's performance mark `matcalc:first-result`); median of runs.
 *   3. Time per update for every catalogue entry (test/catalogue/catalogue.ts): the hash is changed
 *      in an open page (which skips the 180 ms typing debounce) and the time until the new result is
 *      in the DOM is measured in the page, beside the worker's own time for the request.
 *
 * The page is served in-process by src/cli/serve.ts, as `matcalc web` serves it.
 * Environment knobs: MATCALC_BENCH_RUNS (page loads, default 5).
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { serve } from '../src/cli/serve.js';
import { CATALOGUE } from '../test/catalogue/catalogue.js';
import { launchChromium } from '../test/web/browser.js';
import { declJson } from '../src/web/state.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'dist', 'web');
const RUNS = Number(process.env.MATCALC_BENCH_RUNS ?? 5);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: readonly number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
const heading = (s: string): void => console.log(`\n${s}\n${'─'.repeat(s.length)}`);

// 1. Sizes
heading('1. Bundle size');
let gzTotal = 0;
for (const f of ['page.js', 'worker.js', 'style.css', 'katex/katex.min.css', 'index.html']) {
  const bytes = readFileSync(join(WEB, f));
  const gz = gzipSync(bytes, { level: 9 }).length;
  gzTotal += gz;
  console.log(`  ${f.padEnd(22)} ${kb(bytes.length).padStart(9)}   gzipped ${kb(gz).padStart(9)}`);
}
const fonts = readdirSync(join(WEB, 'katex/fonts'));
const woff2 = fonts
  .filter((f) => f.endsWith('.woff2'))
  .reduce((s, f) => s + statSync(join(WEB, 'katex/fonts', f)).size, 0);
console.log(`  ${'scripts, styles, html'.padEnd(22)} ${''.padStart(9)}   gzipped ${kb(gzTotal).padStart(9)}`);
console.log(
  `  KaTeX fonts: ${fonts.length} files; the woff2 set a browser loads at most is ${kb(woff2)} (already compressed); a typical result loads 2-4 of them`,
);

// 2 and 3 in Chromium
const served = await serve(WEB, 0);
const { context, profile } = await launchChromium();
try {
  heading('2. Load to first rendered result');
  const loads: number[] = [];
  const computes: number[] = [];
  const fetched: number[] = [];
  const loadEvents: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    await page.goto(`${served.url}#expr=${encodeURIComponent("x'*A*x")}&wrt=x`);
    const mark = await page.waitForFunction(() => {
      const m = performance.getEntriesByName('matcalc:first-result')[0] as PerformanceMark | undefined;
      return m ? { at: m.startTime, ms: (m.detail as { ms: number }).ms } : undefined;
    });
    const { at, ms } = (await mark.jsonValue())!;
    loads.push(at);
    computes.push(ms);
    const t = await page.evaluate(() => ({
      worker:
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) =>
          r.name.endsWith('/worker.js'),
        )?.responseEnd ?? Number.NaN,
      load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
    }));
    fetched.push(t.worker);
    loadEvents.push(t.load);
    await page.close();
  }
  console.log(`  x'*A*x by x: ${median(loads).toFixed(0)} ms from navigation start (median of ${RUNS})`);
  console.log(
    `    page loaded at ${median(loadEvents).toFixed(0)} ms, worker.js received at ${median(fetched).toFixed(0)} ms; the worker then ` +
      `starts (compiles its bundle, loads mathjs, KaTeX and the rule tables) and answers, the request itself taking ${median(computes).toFixed(0)} ms, check included`,
  );

  heading('3. Time per update (catalogue, hash changed in an open page)');
  const page = await context.newPage();
  await page.goto(`${served.url}#expr=${encodeURIComponent("x'*A*x")}&wrt=x`);
  await page.waitForFunction(() => document.body.dataset.responses !== undefined);
  const rows: { name: string; total: number; worker: number }[] = [];
  for (const e of CATALOGUE) {
    const vars = e.vars
      ? `&vars=${encodeURIComponent(JSON.stringify(Object.fromEntries(Object.entries(e.vars).map(([n, d]) => [n, declJson(d)]))))}`
      : '';
    const hash = `#expr=${encodeURIComponent(e.expr)}&wrt=${e.wrt}${e.order ? `&order=${e.order}` : ''}${vars}`;
    const r = await page.evaluate(async (h) => {
      const before = Number(document.body.dataset.responses);
      const t0 = performance.now();
      location.hash = h;
      // No named helpers inside: tsx would wrap them in a __name() the page does not have.
      await new Promise<void>((done) => {
        new MutationObserver((_, observer) => {
          if (Number(document.body.dataset.responses) > before && !document.body.classList.contains('busy')) {
            observer.disconnect();
            done();
          }
        }).observe(document.body, { attributes: true });
      });
      const marks = performance.getEntriesByName('matcalc:result');
      return {
        total: performance.now() - t0,
        worker: ((marks[marks.length - 1] as PerformanceMark).detail as { ms: number }).ms,
      };
    }, hash);
    rows.push({ name: e.name, ...r });
  }
  const totals = rows.map((r) => r.total),
    workers = rows.map((r) => r.worker);
  console.log(
    `  ${rows.length} entries: median ${median(totals).toFixed(0)} ms, 90th percentile ${quantile(totals, 0.9).toFixed(0)} ms, max ${Math.max(...totals).toFixed(0)} ms`,
  );
  console.log(
    `  of which the worker (derivative, check, KaTeX): median ${median(workers).toFixed(0)} ms; typing adds the 180 ms debounce`,
  );
  console.log('  slowest:');
  for (const r of [...rows].sort((a, b) => b.total - a.total).slice(0, 5))
    console.log(`    ${r.name.padEnd(44)} ${r.total.toFixed(0).padStart(5)} ms (worker ${r.worker.toFixed(0)} ms)`);
} finally {
  await context.close();
  await served.close();
  rmSync(profile, { recursive: true, force: true });
}
