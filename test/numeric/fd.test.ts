/**
 * The finite-difference checker, tested on functions whose derivatives are known independently
 * (Matrix Cookbook identities, computed here with plain loops): it must accept the right
 * derivative, reject a wrong one (A for A', the column-major layout for the row-major one), and
 * neither cry wolf on smooth functions nor be fooled at kinks.
 *
 * Points are seeded from propertyParams (test/helpers/generators.ts: fixed by default,
 * MATCALC_PROPERTY_SEED to replay or explore); a failure names the seed of the failing point.
 * MATCALC_PROPERTY_RUNS scales the number of points (default 8 here).
 */
import { describe, expect, it } from 'vitest';
import { add, call, emul, epow, mul, num, transpose, variable } from '../../src/ir/build.js';
import type { Expr, Prop } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { type Env, evaluator } from '../../src/numeric/evaluate.js';
import {
  NearKinkError,
  ORDER1,
  ORDER2,
  compareTensors,
  fdDirectional,
  fdJacobian,
  fdJacobianChecked,
  fdLooksSmooth,
  fdSecond,
} from '../../src/numeric/fd.js';
import { randomPoint, rng } from '../../src/numeric/random.js';
import { type Tensor, reshape, tensor } from '../../src/numeric/tensor.js';
import { SCALAR, matrixShape, vectorShape } from '../../src/shape/shape.js';
import { propertyParams } from '../helpers/generators.js';

const { seed: SEED, numRuns: RUNS } = propertyParams(8);
const seeds = Array.from({ length: RUNS }, (_, i) => (SEED + 7919 * i) % 0x7fffffff);

/** Runs `body` at each seed, naming the seed when it fails. */
function eachSeed(body: (seed: number) => void): void {
  for (const seed of seeds) {
    try {
      body(seed);
    } catch (e) {
      throw new Error(
        `failed at seed ${seed}; replay with MATCALC_PROPERTY_SEED=${seed} MATCALC_PROPERTY_RUNS=1\n${(e as Error).message}`,
      );
    }
  }
}

const sizes = new Map([
  ['n', 3],
  ['k', 2],
  ['m', 4],
]);
const pointFor = (e: Expr, seed: number): Env => randomPoint(varsOf(e), sizes, seed);

/** A readable assertion: compareTensors must accept. */
function expectAgree(actual: Tensor, expected: Tensor, tol = ORDER1): void {
  const c = compareTensors(actual, expected, tol);
  if (!c.ok) throw new Error(`disagree at [${c.worstIndex.join(',')}]: relative error ${c.maxError}`);
}

// Plain reference loops (row-major n×n unless said otherwise).
const at2 = (t: Tensor, i: number, j: number) => t.data[i * t.dims[1]! + j]!;
const T = (dims: number[], f: (...idx: number[]) => number): Tensor => {
  const total = dims.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: total }, (_, flat) => {
    const idx: number[] = [];
    for (let k = dims.length - 1, r = flat; k >= 0; k--) {
      idx[k] = r % dims[k]!;
      r = Math.floor(r / dims[k]!);
    }
    return f(...idx);
  });
  return tensor(dims, data);
};
function cofactors(X: Tensor): Tensor {
  const n = X.dims[0]!;
  const det = (m: number[][]): number =>
    m.length === 1
      ? m[0]![0]!
      : m[0]!.reduce(
          (s, v, j) => s + (j % 2 ? -1 : 1) * v * det(m.slice(1).map((r) => r.filter((_, c) => c !== j))),
          0,
        );
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => at2(X, i, j)));
  return T(
    [n, n],
    (i, j) => ((i + j) % 2 ? -1 : 1) * det(rows.filter((_, r) => r !== i).map((r) => r.filter((_, c) => c !== j))),
  );
}

const x = variable('x', vectorShape('n'));
const z = variable('z', vectorShape('n'));
const A = variable('A', matrixShape('n', 'n'));
const X = variable('X', matrixShape('n', 'n'), ['invertible']);
const W = variable('W', matrixShape('k', 'n'));

