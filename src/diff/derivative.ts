/**
 * Derivatives of every kind and order, symbolically.
 *
 * Order by order, R₀ = f and Rᵢ = D(Rᵢ₋₁), where D reads the derivative off the differential
 * (diff/differential.ts) in one of three ways (diff/linear.ts):
 *   - with respect to a scalar x: dR = R'·dx, so R' is the differential at dx = 1 (shape of R);
 *   - a scalar R with respect to a vector or matrix X: the gradient G with dR = ⟨G, dX⟩ (shape of X);
 *   - anything else: the Jacobian K with vec(dR) = K vec(dX), row-major vec, numel(R) × numel(X)
 *     (column-major — the Matrix Cookbook's vec — on request: `vec` = 'cols').
 * Each Rᵢ is simplified before the next order — over plain variables: declared properties (S
 * symmetric) never change what is differentiated next; they only shorten the printed Rᵢ, which is
 * Rᵢ put back over the declared variables and simplified under them (assumptions.ts). The value of
 * Rᵢ, reshaped row-major, is the tensor
 * dims(f) + i·dims(X) — the layout of jax.jacobian; for a vector f and vector x at order 1, K is the
 * numerator-layout Jacobian (rows = outputs), and the denominator layout is its transpose. With
 * column-major vec the printed matrices differ, and api/derivative.ts permutes their values back to
 * the same tensor layout.
 *
 * When no matrix form exists (a form rules/linear.ts declares missing, with its reason), the
 * result is the k-th differential dᵏf(dX₁, …, dXₖ) itself — complete and exact — and its value is
 * read off at basis directions.
 */
import { LimitError, NoMatrixFormError, RequestError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { varsOf } from '../ir/walk.js';
import { type Dim, tensorDims } from '../shape/shape.js';
import { simplify } from '../simplify/simplify.js';
import { unconstrained } from './assumptions.js';
import { differential } from './differential.js';
import { gradientOf, jacobianOf } from './linear.js';
import type { VecOrder } from '../../rules/linear.js';

export type { VecOrder } from '../../rules/linear.js';

export type Layout = 'numerator' | 'denominator';

/** How Rᵢ relates to Rᵢ₋₁. */
export type LevelKind = 'derivative' | 'gradient' | 'jacobian';

export interface Level {
  /** The result as printed: over the declared variables, simplified under their properties. */
  readonly expr: Expr;
  /** The same derivative over plain variables: what the next order differentiates. */
  readonly unconstrained: Expr;
  readonly kind: LevelKind;
  /** Symbolic dims of this level's value in the tensor layout: dims(f) + i·dims(x). */
  readonly dims: readonly Dim[];
}

export interface SymbolicDerivative {
  readonly f: Expr;
  readonly wrt: Var;
  readonly order: number;
  readonly layout: Layout;
  /** The vec the Jacobians are written in: rows stacked (default) or columns (the Cookbook's); values keep the tensor layout. */
  readonly vec: VecOrder;
  /** Matrix forms R₁ … Rₖ, or empty when the result is given as a differential. */
  readonly levels: readonly Level[];
  /** The k-th differential in the directions below (always available). */
  readonly differential: Expr;
  readonly directions: readonly Var[];
  /** Dims of the value: dims(f) + k·dims(x), or dims(x) + dims(f) for a denominator-layout Jacobian (isPlainJacobian). */
  readonly dims: readonly Dim[];
  /** Why there is no matrix form, when there is none. */
  readonly note?: string;
  /** 'symmetric': the gradient in the space of symmetric matrices, sym(G) = (G + G')/2 (projectSymmetric). */
  readonly projection?: 'symmetric';
}

export const MAX_ORDER = 6;

/** Throws unless `order` is one this engine gives: a positive integer up to MAX_ORDER. */
export function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1)
    throw new RequestError(`the order must be a positive integer, not ${order}`);
  if (order > MAX_ORDER) throw new LimitError(`orders above ${MAX_ORDER} are not supported`);
}

/** Direction variables dx, or dx1, dx2, … for higher orders, named clear of f's own variables. */
export function directionVars(f: Expr, wrt: Var, order: number): Var[] {
  const taken = new Set(varsOf(f).map((v) => v.name));
  const base = `d${wrt.name}`;
  const names: string[] = [];
  for (let i = 1; i <= order; i++) {
    let name = order === 1 ? base : `${base}${i}`;
    while (taken.has(name)) name += '_';
    names.push(name);
    taken.add(name);
  }
  return names.map((n) => b.variable(n, wrt.shape));
}

