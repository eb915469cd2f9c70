/**
 * Linear maps as rules. A differential L(dv) is built from a closed set of operations that are
 * linear in the direction dv; for each of them this table holds, in one row (as JAX registers a
 * linear primitive's transpose beside the primitive):
 *
 *   - adjoint: the transposed map, for gradients (symbolic reverse mode): given the adjoint G of the
 *     node, the adjoints of its operands — e.g. Y = A*U gives G_U = A'*G;
 *   - vec: the vec form, for Jacobians (forward): given K_x with vec(x) = K_x vec(dv) for each
 *     operand, the node's own K — e.g. vec(A*U) = (A ⊗ I) vec(U) with vec stacking rows.
 *
 * A form that does not exist is declared in its row with the reason (`missing`; the engine raises
 * NoMatrixFormError with it, and the result is given as a differential). Today every linear
 * operation has both forms, thanks to the commutation matrix (transposes), selection matrices (diag)
 * and partial traces (the adjoint of kron). Node kinds and functions that are never linear say so
 * (`notLinear`); the mapped types at the end make a node kind or a function without a row a compile
 * error. The engine that walks a differential with these rows is src/diff/linear.ts;
 * test/diff/linear.test.ts exercises every row in both vec orders against finite differences, and
 * the catalogue holds the textbook results.
 *
 * `linearIn` says how a row is linear in its operands, and the engine checks it before a rule runs:
 * 'each' (jointly in all, e.g. +), 'one' (bilinear: in either operand while the other is free of the
 * direction, e.g. *), 'first' (in the first operand only, e.g. the numerator of ./).
 */
import * as b from '../src/ir/build.js';
import type { Binary, Call, Expr, Kind } from '../src/ir/expr.js';
import type { FnName } from '../src/ir/functions.js';
import { type Dim, type Shape, colsOf, matrixShape, mulDim, numel, rowShape, rowsOf, tensorDims, vectorShape } from '../src/shape/shape.js';

/** What an adjoint rule sees of the engine. */
export interface AdjointContext {
  /** Whether a node depends on the direction. */
  dep(e: Expr): boolean;
  /** Adds g to the adjoint of operand x (nothing when x is free of the direction). */
  give(x: Expr, g: Expr): void;
}

/** What a vec rule sees of the engine. */
export interface VecContext {
  dep(e: Expr): boolean;
  /** Which vec the Jacobian is written in: rows stacked (the default, the language's vec) or columns (the Cookbook's). */
  readonly order: VecOrder;
  /** K_x with vec(x) = K_x vec(dv): numel(x) × numel(dv), the zero map when x is free of dv. */
  k(x: Expr): Expr;
}

/** rows: vec stacks rows (row-major, the tensor layout); cols: columns, as the Matrix Cookbook. */
export type VecOrder = 'rows' | 'cols';

export type Linearity = 'each' | 'one' | 'first';

/** A form that deliberately does not exist, with the reason shown to the user. */
export interface Missing {
  readonly missing: string;
}

export interface LinearRule<E extends Expr> {
  readonly linearIn: Linearity;
  /** The identities the forms implement, as a reader checks them. */
  readonly math: string;
  readonly adjoint: ((e: E, G: Expr, c: AdjointContext) => void) | Missing;
  readonly vec: ((e: E, c: VecContext) => Expr) | Missing;
}

/** A node kind or function that is never a linear map of the direction (or is a leaf). */
export interface NotLinear {
  readonly notLinear: string;
}

export type LinearRow<E extends Expr> = LinearRule<E> | NotLinear;

export const isMissing = (f: unknown): f is Missing => typeof f === 'object' && f !== null && 'missing' in f;
export const isNotLinear = <E extends Expr>(r: LinearRow<E>): r is NotLinear => 'notLinear' in r;

// ---------------------------------------------------------------------------------------------
// Helpers shared by the rows

/** A scalar operand of a non-scalar node was broadcast: its adjoint sums the node's. */
const broadcastAdjoint = (x: Expr, e: Expr, G: Expr): Expr => (x.shape.kind === 'scalar' && e.shape.kind !== 'scalar' ? b.call('sum', [G]) : G);

