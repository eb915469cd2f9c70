/**
 * From a differential to a derivative. A differential L(dv) is linear in the direction dv and built
 * from a small closed set of linear operations (sums, products with one factor free of dv,
 * transposes, elementwise products, traces, sums, diag, vec). This module owns the two ways of
 * reading a derivative off such an L, and with them the layout conventions (the one exception, the
 * denominator layout of a vector-by-vector Jacobian, is a transpose taken in derivative.ts):
 *
 *  - gradientOf: for a scalar L, the G with L = sum(G .* dv) — i.e. df = tr(G'dX), so ∇f = G, in the
 *    variable's own shape. Computed by transposing the linear map node by node (symbolic reverse
 *    mode: "upstream gradient × local gradient"), accumulating adjoints over the DAG once each, so
 *    the result is linear in the size of L.
 *
 *  - jacobianOf: the matrix K with vec(L) = K vec(dv), where vec stacks ROWS (row-major), so that
 *    reshaping K's value gives the tensor layout shape(f) + shape(dv). Computed forward with the
 *    identities vec(A U) = (A ⊗ I) vec(U) and vec(U B) = (I ⊗ B') vec(U). For vector f and vector x,
 *    K is the ordinary numerator-layout Jacobian (rows = outputs).
 *
 * Operations outside the linear set (or vec rules not written yet) raise UnsupportedError; callers
 * then fall back to the differential form, which is always available.
 */
