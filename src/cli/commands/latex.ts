/**
 * `matcalc latex EXPR`: an expression in LaTeX (the notation of the Matrix Cookbook).
 */
import type { Command } from 'commander';
import { readProgram } from '../../parse/program.js';
import { latexName, toLatex } from '../../print/latex.js';
import { programForm, whereLatex } from '../../print/program.js';
import { readExpr, readVars, varOption } from '../input.js';
import { out, warn } from '../output.js';
import { withSource } from '../source.js';

interface LatexCommandOptions {
  readonly var?: string[];
  readonly bold?: boolean;
}

const EXAMPLES = `
Examples:
  $ matcalc latex "x'*inv(S)*x"            # x^\\top S^{-1} x
  $ matcalc latex "log(det(X)) + tr(A*X)" --bold
  $ echo "sigmoid(W*x + b)" | matcalc latex -
  $ matcalc latex "z = W*x + b; h = relu(z); L = sum(h)"   # an aligned block, one row per step`;

export function registerLatex(program: Command): void {
  program
    .command('latex')
    .summary('print an expression in LaTeX')
    .description('Print EXPR in LaTeX, as KaTeX and the Matrix Cookbook write it.')
    .argument('<expr>', 'the expression; - reads it from stdin')
    .addOption(varOption())
    .option('--bold', 'bold vectors and matrices')
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: LatexCommandOptions) => {
      const src = await readExpr(exprArg);
      const program = withSource(src, () => readProgram(src, { vars: readVars(opts.var) }));
      warn(program.warnings);
      const bold = opts.bold === true;
      if (program.definitions.length === 0) {
        await out(`${toLatex(program.root, { bold })}\n`);
        return;
      }
      // A program: its steps in their own names, one aligned row each.
      const form = programForm(program.root, { names: program.names });
      if (program.output === undefined) {
        await out(`${toLatex(form.result, { bold })}\n${whereLatex(form.bindings, { bold })}\n`);
        return;
      }
      const rows = [...form.bindings.map((x) => [x.name, x.expr] as const), [program.output, form.result] as const].map(
        ([name, e]) => `${latexName(name, bold && e.shape.kind !== 'scalar')} &= ${toLatex(e, { bold })}`,
      );
      await out(`\\begin{aligned} ${rows.join(' \\\\ ')} \\end{aligned}\n`);
    });
}
