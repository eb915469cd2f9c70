/**
 * Seeded random IR for property tests: well-shaped expressions over a fixed set of variables,
 * built only through the checked constructors of ir/build.ts (so every tree is well-shaped by
 * construction, and constructor folding applies as it would in real use).
 *
 * Variables (generatorVars): scalars a, b; vectors x, y of length n; matrices A, B (n×n) and W (m×n).
 * The generator works over the nine shapes these dimensions allow (scalar; vectors and rows of n or
 * m; matrices n×n, m×n, n×m, m×m) and is recursive by target shape: each shape has a few leaves
 * (its variables, W*x for an m-vector, W*W' for an m×m matrix, …) and every operation that can
 * produce it from children one level shallower. Arbitraries are memoised per (shape, depth), so
 * building one is cheap. kron and vec appear only under a reduction to a scalar (sum, norm2, tr), since
 * their results have product dimensions outside the nine shapes.
 *
 * Property runs: propertyParams reads MATCALC_PROPERTY_RUNS (default 200) and MATCALC_PROPERTY_SEED
 * (default: a fixed seed, so CI is reproducible; set MATCALC_PROPERTY_SEED=random to explore); assertProperty
 * prints the seed on failure so a run can be replayed.
 */
import fc from 'fast-check';
import * as b from '../../src/ir/build.js';
import { type Expr, type Var, children } from '../../src/ir/expr.js';
import { postorder } from '../../src/ir/walk.js';
import { toText } from '../../src/print/text.js';
import { ELEMENTWISE, type FnName } from '../../src/ir/functions.js';
import {
  type Dim,
  type Shape,
  SCALAR,
  matrixShape,
  rowShape,
  shapeKey,
  transposeShape,
  vectorShape,
} from '../../src/shape/shape.js';

/** Structural operations the generator may use (besides function calls). */
const STRUCT_OPS = [
  'add',
  'sub',
  'neg',
  'scale',
  'mul',
  'emul',
  'ediv',
  'div',
  'pow',
  'epow',
  'transpose',
  'const',
] as const;
export type StructOp = (typeof STRUCT_OPS)[number];
export type GenOp = StructOp | FnName;

/** Functions that have a kink or a jump somewhere (at 0, or where two arguments meet). */
const NONSMOOTH: readonly FnName[] = [
  'abs',
  'sign',
  'step',
  'relu',
  'leaky_relu',
  'elu',
  'max',
  'min',
  'maximum',
  'minimum',
  'norm1',
  'norm2',
  'norm',
  'softsign',
];

export interface ArbExprOptions {
  /** Maximum nesting of generated operations above the leaves (default 3). Wrappers added for domain safety do not count. */
  readonly depth?: number;
  /** The shape of the result; it must be one of the nine generator shapes. Default: any of them. */
  readonly shape?: Shape;
  /** Operations that may appear (default: all). Leaves such as W*x and safety wrappers ignore this list. */
  readonly ops?: readonly GenOp[];
  /**
   * Keep every function inside its domain for any values of the variables: log, sqrt, ./, / and
   * negative or fractional powers get arguments of the form 1 + t.^2; inv, det and logdet get
   * M*M' + eye; tan gets tanh(t); asin and acos get 0.5*tanh(t); log1p gets 1 + t.^2.
   */
  readonly domainSafe?: boolean;
  /** Leave out the functions in NONSMOOTH (for derivative and finite-difference checks). */
  readonly smooth?: boolean;
  /** The dimensions n and m: names (default 'n', 'm') or sizes; sizes must not be 1. */
  readonly dims?: { readonly n: Dim; readonly m: Dim };
}

export interface GeneratorVars {
  readonly a: Var;
  readonly b: Var;
  readonly x: Var;
  readonly y: Var;
  readonly A: Var;
  readonly B: Var;
  readonly W: Var;
}

/** The variables every generated expression is built from. */
export function generatorVars(dims: { readonly n: Dim; readonly m: Dim } = { n: 'n', m: 'm' }): GeneratorVars {
  const { n, m } = dims;
  return {
    a: b.variable('a', SCALAR),
    b: b.variable('b', SCALAR),
    x: b.variable('x', vectorShape(n)),
    y: b.variable('y', vectorShape(n)),
    A: b.variable('A', matrixShape(n, n)),
    B: b.variable('B', matrixShape(n, n)),
    W: b.variable('W', matrixShape(m, n)),
  };
}

