#!/usr/bin/env node
/**
 * Builds what `npm install` ships, with esbuild:
 *   dist/cli.js     the `matcalc` binary: a small ESM launcher (src/cli/launch.ts) with a shebang;
 *   dist/cli.cjs    the whole CLI in one minified CommonJS bundle, which the launcher compiles with
 *                   V8's code cache (CommonJS because Node 20 can cache only scripts, not modules);
 *                   minified because that starts measurably faster, with dist/cli.cjs.map, which the
 *                   launcher reads only to report an error that escaped the CLI (src/cli/crash.ts);
 *   dist/cli.cache  that cache, written by one warm-up run at the end of the build;
 *   dist/index.js   the library (src/index.ts), readable (not minified) with a source map, its
 *                   dependencies left to the package manager;
 *   dist/types/     its declaration files (scripts/build-types.mjs, tsc), which `exports` points to.
 * KaTeX and dagre stay external packages, required only by `--format html`. The version printed by
 * `matcalc --version` is read from package.json here and compiled in.
 *
 *   node scripts/build.mjs            build, warm the cache, print a summary
 *   node scripts/build.mjs --quiet    no summary
 *   node scripts/build.mjs --no-types no declaration files (the test suite's build: tsc is slow)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildTypes } from './build-types.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const quiet = process.argv.includes('--quiet');
const withTypes = !process.argv.includes('--no-types');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const started = performance.now();
rmSync(join(root, 'dist/cli.cache'), { force: true });
const builds = Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.cjs',
    format: 'cjs',
    sourcemap: true,
    sourcesContent: false, // the map points into src/, which the package ships
    external: ['katex', '@dagrejs/dagre'],
    // vm.Script cannot run import() once compiled from a code cache (Node 20); a lazy import('katex')
    // becomes a lazy require('katex') instead (KaTeX and dagre ship CommonJS too).
    supported: { 'dynamic-import': false },
    // import.meta does not exist in CommonJS; the few uses (resolving KaTeX's stylesheet) get the file's URL.
    define: { __MATCALC_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__importMetaUrl' },
    banner: { js: 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
  }),
  build({
    ...common,
    entryPoints: ['src/cli/launch.ts'],
    outfile: 'dist/cli.js',
    format: 'esm',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...common,
    entryPoints: ['src/index.ts'],
    outfile: 'dist/index.js',
    format: 'esm',
    packages: 'external',
    minify: false,
    sourcemap: true,
    sourcesContent: false,
    // The version generated code names in its header (src/codegen/codegen.ts).
    define: { __MATCALC_VERSION__: JSON.stringify(pkg.version) },
  }),
  withTypes ? buildTypes(root) : undefined,
]);
// esbuild (or tsc) has already printed what failed; a stack trace of the build script would only add noise.
await builds.catch(() => process.exit(1));
chmodSync(join(root, 'dist/cli.js'), 0o755);

// Warm-up: one typical run writes dist/cli.cache (and proves the bundle starts).
const warm = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'diff', "x'*A*x", '--wrt', 'x'], {
  encoding: 'utf8',
});
if (warm.status !== 0) {
  console.error(`the built CLI failed its warm-up run (exit ${warm.status}):\n${warm.stderr}`);
  process.exit(1);
}

if (!quiet) {
  const kb = (f) => `${(statSync(join(root, f)).size / 1024).toFixed(0)} kB`;
  const types = withTypes ? ', dist/types/' : '';
  console.log(
    `built dist/cli.js + dist/cli.cjs (${kb('dist/cli.cjs')}, code cache ${kb('dist/cli.cache')}) and dist/index.js (${kb('dist/index.js')})${types} in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
