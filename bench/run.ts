/**
 * `npm run bench` (build, then this file): figures, never pass/fail.
 *
 *   1. Derivation time in-process for typical derivatives: median over many runs after warm-up, in
 *      μs. "fresh" renames the variables on every run (x_17, A_17, …), so nothing is served from the
 *      hash-consing or simplification caches; "repeat" derives the same text again and again.
 *   2. Cold start of the built CLI (node dist/cli.js diff "x'*A*x" --wrt x), median of repeated runs,
 *      beside a SymPy script doing the same derivative when python3 has sympy, measured in this run.
 *   3. Scaling: d loss / d W1 for an L-layer MLP, L = 1…64: size of the result (distinct DAG nodes,
 *      operations as printed, printed length as a program with shared parts named and as one inlined
 *      expression) and derivation time; chars(64)/chars(8) (linear growth is 8).
 *   4. Output size against the textbook: for every entry of test/catalogue/catalogue.ts, operations
 *      in our printed result and in the textbook answer, counted as the catalogue test counts them
 *      (test/catalogue/check.ts), and the largest ratio.
 *
 *   5. Generated code (bench/codegen.ts): gradient and Hessian of logistic regression at n = 100 and
 *      1000 with the generated NumPy, PyTorch and JAX functions beside torch.func and jax autograd,
 *      timed in one python3 run, as ratios to the generated NumPy code.
 *
 * Environment knobs: MATCALC_BENCH_RUNS (cold-start runs, default 10), MATCALC_BENCH_QUICK=1 (fewer
 * in-process iterations).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { derivative } from '../src/api/derivative.js';
import { postorder } from '../src/ir/walk.js';
import { toText } from '../src/print/text.js';
import { opCount } from '../src/simplify/measure.js';
import { CATALOGUE } from '../test/catalogue/catalogue.js';
import { runEntry, sizeRatio } from '../test/catalogue/check.js';
import { codegenSpeed } from './codegen.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const QUICK = process.env.MATCALC_BENCH_QUICK === '1';
const COLD_RUNS = Number(process.env.MATCALC_BENCH_RUNS ?? 10);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const heading = (s: string): void => console.log(`\n${s}\n${'─'.repeat(s.length)}`);
const table = (rows: readonly (readonly string[])[]): void => {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  for (const r of rows)
    console.log(`  ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('   ')}`);
};

// ---------------------------------------------------------------------------------------------
// 1. Derivation time in-process

/** `$` in names is replaced by a suffix, so that a fresh run shares no node with the previous one. */
const TYPICAL: readonly { expr: string; wrt: string; order?: number; what: string }[] = [
  { what: 'quadratic form', expr: "x$'*A$*x$", wrt: 'x$' },
  { what: 'least squares', expr: "(A$*x$ - y$)'*(A$*x$ - y$)", wrt: 'x$' },
  { what: 'log det', expr: 'log(det(X$))', wrt: 'X$' },
  { what: 'trace of inverse', expr: 'tr(A$*inv(X$)*B$)', wrt: 'X$' },
  { what: 'Jacobian of W x', expr: 'W$*x$', wrt: 'W$' },
  { what: 'logistic loss', expr: 'sum(log(1 + exp(-y$.*(X$*w$))))', wrt: 'w$' },
  { what: 'softmax Jacobian', expr: 'softmax(z$)', wrt: 'z$' },
  { what: 'two-layer net', expr: 'sum((W2$*tanh(W1$*x$) - y$).^2)', wrt: 'W1$' },
  { what: 'Hessian of log-sum-exp', expr: 'log(sum(exp(z$)))', wrt: 'z$', order: 2 },
  { what: 'Rayleigh quotient', expr: "(x$'*A$*x$)/(x$'*x$)", wrt: 'x$' },
  { what: 'Gaussian log-likelihood', expr: "log(det(S$)) + (x$ - m$)'*inv(S$)*(x$ - m$)", wrt: 'S$' },
];

function timeOne(fn: () => void, iterations: number): number {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) * 1000);
  }
  return median(samples);
}