import { UnsupportedError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import { dependentsOf } from '../ir/walk.js';
import { type Dim, colsOf, numel, rowsOf, vectorShape } from '../shape/shape.js';

/** Nodes of L that depend on dv, in post-order (children before parents). */
function dependents(root: Expr, dv: Expr): { order: Expr[]; dep: Set<Expr> } {
  const order = dependentsOf(root, new Set([dv]));
  return { order, dep: new Set(order) };
}

const nonlinear = (e: Expr): never => {
  throw new UnsupportedError(`internal: the differential is not linear in its direction at a ${e.kind === 'call' ? e.fn : e.kind} node`);
};

/** ⟨G, M⟩ = sum(G .* M) for a scalar adjoint, written the way a textbook writes it. */
export function inner(g: Expr, m: Expr): Expr {
  switch (m.shape.kind) {
    case 'scalar': return b.mul(g, m);
    case 'vector': return b.mul(b.transpose(g), m);
    case 'row': return b.mul(m, b.transpose(g));
    case 'matrix': return b.call('tr', [b.mul(b.transpose(g), m)]);
  }
}

/** G with L = ⟨G, dv⟩ for a scalar L (the gradient, in dv's shape). */
export function gradientOf(L: Expr, dv: Expr): Expr {
  if (L.shape.kind !== 'scalar') throw new UnsupportedError('internal: gradientOf needs a scalar differential');
  const { order, dep } = dependents(L, dv);
  if (!dep.has(L)) return b.zero(dv.shape);
  const adj = new Map<Expr, Expr>([[L, b.num(1)]]);
  const give = (to: Expr, g: Expr) => {
    if (!dep.has(to)) return;
    const prev = adj.get(to);
    adj.set(to, prev === undefined ? g : b.add(prev, g));
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const e = order[i]!;
    const G = adj.get(e);
    if (G === undefined || e === dv) continue;
    switch (e.kind) {
      case 'neg': give(e.x, b.neg(G)); break;
      case 'transpose': give(e.x, b.transpose(G)); break;
      case 'add':
        for (const k of [e.a, e.b]) give(k, k.shape.kind === 'scalar' && e.shape.kind !== 'scalar' ? b.call('sum', [G]) : G);
        break;
      case 'mul': {
        const { a, b: c } = e;
        if (dep.has(a) && dep.has(c)) nonlinear(e);
        if (dep.has(a)) give(a, a.shape.kind === 'scalar' ? inner(G, c) : c.shape.kind === 'scalar' ? b.mul(c, G) : b.mul(G, b.transpose(c)));
        if (dep.has(c)) give(c, c.shape.kind === 'scalar' ? inner(G, a) : a.shape.kind === 'scalar' ? b.mul(a, G) : b.mul(b.transpose(a), G));
        break;
      }
      case 'emul': {
        if (dep.has(e.a) && dep.has(e.b)) nonlinear(e);
        give(e.a, b.emul(G, e.b));
        give(e.b, b.emul(G, e.a));
        break;
      }
      case 'ediv':
        if (dep.has(e.b)) nonlinear(e);
        give(e.a, e.a.shape.kind === 'scalar' && e.shape.kind !== 'scalar' ? b.call('sum', [b.ediv(G, e.b)]) : b.ediv(G, e.b));
        break;
      case 'div':
        if (dep.has(e.b)) nonlinear(e);
        give(e.a, b.div(G, e.b));
        break;
      case 'call': {
        const x = e.args[0]!;
        switch (e.fn) {
          case 'sum': give(x, x.shape.kind === 'scalar' ? G : b.mul(G, b.ones(x.shape))); break;
          case 'tr': give(x, x.shape.kind === 'scalar' ? G : b.mul(G, b.eye((x.shape as { n: Dim }).n))); break;
          case 'diag': give(x, b.call('diag', [G])); break;
          default: throw new UnsupportedError(`the gradient through ${e.fn} of a differential is not implemented`);
        }
        break;
      }
      default: nonlinear(e);
    }
  }
  return adj.get(dv) ?? b.zero(dv.shape);
}

/** vec of any expression, as a column: a vector is its own vec, a row its transpose. */
function vecOf(e: Expr): Expr {
  switch (e.shape.kind) {
    case 'scalar': case 'vector': return e;
    case 'row': return b.transpose(e);
    case 'matrix': return b.call('vec', [e]);
  }
}

/** K with vec(L) = K vec(dv), row-major vec; numel(L) × numel(dv), a row when L is scalar. */
export function jacobianOf(L: Expr, dv: Expr): Expr {
  const n = numel(dv.shape);
  const { order, dep } = dependents(L, dv);
  const zeroK = (e: Expr): Expr => {
    const rows = numel(e.shape);
    return e.shape.kind === 'scalar' ? b.zero({ kind: 'row', n }) : b.zero({ kind: 'matrix', m: rows, n });
  };
  if (!dep.has(L)) return zeroK(L);
  const K = new Map<Expr, Expr>();
  const k = (e: Expr): Expr => (dep.has(e) ? K.get(e)! : zeroK(e));
  for (const e of order) K.set(e, e === dv ? b.eye(n) : forward(e, k, dep));
  return K.get(L)!;
}

function forward(e: Expr, k: (e: Expr) => Expr, dep: Set<Expr>): Expr {
  const broadcast = (x: Expr): Expr =>
    x.shape.kind === 'scalar' && e.shape.kind !== 'scalar' ? b.mul(b.ones(vectorShape(numel(e.shape))), k(x)) : k(x);
  switch (e.kind) {
    case 'neg': return b.neg(k(e.x));
    case 'transpose':
      if (e.x.shape.kind === 'matrix') throw new UnsupportedError('vec form of a transposed matrix (commutation matrix) is not implemented');
      return k(e.x);
    case 'add': return b.add(broadcast(e.a), broadcast(e.b));
    case 'mul': {
      const { a, b: c } = e;
      if (dep.has(a) && dep.has(c)) nonlinear(e);
      if (dep.has(a)) {
        if (a.shape.kind === 'scalar') return c.shape.kind === 'scalar' ? b.mul(c, k(a)) : b.mul(vecOf(c), k(a));
        if (c.shape.kind === 'scalar') return b.mul(c, k(a));
        // vec(U B) = (I ⊗ B') vec(U)
        const rows = rowsOf(a.shape);
        return b.mul(rows === 1 ? b.transpose(c) : b.call('kron', [b.eye(rows), b.transpose(c)]), k(a));
      }
      if (c.shape.kind === 'scalar') return a.shape.kind === 'scalar' ? b.mul(a, k(c)) : b.mul(vecOf(a), k(c));
      if (a.shape.kind === 'scalar') return b.mul(a, k(c));
      // vec(A U) = (A ⊗ I) vec(U)
      const cols = colsOf(c.shape);
      return b.mul(cols === 1 ? a : b.call('kron', [a, b.eye(cols)]), k(c));
    }
    case 'emul': {
      if (dep.has(e.a) && dep.has(e.b)) nonlinear(e);
      const [u, c] = dep.has(e.a) ? [e.a, e.b] : [e.b, e.a];
      return b.mul(b.call('diag', [vecOf(c)]), k(u));
    }
    case 'ediv':
      if (dep.has(e.b)) nonlinear(e);
      if (e.a.shape.kind === 'scalar') return b.mul(vecOf(b.ediv(b.num(1), e.b)), k(e.a));
      return b.mul(b.call('diag', [vecOf(b.ediv(b.num(1), e.b))]), k(e.a));
    case 'div':
      if (dep.has(e.b)) nonlinear(e);
      return b.div(k(e.a), e.b);
    case 'call': {
      const x = e.args[0]!;
      switch (e.fn) {
        case 'sum': return x.shape.kind === 'scalar' ? k(x) : b.mul(b.transpose(b.ones(vectorShape(numel(x.shape)))), k(x));
        case 'tr': return x.shape.kind === 'scalar' ? k(x) : b.mul(b.transpose(b.call('vec', [b.eye((x.shape as { n: Dim }).n)])), k(x));
        case 'vec': return k(x);
        default: throw new UnsupportedError(`the vec form through ${e.fn} is not implemented`);
      }
    }
    default: return nonlinear(e);
  }
}
