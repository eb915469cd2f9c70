/**
 * evaluate() against plain loops written here, independently of src/: products of every kind,
 * transposes, elementwise operations and functions, reductions, det by cofactor expansion, inverses
 * by A*inv(A) = I, softmax/logsumexp, kron and vec entries; dimension binding and its errors; domain
 * errors; and the random point generator's domains.
 *
 * Property tests are seeded (test/helpers/generators.ts: a fixed default seed, the seed in every
 * failure message, MATCALC_PROPERTY_SEED=<n> or 'random' to replay or explore); their number of
 * runs scales with MATCALC_PROPERTY_RUNS (default 30 here).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, RequestError, ShapeError } from '../../src/errors.js';
import { erfByQuadrature } from '../helpers/points.js';
import {
  add,
  call,
  div,
  ediv,
  emul,
  epow,
  eye,
  mul,
  neg,
  num,
  ones,
  pow,
  sub,
  transpose,
  variable,
  zero,
} from '../../src/ir/build.js';
import type { Expr, Prop } from '../../src/ir/expr.js';
import { ELEMENTWISE, type FnName } from '../../src/ir/functions.js';
import { dimNamesOf, postorder, varsOf } from '../../src/ir/walk.js';
import { type Env, evaluate } from '../../src/numeric/evaluate.js';
import { defaultDims, randomPoint, rng } from '../../src/numeric/random.js';
import { type Tensor, tensor } from '../../src/numeric/tensor.js';
import { SCALAR, matrixShape, mulDim, rowShape, vectorShape } from '../../src/shape/shape.js';
import { assertProperty, propertyParams } from '../helpers/generators.js';

// ---------------------------------------------------------------------------------------------
// Property-test harness

const PARAMS = propertyParams(30);
const SEED = PARAMS.seed;

function check<T>(arb: fc.Arbitrary<T>, body: (v: T) => void): void {
  assertProperty(fc.property(arb, body), PARAMS);
}

const entry = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
const list = (n: number) => fc.array(entry, { minLength: n, maxLength: n });
const size = fc.integer({ min: 1, max: 4 });

// ---------------------------------------------------------------------------------------------
// Independent reference code

type Rows = number[][];

const rows = (data: ArrayLike<number>, m: number, n: number): Rows =>
  Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => data[i * n + j]!));

function refMatmul(a: Rows, b: Rows): Rows {
  return a.map((ai) => b[0]!.map((_, j) => ai.reduce((s, aik, k) => s + aik * b[k]![j]!, 0)));
}

const refTranspose = (a: Rows): Rows => a[0]!.map((_, j) => a.map((ai) => ai[j]!));

/** Laplace (cofactor) expansion along the first row. */
function refDet(a: Rows): number {
  if (a.length === 1) return a[0]![0]!;
  return a[0]!.reduce((s, a0j, j) => s + (j % 2 === 0 ? 1 : -1) * a0j * refDet(minor(a, 0, j)), 0);
}

const minor = (a: Rows, i: number, j: number): Rows =>
  a.filter((_, r) => r !== i).map((row) => row.filter((_, c) => c !== j));

const flat = (a: Rows): number[] => a.flat();

const env = (o: Record<string, Tensor>): Env => new Map(Object.entries(o));

