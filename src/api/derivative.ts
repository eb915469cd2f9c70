/**
 * The public derivative object: symbolic result (diff/), its printed forms (print/), its value
 * (numeric/, always computed from the symbolic result) and its finite-difference check (verify.ts).
 */
import { LimitError, RequestError, UnknownError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { allVarsOf, varsOf } from '../ir/walk.js';
import { isName } from '../parse/elaborate.js';
import { type Declarations, readDeclarations } from '../parse/parse.js';
import { type Program, programOf } from '../parse/program.js';
import type { Warning } from '../parse/warnings.js';
import { asciiName } from '../parse/unicode.js';
import { substitute } from '../ir/substitute.js';
import { type ProgramForm, programForm, programFormOf, programText } from '../print/program.js';
import {
  type Layout,
  type Level,
  type SymbolicDerivative,
  type VecOrder,
  checkOrder,
  differentiate,
  isPlainJacobian,
  projectSymmetric,
  resultExpr,
} from '../diff/derivative.js';
import { type DimSizes, type Env, bindDims, evaluator, resolveDim, shapeSizes } from '../numeric/evaluate.js';
import { atBasisDirections } from '../numeric/basis.js';
import { type Tensor, reshape, sizeOf, transposeMatrix } from '../numeric/tensor.js';
import { toText } from '../print/text.js';
import { toLatex } from '../print/latex.js';
import { type IndexForm, indexNotation } from '../print/index-notation.js';
import { type Dim, formatDim } from '../shape/shape.js';
import { type Values, checkPoint, toEnv } from './values.js';
import { type VerifyOptions, type VerifyReport, verifyClaim } from './verify.js';
import { colsToTensorLayout } from './vec-order.js';

export interface DerivativeOptions {
  readonly order?: number;
  readonly layout?: Layout;
  /** 'rows' (default): vec stacks rows; 'cols': the Matrix Cookbook's column-major vec. Only the printed Jacobians differ. */
  readonly vec?: VecOrder;
  readonly vars?: Declarations;
  /**
   * For a scalar f and a matrix declared symmetric: the gradient in the space of symmetric matrices,
   * (G + G')/2, instead of the entrywise G (docs/conventions.md). First derivatives only.
   */
  readonly symmetricGradient?: boolean;
}

/** What the result is, for headings: ∇f, a Jacobian, a Hessian, a tensor in vec form, or a differential. */
export type ResultKind = 'derivative' | 'gradient' | 'jacobian' | 'hessian' | 'vec-jacobian' | 'differential';

export interface Derivative {
  /** The function; with respect to an intermediate, the function with that intermediate a free variable. */
  readonly f: Expr;
  readonly wrt: Var;
  /** The input as read: the function, its named definitions, and warnings (unused definitions). */
  readonly program: Program;
  /** The program's intermediates as nodes of f, by name (with respect to an intermediate h: rebuilt over the variable h, h itself left out). */
  readonly intermediates: ReadonlyMap<string, Expr>;
  readonly warnings: readonly Warning[];
  readonly order: number;
  readonly layout: Layout;
  readonly kind: ResultKind;
  /** The result as shown: a matrix form, or the k-th differential when none exists. */
  readonly expr: Expr;
  /** Dims of the value (tensor layout: dims(f) + order·dims(wrt); dims(wrt) + dims(f) for a denominator-layout Jacobian). */
  readonly shape: readonly Dim[];
  /** Direction variables of the differential form (dx, or dx1 … dxk). */
  readonly directions: readonly Var[];
  readonly symbolic: SymbolicDerivative;
  /** A sentence on conventions (layout, vec) for the reader. */
  readonly convention: string;
  /** The result as one expression (every shared part inlined). */
  toString(): string;
  toLatex(): string;
  /** The result with what it shares named: the user's intermediates (z1, h1) and fresh t1, t2, …. */
  programForm(): ProgramForm;
  /** The program form in the input syntax, `t1 = …; result`: it parses back to the derivative; the result alone when nothing is named. */
  toProgramText(): string;
  /** ∂f_{i…}/∂X_{a…} in index notation (with explicit sums); undefined where it is not expanded (kron, vec). */
  toIndexNotation(): IndexForm | undefined;
  /** The value at `at`; `dims` sizes dimensions that no variable fixes. */
  evaluate(at: Values, dims?: DimSizes): Tensor;
  verify(opts?: VerifyOptions): VerifyReport;
}

/** A derivative's value at a point; `given` sizes dimensions no variable fixes. */
type ValueFn = (at: Env, given?: DimSizes) => Tensor;

/** Evaluations allowed when reading a differential's value off basis directions. */
const MAX_BASIS_EVALUATIONS = 20_000;

/** An expression given as text (parsed with `vars`) or already as IR. */
export const toExpr = (e: string | Expr, vars?: Declarations): Expr =>
  programOf(e, { vars: readDeclarations(vars) }).root;

/**
 * d^k f / d wrt^k. A variable that f does not depend on has a zero derivative of the right shape —
 * one that simplification removed (0*x), or one declared in `vars` that f never mentions; only an
 * undeclared name that f does not mention is an error (its shape is unknown, and it is most likely
 * a typo), whose message says how to declare it.
 */
export function derivative(expr: string | Expr, wrt: string, opts: DerivativeOptions = {}): Derivative {
  wrt = typeof wrt === 'string' ? asciiName(wrt) : wrt; // --wrt θ names theta (parse/unicode.ts)
  const program = programOf(expr, { vars: readDeclarations(opts.vars), also: [wrt] });
  const order = opts.order ?? 1;
  checkOrder(order);
  const layout = opts.layout ?? 'numerator';
  if (layout !== 'numerator' && layout !== 'denominator')
    throw new RequestError(`the layout must be numerator or denominator, not ${String(layout)}`);
  const vec = opts.vec ?? 'rows';
  if (vec !== 'rows' && vec !== 'cols') throw new RequestError(`vec must be rows or cols, not ${String(vec)}`);
  const intermediate = intermediateOf(program, wrt);
  const project = (d: SymbolicDerivative): SymbolicDerivative =>
    opts.symmetricGradient === true ? projectSymmetric(d) : d;
  if (intermediate === undefined)
    return makeDerivative(
      project(differentiate(program.root, findVar(program.root, wrt, program.seen), order, layout, vec)),
      program,
    );
  return makeDerivative(
    project(differentiate(intermediate.f, intermediate.v, order, layout, vec)),
    program,
    intermediate,
  );
}

/** With respect to an intermediate h: the function with h's node a free variable h (its inputs held fixed). */
interface Intermediate {
  readonly f: Expr;
  readonly v: Var;
  /** h's definition, to evaluate h from the inputs. */
  readonly definition: Expr;
  /** The program's names, for the nodes of f (those above h rebuilt over the variable h). */
  readonly names: ReadonlyMap<Expr, string>;
}

function intermediateOf(program: Program, name: string): Intermediate | undefined {
  const def = program.definitions.find((d) => d.name === name);
  if (def === undefined || varsOf(program.root).some((v) => v.name === name)) return undefined;
  if (def.expr === program.root)
    throw new RequestError(`${name} is the function itself: its derivative with respect to itself is the identity`);
  const v = b.variable(name, def.expr.shape);
  const swap = new Map([[def.expr, v as Expr]]);
  const names = new Map<Expr, string>();
  for (const d of program.definitions)
    if (d !== def) {
      const e = substitute(d.expr, swap);
      if (!names.has(e) && e.kind !== 'var') names.set(e, d.name);
    }
  names.set(def.expr, name);
  return { f: substitute(program.root, swap), v, definition: def.expr, names };
}

/** The variable `name` of f (or of `known`: every variable its text names, declared ones included). */
export function findVar(f: Expr, name: string, known?: ReadonlyMap<string, Var>): Var {
  const vars = varsOf(f);
  const v = vars.find((x) => x.name === name) ?? known?.get(name);
  if (v !== undefined) return v;
  if (!isName(name)) throw new RequestError(`"${name}" is not a variable name`);
  const example = /^[A-Z]/.test(name) ? 'matrix(m,n)' : /^[a-g]/.test(name) ? 'scalar' : 'vector(n)';
  throw new UnknownError(
    `the expression does not contain ${name}; its variables are ${vars.map((x) => x.name).join(', ') || 'none'}. ` +
      `For the derivative with respect to a variable f does not depend on (zero), declare its shape: --var "${name}=${example}" (API: vars: { ${name}: '${example}' })`,
  );
}

function kindOf(sym: SymbolicDerivative): ResultKind {
  const last = sym.levels[sym.levels.length - 1];
  if (last === undefined) return 'differential';
  if (last.kind !== 'jacobian') return last.kind;
  if (sym.order === 2 && sym.f.shape.kind === 'scalar' && sym.wrt.shape.kind === 'vector') return 'hessian';
  return isPlainJacobian(sym) ? 'jacobian' : 'vec-jacobian';
}

function conventionOf(sym: SymbolicDerivative, kind: ResultKind): string {
  const dims = sym.dims.map(formatDim).join('×') || 'scalar';
  switch (kind) {
    case 'derivative':
      return `derivative with respect to a scalar; shape ${dims}`;
    case 'gradient':
      return sym.projection === 'symmetric'
        ? `symmetric gradient (G + G')/2 of the entrywise gradient G: the gradient in the space of symmetric matrices (Srinivasan & Panda 2019), df = <(G + G')/2, d${sym.wrt.name}> for symmetric d${sym.wrt.name}; same shape as ${sym.wrt.name} (${dims})`
        : `gradient: same shape as ${sym.wrt.name} (${dims}); df = tr(G'*d${sym.wrt.name})`;
    case 'hessian':
      return `Hessian (${dims}), symmetric by construction`;
    case 'jacobian':
      return sym.layout === 'numerator'
        ? `Jacobian in numerator layout: rows index the outputs (${dims})`
        : `Jacobian in denominator layout: rows index ${sym.wrt.name} (${dims})`;
    case 'vec-jacobian':
      return sym.vec === 'cols'
        ? `vec form: d vec(f) = K d vec(${sym.wrt.name}), vec stacks columns (column-major, as the Matrix Cookbook); value in the tensor layout ${dims}`
        : `vec form: d vec(f) = K d vec(${sym.wrt.name}), vec stacks rows (row-major); value reshaped to the tensor layout ${dims}`;
    case 'differential':
      return `${sym.note ?? ''}; its value, read off basis directions, has the tensor layout ${dims}`;
  }
}

function makeDerivative(sym: SymbolicDerivative, program: Program, intermediate?: Intermediate): Derivative {
  const expr = resultExpr(sym);
  const kind = kindOf(sym);
  // Prepared on first use: many callers only print the result.
  let valueFn: ValueFn | undefined;
  const value = (): ValueFn => (valueFn ??= valueFnOf(sym, expr));
  let form: ProgramForm | undefined;
  const formOf = (): ProgramForm => (form ??= programFormWith(expr, program, sym.directions, intermediate));
  /** The intermediate's value from the inputs, when the point does not give it. */
  const withValues = (at: Env): Env => {
    if (intermediate === undefined || at.has(intermediate.v.name)) return at;
    return new Map([
      ...at,
      [intermediate.v.name, evaluator(intermediate.definition)(at, bindDims(allVarsOf(program.root), at))],
    ]);
  };
  const self: Derivative = {
    f: sym.f,
    wrt: sym.wrt,
    program,
    // The variable asked about is used, even where the expression does not contain it.
    warnings: program.warnings.filter((w) => !(w.kind === 'unused-declaration' && w.name === sym.wrt.name)),
    intermediates: new Map(
      intermediate === undefined
        ? program.definitions.map((x) => [x.name, x.expr])
        : [...intermediate.names].filter(([, n]) => n !== intermediate.v.name).map(([e, n]) => [n, e]),
    ),
    order: sym.order,
    layout: sym.layout,
    kind,
    expr,
    shape: sym.dims,
    directions: sym.directions,
    symbolic: sym,
    convention: conventionOf(sym, kind),
    toString: () => toText(expr),
    toLatex: () => toLatex(expr),
    programForm: formOf,
    toProgramText: () => programText(formOf()),
    // The index line gives the entrywise derivative: not the symmetric gradient's.
    toIndexNotation: () =>
      sym.projection === undefined ? indexNotation(sym.f, sym.differential, sym.wrt, sym.directions) : undefined,
    evaluate: (at, dims) => {
      const env = toEnv(at);
      checkPoint(sym.f, allVarsOf(sym.f, sym.wrt), env);
      return value()(withValues(env), dims);
    },
    verify: (opts) => verifyDerivative(self, value(), opts),
  };
  return self;
}

/**
 * The result with its shared parts named. With respect to an intermediate h, the result may use h
 * as a variable: the program then defines h first, so that it evaluates from the inputs alone.
 */
function programFormWith(
  expr: Expr,
  program: Program,
  directions: readonly Var[],
  intermediate?: Intermediate,
): ProgramForm {
  const taken = [...varsOf(program.root).map((v) => v.name), ...directions.map((v) => v.name)];
  if (intermediate === undefined || !varsOf(expr).includes(intermediate.v)) {
    return programForm(expr, { names: program.names, taken });
  }
  const names = new Map([...intermediate.names].filter(([n]) => n !== expr));
  const { results, bindings } = programFormOf([intermediate.definition, expr], { names, taken });
  return { result: results[1]!, bindings };
}

/** The value of the result `expr` of sym: a matrix form, or the differential when there is none. */
function valueFnOf(sym: SymbolicDerivative, expr = resultExpr(sym)): ValueFn {
  return sym.levels.length === 0
    ? differentialValue(sym)
    : matrixValue(expr, sym.f, sym.wrt, sym.dims, colsLevels(sym, sym.levels));
}

/** The levels up to a result printed in column-major vec (whose value needs moving to the tensor layout), or undefined. */
function colsLevels(
  sym: SymbolicDerivative,
  levels: readonly Level[],
): { sym: SymbolicDerivative; levels: readonly Level[] } | undefined {
  return sym.vec === 'cols' && levels.some((l) => l.kind === 'jacobian') ? { sym, levels } : undefined;
}

/** The value of a matrix form of a derivative of f, reshaped to the layout dims (moved there first if printed in column-major vec). */
function matrixValue(
  expr: Expr,
  f: Expr,
  wrt: Var,
  dims: readonly Dim[],
  cols?: { sym: SymbolicDerivative; levels: readonly Level[] },
): ValueFn {
  const run = evaluator(expr);
  // f's variables (and wrt, which f may not contain) fix every dimension of the result, even those
  // the result no longer mentions (d(W*x)/dW = kron(eye(m), x') has m from W alone).
  const vars = allVarsOf(f, expr, wrt);
  return (at, given) => {
    const sizes = bindDims(vars, at, given);
    const t = run(at, sizes);
    return reshape(
      cols ? colsToTensorLayout(t, cols.sym, cols.levels, sizes) : t,
      dims.map((d) => resolveDim(d, sizes)),
    );
  };
}

/** The value of the k-th differential, read off at every tuple of basis directions. */
function differentialValue(sym: SymbolicDerivative): ValueFn {
  const run = evaluator(sym.differential);
  const vars = allVarsOf(sym.f, sym.wrt);
  return (at, given) => {
    const sizes = bindDims(vars, at, given);
    const xDims = shapeSizes(sym.wrt.shape, sizes),
      fDims = shapeSizes(sym.f.shape, sizes);
    const n = sizeOf(xDims),
      k = sym.order;
    if (n ** k > MAX_BASIS_EVALUATIONS)
      throw new LimitError(
        `this derivative has ${n ** k} slices to evaluate; the limit is ${MAX_BASIS_EVALUATIONS}: use smaller sizes`,
      );
    return atBasisDirections(
      (env) => run(env, sizes),
      at,
      sym.directions.map((dv) => dv.name),
      xDims,
      fDims,
    );
  };
}

function verifyDerivative(d: Derivative, valueFn: ValueFn, opts?: VerifyOptions): VerifyReport {
  const denominatorJacobian = d.kind === 'jacobian' && d.layout === 'denominator';
  const value: ValueFn = denominatorJacobian ? (at, given) => transposeMatrix(valueFn(at, given)) : valueFn;
  const vars = allVarsOf(d.f, d.wrt);
  if (opts?.at !== undefined) checkPoint(d.f, vars, opts.at);
  return verifyClaim(
    {
      f: evaluator(d.f),
      order: d.order,
      value,
      wrt: d.wrt,
      ...(d.symbolic.projection ? { projection: d.symbolic.projection } : {}),
      vars,
      exprs: [d.f, d.expr, d.wrt],
    },
    opts,
  );
}
