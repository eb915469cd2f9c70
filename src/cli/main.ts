/**
 * The `matcalc` command. Argument parsing is commander's; each command lives in commands/ and
 * calls the library. This module maps outcomes to exit codes (output.ts: 0 ok, 1 math error,
 * 2 usage, 3 internal) and keeps every error to one line on stderr, never a stack trace.
 *
 * Start-up matters (a cold `matcalc diff` in well under 150 ms): nothing heavy is imported here;
 * KaTeX is loaded only when a command renders HTML.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBackprop } from './commands/backprop.js';
import { registerBatch } from './commands/batch.js';
import { registerCheck } from './commands/check.js';
import { registerCodegen } from './commands/codegen.js';
import { registerDiff } from './commands/diff.js';
import { registerEval } from './commands/eval.js';
import { registerGrade } from './commands/grade.js';
import { registerLatex } from './commands/latex.js';
import { registerWeb } from './commands/web.js';
import { protectDashExpressions, usageHint } from './dash.js';
import { EXIT, showError, styleFor } from './output.js';
import { sourceOf } from './source.js';

/** Compiled in by scripts/build.mjs from package.json; read from package.json when run from source. */
declare const __MATCALC_VERSION__: string | undefined;

function version(): string {
  if (typeof __MATCALC_VERSION__ === 'string') return __MATCALC_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const EXAMPLES = `
Examples:
  $ matcalc diff "x'*A*x" --wrt x                 # ∂f/∂x = (A + A')*x, checked numerically
  $ matcalc diff "log(det(X))" --wrt X --format latex
  $ matcalc diff "sum(exp(z))" --wrt z --order 2 --at '{"z": [0, 1]}'
  $ matcalc eval "x'*A*x" --at '{"x": [1, 2], "A": [[2, 0], [0, 3]]}'
  $ matcalc check "x'*A*x" --wrt x --answer "2*A*x"
  $ matcalc backprop "sigmoid(w'*x + b)" --at '{"w": [1, -1], "x": [0.5, 2], "b": 0.1}'
  $ matcalc codegen "norm2(X*w - y)^2" --wrt w --target numpy > lsq.py
  $ matcalc batch requests.jsonl
  $ matcalc web                                    # the playground in a browser, on 127.0.0.1

Exit codes: 0 ok, 1 a math error in the input (syntax, shape, unknown name, domain, limit),
2 a usage error, 3 an internal error (a bug in matcalc). Colour only on a terminal; NO_COLOR disables it.`;

function buildProgram(): Command {
  const program = new Command('matcalc')
    .description(
      'Matrix calculus: derivatives of matrix and vector expressions, printed as text and LaTeX and checked by finite differences.',
    )
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      outputError: (text, write) => {
        const s = styleFor(process.stderr);
        write(`${s.bold('matcalc:')} ${s.red('error (usage)')}: ${usageHint(text.replace(/^error: /, ''))}`);
      },
    });
  registerDiff(program);
  registerEval(program);
  registerLatex(program);
  registerCheck(program);
  registerGrade(program);
  registerBackprop(program);
  registerCodegen(program);
  registerBatch(program);
  registerWeb(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync(protectDashExpressions(program, argv), { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    // --help and --version end with a CommanderError of exit code 0; every other one is a usage error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const shown = showError(err, sourceOf(err));
    process.stderr.write(`${shown.text}\n`);
    return shown.code;
  }
}

// A reader that goes away (`matcalc batch … | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