/** ⟨G, M⟩ = sum(G .* M) for a scalar adjoint, written the way a textbook writes it. */
export function inner(g: Expr, m: Expr): Expr {
  switch (m.shape.kind) {
    case 'scalar': return b.mul(g, m);
    case 'vector': return b.mul(b.transpose(g), m);
    case 'row': return b.mul(m, b.transpose(g));
    case 'matrix': return b.call('tr', [b.mul(b.transpose(g), m)]);
  }
}

/** vec of any expression, as a column: a vector is its own vec, a row its transpose (the language's vec stacks rows). */
export function vecOf(e: Expr): Expr {
  switch (e.shape.kind) {
    case 'scalar': case 'vector': return e;
    case 'row': return b.transpose(e);
    case 'matrix': return b.call('vec', [e]);
  }
}

/** vec in the given order, written with the language's row-major vec: the column-major vec of C is vec(C'). */
const vecIn = (e: Expr, order: VecOrder): Expr => (order === 'cols' && e.shape.kind === 'matrix' ? b.call('vec', [b.transpose(e)]) : vecOf(e));

/** The matrix taking vec(U) to vec(U') for U m×n, in the given order (column-major: the Cookbook's K_{mn} = K_{n,m} here). */
const commutationIn = (m: Dim, n: Dim, order: VecOrder): Expr => (order === 'rows' ? b.commutation(m, n) : b.commutation(n, m));

/** I_d ⊗ M and M ⊗ I_d, without the factor when d = 1. */
const eyeKron = (d: Dim, M: Expr): Expr => (d === 1 ? M : b.call('kron', [b.eye(d), M]));
const kronEye = (M: Expr, d: Dim): Expr => (d === 1 ? M : b.call('kron', [M, b.eye(d)]));

/** vec(I_p), a column of length p². */
const vecEye = (p: Dim): Expr => b.call('vec', [b.eye(p)]);

/**
 * Partial traces of an (m·p)×(n·p) M over its second factor, and of an (m·p)×(m·q) M over its first:
 *   Tr₂(M) = (I_m ⊗ vec(I_p)') (M ⊗ I_p) (I_n ⊗ vec(I_p)),   Tr₁(M) = (vec(I_m)' ⊗ I_p) (I_m ⊗ M) (vec(I_m) ⊗ I_q);
 * (Tr₂ M)_ij = Σ_k M_(ik),(jk) and (Tr₁ M)_kl = Σ_i M_(ik),(il). They are the adjoints of U ↦ U ⊗ B and U ↦ A ⊗ U.
 */
function traceOutSecond(M: Expr, m: Dim, n: Dim, p: Dim): Expr {
  if (p === 1) return M;
  // Tr₂(A ⊗ B) = tr(B) A, and scalars pass through: d tr(X ⊗ X) reads 2 tr(X) I, not a product of Kroneckers.
  if (M.kind === 'mul' && M.a.shape.kind === 'scalar') return b.mul(M.a, traceOutSecond(M.b, m, n, p));
  if (isKron(M, m, n, p, p)) return b.mul(b.call('tr', [M.args[1]!]), M.args[0]!);
  return b.mul(b.mul(eyeKron(m, b.transpose(vecEye(p))), kronEye(M, p)), eyeKron(n, vecEye(p)));
}
function traceOutFirst(M: Expr, m: Dim, p: Dim, q: Dim): Expr {
  if (m === 1) return M;
  if (M.kind === 'mul' && M.a.shape.kind === 'scalar') return b.mul(M.a, traceOutFirst(M.b, m, p, q));
  if (isKron(M, m, m, p, q)) return b.mul(b.call('tr', [M.args[0]!]), M.args[1]!);
  return b.mul(b.mul(kronEye(b.transpose(vecEye(m)), p), eyeKron(m, M)), kronEye(vecEye(m), q));
}

/** Whether M is A ⊗ B with A r×c and B p×q. */
function isKron(M: Expr, r: Dim, c: Dim, p: Dim, q: Dim): M is Call {
  if (M.kind !== 'call' || M.fn !== 'kron') return false;
  const [A, B] = M.args as [Expr, Expr];
  return rowsOf(A.shape) === r && colsOf(A.shape) === c && rowsOf(B.shape) === p && colsOf(B.shape) === q;
}

/**
 * The m×n matrix U with vec(U) = g (row-major): (I_m ⊗ 1') diag(g) (1 ⊗ I_n), or U itself when g is
 * written vec(U) (up to a scalar factor or a sign), as it is for sum(vec(X).^2), or all ones.
 */