function derivationTimes(): void {
  heading('1. Derivation time in-process (median μs after warm-up)');
  const iterations = QUICK ? 50 : 300;
  const rows: string[][] = [['derivative', 'fresh μs', 'repeat μs', 'result']];
  for (const t of TYPICAL) {
    let k = 0;
    const fresh = () => {
      const sfx = `_${k++}`;
      derivative(t.expr.replaceAll('$', sfx), t.wrt.replaceAll('$', sfx), t.order ? { order: t.order } : {}).toString();
    };
    const same = t.expr.replaceAll('$', ''),
      wrt = t.wrt.replaceAll('$', '');
    const repeat = () => {
      derivative(same, wrt, t.order ? { order: t.order } : {}).toString();
    };
    let result: string;
    try {
      result = derivative(same, wrt, t.order ? { order: t.order } : {}).toString();
    } catch (err) {
      rows.push([`${t.what}: ${same}`, '—', '—', `error: ${(err as Error).message}`]);
      continue;
    }
    for (let i = 0; i < 30; i++) {
      fresh();
      repeat();
    } // warm-up: JIT and rule tables
    rows.push([
      `${t.what}: ${same}${t.order ? ` (order ${t.order})` : ''}`,
      fmt(timeOne(fresh, iterations)),
      fmt(timeOne(repeat, iterations)),
      result.length > 50 ? `${result.slice(0, 47)}…` : result,
    ]);
  }
  table(rows);
}

// ---------------------------------------------------------------------------------------------
// 2. Cold start, beside SymPy

interface ColdCommand {
  readonly label: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

interface ColdResult {
  readonly ms: number;
  readonly ok: boolean;
  readonly out: string;
}

/**
 * Median wall-clock time of each command, run round-robin (one run of each per round) so that a
 * change in the machine's load during the measurement affects every command alike; the first round
 * only warms the OS file cache.
 */
function coldRounds(commands: readonly ColdCommand[]): ColdResult[] {
  const samples = commands.map(() => [] as number[]);
  const ok = commands.map(() => true),
    out = commands.map(() => '');
  for (let round = 0; round <= COLD_RUNS; round++) {
    commands.forEach((c, i) => {
      const t0 = performance.now();
      const r = spawnSync(c.cmd, c.args, { encoding: 'utf8', env: c.env ?? process.env });
      const ms = performance.now() - t0;
      if (r.status !== 0) ok[i] = false;
      out[i] = r.stdout.split('\n')[0] ?? '';
      if (round > 0) samples[i]!.push(ms);
    });
  }
  return commands.map((_, i) => ({ ms: median(samples[i]!), ok: ok[i]!, out: out[i]! }));
}

const SYMPY_SCRIPT = `from sympy import MatrixSymbol, Symbol
n = Symbol('n', integer=True, positive=True)
x = MatrixSymbol('x', n, 1)
A = MatrixSymbol('A', n, n)
print((x.T*A*x).diff(x))
`;

function coldStart(): void {
  heading(`2. Cold start (median of ${COLD_RUNS} runs, wall clock, one process each, commands interleaved)`);
  if (!existsSync(CLI)) {
    console.log('  dist/cli.js is missing: run `npm run build` (npm run bench does).');
    return;
  }
  const args = [CLI, 'diff', "x'*A*x", '--wrt', 'x'];
  const commands: ColdCommand[] = [
    { label: 'node -e 0 (Node.js itself)', cmd: process.execPath, args: ['-e', '0'] },
    { label: `matcalc diff "x'*A*x" --wrt x`, cmd: process.execPath, args },
    { label: '  … --no-check', cmd: process.execPath, args: [...args, '--no-check'] },
  ];
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    // Node reads the extra CA file at every start-up: a cost of this environment, not of matcalc.
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    commands.push(
      { label: 'node -e 0, without NODE_EXTRA_CA_CERTS', cmd: process.execPath, args: ['-e', '0'], env },
      { label: `matcalc diff "x'*A*x" --wrt x, without NODE_EXTRA_CA_CERTS`, cmd: process.execPath, args, env },
    );
  }
  const hasSympy = spawnSync('python3', ['-c', 'import sympy'], { encoding: 'utf8' }).status === 0;
  if (hasSympy) {
    const dir = mkdtempSync(join(tmpdir(), 'matcalc-bench-'));
    const script = join(dir, 'sympy_diff.py');
    writeFileSync(script, SYMPY_SCRIPT);
    commands.push({ label: 'python3 sympy_diff.py (SymPy, the same derivative)', cmd: 'python3', args: [script] });
  }
  const results = coldRounds(commands);
  table([
    ['command', 'ms', 'first line of output'],
    ...commands.map((c, i) => [c.label, fmt(results[i]!.ms), results[i]!.ok ? results[i]!.out : 'FAILED']),
  ]);
  const ours = results[1]!,
    node = results[0]!;
  console.log(
    `\n  matcalc over Node's own start-up: ${fmt(ours.ms - node.ms, 0)} ms. Target: ≤ 150 ms in all (check included).`,
  );
  if (hasSympy) {
    const sympy = results[results.length - 1]!;
    console.log(
      `  SymPy / matcalc cold-start ratio: ${fmt(sympy.ms / ours.ms, 1)}× (${fmt(sympy.ms, 0)} ms vs ${fmt(ours.ms, 0)} ms, same run)`,
    );
  } else {
    console.log('  SymPy is unavailable (python3 -c "import sympy" failed): no ratio.');
  }
  const cache = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, MATCALC_DEBUG_CACHE: '1' },
  }).stderr.trim();
  console.log(`  V8 ${cache || 'code cache: unknown'} (dist/cli.cache)`);
}

