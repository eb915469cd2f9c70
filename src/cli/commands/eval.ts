/**
 * `matcalc eval EXPR --at JSON`: the value of an expression at a point.
 */
import type { Command } from 'commander';
import { evaluateProgram, shapeOf } from '../../api/basic.js';
import { declareGivenConstants } from '../../api/values.js';
import { readDeclarations } from '../../parse/parse.js';
import { toNested } from '../../numeric/tensor.js';
import { readProgram } from '../../parse/program.js';
import { atOption, formatOption, readAt, readExpr, readVars, varOption } from '../input.js';
import { formatValue, jsonDims, out, warn, warningsJson } from '../output.js';
import { withSource } from '../source.js';

interface EvalOptions {
  readonly var?: string[];
  readonly at?: string;
  readonly format: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ matcalc eval "x'*A*x" --at '{"x": [1, 2], "A": [[2, 0], [0, 3]]}'
  $ matcalc eval "softmax(z)" --at '{"z": [0, 1, 2]}' --format json
  $ matcalc eval "log(det(S))" --var "S=matrix(n,n) spd" --at @point.json

Dimension names are bound from the values' shapes; a value whose shape disagrees with the
expression or a --var declaration is an error (exit 1).`;

export function registerEval(program: Command): void {
  program
    .command('eval')
    .summary('evaluate an expression at a point')
    .description('Evaluate EXPR at the point given by --at.')
    .argument('<expr>', 'the expression; - reads it from stdin')
    .addOption(atOption('evaluate'))
    .addOption(varOption())
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: EvalOptions) => {
      const src = await readExpr(exprArg);
      const vars = readVars(opts.var);
      const at = opts.at === undefined ? {} : await readAt(opts.at);
      // e and pi given values are the user's variables; variables simplification removed (0*x) still size the result.
      const program = withSource(src, () =>
        readProgram(src, { vars: readDeclarations(declareGivenConstants(vars, at)) }),
      );
      if (opts.format !== 'json') warn(program.warnings); // JSON carries them as "warnings"
      const e = program.root;
      const value = toNested(evaluateProgram(program, at));
      if (opts.format === 'json')
        await out(
          `${JSON.stringify({ expression: src, shape: jsonDims(shapeOf(e).dims), value, ...warningsJson(program.warnings) })}\n`,
        );
      else await out(`${formatValue(value)}\n`);
    });
}
