/**
 * `matcalc diff EXPR --wrt VAR`: the derivative, its shape, its convention, and — by default — a
 * finite-difference check of it, in text, LaTeX, JSON or a standalone HTML page.
 */
import { type Command, Option } from 'commander';
import { type Derivative, derivative } from '../../api/derivative.js';
import { RequestError } from '../../errors.js';
import { shapeOf } from '../../api/basic.js';
import { declareGivenConstants } from '../../api/values.js';
import type { VerifyReport } from '../../api/verify.js';
import { type Nested, toNested } from '../../numeric/tensor.js';
import { type StepCheck, derivationSteps, verifyStep } from '../../steps/steps.js';
import type { VarDecl } from '../../parse/parse.js';
import { toLatex } from '../../print/latex.js';
import { latexHeading, textHeading } from '../../api/headings.js';
import { atOption, formatOption, parseOrder, readAt, readExpr, readVars, varOption } from '../input.js';
import {
  type Checked,
  InternalError,
  PLAIN,
  type Style,
  checkFailed,
  checkedJson,
  formatDims,
  formatValue,
  indent,
  indexField,
  indexFormOf,
  jsonDims,
  out,
  resultJson,
  runCheck,
  shownForm,
  styleFor,
  verifyJson,
  warn,
  warningsJson,
} from '../output.js';
import { whereLatex, whereText } from '../../print/program.js';
import { toText } from '../../print/text.js';
import { withSource } from '../source.js';

interface DiffOptions {
  readonly wrt: string;
  readonly var?: string[];
  readonly order: number;
  readonly layout: 'numerator' | 'denominator';
  readonly vec: 'rows' | 'cols';
  readonly format: 'text' | 'latex' | 'json' | 'html';
  readonly at?: string;
  readonly check?: boolean;
  readonly steps?: boolean | 'differential' | 'chain';
  readonly bold?: boolean;
  readonly symmetricGradient?: boolean;
  readonly inline?: boolean;
}

const EXAMPLES = `
Examples:
  $ matcalc diff "x'*A*x" --wrt x
  $ matcalc diff "log(det(X))" --wrt X --format latex
  $ matcalc diff "W*x" --wrt W --var "W=matrix(k,n)" --var "x=vector(n)"
  $ matcalc diff "sum(exp(z))" --wrt z --order 2 --at '{"z": [0, 1, 2]}'
  $ matcalc diff "tanh(W*x + b)" --wrt x --layout denominator --format json
  $ matcalc diff "W*x" --wrt W --vec cols
  $ echo "tr(X'*C)" | matcalc diff - --wrt X --no-check
  $ matcalc diff "x'*A*x" --wrt x --format html > gradient.html
  $ matcalc diff "log(det(X))" --wrt X --steps
  $ matcalc diff "sum((W*x - y).^2)" --wrt W --steps chain
  $ matcalc diff "z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2" --wrt W1
  $ matcalc diff "z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2" --wrt h1

Letters a-g are scalars, h-z vectors and A-Z matrices unless declared with --var; dimensions are
inferred. EXPR may be a program: statements "name = expression" separated by ";" or line breaks, the
last one the function; --wrt may name an intermediate (the upstream gradient, its inputs held fixed).
The result names the program's intermediates and any part it would print more than once (t1, t2, …)
in "where" lines; --inline prints it as one expression. The finite-difference check runs at 3 seeded random points; a failure is a bug in matcalc
(exit 3).`;

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .summary('differentiate an expression (gradient, Jacobian, Hessian, higher orders)')
    .description(
      'Differentiate EXPR with respect to a variable, print the result with its shape and convention, and check it by central finite differences.',
    )
    .argument('<expr>', 'the expression, e.g. "x\'*A*x"; - reads it from stdin')
    .requiredOption('--wrt <var>', 'the variable to differentiate with respect to')
    .addOption(varOption())
    .option('--order <n>', 'order of the derivative: 1 gradient or Jacobian, 2 Hessian, ...', parseOrder, 1)
    .addOption(
      new Option('--layout <layout>', 'layout of a vector-by-vector Jacobian')
        .choices(['numerator', 'denominator'])
        .default('numerator'),
    )
    .addOption(
      new Option(
        '--vec <order>',
        "vec of a matrix in printed Jacobians: rows stacked (row-major) or cols (the Matrix Cookbook's); values keep the tensor layout",
      )
        .choices(['rows', 'cols'])
        .default('rows'),
    )
    .addOption(formatOption(['text', 'latex', 'json', 'html']))
    .addOption(atOption('also evaluate the derivative'))
    .option('--check', 'check the result by central finite differences (the default)')
    .option('--no-check', 'skip the finite-difference check')
    .addOption(
      new Option(
        '--steps [route]',
        'show the derivation step by step, each step checked: by matrix differentials (default) or by the chain rule',
      ).choices(['differential', 'chain']),
    )
    .option(
      '--symmetric-gradient',
      "for a matrix declared symmetric: the gradient in the space of symmetric matrices, (G + G')/2, instead of the entrywise G",
    )
    .option('--bold', 'bold vectors and matrices in LaTeX and HTML')
    .option('--inline', 'print the result as one expression, without "where" definitions')
    .addHelpText('after', EXAMPLES)
    .action(runDiff);
}

