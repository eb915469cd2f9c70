/**
 * Values given by users (JSON numbers, lists, lists of rows) → the evaluator's environment.
 */
import { RequestError } from '../errors.js';
import type { Env } from '../numeric/evaluate.js';
import { type VarDecl, isName } from '../parse/elaborate.js';
import { type Nested, type Tensor, fromNested } from '../numeric/tensor.js';

export type Values = Readonly<Record<string, Nested>> | ReadonlyMap<string, Tensor>;

export function toEnv(at: Values): Env {
  if (at instanceof Map) return at;
  if (typeof at !== 'object' || at === null || Array.isArray(at)) throw new RequestError('"at" must be an object mapping variable names to values');
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
