/**
 * From a differential to a derivative. A differential L(dv) is linear in the direction dv and built
 * from a small closed set of linear operations; what each of them contributes — its adjoint and its
 * vec form — is a row of rules/linear.ts. This module is the engine that walks L with those rows, in
 * the two ways of reading a derivative off L, and with them owns the layout conventions (the one
 * exception, the denominator layout of a vector-by-vector Jacobian, is a transpose taken in
 * derivative.ts):
 *
 *  - gradientOf: for a scalar L, the G with L = sum(G .* dv) — i.e. df = tr(G'dX), so ∇f = G, in the
 *    variable's own shape. Computed by transposing the linear map node by node (symbolic reverse
 *    mode: "upstream gradient × local gradient"), accumulating adjoints over the DAG once each, so
 *    the result is linear in the size of L.
 *
 *  - jacobianOf: the matrix K with vec(L) = K vec(dv), where vec stacks ROWS (row-major), so that
 *    reshaping K's value gives the tensor layout shape(f) + shape(dv) — or, on request, columns
 *    (the Matrix Cookbook's vec). Computed forward, node by node. For vector f and vector x, K is
 *    the ordinary numerator-layout Jacobian (rows = outputs) in either order.
 *
 * A form a row declares missing raises NoMatrixFormError with the row's reason; callers then fall
 * back to the differential form, which is always available.
 */
import { NoMatrixFormError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import { dependentsOf } from '../ir/walk.js';
import { numel } from '../shape/shape.js';
import { type LinearRule, type VecOrder, isMissing, isNotLinear, linearRowOf } from '../../rules/linear.js';

export { inner } from '../../rules/linear.js';

/** Nodes of L that depend on dv, in post-order (children before parents). */
function dependents(root: Expr, dv: Expr): { order: Expr[]; dep: Set<Expr> } {
  const order = dependentsOf(root, new Set([dv]));
  return { order, dep: new Set(order) };
}

const nodeName = (e: Expr): string => (e.kind === 'call' ? e.fn : e.kind);

/** The row of a node of L that depends on dv, checked to be linear in the operands that do. */
function ruleFor(e: Expr, dep: ReadonlySet<Expr>): LinearRule<Expr> {
  const row = linearRowOf(e);
  const nonlinear = (): never => {
    throw new NoMatrixFormError(`the differential is not linear in its direction at a ${nodeName(e)} node`);
  };
  if (isNotLinear(row)) return nonlinear();
  if (row.linearIn !== 'each') {
    const [first, ...rest] = e.kind === 'call' ? e.args : [(e as { a: Expr }).a, (e as { b: Expr }).b];
    const later = rest.filter((x) => dep.has(x)).length;
    if (row.linearIn === 'first' ? later > 0 : later > 0 && dep.has(first!)) nonlinear();
  }
  return row;
}

/** G with L = ⟨G, dv⟩ for a scalar L (the gradient, in dv's shape). */
export function gradientOf(L: Expr, dv: Expr): Expr {
  if (L.shape.kind !== 'scalar') throw new NoMatrixFormError('the gradient is defined for a scalar differential only');
  const { order, dep } = dependents(L, dv);
  if (!dep.has(L)) return b.zero(dv.shape);
  const adj = new Map<Expr, Expr>([[L, b.num(1)]]);
  const context = {
    dep: (e: Expr) => dep.has(e),
    give: (to: Expr, g: Expr) => {
      if (!dep.has(to)) return;
      const prev = adj.get(to);
      adj.set(to, prev === undefined ? g : b.add(prev, g));
    },
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const e = order[i]!;
    const G = adj.get(e);
    if (G === undefined || e === dv) continue;
    const { adjoint } = ruleFor(e, dep);
    if (isMissing(adjoint)) throw new NoMatrixFormError(adjoint.missing);
    adjoint(e, G, context);
  }
  return adj.get(dv) ?? b.zero(dv.shape);
}

/**
 * K with vec(L) = K vec(dv); numel(L) × numel(dv), a row when L is scalar. vec stacks rows unless
 * `order` is 'cols' (the Matrix Cookbook's vec, for display; the value layout is the caller's concern).
 */
export function jacobianOf(L: Expr, dv: Expr, vecOrder: VecOrder = 'rows'): Expr {
  const n = numel(dv.shape);
  const { order, dep } = dependents(L, dv);
  const zeroK = (e: Expr): Expr => {
    const rows = numel(e.shape);
    return e.shape.kind === 'scalar' ? b.zero({ kind: 'row', n }) : b.zero({ kind: 'matrix', m: rows, n });
  };
  if (!dep.has(L)) return zeroK(L);
  const K = new Map<Expr, Expr>();
  const context = {
    order: vecOrder,
    dep: (e: Expr) => dep.has(e),
    k: (e: Expr): Expr => (dep.has(e) ? K.get(e)! : zeroK(e)),
  };
  for (const e of order) {
    if (e === dv) {
      K.set(e, b.eye(n));
      continue;
    }
    const { vec } = ruleFor(e, dep);
    if (isMissing(vec)) throw new NoMatrixFormError(vec.missing);
    K.set(e, vec(e, context));
  }
  return K.get(L)!;
}
