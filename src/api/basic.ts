/**
 * The small entry points: shapeOf, evaluate and verify on expressions given as text or IR, and
 * parseProgram, the program reader with declarations in either form.
 */
import type { Expr } from '../ir/expr.js';
import { varsOf } from '../ir/walk.js';
import { type Declarations, readDeclarations } from '../parse/parse.js';
import { type Program, programOf, readProgram } from '../parse/program.js';
import { bindDims, evaluate as evaluateIR } from '../numeric/evaluate.js';
import type { Tensor } from '../numeric/tensor.js';
import { type Dim, type Shape, formatShape, tensorDims } from '../shape/shape.js';
import { derivative, toExpr } from './derivative.js';
import { type Values, checkPoint, declareGivenConstants, toEnv } from './values.js';
import type { VerifyOptions, VerifyReport } from './verify.js';

export interface ShapeInfo {
  readonly shape: Shape;
  /** Tensor-layout dims: [] scalar, [n] vector, [m, n] matrix. */
  readonly dims: readonly Dim[];
  /** "scalar", "n", "1×n", "m×n". */
  readonly text: string;
  /** Every variable with its inferred shape. */
  readonly vars: Readonly<
    Record<string, { readonly dims: readonly Dim[]; readonly text: string; readonly props: readonly string[] }>
  >;
}

export function shapeOf(expr: string | Expr, vars?: Declarations): ShapeInfo {
  const e = toExpr(expr, vars);
  const vs: Record<string, { dims: readonly Dim[]; text: string; props: readonly string[] }> = {};
  for (const v of varsOf(e)) vs[v.name] = { dims: tensorDims(v.shape), text: formatShape(v.shape), props: v.props };
  return { shape: e.shape, dims: tensorDims(e.shape), text: formatShape(e.shape), vars: vs };
}

export interface EvaluateOptions {
  readonly vars?: Declarations;
}

/**
 * The value of expr at `at`. Dimensions are bound from every given value of a variable the text
 * names, even one that simplification removed (0*x is a zero vector as long as x), each value is
 * checked against its declared properties, and `e` or `pi` given a value is the user's variable.
 */
export function evaluate(expr: string | Expr, at: Values, opts: EvaluateOptions = {}): Tensor {
  const env = toEnv(at);
  return evaluateProgram(programOf(expr, { vars: readDeclarations(declareGivenConstants(opts.vars, env)) }), env);
}

/** The value of a program's function at `at` (see evaluate); the program read with declareGivenConstants. */
export function evaluateProgram(program: Program, at: Values): Tensor {
  const env = toEnv(at);
  const given = [...program.seen.values()].filter((v) => env.has(v.name));
  checkPoint(program.root, given, env);
  return evaluateIR(program.root, env, bindDims(given, env));
}

export interface StandaloneVerifyOptions extends VerifyOptions {
  readonly order?: number;
  readonly vars?: Declarations;
}

/** Derives d^k expr / d wrt^k and checks it by finite differences. */
export function verify(expr: string | Expr, wrt: string, opts: StandaloneVerifyOptions = {}): VerifyReport {
  const { order, vars, ...rest } = opts;
  return derivative(expr, wrt, { order, vars }).verify(rest);
}

/** Reads an expression or a program (`z = W*x + b; L = sum(relu(z))`): the function, its named steps, warnings. */
export function parseProgram(src: string, vars?: Declarations): Program {
  return readProgram(src, { vars: readDeclarations(vars) });
}
