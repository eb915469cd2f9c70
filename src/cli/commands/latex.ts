/**
 * `matcalc latex EXPR`: an expression in LaTeX (the notation of the Matrix Cookbook).
 */
import type { Command } from 'commander';
import { parse } from '../../parse/parse.js';
import { toLatex } from '../../print/latex.js';
import { readExpr, readVars, varOption } from '../input.js';
import { out } from '../output.js';
import { withSource } from '../source.js';

interface LatexCommandOptions {
  readonly var?: string[];
  readonly bold?: boolean;
}

const EXAMPLES = `
Examples:
  $ matcalc latex "x'*inv(S)*x"            # x^\\top S^{-1} x
  $ matcalc latex "log(det(X)) + tr(A*X)" --bold
  $ echo "sigmoid(W*x + b)" | matcalc latex -`;

export function registerLatex(program: Command): void {
  program.command('latex')
    .summary('print an expression in LaTeX')
    .description('Print EXPR in LaTeX, as KaTeX and the Matrix Cookbook write it.')
    .argument('<expr>', 'the expression; - reads it from stdin')
    .addOption(varOption())
    .option('--bold', 'bold vectors and matrices')
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: LatexCommandOptions) => {
      const src = await readExpr(exprArg);
      const e = withSource(src, () => parse(src, { vars: readVars(opts.var) }));
      await out(`${toLatex(e, { bold: opts.bold === true })}\n`);
    });
}