function unvec(g: Expr, m: Dim, n: Dim): Expr {
  if (g.kind === 'call' && g.fn === 'vec' && rowsOf(g.args[0]!.shape) === m && colsOf(g.args[0]!.shape) === n) return g.args[0]!;
  if (g.kind === 'mul' && g.a.shape.kind === 'scalar') return b.mul(g.a, unvec(g.b, m, n));
  if (g.kind === 'mul' && g.b.shape.kind === 'scalar') return b.mul(g.b, unvec(g.a, m, n));
  if (g.kind === 'neg') return b.neg(unvec(g.x, m, n));
  if (g.kind === 'ones') return b.ones(matrixShape(m, n));
  return b.mul(b.mul(b.call('kron', [b.eye(m), b.transpose(onesColumn(n))]), b.call('diag', [g])), b.call('kron', [onesColumn(m), b.eye(n)]));
}

const squareSize = (x: Expr): Dim => (x.shape as { n: Dim }).n;

/**
 * A column of n ones written diag(I_n), which states its size: inside a Kronecker product the size of
 * vector(1) cannot be inferred when the text is read back.
 */
const onesColumn = (n: Dim): Expr => b.call('diag', [b.eye(n)]);

/**
 * All ones of a shape. Where a dimension is a product (k·m), or on request (the sum of a Kronecker
 * product, whose adjoint then meets product dimensions), it is written with diag(eye(·)): the size of
 * matrix(1) there could not be inferred when the text is read back.
 */
function onesOf(s: Shape, explicit = false): Expr {
  if (!explicit && !tensorDims(s).some((d) => typeof d === 'string' && d.includes('·'))) return b.ones(s);
  switch (s.kind) {
    case 'scalar': return b.num(1);
    case 'vector': return onesColumn(s.n);
    case 'row': return b.transpose(onesColumn(s.n));
    case 'matrix': return b.mul(onesColumn(s.m), b.transpose(onesColumn(s.n)));
  }
}

/**
 * The n²×n selection matrix S with vec(diag(u)) = S u for a vector u of length n (S_(ij),k = δ_ik δ_jk,
 * the same in either vec order): (I ⊗ 1) .* (1 ⊗ I). S' takes vec(U) to diag(U).
 */
const diagSelection = (n: Dim): Expr => b.emul(b.call('kron', [b.eye(n), onesColumn(n)]), b.call('kron', [onesColumn(n), b.eye(n)]));

// ---------------------------------------------------------------------------------------------
// Operators

const NEVER = (why: string): NotLinear => ({ notLinear: why });
const LEAF: NotLinear = NEVER('a leaf: the direction itself, or free of it');

const neg: LinearRule<Extract<Expr, { kind: 'neg' }>> = {
  linearIn: 'each',
  math: 'adjoint -G; vec(-U) = -vec(U)',
  adjoint: (e, G, c) => c.give(e.x, b.neg(G)),
  vec: (e, c) => b.neg(c.k(e.x)),
};

const transpose: LinearRule<Extract<Expr, { kind: 'transpose' }>> = {
  linearIn: 'each',
  math: "adjoint G'; vec(U') = K_{m,n} vec(U) for U m×n (Magnus & Neudecker §3.7), vec(u') = vec(u) for a vector",
  adjoint: (e, G, c) => c.give(e.x, b.transpose(G)),
  vec: (e, c) => {
    const s = e.x.shape;
    return s.kind === 'matrix' ? b.mul(commutationIn(s.m, s.n, c.order), c.k(e.x)) : c.k(e.x);
  },
};

const add: LinearRule<Binary> = {
  linearIn: 'each',
  math: 'adjoint G to each operand (summed where a scalar was broadcast); vec(A + B) = vec(A) + vec(B)',
  adjoint: (e, G, c) => { for (const x of [e.a, e.b]) c.give(x, broadcastAdjoint(x, e, G)); },
  vec: (e, c) => {
    const broadcast = (x: Expr): Expr =>
      x.shape.kind === 'scalar' && e.shape.kind !== 'scalar' ? b.mul(b.ones(vectorShape(numel(e.shape))), c.k(x)) : c.k(x);
    return b.add(broadcast(e.a), broadcast(e.b));
  },
};

