/**
 * `matcalc check EXPR --wrt VAR --answer ANSWER`: is a student's derivative right? The verdict
 * (correct, transposed, incorrect), why, and a counterexample when there is one.
 */
import type { Command } from 'commander';
import { type CheckResult, check } from '../../check/check.js';
import { formatOption, parseOrder, readExpr, readVars, varOption } from '../input.js';
import { type Style, formatValue, indent, out, styleFor, warn } from '../output.js';
import { withSource } from '../source.js';

interface CheckCommandOptions {
  readonly wrt: string;
  readonly answer: string;
  readonly var?: string[];
  readonly order?: number;
  readonly format: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ matcalc check "x'*A*x" --wrt x --answer "(A + A')*x"
  $ matcalc check "x'*A*x" --wrt x --answer "x'*(A + A')"          # transposed
  $ matcalc check "log(det(X))" --wrt X --answer "inv(X)" --format json
  $ matcalc check "u'*D*u" --wrt u --answer "2*D*u" --var "u=vector(n)" --var "D=matrix(n,n)"

The exit code is 0 whatever the verdict; 1 if EXPR itself is not a valid expression.`;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .summary("check a student's answer for a derivative")
    .description(
      'Compare ANSWER with the derivative of EXPR with respect to --wrt: correct, transposed or incorrect, with a diagnosis and a counterexample.',
    )
    .argument('<expr>', 'the function; - reads it from stdin')
    .requiredOption('--wrt <var>', 'the variable')
    .requiredOption('--answer <answer>', 'the answer to check, in the same syntax (or LaTeX)')
    .addOption(varOption())
    .option('--order <n>', 'order of the derivative the answer claims to be', parseOrder)
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: CheckCommandOptions) => {
      const src = await readExpr(exprArg);
      const answer = await readExpr(opts.answer, 'the answer');
      const vars = readVars(opts.var);
      const result = withSource(src, () =>
        check(src, opts.wrt, answer, { vars, ...(opts.order !== undefined ? { order: opts.order } : {}) }),
      );
      if (opts.format !== 'json') warn(result.warnings ?? []); // JSON carries them as "warnings"
      await out(
        opts.format === 'json' ? `${JSON.stringify(result)}\n` : checkResultText(result, styleFor(process.stdout)),
      );
    });
}

export function verdictText(verdict: CheckResult['verdict'], s: Style): string {
  return verdict === 'correct' ? s.green(verdict) : verdict === 'transposed' ? s.yellow(verdict) : s.red(verdict);
}

function checkResultText(r: CheckResult, s: Style): string {
  const label = (l: string) => s.dim(`${l}:`.padEnd(11));
  // The explanation usually opens with the verdict ("transposed: the answer is …"); colour that word.
  const head = r.explanation.startsWith(`${r.verdict}:`)
    ? r.explanation.slice(r.verdict.length + 1)
    : ` ${r.explanation}`;
  const lines = [`${s.bold(verdictText(r.verdict, s))}:${head}`];
  if (r.diagnosis !== undefined) lines.push(`  ${label('diagnosis')}${r.diagnosis}`);
  lines.push(`  ${label('expected')}${r.expected}  ${s.dim(`(${r.expectedShape})`)}`);
  if (r.answerInput !== undefined || r.answerShape !== undefined) {
    const read = r.syntax === 'latex' ? s.dim(' (read from LaTeX)') : '';
    const shape = r.answerShape !== undefined ? `  ${s.dim(`(${r.answerShape})`)}` : '';
    lines.push(`  ${label('answer')}${r.answerInput ?? ''}${read}${shape}`);
  }
  if (r.factor !== undefined) lines.push(`  ${label('factor')}the answer is ${r.factor} times the derivative`);
  if (r.convention !== undefined) lines.push(`  ${label('convention')}${r.convention}`);
  const c = r.counterexample;
  if (c !== undefined) {
    lines.push(`  ${s.dim('counterexample:')}`);
    for (const [name, v] of Object.entries(c.at)) lines.push(`    ${name} =`, indent(formatValue(v), 6));
    lines.push('    expected', indent(formatValue(c.expected), 6), '    answer', indent(formatValue(c.answer), 6));
  }
  return `${lines.join('\n')}\n`;
}
