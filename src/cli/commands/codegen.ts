/**
 * `matcalc codegen EXPR --wrt VAR[,VAR…]`: a module computing f and its derivatives in NumPy,
 * PyTorch, JAX or TypeScript (src/codegen/), printed to stdout; `--check` appends a self-test runnable as a
 * script.
 */
import { type Command, Option } from 'commander';
import { codegen } from '../../codegen/codegen.js';
import type { Target } from '../../codegen/dialect.js';
import { parseOrder, readExpr, readVars, varOption } from '../input.js';
import { out } from '../output.js';
import { withSource } from '../source.js';

interface CodegenCliOptions {
  readonly wrt: string;
  readonly var?: string[];
  readonly order: number;
  readonly layout: 'numerator' | 'denominator';
  readonly target: Target;
  readonly check?: boolean;
}

const EXAMPLES = `
Examples:
  $ matcalc codegen "x'*A*x" --wrt x > quadratic.py
  $ matcalc codegen "norm2(X*w - y)^2" --wrt w --order 2 --target torch
  $ matcalc codegen "z1 = W1*x + b1; h1 = tanh(z1); L = norm2(W2*h1 - y)^2/2" --wrt W1,b1,W2 --target jax
  $ matcalc codegen "logdet(S)" --wrt S --var "S=matrix(n,n) spd" --check > logdet.py && python3 logdet.py
  $ matcalc codegen "x'*A*x" --wrt x --target ts > quadratic.ts

The module defines one function with a keyword argument per input variable (a name that is a word
of Python, such as lambda, gets a trailing underscore), returning (value, derivative) for one --wrt
name and (value, [derivatives…]) for a list. Each derivative has matcalc's layout: dims(f) +
order·dims(wrt), or the transpose for a --layout denominator Jacobian. The header comments state each
parameter's shape, the layout and the input. Python targets import only their library
(numpy, torch, jax); --target ts writes an ES module without dependencies whose function takes one
object of nested arrays and returns nested arrays (with --check: npx tsx module.ts).`;

export function registerCodegen(program: Command): void {
  program
    .command('codegen')
    .summary('generate NumPy, PyTorch, JAX or TypeScript code for f and its derivatives')
    .description(
      'Print a module with one function computing EXPR and its derivatives with respect to each --wrt variable.',
    )
    .argument('<expr>', 'the expression or program; - reads it from stdin')
    .requiredOption('--wrt <vars>', 'the variables to differentiate with respect to, separated by commas')
    .addOption(varOption())
    .option('--order <n>', 'order of the derivatives: 1 gradient or Jacobian, 2 Hessian, ...', parseOrder, 1)
    .addOption(
      new Option('--layout <layout>', 'layout of a vector-by-vector Jacobian')
        .choices(['numerator', 'denominator'])
        .default('numerator'),
    )
    .addOption(
      new Option('--target <target>', 'the library of the generated code')
        .choices(['numpy', 'torch', 'jax', 'ts'])
        .default('numpy'),
    )
    .option(
      '--check',
      'append a self-test (random inputs in each domain, central differences): run the module as a script',
    )
    .addHelpText('after', EXAMPLES)
    .action(async (exprArg: string, opts: CodegenCliOptions) => {
      const src = await readExpr(exprArg);
      const wrt = opts.wrt.split(',').map((w) => w.trim());
      const r = withSource(src, () =>
        codegen(src, wrt.length === 1 ? wrt[0]! : wrt, {
          target: opts.target,
          order: opts.order,
          layout: opts.layout,
          vars: readVars(opts.var),
          check: opts.check === true,
        }),
      );
      await out(r.code);
    });
}
