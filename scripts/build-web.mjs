#!/usr/bin/env node
/**
 * Builds the web playground (src/web/) into dist/web/, a static folder any host can serve and
 * `matcalc web` serves on 127.0.0.1:
 *   index.html, style.css   copied from src/web/;
 *   page.js                 the page script (src/web/page.ts): DOM only, no library code;
 *   worker.js               the Web Worker (src/web/worker.ts): matcalc's public API, mathjs and KaTeX;
 *   katex/                  KaTeX's stylesheet and its fonts (woff2 and woff; every current browser
 *                           takes one of those, so the ttf files are left out).
 * Both scripts are classic (IIFE) scripts, not modules: the worker script doubles as a <script> for
 * pages opened from disk, where browsers refuse workers (src/web/client.ts). The library reaches no
 * Node built-in from src/index.ts; `platform: 'browser'` makes esbuild fail the build if one appears.
 *
 *   node scripts/build-web.mjs            build and print the sizes (raw and gzipped)
 *   node scripts/build-web.mjs --quiet    no summary
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const quiet = process.argv.includes('--quiet');
const require = createRequire(import.meta.url);

const started = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'katex/fonts'), { recursive: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // The version generated code names in its header (src/codegen/codegen.ts).
  define: { __MATCALC_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
};
await Promise.all([
  build({ ...common, entryPoints: ['src/web/page.ts'], outfile: join(out, 'page.js') }),
  build({ ...common, entryPoints: ['src/web/worker.ts'], outfile: join(out, 'worker.js') }),
]).catch(() => process.exit(1));

for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'src/web', f), join(out, f));
const katexDist = dirname(require.resolve('katex/dist/katex.min.css'));
copyFileSync(join(katexDist, 'katex.min.css'), join(out, 'katex/katex.min.css'));
for (const f of readdirSync(join(katexDist, 'fonts'))) {
  if (/\.woff2?$/.test(f)) copyFileSync(join(katexDist, 'fonts', f), join(out, 'katex/fonts', f));
}

if (!quiet) {
  const size = (f) => {
    const bytes = readFileSync(join(out, f));
    return `${f} ${(bytes.length / 1024).toFixed(0)} kB (${(gzipSync(bytes).length / 1024).toFixed(0)} kB gzipped)`;
  };
  const fonts = readdirSync(join(out, 'katex/fonts')).reduce(
    (s, f) => s + statSync(join(out, 'katex/fonts', f)).size,
    0,
  );
  console.log(
    `built dist/web: ${['page.js', 'worker.js', 'katex/katex.min.css'].map(size).join(', ')}, fonts ${(fonts / 1024).toFixed(0)} kB, in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