const CONSTANTS = [2, 3, 0.5, -1, 1.5] as const;

/** Rows × columns, 1 for a missing side: scalar (1,1), vector (d,1), row (1,d). */
function shapeOf(r: Dim, c: Dim): Shape {
  if (r === 1 && c === 1) return SCALAR;
  if (c === 1) return vectorShape(r);
  if (r === 1) return rowShape(c);
  return matrixShape(r, c);
}
const rowsCols = (s: Shape): [Dim, Dim] =>
  s.kind === 'scalar' ? [1, 1] : s.kind === 'vector' ? [s.n, 1] : s.kind === 'row' ? [1, s.n] : [s.m, s.n];

/** Every function name, for the default operation list (a mapped object, so it tracks FnName). */
const fnNames: { readonly [F in FnName]: true } = {
  exp: true,
  log: true,
  sqrt: true,
  sin: true,
  cos: true,
  tan: true,
  tanh: true,
  abs: true,
  sign: true,
  sigmoid: true,
  relu: true,
  softplus: true,
  step: true,
  leaky_relu: true,
  elu: true,
  max: true,
  sum: true,
  norm1: true,
  norm2: true,
  tr: true,
  det: true,
  logdet: true,
  logsumexp: true,
  inv: true,
  diag: true,
  softmax: true,
  kron: true,
  vec: true,
  sinh: true,
  cosh: true,
  asin: true,
  acos: true,
  atan: true,
  erf: true,
  gelu: true,
  silu: true,
  softsign: true,
  log1p: true,
  expm1: true,
  maximum: true,
  minimum: true,
  mean: true,
  var: true,
  std: true,
  min: true,
  norm: true,
  log_softmax: true,
};

/** The reductions that take a dim (sum(X, 1), mean(X, 0), …). */
const AXIS_REDUCTIONS = ['sum', 'mean', 'var', 'std', 'max', 'min'] as const;