describe('fdJacobian agrees with derivatives known from the Matrix Cookbook', () => {
  it('d/dx sum(exp(x)) = exp(x)', () => {
    const f = call('sum', [call('exp', [x])]);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const g = fdJacobian(evaluator(f), at, 'x');
      expect(g.dims).toEqual([3]);
      expectAgree(
        g,
        T([3], (i) => Math.exp(at.get('x')!.data[i]!)),
      );
    });
  });

  it("Cookbook (100): d tr(A*X)/dX = A', and A itself is rejected", () => {
    const f = call('tr', [mul(A, X)]);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const a = at.get('A')!;
      const g = fdJacobian(evaluator(f), at, 'X');
      expectAgree(
        g,
        T([3, 3], (i, j) => at2(a, j, i)),
      );
      const wrong = compareTensors(a, g);
      expect(wrong.ok).toBe(false);
      expect(wrong.maxError).toBeGreaterThan(1e-2);
    });
  });

  it("Cookbook (49): d det(X)/dX = det(X)*inv(X)' = the cofactor matrix", () => {
    const f = call('det', [X]);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const C = cofactors(at.get('X')!);
      expectAgree(fdJacobian(evaluator(f), at, 'X'), C);
      expect(
        compareTensors(
          T([3, 3], (i, j) => at2(C, j, i)),
          fdJacobian(evaluator(f), at, 'X'),
        ).ok,
      ).toBe(false);
    });
  });

  it("Cookbook (81): d(x'*A*x)/dx = (A + A')*x, and 2*A*x is rejected", () => {
    const f = mul(mul(transpose(x), A), x);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const a = at.get('A')!,
        xv = at.get('x')!.data;
      const g = fdJacobian(evaluator(f), at, 'x');
      const sumOver = (h: (i: number, j: number) => number) =>
        T([3], (i) => [0, 1, 2].reduce((s, j) => s + h(i, j) * xv[j]!, 0));
      expectAgree(
        g,
        sumOver((i, j) => at2(a, i, j) + at2(a, j, i)),
      );
      expect(
        compareTensors(
          sumOver((i, j) => 2 * at2(a, i, j)),
          g,
        ).ok,
      ).toBe(false);
    });
  });

  it("d(W*x)/dW has dims k×k×n; as k×(k·n), row i holds x' in block i (not the column-major kron(x', I))", () => {
    const f = mul(W, x);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const xv = at.get('x')!.data;
      const J = fdJacobian(evaluator(f), at, 'W');
      expect(J.dims).toEqual([2, 2, 3]);
      expectAgree(
        J,
        T([2, 2, 3], (i, a, b) => (i === a ? xv[b]! : 0)),
      );
      const flatJ = reshape(J, [2, 6]);
      expectAgree(
        flatJ,
        T([2, 6], (i, c) => (Math.floor(c / 3) === i ? xv[c % 3]! : 0)),
      );
      // Cookbook's column-stacking vec: kron(x', eye(k)) has entry [i, b*k + a] = x_b δ_ia.
      expect(
        compareTensors(
          T([2, 6], (i, c) => (c % 2 === i ? xv[Math.floor(c / 2)]! : 0)),
          flatJ,
        ).ok,
      ).toBe(false);
    });
  });

  it("d logdet(X)/dX = inv(X)' for spd X (checked as X'*G = I)", () => {
    const S = variable('S', matrixShape('n', 'n'), ['spd', 'symmetric']);
    const f = call('logdet', [S]);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const s = at.get('S')!;
      const G = fdJacobian(evaluator(f), at, 'S');
      // G = inv(S)' ⇔ S'*G = I.
      const prod = T([3, 3], (i, j) => [0, 1, 2].reduce((acc, k) => acc + at2(s, k, i) * at2(G, k, j), 0));
      expectAgree(
        prod,
        T([3, 3], (i, j) => (i === j ? 1 : 0)),
      );
    });
  });
});

describe('second derivatives', () => {
  it('Hessian of sum(exp(z)) = diag(exp(z)), by second differences and by differencing the gradient', () => {
    const f = call('sum', [call('exp', [z])]);
    const grad = call('exp', [z]);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const zv = at.get('z')!.data;
      const H = T([3, 3], (i, j) => (i === j ? Math.exp(zv[i]!) : 0));
      const h2 = fdSecond(evaluator(f), at, 'z');
      expect(h2.dims).toEqual([3, 3]);
      expectAgree(h2, H, ORDER2);
      expectAgree(fdJacobian(evaluator(grad), at, 'z'), H, ORDER1);
      expect(
        compareTensors(
          T([3, 3], () => Math.exp(zv[0]!)),
          h2,
          ORDER2,
        ).ok,
      ).toBe(false);
    });
  });

  it("mixed: ∂²(x'*A*y)/∂x∂y = A, in the layout dims(f) + dims(x) + dims(y)", () => {
    const y = variable('y', vectorShape('m'));
    const B = variable('B', matrixShape('n', 'm'));
    const f = mul(mul(transpose(x), B), y);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const H = fdSecond(evaluator(f), at, 'x', { wrt2: 'y' });
      expect(H.dims).toEqual([3, 4]);
      expectAgree(H, at.get('B')!, ORDER2);
    });
  });

  it('second derivative of a vector function: d²(x.*x.*x)/dx² has dims n×n×n with 6x_i at [i,i,i]', () => {
    const f = emul(emul(x, x), x);
    eachSeed((seed) => {
      const at = pointFor(f, seed);
      const xv = at.get('x')!.data;
      expectAgree(
        fdSecond(evaluator(f), at, 'x'),
        T([3, 3, 3], (i, a, b) => (i === a && a === b ? 6 * xv[i]! : 0)),
        ORDER2,
      );
    });
  });
});

