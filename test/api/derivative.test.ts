/**
 * The public derivative API: kinds, layouts and value shapes (the batch protocol's contract), with
 * every derivative checked by finite differences and the protocol's values compared with
 * independently computed numbers.
 */
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/api/basic.js';
import { derivative } from '../../src/api/derivative.js';
import { verifyClaim } from '../../src/api/verify.js';
import { RequestError } from '../../src/errors.js';
import type { Var } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { parse } from '../../src/parse/parse.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { toNested } from '../../src/numeric/tensor.js';

const near = (a: unknown, b: unknown) => expect(JSON.stringify(roundDeep(a))).toBe(JSON.stringify(roundDeep(b)));
const roundDeep = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(roundDeep) : typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v;

describe('layouts and kinds', () => {
  it('d(B*y)/dy is B itself, in numerator layout', () => {
    const B = [
      [-0.793, 0.241],
      [-1.896, 1.396],
      [0.638, -0.292],
    ];
    const d = derivative('B*y', 'y', { vars: { B: { dims: ['m', 'n'] }, y: { dims: ['n'] } } });
    expect(d.kind).toBe('jacobian');
    expect(d.shape).toEqual(['m', 'n']);
    near(toNested(d.evaluate({ B, y: [-0.312, 0.304] })), B);
    expect(d.verify().ok).toBe(true);
  });

  it('denominator layout transposes a Jacobian, value included', () => {
    const B = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const d = derivative('B*y', 'y', { layout: 'denominator', vars: { B: { dims: ['m', 'n'] }, y: { dims: ['n'] } } });
    expect(d.shape).toEqual(['n', 'm']);
    near(toNested(d.evaluate({ B, y: [1, 1] })), [
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(d.verify().ok).toBe(true);
  });

  it('the denominator layout concerns vector-by-vector Jacobians only: a vec form keeps the tensor layout', () => {
    const vars = { V: { dims: ['k', 'n'] }, v: { dims: ['n'] } };
    const num = derivative('V*v', 'V', { vars });
    const den = derivative('V*v', 'V', { layout: 'denominator', vars });
    expect(den.kind).toBe('vec-jacobian');
    expect(den.shape).toEqual(['k', 'k', 'n']);
    expect(den.toString()).toBe(num.toString());
    expect(den.convention).toContain('d vec(f) = K d vec(V)');
    const at = {
      V: [
        [0.3, -1.2, 0.5],
        [2.1, 0.4, -0.7],
      ],
      v: [-0.713, 1.348, -1.23],
    };
    near(toNested(den.evaluate(at)), toNested(num.evaluate(at)));
    expect(den.verify().ok).toBe(true);
    expect(derivative('inv(X)', 'X', { layout: 'denominator' }).verify().ok).toBe(true);
  });

  it("d tr(X'*C)/dX = C, a gradient in the shape of X", () => {
    const C = [
      [-0.268, -0.226, 0.72],
      [0.515, -0.064, -0.085],
    ];
    const d = derivative("tr(X'*C)", 'X', { vars: { X: { dims: ['m', 'n'] }, C: { dims: ['m', 'n'] } } });
    expect(d.kind).toBe('gradient');
    expect(d.toString()).toBe('C');
    near(
      toNested(
        d.evaluate({
          X: [
            [0.161, -0.614, -0.404],
            [0.548, -0.13, -1.374],
          ],
          C,
        }),
      ),
      C,
    );
  });

  it('d(V*v)/dV has layout k×k×n with v in block i of row i (course notes)', () => {
    const v = [-0.713, 1.348, -1.23];
    const d = derivative('V*v', 'V', { vars: { V: { dims: ['k', 'n'] }, v: { dims: ['n'] } } });
    expect(d.shape).toEqual(['k', 'k', 'n']);
    expect(d.toString()).toBe("kron(eye(k), v')");
    near(
      toNested(
        d.evaluate({
          V: [
            [-0.477, 0.657, -0.232],
            [-0.149, 0.642, 1.825],
          ],
          v,
        }),
      ),
      [
        [v, [0, 0, 0]],
        [[0, 0, 0], v],
      ],
    );
    expect(d.verify().ok).toBe(true);
  });

  it('the Hessian of sum(exp(z)) is diag(exp(z))', () => {
    const z = [0.175, -1.17, 1.351];
    const d = derivative('sum(exp(z))', 'z', { order: 2 });
    expect(d.kind).toBe('hessian');
    expect(d.toString()).toBe('diag(exp(z))');
    near(
      toNested(d.evaluate({ z })),
      z.map((zi, i) => z.map((_, j) => (i === j ? Math.exp(zi) : 0))),
    );
    expect(d.verify().ok).toBe(true);
  });

  it('course notes: f = (x+y)*z gives df/dx = z = -4', () => {
    const d = derivative('(x+y)*z', 'x', { vars: { x: { dims: [] }, y: { dims: [] }, z: { dims: [] } } });
    expect(d.kind).toBe('derivative');
    expect(d.toString()).toBe('z');
    expect(toNested(d.evaluate({ x: -2, y: 5, z: -4 }))).toBe(-4);
  });

  it('third order: a matrix form through the selection matrix of diag (it was only a differential), index notation, value checked', () => {
    const d = derivative('sum(exp(z))', 'z', { order: 3 });
    expect(d.kind).toBe('vec-jacobian');
    expect(d.toString()).toBe('kron(eye(n), diag(eye(n))).*kron(diag(eye(n)), eye(n))*diag(exp(z))');
    expect(d.shape).toEqual(['n', 'n', 'n']);
    expect(d.toIndexNotation()?.text).toBe('d^3 f / d z[a] d z[c] d z[e] = delta(e,a)*delta(e,c)*exp(z)[e]');
    const t = d.evaluate({ z: [0.1, 0.2] });
    expect(Array.from(t.data).map((x) => Math.round(x * 1e12) / 1e12)).toEqual(
      [Math.exp(0.1), 0, 0, 0, 0, 0, 0, Math.exp(0.2)].map((x) => Math.round(x * 1e12) / 1e12),
    );
    expect(d.verify().ok).toBe(true);
  });

  it('a 4-d matrix-by-matrix result: d inv(X)/dX', () => {
    const d = derivative('inv(X)', 'X');
    expect(d.kind).toBe('vec-jacobian');
    expect(d.shape).toEqual(['n', 'n', 'n', 'n']);
    expect(d.verify().ok).toBe(true);
    expect(d.toIndexNotation()?.text).toBe('d f[i,j] / d X[a,b] = -inv(X)[b,j]*inv(X)[i,a]');
  });

  it('rejects bad requests with typed errors', () => {
    expect(() => derivative("x'*A*x", 'y')).toThrow(/does not contain y/);
    expect(() => derivative("x'*A*x", 'x', { order: 0 })).toThrow(/positive integer/);
    expect(() => derivative("x'*A*x", 'x', { order: 99 })).toThrow(/orders above/);
    expect(() => verify("x'*A*x", 'x', { order: 0 })).toThrow(RequestError);
  });
});

describe('verify reports a wrong derivative with the values that disagree', () => {
  // Claimed: d(x'*x)/dx = x (the true gradient is 2*x).
  const f = parse("x'*x");
  const [x] = varsOf(f) as [Var];
  const claim = { f: evaluator(f), order: 1, value: evaluator(x), vars: [x], wrt: x, exprs: [f] };
  const at = new Map([['x', { dims: [3], data: new Float64Array([1, -2, 0.5]) }]]);

  it('entrywise: an entry of the gradient and its central difference', () => {
    const r = verifyClaim(claim, { at });
    expect(r.ok).toBe(false);
    expect(r.method).toBe('entrywise');
    const i = r.failure!.index[0]!;
    expect(r.failure!.symbolic).toBe(at.get('x')!.data[i]);
    expect(r.failure!.numeric).toBeCloseTo(2 * at.get('x')!.data[i]!, 6);
  });

  it('directional: J·v and its directional difference, both numbers', () => {
    const r = verifyClaim(claim, { at, directionalAbove: 0 });
    expect(r.ok).toBe(false);
    expect(r.method).toBe('directional');
    expect(r.failure!.index).toEqual([]);
    // J·v is half the directional derivative here, and both are finite.
    expect(Number.isFinite(r.failure!.numeric)).toBe(true);
    expect(r.failure!.numeric).toBeCloseTo(2 * r.failure!.symbolic, 6);
  });

  it('limits are typed errors, never an out-of-memory crash', () => {
    expect(() => derivative('A^100', 'A')).toThrow(expect.objectContaining({ kind: 'limit' }));
    const d = derivative("x'*A*x", 'x', { vars: { x: { dims: [20000] } } });
    expect(d.toString()).toBe("(A + A')*x");
    // A is 20000×20000: too large to sample, so the check says so instead of allocating 3 GB.
    expect(() => d.verify()).toThrow(expect.objectContaining({ kind: 'limit' }));
  });
});

// Issue 10 item 8: vars given as declaration strings — the form of the batch protocol and grade
// files — threw "r.dims is not iterable" from gradeAll, check and derivative.
describe('declarations as text, wherever vars are accepted', () => {
  const vars = { A: 'matrix(n,n) symmetric', x: 'vector(n)' };
  const A = [
      [2, -1],
      [-1, 3],
    ],
    x = [0.5, -2];
  // Independently: the gradient of x'Ax is (A + A')x = 2Ax for a symmetric A.
  const twoAx = A.map((row) => 2 * row.reduce((s, a, j) => s + a * x[j]!, 0));

  it("derivative, verify, shapeOf, evaluate: x'*A*x with A 'matrix(n,n) symmetric'", async () => {
    const { shapeOf, evaluate } = await import('../../src/api/basic.js');
    const d = derivative("x'*A*x", 'x', { vars });
    expect(d.toString()).toBe('2*A*x');
    near(toNested(d.evaluate({ A, x })), twoAx);
    expect(d.verify().ok).toBe(true);
    expect(verify("x'*A*x", 'x', { vars }).ok).toBe(true);
    expect(shapeOf("x'*A*x", vars).vars.A).toEqual({ dims: ['n', 'n'], text: 'n×n', props: ['symmetric'] });
    near(
      toNested(evaluate("x'*A*x", { A, x }, { vars })),
      x.reduce((s, xi, i) => s + xi * A[i]!.reduce((t, a, j) => t + a * x[j]!, 0), 0),
    );
  });

  it('check and gradeAll grade against the declared question', async () => {
    const { check, gradeAll } = await import('../../src/check/check.js');
    expect(check("x'*A*x", 'x', '2*A*x', { vars }).verdict).toBe('correct');
    const graded = gradeAll([{ expr: "x'*A*x", wrt: 'x', answer: '2Ax', vars: { A: 'matrix(n,n) symmetric' } }]);
    expect(graded.summary.correct).toBe(1);
    expect(graded.results[0]!.ok).toBe(true);
  });

  it('derivationSteps, backprop and parseLatex take them too', async () => {
    const { derivationSteps, verifySteps } = await import('../../src/steps/steps.js');
    const { backprop } = await import('../../src/backprop/graph.js');
    const { parseLatex } = await import('../../src/parse/latex.js');
    const steps = derivationSteps("x'*A*x", 'x', { vars });
    expect(steps[steps.length - 1]!.text).toBe('∂f/∂x = 2*A*x');
    expect(verifySteps(steps).every((c) => c.ok)).toBe(true);
    const w = backprop("x'*A*x", { A, x }, { vars });
    near(toNested(w.gradients.get('x')!), twoAx);
    expect(parseLatex('2 A x', { vars }).shape).toEqual({ kind: 'vector', n: 'n' });
  });

  it('a bad declaration is a typed error that names the variable', () => {
    expect(() => derivative("x'*A*x", 'x', { vars: { A: 'matrix(n' } })).toThrow(
      /the declaration of A: cannot read the shape "matrix\(n"/,
    );
    expect(() => derivative("x'*A*x", 'x', { vars: { A: ['n', 'n'] as never } })).toThrow(RequestError);
    expect(() => derivative("x'*A*x", 'x', { vars: { A: { dims: ['n', 'n'], props: ['sym' as never] } } })).toThrow(
      /the declaration of A must be a shape/,
    );
  });
});