/** An arbitrary well-shaped expression; see ArbExprOptions. */
export function arbExpr(opts: ArbExprOptions = {}): fc.Arbitrary<Expr> {
  const depth = opts.depth ?? 3;
  const dims = opts.dims ?? { n: 'n', m: 'm' };
  if (dims.n === 1 || dims.m === 1) throw new Error('arbExpr: dimensions of size 1 would make vectors scalars');
  const { a, b: bv, x, y, A, B, W } = generatorVars(dims);
  const { n, m } = dims;
  const safe = opts.domainSafe === true;
  const enabled = new Set<GenOp>(opts.ops ?? [...STRUCT_OPS, ...(Object.keys(fnNames) as FnName[])]);
  if (opts.smooth === true) for (const f of NONSMOOTH) enabled.delete(f);
  const on = (op: GenOp): boolean => enabled.has(op);

  const universe: Shape[] = [];
  for (const s of [
    SCALAR,
    vectorShape(n),
    vectorShape(m),
    rowShape(n),
    rowShape(m),
    matrixShape(n, n),
    matrixShape(m, n),
    matrixShape(n, m),
    matrixShape(m, m),
  ]) {
    if (!universe.some((u) => shapeKey(u) === shapeKey(s))) universe.push(s);
  }
  const inUniverse = (s: Shape): boolean => universe.some((u) => shapeKey(u) === shapeKey(s));
  const nonScalar = universe.filter((s) => s.kind !== 'scalar');
  const square = universe.filter((s) => s.kind === 'matrix' && s.m === s.n);
  const vectors = universe.filter((s) => s.kind === 'vector');

  // Domain wrappers.
  const sq = (t: Expr): Expr => (t.shape.kind === 'scalar' ? b.pow(t, b.num(2)) : b.epow(t, b.num(2)));
  const pos = (t: Expr): Expr => (safe ? b.add(b.num(1), sq(t)) : t);
  const spd = (t: Expr): Expr =>
    safe && t.shape.kind === 'matrix' ? b.add(b.mul(t, b.transpose(t)), b.eye(t.shape.n)) : t;

  const leafExprs = (s: Shape): Expr[] => {
    const [r, c] = rowsCols(s);
    const vecLeaves = (d: Dim): Expr[] => (d === n ? [x, y] : [b.mul(W, x), b.mul(W, y)]);
    switch (s.kind) {
      case 'scalar':
        return [a, bv];
      case 'vector':
        return vecLeaves(r);
      case 'row':
        return vecLeaves(c).map(b.transpose);
      case 'matrix': {
        const out: Expr[] = [];
        if (r === n && c === n) out.push(A, B, b.eye(n));
        if (r === m && c === n) out.push(W);
        if (r === n && c === m) out.push(b.transpose(W));
        if (r === m && c === m) out.push(b.mul(W, b.transpose(W)), b.eye(m));
        return out;
      }
    }
  };
  const leaf = (s: Shape): fc.Arbitrary<Expr> => {
    const vars = fc.constantFrom(...leafExprs(s));
    return s.kind === 'scalar' && on('const')
      ? fc.oneof({ arbitrary: vars, weight: 2 }, fc.constantFrom(...CONSTANTS).map(b.num))
      : vars;
  };

  const memo = new Map<string, fc.Arbitrary<Expr>>();
  const gen = (s: Shape, d: number): fc.Arbitrary<Expr> => {
    const key = `${shapeKey(s)}@${d}`;
    let arb = memo.get(key);
    if (arb === undefined) {
      arb = build(s, d);
      memo.set(key, arb);
    }
    return arb;
  };
  const anyOf = (shapes: readonly Shape[], d: number): fc.Arbitrary<Expr> => fc.oneof(...shapes.map((s) => gen(s, d)));
  const call = (fn: FnName, ...args: Expr[]): Expr => b.call(fn, args);

  const build = (s: Shape, d: number): fc.Arbitrary<Expr> => {
    if (d === 0) return leaf(s);
    const g = (t: Shape): fc.Arbitrary<Expr> => gen(t, d - 1);
    const k = d - 1;
    const choices: fc.Arbitrary<Expr>[] = [];
    const isScalar = s.kind === 'scalar';
    const [r, c] = rowsCols(s);
    const isSquare = s.kind === 'matrix' && s.m === s.n;

    if (on('add')) choices.push(fc.tuple(g(s), g(s)).map(([p, q]) => b.add(p, q)));
    if (on('sub')) choices.push(fc.tuple(g(s), g(s)).map(([p, q]) => b.sub(p, q)));
    if (on('neg')) choices.push(g(s).map(b.neg));
    if (on('scale') && !isScalar) choices.push(fc.tuple(g(SCALAR), g(s)).map(([p, q]) => b.mul(p, q)));
    if (on('mul')) {
      const pairs: [Shape, Shape][] = [];
      for (const inner of new Set<Dim>([n, m])) pairs.push([shapeOf(r, inner), shapeOf(inner, c)]);
      if (r !== 1 && c !== 1) pairs.push([shapeOf(r, 1), shapeOf(1, c)]); // outer product
      choices.push(fc.oneof(...pairs.map(([p, q]) => fc.tuple(g(p), g(q)).map(([u, v]) => b.mul(u, v)))));
    }
    if (!isScalar) {
      if (on('emul')) choices.push(fc.tuple(g(s), g(s)).map(([p, q]) => b.emul(p, q)));
      if (on('ediv')) choices.push(fc.tuple(g(s), g(s)).map(([p, q]) => b.ediv(p, pos(q))));
      if (on('transpose')) choices.push(g(transposeShape(s)).map(b.transpose));
      if (on('epow')) {
        choices.push(
          fc
            .tuple(g(s), fc.constantFrom(2, 3, 0.5, -1))
            .map(([p, e]) => b.epow(Number.isInteger(e) && e > 0 ? p : pos(p), b.num(e))),
        );
      }
    }
    if (on('div')) choices.push(fc.tuple(g(s), g(SCALAR)).map(([p, q]) => b.div(p, pos(q))));
    if (on('pow') && isScalar) {
      choices.push(
        fc
          .tuple(g(s), fc.constantFrom(2, 3, 0.5, -1))
          .map(([p, e]) => b.pow(Number.isInteger(e) && e > 0 ? p : pos(p), b.num(e))),
      );
    }
    if (on('pow') && isSquare) {
      choices.push(fc.tuple(g(s), fc.constantFrom(2, 3, -1)).map(([p, e]) => b.pow(e < 0 ? spd(p) : p, b.num(e))));
    }

    // Elementwise functions keep the shape.
    for (const f of ELEMENTWISE) {
      if (!on(f)) continue;
      if (f === 'leaky_relu' || f === 'elu') {
        choices.push(
          fc.tuple(g(s), fc.boolean()).map(([p, withParam]) => (withParam ? call(f, p, b.num(0.2)) : call(f, p))),
        );
      } else if (f === 'log' || f === 'sqrt' || f === 'log1p') {
        choices.push(g(s).map((p) => call(f, pos(p))));
      } else if (f === 'tan') {
        choices.push(g(s).map((p) => call(f, safe ? call('tanh', p) : p)));
      } else if (f === 'asin' || f === 'acos') {
        // Inside (-1, 1) and away from its ends, where the derivative grows without bound.
        choices.push(g(s).map((p) => call(f, safe ? b.mul(b.num(0.5), call('tanh', p)) : p)));
      } else {
        choices.push(g(s).map((p) => call(f, p)));
      }
    }
    for (const f of ['maximum', 'minimum'] as const)
      if (on(f)) choices.push(fc.tuple(g(s), g(s)).map(([p, q]) => call(f, p, q)));
    // Reductions along a dim: a row from dim 0 of a matrix with its columns, a vector from dim 1 of one with its rows.
    const axis = AXIS_REDUCTIONS.filter(on);
    if (axis.length > 0 && (s.kind === 'row' || s.kind === 'vector')) {
      const sources = [...new Set<Dim>([n, m])]
        .map((d) => (s.kind === 'row' ? matrixShape(d, c) : matrixShape(r, d)))
        .filter(inUniverse);
      choices.push(
        fc
          .tuple(fc.constantFrom(...axis), anyOf(sources, k))
          .map(([f, p]) => call(f, p, b.num(s.kind === 'row' ? 0 : 1))),
      );
    }

    if (isScalar) {
      for (const f of ['sum', 'norm1', 'norm2', 'mean', 'var', 'std', 'max', 'min'] as const)
        if (on(f)) choices.push(anyOf(nonScalar, k).map((p) => call(f, p)));
      if (on('tr')) choices.push(anyOf(square, k).map((p) => call('tr', p)));
      if (on('det')) choices.push(anyOf(square, k).map((p) => call('det', spd(p))));
      if (on('logdet')) choices.push(anyOf(square, k).map((p) => call('logdet', spd(p))));
      if (on('logsumexp')) choices.push(anyOf(vectors, k).map((p) => call('logsumexp', p)));
      if (on('norm'))
        choices.push(
          fc.tuple(anyOf(vectors, k), fc.constantFrom(1.5, 3, 4)).map(([p, q]) => call('norm', p, b.num(q))),
        );
      // Product dimensions only under a reduction.
      const reducers = (['sum', 'norm2'] as const).filter(on);
      if (on('kron') && reducers.length > 0) {
        choices.push(
          fc
            .tuple(fc.constantFrom(...reducers), anyOf(nonScalar, k), anyOf(nonScalar, k))
            .map(([f, p, q]) => call(f, call('kron', p, q))),
        );
      }
      if (on('kron') && on('tr')) {
        choices.push(fc.tuple(anyOf(square, k), anyOf(square, k)).map(([p, q]) => call('tr', call('kron', p, q))));
      }
      if (on('vec') && reducers.length > 0) {
        choices.push(
          fc.tuple(fc.constantFrom(...reducers), anyOf(nonScalar, k)).map(([f, p]) => call(f, call('vec', p))),
        );
      }
    }
    // Along a dim of a batch: softmax(X, 1) row by row, logsumexp(X, 0) column by column.
    if (s.kind === 'matrix') {
      for (const f of ['softmax', 'log_softmax'] as const) {
        if (on(f)) choices.push(fc.tuple(g(s), fc.constantFrom(0, 1)).map(([p, dim]) => call(f, p, b.num(dim))));
      }
    }
    // logsumexp of each row (a vector) or of each column (a row), as the reductions along a dim.
    if (on('logsumexp') && (s.kind === 'row' || s.kind === 'vector')) {
      const sources = [...new Set<Dim>([n, m])]
        .map((d) => (s.kind === 'row' ? matrixShape(d, c) : matrixShape(r, d)))
        .filter(inUniverse);
      choices.push(anyOf(sources, k).map((p) => call('logsumexp', p, b.num(s.kind === 'row' ? 0 : 1))));
    }
    if (isSquare) {
      if (on('inv')) choices.push(g(s).map((p) => call('inv', spd(p))));
      if (on('diag')) choices.push(g(vectorShape(r)).map((p) => call('diag', p)));
    }
    if (s.kind === 'vector') {
      if (on('diag')) choices.push(g(matrixShape(r, r)).map((p) => call('diag', p)));
      if (on('softmax')) choices.push(g(s).map((p) => call('softmax', p)));
      if (on('log_softmax')) choices.push(g(s).map((p) => call('log_softmax', p)));
      if (on('vec')) choices.push(g(rowShape(r)).map((p) => call('vec', p)));
    }

    if (choices.length === 0) return leaf(s);
    return fc.oneof(
      { arbitrary: leaf(s), weight: Math.max(1, Math.floor(choices.length / 3)) },
      ...choices.map((o) => ({ arbitrary: o, weight: 1 })),
    );
  };

  if (opts.shape !== undefined) {
    if (!inUniverse(opts.shape))
      throw new Error(`arbExpr: shape ${shapeKey(opts.shape)} is not one of the generator's shapes`);
    return gen(opts.shape, depth);
  }
  return anyOf(universe, depth);
}