describe('fdDirectional', () => {
  it("equals J*v: for x'*A*x, ((A + A')*x)·v; for W*x along V, V*x", () => {
    const q = mul(mul(transpose(x), A), x);
    const lin = mul(W, x);
    eachSeed((seed) => {
      const at = pointFor(add(q, call('sum', [lin])), seed);
      const a = at.get('A')!,
        xv = at.get('x')!.data;
      const v = randomPoint([variable('v', vectorShape('n'))], sizes, seed + 1).get('v')!;
      const d = fdDirectional(evaluator(q), at, 'x', v);
      expect(d.dims).toEqual([]);
      let want = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) want += (at2(a, i, j) + at2(a, j, i)) * xv[j]! * v.data[i]!;
      expectAgree(d, tensor([], [want]));
      const V = randomPoint([variable('V', matrixShape('k', 'n'))], sizes, seed + 2).get('V')!;
      expectAgree(
        fdDirectional(evaluator(lin), at, 'W', V),
        T([2], (i) => [0, 1, 2].reduce((s, j) => s + at2(V, i, j) * xv[j]!, 0)),
      );
    });
  });
});

describe('compareTensors', () => {
  const t = (data: number[], dims = [data.length]) => tensor(dims, data);

  it('accepts rounding noise on entries that should be 0, measured against the typical magnitude', () => {
    const c = compareTensors(t([1, 2, 1e-9, -3]), t([1, 2, 0, -3]));
    expect(c).toEqual({ ok: true, maxError: expect.any(Number), worstIndex: [2] });
    expect(c.maxError).toBeLessThan(1e-8);
  });

  it('rejects a relative error of 1e-3 and reports the worst multi-index', () => {
    const c = compareTensors(t([1, 2, 3, 4.004], [2, 2]), t([1, 2, 3, 4], [2, 2]));
    expect(c.ok).toBe(false);
    expect(c.worstIndex).toEqual([1, 1]);
    expect(c.maxError).toBeCloseTo(1e-3, 8);
  });

  it('uses atol when everything is 0; rejects NaN and different dims', () => {
    expect(compareTensors(t([1e-8, 0]), t([0, 0])).ok).toBe(true);
    expect(compareTensors(t([1e-6, 0]), t([0, 0])).ok).toBe(false);
    expect(compareTensors(t([NaN, 0]), t([0, 0])).ok).toBe(false);
    const c = compareTensors(t([1, 2, 3, 4], [2, 2]), t([1, 2, 3, 4], [4]));
    expect(c).toEqual({ ok: false, maxError: Infinity, worstIndex: [] });
  });

  it('order-2 tolerances are looser than order-1 ones', () => {
    expect(compareTensors(t([1 + 1e-4]), t([1]), ORDER1).ok).toBe(false);
    expect(compareTensors(t([1 + 1e-4]), t([1]), ORDER2).ok).toBe(true);
  });
});

