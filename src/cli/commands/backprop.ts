/**
 * `matcalc backprop EXPR --at JSON`: a computational graph of a scalar loss, its forward values and
 * the backward pass (upstream gradient × local gradient), as text, LaTeX, JSON, Graphviz dot or a
 * standalone HTML page. Every upstream and local gradient is checked by finite differences unless
 * --no-check is given.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { toEnv } from '../../api/values.js';
import {
  type Walkthrough,
  type WalkthroughCheck,
  backprop,
  checkWalkthrough,
  renderDot,
  renderHtml,
  renderLatex,
  renderText,
  toJson,
} from '../../backprop/index.js';
import type { Env } from '../../numeric/evaluate.js';
import type { Nested } from '../../numeric/tensor.js';
import type { VarDecl } from '../../parse/parse.js';
import { atOption, formatOption, readAt, readExpr, readVars, varOption } from '../input.js';
import {
  type Checked,
  InternalError,
  PLAIN,
  type Style,
  checkFailed,
  checkedJson,
  out,
  runCheck,
  styleFor,
} from '../output.js';
import { withSource } from '../source.js';

interface BackpropCommandOptions {
  readonly at?: string;
  readonly var?: string[];
  readonly wrt?: string[];
  readonly upstream?: Nested;
  readonly check?: boolean;
  readonly format: 'text' | 'latex' | 'json' | 'dot' | 'html';
}

const EXAMPLES = `
Examples:
  $ matcalc backprop "(x + y)*z" --at '{"x": -2, "y": 5, "z": -4}'
  $ matcalc backprop "q = x + y; f = q*z" --at '{"x": -2, "y": 5, "z": -4}' --format latex
  $ matcalc backprop "sigmoid(w'*x + b)" --at '{"w": [1, -1], "x": [0.5, 2], "b": 0.1}'
  $ matcalc backprop "sum((W*x - y).^2)" --at @point.json --format dot | dot -Tsvg > graph.svg
  $ matcalc backprop "W*x" --at '{"W": [[1, 2]], "x": [3, 4]}' --upstream '[1]'
  $ matcalc backprop "log(1 + exp(-a*b))" --at '{"a": 1, "b": 2}' --format html > walkthrough.html

EXPR is one expression or a short program of named steps ("q = x + y; f = q*z"); the names label
the graph's nodes. Variables take the shapes of their values in --at (a number is a scalar, a list a
vector, a list of rows a matrix) unless declared with --var.`;

function listOf(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError('give the names of inputs, separated by commas.');
  return [...previous, ...names];
}

function jsonValue(value: string): Nested {
  try {
    return JSON.parse(value) as Nested;
  } catch {
    throw new InvalidArgumentError('it must be JSON: a number, a list or a list of rows.');
  }
}

export function registerBackprop(program: Command): void {
  program
    .command('backprop')
    .summary('walk through backpropagation on a computational graph')
    .description(
      "Build the computational graph of EXPR, run the forward pass at --at and the backward pass, and show every node's value, local gradients and upstream gradient.",
    )
    .argument('<expr>', 'the expression (a scalar loss) or a program "q = x + y; f = q*z"; - reads it from stdin')
    .addOption(atOption('run the forward and backward passes').makeOptionMandatory())
    .addOption(varOption())
    .option('--wrt <names>', 'report gradients for these inputs only (comma-separated; default all)', listOf)
    .option('--upstream <JSON>', 'the gradient ∂L/∂output when the output is not a scalar', jsonValue)
    .option('--no-check', 'skip the finite-difference check of every gradient')
    .addOption(formatOption(['text', 'latex', 'json', 'dot', 'html']))
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: BackpropCommandOptions) => {
      const src = await readExpr(exprArg);
      const at = toEnv(await readAt(opts.at!)); // values first: malformed ones are reported before the expression
      const { w, check } = walkthroughOf(src, at, readVars(opts.var), opts);
      switch (opts.format) {
        case 'text':
          await out(`${renderText(w)}\n${check ? `\n${checkText(check, styleFor(process.stdout))}\n` : ''}`);
          break;
        case 'latex':
          await out(`${renderLatex(w)}\n${check ? `% ${checkText(check)}\n` : ''}`);
          break;
        case 'json':
          await out(`${JSON.stringify(walkthroughJson(w, check))}\n`);
          break;
        case 'dot':
          await out(`${renderDot(w)}\n`);
          break;
        case 'html':
          await out(await renderHtml(w));
          break;
      }
      if (checkFailed(check))
        throw new InternalError('a gradient of the walkthrough failed its finite-difference check');
    });
}

/** The walkthrough and its check (unless check is false), as the command and the batch task run them. */
export function walkthroughOf(
  src: string,
  at: Env,
  declared: Readonly<Record<string, VarDecl>>,
  opts: { readonly wrt?: readonly string[]; readonly upstream?: Nested; readonly check?: boolean },
): { w: Walkthrough; check?: Checked<WalkthroughCheck> } {
  // The values declare the variables not declared here, inside backprop: one path with the library.
  const w = withSource(src, () =>
    backprop(src, at, {
      vars: declared,
      ...(opts.wrt ? { wrt: opts.wrt } : {}),
      ...(opts.upstream !== undefined ? { upstream: opts.upstream } : {}),
    }),
  );
  return opts.check === false ? { w } : { w, check: runCheck(() => checkWalkthrough(w)) };
}

/** `backprop --format json` and the batch task `backprop`: the walkthrough, with its check when run. */
export const walkthroughJson = (w: Walkthrough, check?: Checked<WalkthroughCheck>): Record<string, unknown> => ({
  ...toJson(w),
  ...(check ? { check: checkJson(check) } : {}),
});

function checkText(c: Checked<WalkthroughCheck>, s: Style = PLAIN): string {
  if ('skipped' in c) return `check: ${s.yellow('not run')}: ${c.skipped}`;
  const r = c.report;
  const kinks = r.results.filter((x) => x.kink).length;
  const counted = `${r.results.length} gradients${kinks ? `, ${kinks} near a kink and not judged` : ''}`;
  if (r.ok)
    return `check: ${s.green('ok')}: every gradient agrees with central finite differences (max relative error ${r.maxError.toExponential(1)}; ${counted})`;
  const bad = r.results
    .filter((x) => !x.ok)
    .map((x) => x.what)
    .join(', ');
  return `check: ${s.red('FAILED')}: ${bad} disagree with central finite differences (max relative error ${r.maxError.toExponential(1)}; ${counted})`;
}

const checkJson = (c: Checked<WalkthroughCheck>): Record<string, unknown> =>
  checkedJson(c, (r) => ({ ok: r.ok, maxError: r.maxError, kink: r.kink, results: r.results }));
