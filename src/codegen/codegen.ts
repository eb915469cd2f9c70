/**
 * Code generation (issue 13): a function computing f and its derivatives in NumPy, PyTorch, JAX or
 * TypeScript, from the same symbolic results `matcalc diff` prints. The contract is the same for
 * every target: one function with one keyword argument per input variable, returning
 * (value, derivative) for one variable or (value, [derivatives…]) for a list, each derivative in
 * matcalc's layout, dims(f) + order·dims(wrt) (the transpose for a denominator-layout Jacobian).
 *
 * plan.ts builds the function once for a target (shared parts named, structure kept symbolic by
 * lower.ts); python-module.ts and typescript.ts write it out with its comments and, on request, a
 * self-test against central differences.
 */
import { RequestError } from '../errors.js';
import type { Layout } from '../diff/derivative.js';
import type { Declarations } from '../parse/parse.js';
import { type Dialect, TARGETS, type Target } from './dialect.js';
import { type Plan, plan } from './plan.js';
import { PYTHON_RESERVED, writePython } from './python-module.js';
import { JAX, NUMPY, TORCH } from './python.js';
import { TS_RESERVED, TYPESCRIPT, camel, writeTypeScript } from './typescript.js';

export type { Target } from './dialect.js';
export { TARGETS } from './dialect.js';

export interface CodegenOptions {
  readonly target?: Target;
  readonly order?: number;
  readonly layout?: Layout;
  readonly vars?: Declarations;
  /** Append a self-test (random inputs in each domain, comparison with central differences). */
  readonly check?: boolean;
  /** The matcalc version named in the header (the library's own by default). */
  readonly version?: string;
}

export interface CodegenResult {
  /** The module's source. */
  readonly code: string;
  /** The name of the generated function. */
  readonly function: string;
  readonly target: Target;
  /** Each input variable's name → its parameter's name (renamed when it is a word of the target language). */
  readonly parameters: Readonly<Record<string, string>>;
}

/** Compiled in by scripts/build.mjs from package.json. */
declare const __MATCALC_VERSION__: string | undefined;
const VERSION = typeof __MATCALC_VERSION__ === 'string' ? __MATCALC_VERSION__ : '(run from source)';

interface TargetSpec {
  readonly dialect: Dialect;
  readonly reserved: ReadonlySet<string>;
  readonly write: (p: Plan, functionName: string, version: string, check: boolean) => string;
  readonly functionName: (words: readonly string[]) => string;
}

const snake = (words: readonly string[]): string => words.join('_');

/** The three Python targets differ only in their dialect (library, spellings, imports). */
const pythonSpec = (dialect: Dialect & { target: 'numpy' | 'torch' | 'jax' }): TargetSpec => ({
  dialect,
  reserved: PYTHON_RESERVED,
  functionName: snake,
  write: (p, f, version, check) => writePython(p, dialect, { version, functionName: f }, check),
});

const TARGET_SPECS: { readonly [T in Target]: TargetSpec } = {
  numpy: pythonSpec(NUMPY as Dialect & { target: 'numpy' }),
  torch: pythonSpec(TORCH as Dialect & { target: 'torch' }),
  jax: pythonSpec(JAX as Dialect & { target: 'jax' }),
  ts: {
    dialect: TYPESCRIPT,
    reserved: TS_RESERVED,
    functionName: camel,
    write: (p, f, version, check) => writeTypeScript(p, f, version, check),
  },
};

/** value_and_gradient, value_and_jacobian, value_and_hessian, value_and_derivative(s). */
function functionWords(p: Plan): string[] {
  if (p.outputs.length > 1) return ['value', 'and', 'derivatives'];
  const kind = p.derivatives[0]!.kind;
  return ['value', 'and', kind === 'gradient' || kind === 'jacobian' || kind === 'hessian' ? kind : 'derivative'];
}

/** A module computing f (text or a program) and its derivatives with respect to `wrt` in the target's library. */
export function codegen(expr: string, wrt: string | readonly string[], opts: CodegenOptions = {}): CodegenResult {
  const target = opts.target ?? 'numpy';
  if (!TARGETS.includes(target))
    throw new RequestError(`unknown target ${JSON.stringify(target)}; use ${TARGETS.join(', ')}`);
  const spec = TARGET_SPECS[target];
  const p = plan(expr, wrt, spec.dialect, spec.reserved, opts);
  const name = spec.functionName(functionWords(p));
  const code = spec.write(p, name, opts.version ?? VERSION, opts.check === true);
  return {
    code,
    function: name,
    target,
    parameters: Object.fromEntries(p.parameters.map((q) => [q.original, q.name])),
  };
}