describe('kinks: resample instead of crying wolf', () => {
  const relu = (e: Expr) => call('sum', [call('relu', [e])]);
  const with0 = (xs: number[]): Env => new Map([['x', tensor([3], xs)]]);

  it('flags relu, abs and step near their kinks, including exactly at 0', () => {
    const f = evaluator(relu(x));
    expect(fdLooksSmooth(f, with0([0.7, -1.2, 1e-7]), 'x')).toBe(false);
    expect(fdLooksSmooth(f, with0([0.7, -1.2, 0]), 'x')).toBe(false);
    expect(fdLooksSmooth(f, with0([0.7, -1.2, -9e-6]), 'x')).toBe(false); // between h and 2h
    expect(fdLooksSmooth(f, with0([0.7, -1.2, 0.3]), 'x')).toBe(true);
    expect(fdLooksSmooth(evaluator(call('sum', [call('abs', [x])])), with0([0.7, 3e-6, 1]), 'x')).toBe(false);
    expect(fdLooksSmooth(evaluator(call('sum', [call('step', [x])])), with0([0.7, 1e-6, 1]), 'x')).toBe(false);
    expect(fdLooksSmooth(evaluator(call('sum', [call('step', [x])])), with0([0.7, 0.5, 1]), 'x')).toBe(true);
  });

  it('avoidKinks makes fdJacobian, fdDirectional and fdSecond throw NearKinkError at a kink', () => {
    const f = evaluator(relu(x));
    const at = with0([0.7, -1.2, 0]);
    expect(() => fdJacobian(f, at, 'x', { avoidKinks: true })).toThrow(NearKinkError);
    expect(fdJacobian(f, at, 'x')).toBeDefined(); // without the option: an estimate, unchecked
    expect(() => fdDirectional(f, at, 'x', tensor([3], [1, 1, 1]), { avoidKinks: true })).toThrow(NearKinkError);
    // relu(x).^2 is smooth to first order; its second derivative jumps at 0.
    const sq = evaluator(call('sum', [epow(call('relu', [x]), num(2))]));
    expect(() => fdSecond(sq, at, 'x', { avoidKinks: true })).toThrow(NearKinkError);
    expect(() => fdSecond(sq, with0([0.7, -1.2, 0.4]), 'x', { avoidKinks: true })).not.toThrow();
    // A purely mixed second derivative at a kink, of relu(a + b)^2 in a and b, is caught too.
    const [a, b] = [variable('a', SCALAR), variable('b', SCALAR)];
    const mixed = evaluator(epow(call('relu', [add(a, b)]), num(2)));
    const ab = (va: number, vb: number): Env =>
      new Map([
        ['a', tensor([], [va])],
        ['b', tensor([], [vb])],
      ]);
    expect(() => fdSecond(mixed, ab(0.5, -0.5), 'a', { wrt2: 'b', avoidKinks: true })).toThrow(NearKinkError);
    expect(fdSecond(mixed, ab(0.5, 0.5), 'a', { wrt2: 'b', avoidKinks: true }).data[0]).toBeCloseTo(2, 5);
  });

  it('sound near kinks: either the point is flagged or the estimate is right (relu, abs; relu.^2 second order)', () => {
    const h1 = Math.cbrt(Number.EPSILON),
      h2 = Number.EPSILON ** 0.25;
    const r = rng(SEED);
    const offsets = [0, ...Array.from({ length: 200 }, () => 6 * r.uniform() - 3)];
    const f = evaluator(relu(x));
    const g = evaluator(call('sum', [call('abs', [x])]));
    const sq = evaluator(call('sum', [epow(call('relu', [x]), num(2))]));
    let flagged = 0;
    for (const t of offsets) {
      const xs = [0.7, -1.2, t * h1];
      const at = with0(xs);
      for (const [fn, slope] of [
        [f, (v: number) => (v > 0 ? 1 : 0)],
        [g, Math.sign],
      ] as const) {
        const res = fdJacobianChecked(fn, at, 'x');
        if (!res.smooth) {
          flagged++;
          continue;
        }
        expectAgree(res.value, tensor([3], xs.map(slope)));
      }
      const at2nd = with0([0.7, -1.2, t * h2]);
      try {
        const H = fdSecond(sq, at2nd, 'x', { avoidKinks: true });
        expectAgree(
          H,
          T([3, 3], (i, j) => (i === j && [0.7, -1.2, t * h2][i]! > 0 ? 2 : 0)),
          ORDER2,
        );
      } catch (e) {
        if (!(e instanceof NearKinkError)) throw new Error(`at offset ${t}: ${(e as Error).message}`);
        flagged++;
      }
    }
    // Kinks within about 2h are flagged; the others are far enough for an exact estimate.
    expect(flagged).toBeGreaterThan(100);
  });

  const smooth: Array<[string, Expr, string, Prop[]]> = [
    ['sum(exp(x))', call('sum', [call('exp', [x])]), 'x', []],
    ["x'*A*x", mul(mul(transpose(x), A), x), 'A', []],
    ['logdet(S)', call('logdet', [variable('S', matrixShape('n', 'n'), ['spd', 'symmetric'])]), 'S', []],
    ['det(X)', call('det', [X]), 'X', []],
    ['inv(X)', call('inv', [X]), 'X', []],
    ['softmax(W*x)', call('softmax', [mul(W, x)]), 'W', []],
    ['tanh(W*x)', call('tanh', [mul(W, x)]), 'x', []],
    ['log(p)', call('log', [variable('p', vectorShape('n'), ['positive'])]), 'p', []],
    ['a*exp(x)', mul(variable('a', SCALAR), call('exp', [x])), 'a', []],
  ];

  it.each(smooth)('no false alarm on smooth %s, and agreement with itself at h and 2h', (_name, e, wrt) => {
    const f = evaluator(e);
    eachSeed((seed) => {
      const at = pointFor(e, seed);
      const r = fdJacobianChecked(f, at, wrt);
      expect(r.smooth).toBe(true);
      expectAgree(r.value, fdJacobian(f, at, wrt, { step: 2 * Math.cbrt(Number.EPSILON) }));
      expect(() => fdSecond(f, at, wrt, { avoidKinks: true })).not.toThrow();
    });
  });
});
