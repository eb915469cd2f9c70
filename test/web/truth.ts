/**
 * The truths the playground's results are compared with, independent of what the page shows:
 * derivatives of the ORIGINAL input by nested central differences (order k: k nested first
 * differences, with the step ε^(1/(k+2)) that balances truncation and rounding), and the value of a
 * result printed in the input syntax, read back with the parser and evaluated at the same point,
 * the dimension sizes fixed by the original input's variables (d(W*x)/dW = kron(eye(m), x') has m
 * from W alone).
 */
import { toEnv } from '../../src/api/values.js';
import { varsOf } from '../../src/ir/walk.js';
import { bindDims, evaluator, type Env } from '../../src/numeric/evaluate.js';
import { ORDER1, ORDER2, type Tolerance, compareTensors, fdJacobian } from '../../src/numeric/fd.js';
import type { Nested, Tensor } from '../../src/numeric/tensor.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { readProgram } from '../../src/parse/program.js';

export type Point = Record<string, Nested>;

/** d^k f / d wrt^k at `at`, in the layout dims(f) + k·dims(wrt), by nested central differences of f. */
export function fdDerivative(
  expr: string,
  wrt: string,
  order: number,
  at: Point,
  vars: Record<string, VarDecl> = {},
): Tensor {
  const run = evaluator(readProgram(expr, { vars }).root);
  const step = 2 ** (-52 / (order + 2));
  let fn = (env: Env): Tensor => run(env);
  for (let k = 0; k < order; k++) {
    const inner = fn;
    fn = (env) => fdJacobian(inner, env, wrt, { step });
  }
  return fn(toEnv(at));
}

/**
 * The value of `text` (a result in the input syntax, possibly a program `t1 = …; result`) at `at`,
 * with the dimension sizes that f's variables fix.
 */
export function valueOfText(text: string, f: string, at: Point, vars: Record<string, VarDecl> = {}): Tensor {
  const env = toEnv(at);
  const sizes = bindDims(varsOf(readProgram(f, { vars }).root), env);
  return evaluator(readProgram(text, { vars }).root)(env, sizes);
}

/** Compares entry by entry in row-major order (the tensor layout flattens the same way as a vec form). */
export function agreement(actual: Tensor, expected: Tensor, order = 1): { ok: boolean; maxError: number } {
  const tol: Tolerance = order === 1 ? ORDER1 : order === 2 ? ORDER2 : { rtol: 1e-2, atol: 1e-4 };
  if (actual.data.length !== expected.data.length) return { ok: false, maxError: Infinity };
  const flat = (t: Tensor): Tensor => ({ dims: [t.data.length], data: t.data });
  const c = compareTensors(flat(actual), flat(expected), tol);
  return { ok: c.ok, maxError: c.maxError };
}