/** Entry-wise closeness, relative to max(1, |expected|). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!,
      a = actual[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`entry ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

// Variables used throughout: dims m, k, n, p, q are independent names.
const A = variable('A', matrixShape('m', 'k'));
const B = variable('B', matrixShape('k', 'n'));
const S = variable('S', matrixShape('n', 'n'));
const x = variable('x', vectorShape('k'));
const y = variable('y', vectorShape('m'));
const a = variable('a', SCALAR);

// ---------------------------------------------------------------------------------------------

describe('evaluate: products and transposes against plain loops', () => {
  const mkn = fc.tuple(size, size, size).chain(([m, k, n]) =>
    fc.record({
      m: fc.constant(m),
      k: fc.constant(k),
      n: fc.constant(n),
      A: list(m * k),
      B: list(k * n),
      x: list(k),
      y: list(m),
      a: entry,
    }),
  );

  it('matrix * matrix', () => {
    check(mkn, (v) => {
      const out = evaluate(mul(A, B), env({ A: tensor([v.m, v.k], v.A), B: tensor([v.k, v.n], v.B) }));
      expect(out.dims).toEqual([v.m, v.n]);
      expectClose(out.data, flat(refMatmul(rows(v.A, v.m, v.k), rows(v.B, v.k, v.n))));
    });
  });

  it('matrix * vector, row * matrix, row * vector, vector * row, scalar * matrix', () => {
    check(mkn, (v) => {
      const at = env({
        A: tensor([v.m, v.k], v.A),
        x: tensor([v.k], v.x),
        y: tensor([v.m], v.y),
        a: tensor([], [v.a]),
      });
      const Ar = rows(v.A, v.m, v.k);
      const Ax = flat(
        refMatmul(
          Ar,
          v.x.map((t) => [t]),
        ),
      );
      const yA = flat(refMatmul([v.y], Ar));
      expectClose(evaluate(mul(A, x), at).data, Ax);
      expectClose(evaluate(mul(transpose(y), A), at).data, yA);
      const quad = evaluate(mul(mul(transpose(y), A), x), at);
      expect(quad.dims).toEqual([]);
      expectClose(quad.data, [v.y.reduce((s, yi, i) => s + yi * Ax[i]!, 0)]);
      const outer = evaluate(mul(y, transpose(x)), at);
      expect(outer.dims).toEqual([v.m, v.k]);
      expectClose(
        outer.data,
        v.y.flatMap((yi) => v.x.map((xj) => yi * xj)),
      );
      expectClose(
        evaluate(mul(a, A), at).data,
        v.A.map((t) => v.a * t),
      );
      expectClose(
        evaluate(mul(A, a), at).data,
        v.A.map((t) => v.a * t),
      );
    });
  });

  it("transpose: A' swaps the indices; x' has the data of x", () => {
    check(mkn, (v) => {
      const at = env({ A: tensor([v.m, v.k], v.A), x: tensor([v.k], v.x) });
      const t = evaluate(transpose(A), at);
      expect(t.dims).toEqual([v.k, v.m]);
      expectClose(t.data, flat(refTranspose(rows(v.A, v.m, v.k))));
      const xt = evaluate(transpose(x), at);
      expect(xt.dims).toEqual([v.k]);
      expectClose(xt.data, v.x);
      // (A'*y')' round trip through a matrix product: (y'*A)' = A'*y
      const at2 = env({ A: tensor([v.m, v.k], v.A), y: tensor([v.m], v.y) });
      expectClose(evaluate(transpose(mul(transpose(y), A)), at2).data, evaluate(mul(transpose(A), y), at2).data, 1e-12);
    });
  });
});

describe('evaluate: elementwise operations', () => {
  const two = fc
    .tuple(size, size)
    .chain(([m, k]) => fc.record({ m: fc.constant(m), k: fc.constant(k), A: list(m * k), C: list(m * k), a: entry }));
  const C = variable('C', matrixShape('m', 'k'));

  it('add, sub, neg, .*, ./, .^ and scalar broadcasting', () => {
    check(two, (v) => {
      const denom = v.C.map((c) => Math.abs(c) + 0.5);
      const base = v.A.map((t) => Math.abs(t) + 0.1);
      const at = env({ A: tensor([v.m, v.k], v.A), C: tensor([v.m, v.k], denom), a: tensor([], [v.a]) });
      const atPos = env({ A: tensor([v.m, v.k], base), C: tensor([v.m, v.k], v.C), a: tensor([], [v.a]) });
      expectClose(
        evaluate(add(A, C), at).data,
        v.A.map((t, i) => t + denom[i]!),
      );
      expectClose(
        evaluate(sub(A, C), at).data,
        v.A.map((t, i) => t - denom[i]!),
      );
      expectClose(
        evaluate(neg(A), at).data,
        v.A.map((t) => -t),
      );
      expectClose(
        evaluate(emul(A, C), at).data,
        v.A.map((t, i) => t * denom[i]!),
      );
      expectClose(
        evaluate(ediv(A, C), at).data,
        v.A.map((t, i) => t / denom[i]!),
      );
      expectClose(
        evaluate(add(a, A), at).data,
        v.A.map((t) => v.a + t),
      );
      expectClose(
        evaluate(add(A, a), at).data,
        v.A.map((t) => t + v.a),
      );
      expectClose(
        evaluate(div(A, num(4)), at).data,
        v.A.map((t) => t / 4),
      );
      expectClose(
        evaluate(epow(A, C), atPos).data,
        base.map((t, i) => t ** v.C[i]!),
        1e-12,
      );
      expectClose(
        evaluate(epow(A, num(3)), at).data,
        v.A.map((t) => t * t * t),
        1e-12,
      );
      expectClose(
        evaluate(epow(num(2), A), at).data,
        v.A.map((t) => 2 ** t),
        1e-12,
      );
    });
  });

  // Naive textbook forms: fine on [-3, 3], independent of the stable kernels in src/.
  const REF: Record<string, (t: number, p?: number) => number> = {
    exp: Math.exp,
    log: Math.log,
    sqrt: Math.sqrt,
    sin: Math.sin,
    cos: Math.cos,
    tan: Math.tan,
    tanh: (t) => (Math.exp(t) - Math.exp(-t)) / (Math.exp(t) + Math.exp(-t)),
    abs: (t) => (t < 0 ? -t : t),
    sign: (t) => (t > 0 ? 1 : t < 0 ? -1 : 0),
    sigmoid: (t) => 1 / (1 + Math.exp(-t)),
    relu: (t) => (t > 0 ? t : 0),
    softplus: (t) => Math.log(1 + Math.exp(t)),
    step: (t) => (t > 0 ? 1 : 0),
    leaky_relu: (t, p = 0.01) => (t > 0 ? t : p * t),
    elu: (t, p = 1) => (t > 0 ? t : p * (Math.exp(t) - 1)),
    sinh: (t) => (Math.exp(t) - Math.exp(-t)) / 2,
    cosh: (t) => (Math.exp(t) + Math.exp(-t)) / 2,
    asin: (t) => Math.atan2(t, Math.sqrt(1 - t * t)),
    acos: (t) => Math.atan2(Math.sqrt(1 - t * t), t),
    atan: (t) => Math.atan2(t, 1),
    erf: erfByQuadrature,
    gelu: (t) => (t * (1 + erfByQuadrature(t / Math.SQRT2))) / 2,
    silu: (t) => t / (1 + Math.exp(-t)),
    softsign: (t) => t / (1 + Math.abs(t)),
    log1p: (t) => Math.log(1 + t),
    expm1: (t) => Math.exp(t) - 1,
  };

  it('every elementwise function matches its textbook formula (inputs inside each domain)', () => {
    expect(Object.keys(REF).sort()).toEqual([...ELEMENTWISE].sort());
    check(
      fc.tuple(size).chain(([k]) => fc.record({ k: fc.constant(k), x: list(k) })),
      (v) => {
        for (const fn of ELEMENTWISE) {
          const xs =
            fn === 'log' || fn === 'sqrt' || fn === 'log1p'
              ? v.x.map((t) => Math.abs(t) + 0.1)
              : fn === 'tan' || fn === 'asin' || fn === 'acos'
                ? v.x.map((t) => t / 3)
                : v.x;
          const got = evaluate(call(fn, [x]), env({ x: tensor([v.k], xs) }));
          expectClose(
            got.data,
            xs.map((t) => REF[fn]!(t)),
            1e-12,
          );
        }
      },
    );
  });

  it('leaky_relu and elu take their parameter as a number', () => {
    const at = env({ x: tensor([3], [-2, 0.5, -0.1]) });
    expectClose(evaluate(call('leaky_relu', [x, num(0.2)]), at).data, [-0.4, 0.5, -0.02]);
    expectClose(evaluate(call('leaky_relu', [x]), at).data, [-0.02, 0.5, -0.001]);
    expectClose(evaluate(call('elu', [x, num(0.3)]), at).data, [
      0.3 * (Math.exp(-2) - 1),
      0.5,
      0.3 * (Math.exp(-0.1) - 1),
    ]);
    // A variable parameter would need a derivative through it; the language takes numbers only.
    expect(() => call('elu', [x, a])).toThrow(/must be a number/);
  });

  it('sigmoid and softplus stay finite and accurate far from 0', () => {
    const at = env({ x: tensor([4], [-800, -40, 40, 800]) });
    expectClose(evaluate(call('sigmoid', [x]), at).data, [
      0,
      Math.exp(-40) / (1 + Math.exp(-40)),
      1 / (1 + Math.exp(-40)),
      1,
    ]);
    expectClose(evaluate(call('softplus', [x]), at).data, [
      0,
      Math.log1p(Math.exp(-40)),
      40 + Math.log1p(Math.exp(-40)),
      800,
    ]);
  });

  it('maximum and minimum are elementwise and broadcast a scalar (max in the IR is the reduction)', () => {
    check(two, (v) => {
      const at = env({ A: tensor([v.m, v.k], v.A), C: tensor([v.m, v.k], v.C) });
      expectClose(
        evaluate(call('maximum', [A, C]), at).data,
        v.A.map((t, i) => (t > v.C[i]! ? t : v.C[i]!)),
      );
      expectClose(
        evaluate(call('maximum', [num(0), A]), at).data,
        v.A.map((t) => (t > 0 ? t : 0)),
      );
      expectClose(
        evaluate(call('minimum', [A, C]), at).data,
        v.A.map((t, i) => (t < v.C[i]! ? t : v.C[i]!)),
      );
    });
  });
});

describe('evaluate: reductions and matrix functions', () => {
  const sq = size.chain((n) => fc.record({ n: fc.constant(n), S: list(n * n), shift: list(n * n) }));

  it('sum, norm1, norm2, tr', () => {
    check(sq, (v) => {
      const at = env({ S: tensor([v.n, v.n], v.S) });
      const one = (fn: FnName) => evaluate(call(fn, [S]), at).data[0]!;
      expectClose([one('sum')], [v.S.reduce((s, t) => s + t, 0)]);
      expectClose([one('norm1')], [v.S.reduce((s, t) => s + Math.abs(t), 0)]);
      expectClose([one('norm2')], [Math.sqrt(v.S.reduce((s, t) => s + t * t, 0))]);
      expectClose([one('tr')], [v.S.filter((_, i) => i % (v.n + 1) === 0).reduce((s, t) => s + t, 0)]);
    });
  });

  it('det by LU equals the cofactor expansion (1×1 to 4×4)', () => {
    check(sq, (v) => {
      const got = evaluate(call('det', [S]), env({ S: tensor([v.n, v.n], v.S) })).data[0]!;
      const want = refDet(rows(v.S, v.n, v.n));
      // Rounding is relative to the product of the row norms (Hadamard's bound on |det|).
      const hadamard = rows(v.S, v.n, v.n).reduce((p, r) => p * Math.max(1, Math.hypot(...r)), 1);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * hadamard);
    });
  });

  it('det of 2×2 and 3×3 by the explicit formulas', () => {
    const at2 = env({ S: tensor([2, 2], [3, 7, -2, 5]) });
    expect(evaluate(call('det', [S]), at2).data[0]).toBeCloseTo(3 * 5 - 7 * -2, 12);
    const [p, q, r, s, t, u, w, z, o] = [2, -1, 0.5, 4, 3, -2, 1, 6, -3];
    const at3 = env({ S: tensor([3, 3], [p, q, r, s, t, u, w, z, o]) });
    const rule = p * (t * o - u * z) - q * (s * o - u * w) + r * (s * z - t * w);
    expect(evaluate(call('det', [S]), at3).data[0]).toBeCloseTo(rule, 12);
  });

  it('inv: S*inv(S) = inv(S)*S = I for well-conditioned S', () => {
    check(sq, (v) => {
      const data = v.S.map((t, i) => (i % (v.n + 1) === 0 ? t + 2 * v.n + 4 : t));
      const inv = evaluate(call('inv', [S]), env({ S: tensor([v.n, v.n], data) }));
      const Sr = rows(data, v.n, v.n),
        Ir = rows(inv.data, v.n, v.n);
      const I = flat(
        rows(
          Array.from({ length: v.n * v.n }, (_, i) => (i % (v.n + 1) === 0 ? 1 : 0)),
          v.n,
          v.n,
        ),
      );
      expectClose(flat(refMatmul(Sr, Ir)), I, 1e-12);
      expectClose(flat(refMatmul(Ir, Sr)), I, 1e-12);
    });
  });

  it("logdet of B*B' + I is log of its cofactor determinant; pow by integers matches repeated products", () => {
    check(sq, (v) => {
      const Br = rows(v.S, v.n, v.n);
      const spd = refMatmul(Br, refTranspose(Br)).map((r, i) => r.map((t, j) => t + (i === j ? 1 : 0)));
      const at = env({ S: tensor([v.n, v.n], flat(spd)) });
      expectClose(evaluate(call('logdet', [S]), at).data, [Math.log(refDet(spd))], 1e-10);
      expectClose(evaluate(pow(S, num(3)), at).data, flat(refMatmul(refMatmul(spd, spd), spd)), 1e-10);
      const back = evaluate(mul(pow(S, num(-2)), pow(S, num(2))), at);
      expectClose(
        back.data,
        Array.from({ length: v.n * v.n }, (_, i) => (i % (v.n + 1) === 0 ? 1 : 0)),
        1e-9,
      );
    });
  });

  it('scalar ^ scalar, and tr/det/inv/logdet of a scalar are the number, itself, its reciprocal, its log', () => {
    const at = env({ a: tensor([], [2.5]) });
    const one = (e: Expr) => evaluate(e, at).data[0]!;
    expect(one(pow(a, num(1.5)))).toBeCloseTo(2.5 ** 1.5, 14);
    expect(one(call('tr', [a]))).toBe(2.5);
    expect(one(call('det', [a]))).toBe(2.5);
    expect(one(call('inv', [a]))).toBe(0.4);
    expect(one(call('logdet', [a]))).toBeCloseTo(Math.log(2.5), 14);
  });

  it('diag: vector → diagonal matrix, square matrix → its diagonal', () => {
    const at = env({ x: tensor([3], [1, -2, 5]), S: tensor([2, 2], [1, 2, 3, 4]) });
    const d = evaluate(call('diag', [x]), at);
    expect(d.dims).toEqual([3, 3]);
    expect([...d.data]).toEqual([1, 0, 0, 0, -2, 0, 0, 0, 5]);
    expect([...evaluate(call('diag', [S]), at).data]).toEqual([1, 4]);
  });

  it('softmax is positive, sums to 1, has ratios exp(x_i - x_j), and is shift-invariant even for huge shifts', () => {
    check(
      size.chain((k) => fc.record({ k: fc.constant(k), x: list(k) })),
      (v) => {
        const sm = evaluate(call('softmax', [x]), env({ x: tensor([v.k], v.x) })).data;
        expect(sm.every((t) => t > 0)).toBe(true);
        expectClose([sm.reduce((s, t) => s + t, 0)], [1], 1e-14);
        for (let i = 0; i < v.k; i++) expectClose([sm[i]! / sm[0]!], [Math.exp(v.x[i]! - v.x[0]!)], 1e-12);
        const shifted = evaluate(
          call('softmax', [x]),
          env({
            x: tensor(
              [v.k],
              v.x.map((t) => t + 1000),
            ),
          }),
        ).data;
        expectClose(shifted, sm, 1e-12);
      },
    );
  });

  it('logsumexp equals the naive log(sum(exp(x))) and is stable under a shift of 1000', () => {
    check(
      size.chain((k) => fc.record({ k: fc.constant(k), x: list(k) })),
      (v) => {
        const lse = (xs: number[]) => evaluate(call('logsumexp', [x]), env({ x: tensor([v.k], xs) })).data[0]!;
        const naive = Math.log(v.x.reduce((s, t) => s + Math.exp(t), 0));
        expectClose([lse(v.x)], [naive], 1e-13);
        expectClose([lse(v.x.map((t) => t + 1000))], [naive + 1000], 1e-13);
      },
    );
  });
});

describe('evaluate: softmax, log_softmax and logsumexp along a dim of a batch', () => {
  const B = variable('B', matrixShape('m', 'n'));
  const batch = fc
    .tuple(size, size)
    .chain(([m, n]) => fc.record({ m: fc.constant(m), n: fc.constant(n), data: list(m * n) }));
  const along = (fn: 'softmax' | 'log_softmax' | 'logsumexp', dim: number, t: Tensor) =>
    evaluate(call(fn, [B, num(dim)]), env({ B: t })).data;
  const ofVector = (fn: 'softmax' | 'log_softmax' | 'logsumexp', xs: number[]) => [
    ...evaluate(call(fn, [x]), env({ x: tensor([xs.length], xs) })).data,
  ];

  it('dim 1 is the vector function of each row, dim 0 of each column; log_softmax is stable under a shift of 1000', () => {
    check(batch, ({ m, n, data }) => {
      const t = tensor([m, n], data);
      const row = (i: number) => data.slice(i * n, (i + 1) * n);
      const col = (j: number) => Array.from({ length: m }, (_, i) => data[i * n + j]!);
      for (const fn of ['softmax', 'log_softmax'] as const) {
        const byRow = along(fn, 1, t),
          cols = along(fn, 0, t);
        for (let i = 0; i < m; i++) expectClose([...byRow.slice(i * n, (i + 1) * n)], ofVector(fn, row(i)), 1e-13);
        for (let j = 0; j < n; j++)
          expectClose(
            Array.from({ length: m }, (_, i) => cols[i * n + j]!),
            ofVector(fn, col(j)),
            1e-13,
          );
      }
      expectClose(
        [...along('logsumexp', 1, t)],
        Array.from({ length: m }, (_, i) => ofVector('logsumexp', row(i))[0]!),
        1e-13,
      );
      expectClose(
        [...along('logsumexp', 0, t)],
        Array.from({ length: n }, (_, j) => ofVector('logsumexp', col(j))[0]!),
        1e-13,
      );
      const shifted = tensor(
        [m, n],
        data.map((v) => v + 1000),
      );
      expectClose([...along('log_softmax', 1, shifted)], [...along('log_softmax', 1, t)], 1e-10);
    });
  });
});

describe('evaluate: kron and vec', () => {
  const P = variable('P', matrixShape('m', 'n'));
  const Q = variable('Q', matrixShape('p', 'q'));
  const mnpq = fc.tuple(size, size, size, size).chain(([m, n, p, q]) =>
    fc.record({
      m: fc.constant(m),
      n: fc.constant(n),
      p: fc.constant(p),
      q: fc.constant(q),
      P: list(m * n),
      Q: list(p * q),
    }),
  );

  it('kron(P, Q)[i*p + k, j*q + l] = P[i,j]*Q[k,l]', () => {
    check(mnpq, (v) => {
      const K = evaluate(call('kron', [P, Q]), env({ P: tensor([v.m, v.n], v.P), Q: tensor([v.p, v.q], v.Q) }));
      expect(K.dims).toEqual([v.m * v.p, v.n * v.q]);
      const cols = v.n * v.q;
      for (let i = 0; i < v.m; i++)
        for (let j = 0; j < v.n; j++)
          for (let k = 0; k < v.p; k++)
            for (let l = 0; l < v.q; l++) {
              expect(K.data[(i * v.p + k) * cols + j * v.q + l]).toBe(v.P[i * v.n + j]! * v.Q[k * v.q + l]!);
            }
    });
  });

  it("kron of vectors and rows: columns n×1, rows 1×n; kron(u, w') is the outer product u*w'", () => {
    const u = variable('u', vectorShape('m'));
    const w = variable('w', vectorShape('p'));
    const at = env({ u: tensor([2], [1, 2]), w: tensor([3], [3, 4, 5]) });
    const col = evaluate(call('kron', [u, w]), at);
    expect(col.dims).toEqual([6]);
    expect([...col.data]).toEqual([3, 4, 5, 6, 8, 10]);
    expect([...evaluate(call('kron', [transpose(u), transpose(w)]), at).data]).toEqual([3, 4, 5, 6, 8, 10]);
    const outer = evaluate(call('kron', [u, transpose(w)]), at);
    expect(outer.dims).toEqual([2, 3]);
    expect([...outer.data]).toEqual([...evaluate(mul(u, transpose(w)), at).data]);
  });

  it("vec stacks rows (row-major), so its data is the matrix's data", () => {
    check(mnpq, (v) => {
      const out = evaluate(call('vec', [P]), env({ P: tensor([v.m, v.n], v.P) }));
      expect(out.dims).toEqual([v.m * v.n]);
      expect([...out.data]).toEqual(v.P);
    });
    expect([...evaluate(call('vec', [P]), env({ P: tensor([2, 2], [1, 2, 3, 4]) })).data]).toEqual([1, 2, 3, 4]);
  });
});

describe('evaluate: structure', () => {
  it('zero, ones and eye take their sizes from the bound dims or from the given sizes', () => {
    const at = env({ S: tensor([2, 2], [1, 2, 3, 4]) });
    expect([...evaluate(add(S, eye('n')), at).data]).toEqual([2, 2, 3, 5]);
    const sizes = new Map([
      ['m', 2],
      ['k', 3],
    ]);
    const o = evaluate(ones(matrixShape('m', 'k')), new Map(), sizes);
    expect(o.dims).toEqual([2, 3]);
    expect([...o.data]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...evaluate(zero(rowShape('k')), new Map(), sizes).data]).toEqual([0, 0, 0]);
  });

  it('memoises shared nodes: 80 doublings of x evaluate in linear time to 2^80·x', () => {
    let e: Expr = x;
    for (let i = 0; i < 80; i++) e = add(e, e);
    expect(postorder(e)).toHaveLength(81);
    const t0 = performance.now();
    const out = evaluate(e, env({ x: tensor([2], [1.5, -3]) }));
    expect(performance.now() - t0).toBeLessThan(200);
    expect([...out.data]).toEqual([1.5 * 2 ** 80, -3 * 2 ** 80]);
  });

  it('varsOf lists each variable once, sorted by name; dimNamesOf lists every dim name', () => {
    const e = add(mul(mul(transpose(y), A), x), mul(mul(transpose(x), transpose(A)), y));
    expect(varsOf(e).map((v) => v.name)).toEqual(['A', 'x', 'y']);
    expect(dimNamesOf(call('kron', [A, B]))).toEqual(['k', 'm', 'n']);
  });
});

describe('evaluate: binding dimensions', () => {
  it('names the variable and the binding it contradicts', () => {
    const Bn = variable('B', matrixShape('n', 'n'));
    const yn = variable('y', vectorShape('n'));
    const at = env({ B: tensor([2, 2], [1, 0, 0, 1]), y: tensor([3], [1, 2, 3]) });
    expect(() => evaluate(mul(Bn, yn), at)).toThrow(ShapeError);
    expect(() => evaluate(mul(Bn, yn), at)).toThrow('y has length 3 but its declared shape needs n = 2 (bound by B)');
  });

  it('checks both axes of a matrix, and the rank of every value', () => {
    expect(() => evaluate(call('tr', [S]), env({ S: tensor([2, 3]) }))).toThrow(
      'S has 3 columns but its declared shape needs n = 2 (bound by S)',
    );
    expect(() => evaluate(mul(A, x), env({ A: tensor([3]), x: tensor([3]) }))).toThrow(
      'A is declared as an m×k matrix but its value is a list of 3 numbers',
    );
    expect(() => evaluate(mul(a, x), env({ a: tensor([1]), x: tensor([3]) }))).toThrow(
      'a is declared as a scalar but its value is a list of 1 numbers',
    );
    const fixed = variable('F', matrixShape(2, 'n'));
    expect(() => evaluate(call('sum', [fixed]), env({ F: tensor([3, 2]) }))).toThrow(
      'F has 3 rows but its declared shape needs 2',
    );
  });

  it('a product dim k·n is checked against its factors, or solves its one unknown factor', () => {
    const v = variable('v', vectorShape(mulDim('k', 'n')));
    const at = env({ A: tensor([2, 3], [1, 2, 3, 4, 5, 6]), v: tensor([6], [1, 1, 1, 1, 1, 1]) });
    const Akn = variable('A', matrixShape('k', 'n'));
    expect([...evaluate(add(call('vec', [Akn]), v), at).data]).toEqual([2, 3, 4, 5, 6, 7]);
    const bad = env({ A: tensor([2, 3]), v: tensor([5]) });
    expect(() => evaluate(add(call('vec', [Akn]), v), bad)).toThrow(
      'v has length 5 but its declared shape needs k·n = 6 (bound by A)',
    );
    // x binds k = 2, so v (length 6) gives n = 3, which sizes ones(n).
    const xk = variable('x', vectorShape('k'));
    const e = add(add(call('sum', [v]), call('sum', [xk])), call('sum', [ones(vectorShape('n'))]));
    expect(evaluate(e, env({ v: tensor([6], [1, 1, 1, 1, 1, 1]), x: tensor([2], [10, 20]) })).data[0]).toBe(6 + 30 + 3);
    expect(() => evaluate(e, env({ v: tensor([5]), x: tensor([2]) }))).toThrow(ShapeError);
  });

  it('a missing value, a dimension nothing fixes and a non-finite value are request errors', () => {
    expect(() => evaluate(mul(A, x), env({ A: tensor([2, 2]) }))).toThrow(new RequestError('no value for x'));
    expect(() => evaluate(eye('n'), new Map())).toThrow(RequestError);
    expect(() => evaluate(call('exp', [x]), env({ x: tensor([2], [1, NaN]) }))).toThrow(RequestError);
  });
});

describe('evaluate: domain errors', () => {
  const X = variable('X', matrixShape('n', 'n'));
  const singular = env({ X: tensor([2, 2], [1, 2, 2, 4]) });

  it('inv and negative powers of a singular matrix', () => {
    expect(() => evaluate(call('inv', [X]), singular)).toThrow(new DomainError('inv(X): the matrix is singular'));
    expect(() => evaluate(call('inv', [X]), env({ X: tensor([2, 2], [0.1, 0.2, 0.3, 0.6]) }))).toThrow(
      'inv(X): the matrix is singular',
    );
    expect(() => evaluate(pow(X, num(-1)), singular)).toThrow(DomainError);
    expect(() => evaluate(call('inv', [a]), env({ a: tensor([], [0]) }))).toThrow(DomainError);
    expect(evaluate(call('det', [X]), singular).data[0]).toBe(0);
  });

  it('logdet needs a positive determinant', () => {
    expect(() => evaluate(call('logdet', [X]), env({ X: tensor([2, 2], [-1, 0, 0, 1]) }))).toThrow(
      /logdet\(X\): the determinant is not positive/,
    );
    expect(() => evaluate(call('logdet', [X]), singular)).toThrow(DomainError);
  });

  it('log and sqrt outside their domains, division by zero, overflow, non-integer matrix powers', () => {
    const at = env({ a: tensor([], [-1]), x: tensor([2], [1, 0]), X: tensor([2, 2], [2, 0, 0, 2]) });
    expect(() => evaluate(call('log', [a]), at)).toThrow(/^log\(a\): log needs positive entries, but one is -1$/);
    expect(() => evaluate(call('log', [x]), at)).toThrow(DomainError);
    expect(() => evaluate(call('sqrt', [a]), at)).toThrow(DomainError);
    expect(() => evaluate(div(x, add(a, num(1))), at)).toThrow(/division by zero/);
    expect(() => evaluate(ediv(x, x), at)).toThrow(DomainError);
    expect(() => evaluate(call('exp', [mul(num(1000), x)]), at)).toThrow(
      /^exp\(1000\*x\): the result is not a finite number/,
    );
    expect(() => evaluate(pow(X, num(0.5)), at)).toThrow(/integer exponent/);
    expect(() => evaluate(pow(a, num(0.5)), at)).toThrow(DomainError);
  });

  it('asin and acos outside [-1, 1], log1p at or below -1', () => {
    const at = env({ a: tensor([], [-1]), x: tensor([2], [0.5, 2]) });
    expect(() => evaluate(call('asin', [x]), at)).toThrow(/^asin\(x\): asin needs entries in \[-1, 1\], but one is 2$/);
    expect(() => evaluate(call('acos', [x]), at)).toThrow(DomainError);
    expect(() => evaluate(call('log1p', [a]), at)).toThrow(/^log1p\(a\): log1p needs entries above -1, but one is -1$/);
    expect(evaluate(call('asin', [a]), at).data[0]).toBe(-Math.PI / 2);
  });
});

describe('randomPoint and defaultDims', () => {
  const n = 4;
  const sizes = new Map([
    ['n', n],
    ['m', 3],
  ]);
  const decl = (props: Prop[]) => variable('M', matrixShape('n', 'n'), props);
  const at = (props: Prop[], seed: number) => randomPoint([decl(props)], sizes, seed).get('M')!;
  const cell = (t: Tensor, i: number, j: number) => t.data[i * n + j]!;
  const seeds = Array.from({ length: 20 }, (_, i) => SEED + i);

  /** Cholesky succeeds (all pivots positive) exactly when a symmetric matrix is positive definite. */
  function choleskyOk(t: Tensor): boolean {
    const L = new Array<number>(n * n).fill(0);
    for (let j = 0; j < n; j++) {
      let d = cell(t, j, j);
      for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
      if (!(d > 0)) return false;
      L[j * n + j] = Math.sqrt(d);
      for (let i = j + 1; i < n; i++) {
        let s = cell(t, i, j);
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
    return true;
  }

  const symmetric = (t: Tensor) =>
    Array.from(
      { length: n * n },
      (_, k) => cell(t, Math.floor(k / n), k % n) === cell(t, k % n, Math.floor(k / n)),
    ).every(Boolean);

  it('is deterministic per seed, and a new variable does not change the others', () => {
    const x3 = variable('x', vectorShape('m'));
    expect([...at([], 7).data]).toEqual([...at([], 7).data]);
    expect([...at([], 7).data]).not.toEqual([...at([], 8).data]);
    const both = randomPoint([decl([]), x3], sizes, 7);
    expect([...both.get('M')!.data]).toEqual([...at([], 7).data]);
    expect(both.get('x')!.dims).toEqual([3]);
  });

  it('samples each domain: spd, invertible, symmetric, diagonal, positive', () => {
    for (const seed of seeds) {
      const spd = at(['spd', 'symmetric'], seed);
      expect(symmetric(spd) && choleskyOk(spd)).toBe(true);
      const inv = at(['invertible'], seed);
      expect(Math.abs(refDet(rows(inv.data, n, n)))).toBeGreaterThan(1);
      const sym = at(['symmetric'], seed);
      expect(symmetric(sym)).toBe(true);
      const dg = at(['diagonal'], seed);
      expect(Array.from(dg.data).every((t, k) => k % (n + 1) === 0 || t === 0)).toBe(true);
      const dgInv = at(['diagonal', 'invertible'], seed);
      expect(Array.from(dgInv.data).every((t, k) => (k % (n + 1) === 0 ? Math.abs(t) >= 0.5 : t === 0))).toBe(true);
      expect(at(['positive'], seed).data.every((t) => t > 0)).toBe(true);
      const posSymInv = at(['positive', 'symmetric', 'invertible'], seed);
      expect(symmetric(posSymInv) && posSymInv.data.every((t) => t > 0)).toBe(true);
      const c = randomPoint([variable('c', SCALAR, ['spd'])], sizes, seed).get('c')!;
      expect(c.dims).toEqual([]);
      expect(c.data[0]).toBeGreaterThan(0);
    }
  });

  it('draws standard normals', () => {
    const r = rng(SEED);
    const xs = Array.from({ length: 20000 }, r.normal);
    const mean = xs.reduce((s, t) => s + t, 0) / xs.length;
    const variance = xs.reduce((s, t) => s + (t - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('defaultDims gives every name a size in 2..4 (distinct for up to three names) and sizes product dims', () => {
    const P = variable('P', matrixShape('m', 'n'));
    const Q = variable('Q', matrixShape('p', 'q'));
    for (const seed of seeds.slice(0, 5)) {
      const three = defaultDims(mul(A, B), seed);
      const sz = ['k', 'm', 'n'].map((d) => three.get(d)!);
      expect(new Set(sz).size).toBe(3);
      expect(sz.every((s) => s >= 2 && s <= 4)).toBe(true);
      const e = call('kron', [P, Q]);
      const four = defaultDims(e, seed);
      expect(four.get('m·p')).toBe(four.get('m')! * four.get('p')!);
      // A random point at those sizes evaluates, so every dimension is consistent.
      const value = evaluate(e, randomPoint(varsOf(e), four, seed));
      expect(value.dims).toEqual([four.get('m·p'), four.get('n·q')]);
    }
  });
});