// ---------------------------------------------------------------------------------------------
// Running properties

export interface PropertyParams {
  readonly seed: number;
  readonly numRuns: number;
}

/** Runs from MATCALC_PROPERTY_RUNS (default 200), seed from MATCALC_PROPERTY_SEED (default fixed; 'random' for a fresh one). */
export function propertyParams(defaultRuns = 200): PropertyParams {
  const runs = Number(process.env.MATCALC_PROPERTY_RUNS ?? defaultRuns);
  const seedEnv = process.env.MATCALC_PROPERTY_SEED;
  const seed =
    seedEnv === 'random'
      ? Math.floor(Math.random() * 0x7fffffff)
      : seedEnv !== undefined && seedEnv !== ''
        ? Number(seedEnv)
        : 20261125;
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`MATCALC_PROPERTY_RUNS must be a positive integer, not ${process.env.MATCALC_PROPERTY_RUNS}`);
  if (!Number.isInteger(seed)) throw new Error(`MATCALC_PROPERTY_SEED must be an integer, not ${seedEnv}`);
  return { seed, numRuns: runs };
}

/** fc.assert with propertyParams; a failure names the seed and how to replay it. */
export function assertProperty<Ts>(property: fc.IProperty<Ts>, params: Partial<fc.Parameters<Ts>> = {}): void {
  const p = { ...propertyParams(), ...params };
  try {
    fc.assert(property, p);
  } catch (err) {
    if (err instanceof Error)
      err.message = `property failed with seed ${p.seed} (replay: MATCALC_PROPERTY_SEED=${p.seed})\n${err.message}`;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Programs

/** A random program and the expression it spells. */
export interface ArbProgram {
  /** The program's text: definitions s1, s2, … of some subexpressions, then the function. */
  readonly text: string;
  /** The function, every definition inlined. */
  readonly expr: Expr;
}

const isLeaf = (e: Expr): boolean =>
  e.kind === 'var' || e.kind === 'const' || e.kind === 'zero' || e.kind === 'ones' || e.kind === 'eye';

/**
 * A random program: an arbitrary expression (see arbExpr) with a random choice of its inner nodes
 * given names s1, s2, … Each definition is printed over the names before it; the function comes last,
 * or first followed by `where` (the definitions then in reverse order, which the where-form allows).
 */
export function arbProgram(opts: ArbExprOptions = {}): fc.Arbitrary<ArbProgram> {
  return fc
    .tuple(arbExpr(opts), fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }), fc.boolean())
    .map(([e, picks, where]) => {
      const shown = new Map<Expr, Expr>();
      const lines: string[] = [];
      let i = 0;
      for (const n of postorder(e)) {
        const kids = children(n);
        const body =
          kids.length === 0
            ? n
            : b.rebuild(
                n,
                kids.map((k) => shown.get(k)!),
              );
        if (n === e || isLeaf(n) || !picks[i++ % picks.length]) {
          shown.set(n, body);
          continue;
        }
        const name = `s${lines.length + 1}`;
        lines.push(`${name} = ${toText(body)}`);
        shown.set(n, b.variable(name, n.shape));
      }
      const fn = toText(shown.get(e)!);
      const text =
        lines.length === 0 ? fn : where ? `${fn} where ${[...lines].reverse().join('; ')}` : [...lines, fn].join('\n');
      return { text, expr: e };
    });
}