function checkText(c: Checked<VerifyReport>, s: Style = PLAIN): string {
  if ('skipped' in c) return `${s.yellow('not run')}: ${c.skipped}`;
  const r = c.report;
  const where = `${r.points} random point${r.points === 1 ? '' : 's'}, seed ${r.seed}${r.method === 'directional' ? ', random directions' : r.method === 'symmetric' ? ', symmetric directions' : ''}`;
  if (r.ok)
    return `${s.green('ok')}: agrees with central finite differences (max relative error ${r.maxError.toExponential(1)}; ${where})`;
  const f = r.failure;
  const detail = f ? `; at index [${f.index.join(', ')}] symbolic ${f.symbolic}, numeric ${f.numeric}` : '';
  return `${s.red('FAILED')}: disagrees with central finite differences (max relative error ${r.maxError.toExponential(1)}; ${where}${detail})`;
}

/** Everything a format shows: the derivative and what was asked for beside it. */
interface Shown {
  readonly d: Derivative;
  readonly src: string;
  readonly bold: boolean;
  readonly inline: boolean;
  readonly check?: Checked<VerifyReport>;
  readonly value?: Nested;
  readonly steps?: readonly StepLine[];
}

async function runDiff(exprArg: string, opts: DiffOptions): Promise<void> {
  const src = await readExpr(exprArg);
  const vars = readVars(opts.var);
  if (opts.steps && opts.vec === 'cols')
    throw new RequestError('--steps derives with the row-major vec; use it without --vec cols');
  const at = opts.at === undefined ? undefined : await readAt(opts.at);
  // e and pi given values are the user's variables.
  const d = withSource(src, () =>
    derivative(src, opts.wrt, {
      order: opts.order,
      layout: opts.layout,
      vec: opts.vec,
      vars: declareGivenConstants(vars, at),
      ...(opts.symmetricGradient === true ? { symmetricGradient: true } : {}),
    }),
  );
  if (opts.format !== 'json') warn(d.warnings); // JSON carries them as "warnings"
  const shown: Shown = {
    d,
    src,
    bold: opts.bold === true,
    inline: opts.inline === true,
    ...(at === undefined ? {} : { value: toNested(d.evaluate(at)) }),
    ...(opts.check === false ? {} : { check: runCheck(() => d.verify()) }),
    ...(opts.steps ? { steps: stepsOf(src, opts, vars, opts.check !== false) } : {}),
  };
  switch (opts.format) {
    case 'text':
      await out(diffText(shown));
      break;
    case 'latex':
      await out(diffLatex(shown));
      break;
    case 'json':
      await out(`${JSON.stringify(diffJson(shown))}\n`);
      break;
    case 'html':
      await out(await diffHtml(shown));
      break;
  }
  if (checkFailed(shown.check))
    throw new InternalError(`the derivative of ${src} with respect to ${opts.wrt} failed its finite-difference check`);
  const failed = shown.steps?.find((st) => checkFailed(st.check));
  if (failed !== undefined)
    throw new InternalError(`the step "${failed.title}" of the derivation failed its finite-difference check`);
}

/** A step of the derivation (steps/steps.ts) with its own finite-difference check. */
interface StepLine {
  readonly title: string;
  readonly rule: string;
  readonly text: string;
  readonly latex: string;
  readonly check?: Checked<StepCheck>;
}

function stepsOf(src: string, opts: DiffOptions, vars: Readonly<Record<string, VarDecl>>, check: boolean): StepLine[] {
  const route = opts.steps === 'chain' ? 'chain' : 'differential';
  const steps = withSource(src, () =>
    derivationSteps(src, opts.wrt, { vars, route, ...(opts.order > 1 ? { order: opts.order } : {}) }),
  );
  return steps.map((st) => {
    const line = { title: st.title, rule: st.rule, text: st.text, latex: st.latex };
    return check ? { ...line, check: runCheck(() => verifyStep(st)) } : line;
  });
}

const stepMark = (st: StepLine, s: Style): string =>
  st.check === undefined
    ? ''
    : 'skipped' in st.check
      ? s.yellow(' ?')
      : st.check.report.ok
        ? s.green(' ✓')
        : s.red(' ✗ FAILED');

const stepJson = (st: StepLine): Record<string, unknown> => ({
  title: st.title,
  rule: st.rule,
  text: st.text,
  latex: st.latex,
  ...(st.check === undefined ? {} : { check: checkedJson(st.check, (report) => ({ ...report })) }),
});