const mul: LinearRule<Binary> = {
  linearIn: 'one',
  math: "Y = U*B: G_U = G*B', vec(U B) = (I ⊗ B') vec(U) [cols: (B' ⊗ I)]; Y = A*U: G_U = A'*G, vec(A U) = (A ⊗ I) vec(U) [cols: (I ⊗ A)] (Cookbook (520))",
  adjoint: (e, G, c) => {
    const { a, b: r } = e;
    if (c.dep(a)) c.give(a, a.shape.kind === 'scalar' ? inner(G, r) : r.shape.kind === 'scalar' ? b.mul(r, G) : b.mul(G, b.transpose(r)));
    if (c.dep(r)) c.give(r, r.shape.kind === 'scalar' ? inner(G, a) : a.shape.kind === 'scalar' ? b.mul(a, G) : b.mul(b.transpose(a), G));
  },
  vec: (e, c) => {
    const { a, b: r } = e;
    if (c.dep(a)) {
      if (a.shape.kind === 'scalar') return r.shape.kind === 'scalar' ? b.mul(r, c.k(a)) : b.mul(vecIn(r, c.order), c.k(a));
      if (r.shape.kind === 'scalar') return b.mul(r, c.k(a));
      const rows = rowsOf(a.shape), rt = b.transpose(r);
      return b.mul(rows === 1 ? rt : c.order === 'rows' ? b.call('kron', [b.eye(rows), rt]) : b.call('kron', [rt, b.eye(rows)]), c.k(a));
    }
    if (r.shape.kind === 'scalar') return a.shape.kind === 'scalar' ? b.mul(a, c.k(r)) : b.mul(vecIn(a, c.order), c.k(r));
    if (a.shape.kind === 'scalar') return b.mul(a, c.k(r));
    const cols = colsOf(r.shape);
    return b.mul(cols === 1 ? a : c.order === 'rows' ? b.call('kron', [a, b.eye(cols)]) : b.call('kron', [b.eye(cols), a]), c.k(r));
  },
};

const emul: LinearRule<Binary> = {
  linearIn: 'one',
  math: 'Y = U .* C: G_U = G .* C, vec(U .* C) = diag(vec(C)) vec(U)',
  adjoint: (e, G, c) => { c.give(e.a, b.emul(G, e.b)); c.give(e.b, b.emul(G, e.a)); },
  vec: (e, c) => {
    const [u, other] = c.dep(e.a) ? [e.a, e.b] : [e.b, e.a];
    return b.mul(b.call('diag', [vecIn(other, c.order)]), c.k(u));
  },
};

const ediv: LinearRule<Binary> = {
  linearIn: 'first',
  math: 'Y = U ./ C: G_U = G ./ C, vec(U ./ C) = diag(vec(1 ./ C)) vec(U)',
  adjoint: (e, G, c) => c.give(e.a, broadcastAdjoint(e.a, e, b.ediv(G, e.b))),
  vec: (e, c) => {
    const inverse = vecIn(b.ediv(b.num(1), e.b), c.order);
    return b.mul(e.a.shape.kind === 'scalar' ? inverse : b.call('diag', [inverse]), c.k(e.a));
  },
};

const div: LinearRule<Binary> = {
  linearIn: 'first',
  math: 'Y = U / s: G_U = G / s, vec(U / s) = vec(U) / s',
  adjoint: (e, G, c) => c.give(e.a, b.div(G, e.b)),
  vec: (e, c) => b.div(c.k(e.a), e.b),
};

// ---------------------------------------------------------------------------------------------
// Functions

/** The number of entries a sum or mean over its dim adds up (all of them without a dim). */
function countOf(e: Call): Dim {
  const x = e.args[0]!, dim = b.dimOf(e);
  return dim === undefined ? numel(x.shape) : dim === 0 ? rowsOf(x.shape) : colsOf(x.shape);
}

/** A mean divides by the count (a sum is left alone). */
const meanScale = (e: Call, m: Expr): Expr => (e.fn === 'mean' ? b.div(m, b.dimCount(countOf(e))) : m);

/**
 * sum(U) and mean(U) over all entries, or along a dim of a k×n U: the adjoint spreads G back over
 * the dim reduced (G*1' along dim 1, 1*G down dim 0, G*ones over all), and the vec form sums the
 * entries of each group.
 */
