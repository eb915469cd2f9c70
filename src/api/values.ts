/**
 * Values given by users (JSON numbers, lists, lists of rows) → the evaluator's environment.
 */
import { RequestError } from '../errors.js';
import type { Env } from '../numeric/evaluate.js';
import { type Nested, type Tensor, fromNested } from '../numeric/tensor.js';

export type Values = Readonly<Record<string, Nested>> | ReadonlyMap<string, Tensor>;

export function toEnv(at: Values): Env {
  if (at instanceof Map) return at;
  if (typeof at !== 'object' || at === null || Array.isArray(at)) throw new RequestError('"at" must be an object mapping variable names to values');
  const env = new Map<string, Tensor>();
  for (const [name, v] of Object.entries(at)) env.set(name, fromNested(v, `the value of ${name}`));
  return env;
}