function diffText({ d, inline, check, value, steps }: Shown): string {
  const s = styleFor(process.stdout);
  const label = (l: string) => s.dim(`${l}:`.padEnd(8));
  const varShapes = Object.entries(shapeOf(d.f).vars)
    .map(([n, v]) => `${n}: ${v.text}`)
    .join(', ');
  const form = shownForm(d, inline);
  const lines = [
    `${s.bold(`${textHeading(d)} =`)} ${toText(form.result)}`,
    ...whereText(form.bindings).map((l) => `  ${l}`),
  ];
  lines.push(`  ${label('shape')}${formatDims(d.shape)}  ${s.dim(`(${varShapes})`)}`);
  lines.push(`  ${label('layout')}${d.convention}`);
  const index = indexFormOf(d);
  if (index !== undefined) lines.push(`  ${label('index')}${index.text}`);
  if (check !== undefined) lines.push(`  ${label('check')}${checkText(check, s)}`);
  if (value !== undefined) lines.push(`  ${s.dim('value:')}`, indent(formatValue(value), 4));
  if (steps !== undefined) {
    lines.push(`  ${s.dim(`steps${steps.some((st) => st.check) ? ' (✓ checked by finite differences)' : ''}:`)}`);
    steps.forEach((st, i) =>
      lines.push(
        `    ${String(i + 1).padStart(2)}. ${st.title}: ${st.text}${stepMark(st, s)}`,
        `        ${s.dim(st.rule)}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

const latexValue = (v: Nested): string | undefined => {
  if (typeof v === 'number') return String(v);
  const rows = v.every((x) => typeof x === 'number') ? (v as number[]).map((x) => [x]) : (v as Nested[][]);
  if (!rows.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) return undefined;
  return `\\begin{bmatrix}${rows.map((r) => (r as number[]).join(' & ')).join(' \\\\ ')}\\end{bmatrix}`;
};

function diffLatex({ d, bold, inline, check, value, steps }: Shown): string {
  const lines = (steps ?? []).flatMap((st, i) => [
    `% step ${i + 1}, ${st.title}: ${st.rule}${stepMark(st, PLAIN)}`,
    st.latex,
  ]);
  const form = shownForm(d, inline);
  const result = `${latexHeading(d, bold)} = ${toLatex(form.result, { bold })}`;
  const where = form.bindings.length > 0 ? whereLatex(form.bindings, { bold }) : undefined;
  // The last step is the result already (with its where-definitions on the same line) unless --inline differs.
  const last = lines[lines.length - 1];
  if (last !== result && (where === undefined || last !== `${result} \\quad ${where}`))
    lines.push(result, ...(where === undefined ? [] : [where]));
  const index = indexFormOf(d);
  if (index !== undefined) lines.push(index.latex);
  if (value !== undefined)
    lines.push(latexValue(value) ?? `% the value has rank ${d.shape.length}; use --format json for it`);
  if (check !== undefined)
    lines.push(
      `% check: ${'skipped' in check ? `not run: ${check.skipped}` : `${check.report.ok ? 'ok' : 'FAILED'}, max relative error ${check.report.maxError.toExponential(1)}`}`,
    );
  return `${lines.join('\n')}\n`;
}

function diffJson({ d, bold, inline, check, value, steps }: Shown): Record<string, unknown> {
  return {
    ...resultJson(d, { bold, inline }),
    heading: latexHeading(d, bold),
    shape: jsonDims(d.shape),
    kind: d.kind,
    order: d.order,
    wrt: d.wrt.name,
    layout: d.layout,
    convention: d.convention,
    ...indexField(d),
    ...(check !== undefined ? { check: verifyJson(check) } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(steps !== undefined ? { steps: steps.map(stepJson) } : {}),
    ...warningsJson(d.warnings),
  };
}

async function diffHtml({ d, src, bold, inline, check, value, steps }: Shown): Promise<string> {
  const { htmlPage } = await import('../html.js');
  const index = indexFormOf(d);
  const valueTex = value === undefined ? undefined : latexValue(value);
  const form = shownForm(d, inline);
  return htmlPage(`Derivative of ${src} with respect to ${d.wrt.name}`, [
    { kind: 'math', tex: `f = ${toLatex(d.f, { bold })}`, label: 'Function' },
    {
      kind: 'math',
      tex: `${latexHeading(d, bold)} = ${toLatex(form.result, { bold })}`,
      label: `Result (${d.kind}, shape ${formatDims(d.shape)})`,
    },
    ...(form.bindings.length === 0
      ? []
      : [{ kind: 'math' as const, tex: whereLatex(form.bindings, { bold }), label: 'Where' }]),
    { kind: 'text', text: d.convention, label: 'Convention' },
    ...(index === undefined ? [] : [{ kind: 'math' as const, tex: index.latex, label: 'Index notation' }]),
    ...(steps === undefined
      ? []
      : steps.map((st, i) => ({
          kind: 'math' as const,
          tex: st.latex,
          label: `Step ${i + 1}, ${st.title}: ${st.rule}${stepMark(st, PLAIN)}`,
        }))),
    ...(value === undefined
      ? []
      : valueTex !== undefined
        ? [{ kind: 'math' as const, tex: valueTex, label: 'Value at the given point' }]
        : [{ kind: 'pre' as const, text: formatValue(value), label: 'Value at the given point' }]),
    ...(check === undefined
      ? []
      : [{ kind: 'text' as const, text: checkText(check), label: 'Finite-difference check' }]),
  ]);
}