const reduction = (name: 'sum' | 'mean'): LinearRule<Call> => ({
  linearIn: 'first',
  math: `y = ${name}(U): G_U = G*ones; ${name}(U, 1) of U k×n: G_U = G*1_n'${name === 'mean' ? '/n' : ''}, vec form I_k ⊗ 1_n' [cols: 1_n' ⊗ I_k]; `
    + `${name}(U, 0): G_U = 1_k*G${name === 'mean' ? '/k' : ''}, vec form 1_k' ⊗ I_n [cols: I_n ⊗ 1_k']`,
  adjoint: (e, G, c) => {
    const x = e.args[0]!;
    if (x.shape.kind === 'scalar') return c.give(x, G);
    const dim = b.dimOf(e);
    const spread = dim === undefined ? b.mul(G, onesOf(x.shape, x.kind === 'call' && x.fn === 'kron'))
      : dim === 0 ? b.mul(b.ones(vectorShape(rowsOf(x.shape))), G) : b.mul(G, b.ones(rowShape(colsOf(x.shape))));
    c.give(x, meanScale(e, spread));
  },
  vec: (e, c) => {
    const x = e.args[0]!;
    if (x.shape.kind === 'scalar') return c.k(x);
    const dim = b.dimOf(e);
    const onesRow = (d: Dim): Expr => b.transpose(b.ones(vectorShape(d)));
    const [k, n] = [rowsOf(x.shape), colsOf(x.shape)];
    const rows = c.order === 'rows';
    const S = dim === undefined ? onesRow(numel(x.shape))
      : dim === 0 ? (rows ? kronEye(onesRow(k), n) : eyeKron(n, onesRow(k)))
        : (rows ? eyeKron(k, onesRow(n)) : kronEye(onesRow(n), k));
    return meanScale(e, b.mul(S, c.k(x)));
  },
});
const sum = reduction('sum');
const mean = reduction('mean');

const tr: LinearRule<Call> = {
  linearIn: 'first',
  math: "y = tr(U): G_U = G*I, vec form vec(I)' (either order: I is symmetric)",
  adjoint: (e, G, c) => { const x = e.args[0]!; c.give(x, x.shape.kind === 'scalar' ? G : b.mul(G, b.eye(squareSize(x)))); },
  vec: (e, c) => { const x = e.args[0]!; return x.shape.kind === 'scalar' ? c.k(x) : b.mul(b.transpose(vecEye(squareSize(x))), c.k(x)); },
};

const diag: LinearRule<Call> = {
  linearIn: 'first',
  math: "Y = diag(U): G_U = diag(G) (diag of a vector and of a square matrix are adjoint); vec(diag(u)) = S u and diag(U) = S' vec(U), S = (I ⊗ 1) .* (1 ⊗ I)",
  adjoint: (e, G, c) => c.give(e.args[0]!, b.call('diag', [G])),
  vec: (e, c) => {
    const x = e.args[0]!;
    if (x.shape.kind === 'scalar') return c.k(x);
    const S = diagSelection(x.shape.n);
    return b.mul(x.shape.kind === 'vector' ? S : b.transpose(S), c.k(x));
  },
};

const vec: LinearRule<Call> = {
  linearIn: 'first',
  math: "y = vec(U), U m×n: G_U = (I_m ⊗ 1') diag(G) (1 ⊗ I_n) (the inverse reshaping); vec form I [cols: K_{n,m}, since vec(U) = vec_cols(U')]",
  adjoint: (e, G, c) => {
    const x = e.args[0]!;
    switch (x.shape.kind) {
      case 'scalar': case 'vector': return c.give(x, G);
      case 'row': return c.give(x, b.transpose(G));
      case 'matrix': return c.give(x, unvec(G, x.shape.m, x.shape.n));
    }
  },
  vec: (e, c) => {
    const x = e.args[0]!;
    return x.shape.kind === 'matrix' && c.order === 'cols' ? b.mul(b.commutation(x.shape.n, x.shape.m), c.k(x)) : c.k(x);
  },
};

