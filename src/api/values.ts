/**
 * Values given by users (JSON numbers, lists, lists of rows) → the evaluator's environment, and
 * what values say about names: `e` and `pi` are the constants unless the user declares them or
 * gives them a value (docs/conventions.md), and a value checked against a declaration
 * (numeric/domain.ts).
 */
import { RequestError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import { postorder } from '../ir/walk.js';
import { checkDeclared } from '../numeric/domain.js';
import type { Env } from '../numeric/evaluate.js';
import { type VarDecl, isName } from '../parse/elaborate.js';
import { type Nested, type Tensor, fromNested } from '../numeric/tensor.js';
import type { Declarations } from '../parse/parse.js';

export type Values = Readonly<Record<string, Nested>> | ReadonlyMap<string, Tensor>;

export function toEnv(at: Values): Env {
  if (at instanceof Map) return at;
  if (typeof at !== 'object' || at === null || Array.isArray(at))
    throw new RequestError('"at" must be an object mapping variable names to values');
  const env = new Map<string, Tensor>();
  for (const [name, v] of Object.entries(at)) env.set(name, fromNested(v, `the value of ${name}`));
  return env;
}

/**
 * Declarations read off a point: every variable given in `at` and not declared in `declared` gets
 * the shape of its value (a number is a scalar, a list a vector, a list of rows a matrix), with
 * concrete sizes. Used where values are mandatory (backprop, from the API and the CLI alike), so
 * that `(x + y)*z` at {x: -2, y: 5, z: -4} means scalars, as in the course notes, whatever the letters.
 */
export function declsFromValues(at: Env, declared: Readonly<Record<string, VarDecl>> = {}): Record<string, VarDecl> {
  const vars: Record<string, VarDecl> = { ...declared };
  for (const [name, t] of at) {
    if (!Object.hasOwn(vars, name) && isName(name) && t.dims.length <= 2) vars[name] = { dims: [...t.dims] };
  }
  return vars;
}

/** Names that are constants unless the user makes them variables. */
const CONSTANTS: Readonly<Record<string, number>> = { e: Math.E, pi: Math.PI };

/**
 * Declarations plus one for each of `e` and `pi` that has a value in `at` and no declaration: a name
 * the user gives a value for is the user's variable, shaped like its value.
 */
export function declareGivenConstants(
  vars: Declarations | undefined,
  given: Values | undefined,
): Declarations | undefined {
  if (given === undefined) return vars;
  const at = toEnv(given);
  const extra = Object.keys(CONSTANTS).filter(
    (name) => at.has(name) && !(vars !== undefined && Object.hasOwn(vars, name)),
  );
  if (extra.length === 0) return vars;
  return { ...vars, ...Object.fromEntries(extra.map((name) => [name, { dims: [...at.get(name)!.dims] }])) };
}

/**
 * Checks a point for an expression already read: its values obey the declarations of `vars`, and a
 * value for `e` or `pi` is not silently ignored where the expression took the name for the constant.
 */
export function checkPoint(f: Expr, vars: readonly Var[], at: Env): void {
  checkDeclared(vars, at);
  for (const [name, value] of Object.entries(CONSTANTS)) {
    if (!at.has(name) || vars.some((v) => v.name === name)) continue;
    if (postorder(f).some((n) => n.kind === 'const' && n.value === value)) {
      throw new RequestError(
        `${name} is the constant ${name} (${value.toPrecision(6)}…) in this expression, so its value would be ignored; to make it a variable, declare it, e.g. --var "${name}=scalar" (API: vars: { ${name}: 'scalar' })`,
      );
    }
  }
}