// ---------------------------------------------------------------------------------------------
// 3. Scaling: an L-layer MLP

function mlpLoss(L: number): string {
  let h = 'x';
  for (let i = 1; i <= L; i++) h = `tanh(W${i}*${h})`;
  return `sum((${h} - y).^2)`;
}

function scaling(): void {
  heading('3. Scaling: d loss/d W1 for an L-layer MLP, loss = sum((tanh(WL*…tanh(W1*x)…) - y).^2)');
  console.log(
    '  printed chars: the program form (shared parts named, as the CLI prints it) and --inline (one expression)\n',
  );
  const rows: string[][] = [['L', 'DAG nodes', 'printed ops', 'chars', 'chars --inline', 'bindings', 'derivation ms']];
  const sizes: { L: number; nodes: number; chars: number; inline: number }[] = [];
  for (let L = 1; L <= 64; L++) {
    const expr = mlpLoss(L);
    try {
      derivative(expr, 'W1'); // warm-up
      const times: number[] = [];
      let d = derivative(expr, 'W1');
      const runs = L > 16 ? 1 : QUICK ? 3 : 9;
      for (let i = 0; i < runs; i++) {
        const sfx = `_${L}_${i}`;
        const renamed = expr.replace(/\b(W\d+|x|y)\b/g, `$1${sfx}`);
        const t0 = performance.now();
        d = derivative(renamed, `W1${sfx}`);
        times.push(performance.now() - t0);
      }
      const nodes = postorder(d.expr).length,
        inline = toText(d.expr).length,
        chars = d.toProgramText().length;
      sizes.push({ L, nodes, chars, inline });
      rows.push([
        String(L),
        String(nodes),
        String(opCount(d.expr)),
        String(chars),
        String(inline),
        String(d.programForm().bindings.length),
        fmt(median(times), 2),
      ]);
    } catch (err) {
      rows.push([String(L), '—', '—', '—', '—', '—', `error: ${(err as Error).message}`]);
    }
  }
  table(rows);
  const at = (L: number) => sizes.find((s) => s.L === L);
  const a = at(8),
    b = at(16),
    c = at(64);
  if (a && b) {
    console.log(
      `\n  From L = 8 to L = 16: DAG nodes ×${fmt(b.nodes / a.nodes, 2)}, printed chars ×${fmt(b.chars / a.chars, 2)}, --inline ×${fmt(b.inline / a.inline, 2)} (×2 is linear, ×4 quadratic).`,
    );
  }
  if (a && c) {
    console.log(
      `  chars(64)/chars(8) = ${fmt(c.chars / a.chars, 2)} (linear is 8; the goal is at most 10); --inline: ${fmt(c.inline / a.inline, 2)}.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Output size against the textbook

function textbookSizes(): void {
  heading('4. Output size against the textbook (operations as printed: ours / textbook)');
  const rows: string[][] = [['entry', 'ours', 'textbook', 'ratio', 'our result']];
  let worst = { ratio: 0, name: '' },
    errors = 0;
  const ratios: number[] = [];
  for (const e of CATALOGUE) {
    try {
      const r = runEntry(e);
      const ratio = sizeRatio(r);
      ratios.push(ratio);
      if (ratio > worst.ratio) worst = { ratio, name: e.name };
      const text = r.d.toString();
      rows.push([
        e.name,
        String(r.oursOps),
        String(r.textbookOps),
        fmt(ratio, 2),
        text.length > 40 ? `${text.slice(0, 37)}…` : text,
      ]);
    } catch (err) {
      errors++;
      rows.push([e.name, '—', '—', '—', `error: ${(err as Error).message.slice(0, 60)}`]);
    }
  }
  table(rows);
  console.log(
    `\n  ${ratios.length} entries measured${errors ? `, ${errors} failed` : ''}; median ratio ${fmt(median(ratios), 2)}, largest ${fmt(worst.ratio, 2)} (${worst.name}).`,
  );
}

// ---------------------------------------------------------------------------------------------

console.log(`matcalc bench — Node ${process.version}, ${process.platform}/${process.arch}${QUICK ? ', quick' : ''}`);
derivationTimes();
coldStart();
scaling();
textbookSizes();
codegenSpeed(heading, table, QUICK);