const kron: LinearRule<Call> = {
  linearIn: 'one',
  math: 'A m×n, B p×q: vec(A ⊗ B) = (I_m ⊗ K_{n,p} ⊗ I_q)(vec(A) ⊗ vec(B)) [cols: (I_n ⊗ K_{q,m} ⊗ I_p), Magnus & Neudecker §3.10]; '
    + "adjoints by partial traces: G_A = Tr₂(G (I_n ⊗ B')), G_B = Tr₁(G (A' ⊗ I_q))",
  adjoint: (e, G, c) => {
    const [A, B] = e.args as [Expr, Expr];
    const [m, n, p, q] = [rowsOf(A.shape), colsOf(A.shape), rowsOf(B.shape), colsOf(B.shape)];
    if (c.dep(A)) c.give(A, traceOutSecond(b.mul(G, eyeKron(n, b.transpose(B))), m, n, p));
    if (c.dep(B)) c.give(B, traceOutFirst(b.mul(G, kronEye(b.transpose(A), q)), m, p, q));
  },
  vec: (e, c) => {
    const [A, B] = e.args as [Expr, Expr];
    const [m, n, p, q] = [rowsOf(A.shape), colsOf(A.shape), rowsOf(B.shape), colsOf(B.shape)];
    const P = c.order === 'rows' ? eyeKron(m, kronEye(b.commutation(n, p), q)) : eyeKron(n, kronEye(b.commutation(m, q), p));
    if (c.dep(A)) return b.mul(b.mul(P, b.call('kron', [b.eye(mulDim(m, n)), vecIn(B, c.order)])), c.k(A));
    return b.mul(b.mul(P, b.call('kron', [vecIn(A, c.order), b.eye(mulDim(p, q))])), c.k(B));
  },
};

// ---------------------------------------------------------------------------------------------
// The tables

type NodeOf<K extends Kind> = Extract<Expr, { kind: K }>;

/** Every node kind but calls (those are keyed by function below). */
export const LINEAR_NODES: { readonly [K in Exclude<Kind, 'call'>]: LinearRow<NodeOf<K>> } = {
  var: LEAF, const: LEAF, zero: LEAF, ones: LEAF, eye: LEAF, commutation: LEAF,
  neg, transpose, add, mul, emul, ediv, div,
  pow: NEVER('a power is not linear in its operands'),
  epow: NEVER('an elementwise power is not linear in its operands'),
};

const ELEMENTWISE = NEVER('an elementwise function is not linear');

/** Every function of the language. */
export const LINEAR_FUNCTIONS: { readonly [F in FnName]: LinearRow<Call> } = {
  sum, mean, tr, diag, vec, kron,
  exp: ELEMENTWISE, log: ELEMENTWISE, sqrt: ELEMENTWISE, sin: ELEMENTWISE, cos: ELEMENTWISE, tan: ELEMENTWISE,
  tanh: ELEMENTWISE, abs: ELEMENTWISE, sign: ELEMENTWISE, sigmoid: ELEMENTWISE, relu: ELEMENTWISE,
  softplus: ELEMENTWISE, step: ELEMENTWISE, leaky_relu: ELEMENTWISE, elu: ELEMENTWISE, maximum: ELEMENTWISE, minimum: ELEMENTWISE,
  sinh: ELEMENTWISE, cosh: ELEMENTWISE, asin: ELEMENTWISE, acos: ELEMENTWISE, atan: ELEMENTWISE, erf: ELEMENTWISE,
  gelu: ELEMENTWISE, silu: ELEMENTWISE, softsign: ELEMENTWISE, log1p: ELEMENTWISE, expm1: ELEMENTWISE,
  norm1: NEVER('a norm is not linear'), norm2: NEVER('a norm is not linear'), norm: NEVER('a norm is not linear'),
  det: NEVER('det is not linear'), logdet: NEVER('logdet is not linear'), logsumexp: NEVER('logsumexp is not linear'),
  inv: NEVER('inv is not linear'), softmax: NEVER('softmax is not linear'), log_softmax: NEVER('log_softmax is not linear'),
  var: NEVER('a variance is not linear'), std: NEVER('a standard deviation is not linear'),
  max: NEVER('a maximum is not linear'), min: NEVER('a minimum is not linear'),
};

/** The row of a node. */
export function linearRowOf(e: Expr): LinearRow<Expr> {
  return (e.kind === 'call' ? LINEAR_FUNCTIONS[e.fn] : LINEAR_NODES[e.kind]) as LinearRow<Expr>;
}