/** One order: the derivative of e with respect to wrt, simplified (dv: the direction variable). */
export function nextLevel(e: Expr, wrt: Var, dv: Var, vec: VecOrder = 'rows'): { expr: Expr; kind: LevelKind } {
  if (wrt.shape.kind === 'scalar') return { expr: simplify(differential(e, wrt, b.num(1))), kind: 'derivative' };
  const L = differential(e, wrt, dv);
  if (e.shape.kind === 'scalar') return { expr: simplify(gradientOf(simplify(L), dv)), kind: 'gradient' };
  return { expr: simplify(jacobianOf(L, dv, vec)), kind: 'jacobian' };
}

export function differentiate(
  f: Expr,
  wrt: Var,
  order = 1,
  layout: Layout = 'numerator',
  vec: VecOrder = 'rows',
): SymbolicDerivative {
  const directions = directionVars(f, wrt, order);
  const u = unconstrained(f, [wrt]);
  const x = u.plain(wrt);
  // The k-th differential is only needed for the differential form and index notation: build it on demand.
  let dk: Expr | undefined;
  const kthDifferential = (): Expr =>
    (dk ??= u.declared(directions.reduce((acc, dv) => simplify(differential(acc, x, dv)), u.f)));
  const fDims = tensorDims(f.shape),
    xDims = tensorDims(wrt.shape);
  const dimsAt = (i: number): Dim[] => [...fDims, ...Array.from({ length: i }, () => xDims).flat()];
  const levels: Level[] = [];
  let note: string | undefined;
  try {
    let cur = u.f;
    for (let i = 1; i <= order; i++) {
      const next = nextLevel(cur, x, directions[0]!, vec);
      levels.push({ expr: u.declared(next.expr), unconstrained: next.expr, kind: next.kind, dims: dimsAt(i) });
      cur = next.expr;
    }
  } catch (err) {
    if (!(err instanceof NoMatrixFormError)) throw err;
    levels.length = 0;
    note = `no matrix form: ${err.reason}; the result is given as a differential`;
  }
  const transposed = layout === 'denominator' && isPlainJacobian({ f, wrt, order, levels });
  return {
    f,
    wrt,
    order,
    layout,
    vec,
    levels,
    directions,
    dims: transposed ? [...xDims, ...fDims] : dimsAt(order),
    ...(note ? { note } : {}),
    get differential() {
      return kthDifferential();
    },
  };
}

/**
 * A Jacobian of a vector (or row) with respect to a vector, at order 1: the one result whose two
 * layouts differ, by a transpose. Every other result has the tensor layout whatever the layout asked.
 */
export function isPlainJacobian(d: Pick<SymbolicDerivative, 'f' | 'wrt' | 'order' | 'levels'>): boolean {
  return (
    d.order === 1 && d.levels[0]?.kind === 'jacobian' && d.f.shape.kind !== 'matrix' && d.wrt.shape.kind === 'vector'
  );
}

/** The expression shown to the user: the last level (transposed for a denominator-layout Jacobian), or the differential. */
export function resultExpr(d: SymbolicDerivative): Expr {
  const last = d.levels[d.levels.length - 1];
  if (last === undefined) return d.differential;
  return d.layout === 'denominator' && isPlainJacobian(d) ? simplify(b.transpose(last.expr)) : last.expr;
}

/**
 * The other convention for a matrix declared symmetric: the gradient in the space of symmetric
 * matrices, sym(G) = (G + G')/2, where G is the entrywise gradient — the symmetric matrix with
 * df = tr(sym(G)'·dS) for every symmetric dS (Srinivasan & Panda, "What is the gradient of a scalar
 * function of a symmetric matrix?", 2019, arXiv 1911.06491). It is defined for the first derivative
 * of a scalar with respect to a matrix declared symmetric (or spd); anywhere else it is refused
 * rather than given a meaning: higher orders stay entrywise (docs/conventions.md).
 */
export function projectSymmetric(d: SymbolicDerivative): SymbolicDerivative {
  const refuse = (why: string): never => {
    throw new RequestError(
      `the symmetric gradient (G + G')/2 ${why}; without it matcalc gives the entrywise derivative`,
    );
  };
  if (d.order !== 1) refuse('is a first derivative; higher orders are entrywise only');
  if (d.f.shape.kind !== 'scalar') refuse('is the gradient of a scalar function, and this function is not scalar');
  if (d.wrt.shape.kind !== 'matrix' || !d.wrt.props.includes('symmetric')) {
    refuse(
      `needs ${d.wrt.name} declared a symmetric (or spd) matrix, e.g. --var "${d.wrt.name}=matrix(n,n) symmetric"`,
    );
  }
  const [g] = d.levels;
  if (g === undefined || d.levels.length !== 1)
    return refuse('needs the gradient in matrix form, which this derivative has not');
  const sym = (e: Expr): Expr => simplify(b.div(b.add(e, b.transpose(e)), b.num(2)));
  return { ...d, projection: 'symmetric', levels: [{ ...g, expr: sym(g.expr), unconstrained: sym(g.unconstrained) }] };
}
