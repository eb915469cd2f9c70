/**
 * derivationSteps (matcalc diff --steps): every intermediate line is a claim checked by finite
 * differences — each differential against the directional derivative at random points and
 * directions, each gradient/Jacobian form against the finite-difference derivative, each upstream
 * gradient of the chain route against differences with that node set free. Goldens (the printed
 * steps) are paired with those checks, every LaTeX line is rendered by KaTeX, and a wrong step must
 * fail its check (the checker can say no).
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { type Step, derivationSteps, verifyStep, verifySteps } from '../../src/steps/steps.js';
import { derivative } from '../../src/api/derivative.js';
import { RequestError } from '../../src/errors.js';
import * as b from '../../src/ir/build.js';
import { randomPoint, defaultDims } from '../../src/numeric/random.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { varsOf } from '../../src/ir/walk.js';

const points = Number(process.env.MATCALC_PROPERTY_RUNS ?? 0) > 0 ? 5 : 3;

function checkAll(steps: readonly Step[]): void {
  for (const s of steps) katex.renderToString(s.latex, { throwOnError: true });
  const checks = verifySteps(steps, { points });
  checks.forEach((c, i) =>
    expect(c.ok, `step ${i} (${steps[i]!.title}): ${steps[i]!.text}; max error ${c.maxError}, seed ${c.seed}`).toBe(
      true,
    ),
  );
}

/** The last step's value equals the API's derivative at a random point. */
function agreesWithDerivative(
  steps: readonly Step[],
  expr: string,
  wrt: string,
  order = 1,
  vars?: Record<string, { dims: (string | number)[]; props?: ('spd' | 'positive')[] }>,
): void {
  const last = steps[steps.length - 1]!;
  expect(last.claim.kind).toBe('derivative');
  const d = derivative(expr, wrt, { order, ...(vars ? { vars } : {}) });
  const vs = [...varsOf(d.f)];
  const sizes = defaultDims(d.f, 5);
  const at = randomPoint(vs, sizes, 5);
  const mine = evaluator(last.claim.expr)(at, sizes);
  const theirs = d.evaluate(at);
  expect(compareTensors({ dims: theirs.dims, data: mine.data }, theirs).ok).toBe(true);
}

describe('differential route', () => {
  it("x'*A*x: product rule, canonical form, collect, gradient", () => {
    const steps = derivationSteps("x'*A*x", 'x');
    expect(steps.map((s) => [s.title, s.text])).toEqual([
      ['function', "f = x'*A*x"],
      ['differentiate', "df = dx'*A*x + x'*A*dx"],
      ['canonical form', "df = (A*x)'*dx + (A'*x)'*dx"],
      ['collect', "df = ((A + A')*x)'*dx"],
      ['gradient', "∂f/∂x = (A + A')*x"],
    ]);
    expect(steps.map((s) => s.latex)).toEqual([
      String.raw`f = x^\top A x`,
      String.raw`\mathrm{d}f = \mathrm{d}x^\top A x + x^\top A\,\mathrm{d}x`,
      String.raw`\mathrm{d}f = \left(A x\right)^\top\,\mathrm{d}x + \left(A^\top x\right)^\top\,\mathrm{d}x`,
      String.raw`\mathrm{d}f = \left(\left(A + A^\top\right) x\right)^\top\,\mathrm{d}x`,
      String.raw`\frac{\partial f}{\partial x} = \left(A + A^\top\right) x`,
    ]);
    expect(steps[1]!.rule).toBe("one rule per operation: d(X') = dX'; d(A*B) = dA*B + A*dB");
    checkAll(steps);
    agreesWithDerivative(steps, "x'*A*x", 'x');
  });

  it.each([
    ['tr(inv(X)*A)', 'X'],
    ["tr(X*A*X')", 'X'],
    ['norm2(A*x - y)^2', 'x'],
    ['sum(sigmoid(W*x))', 'W'],
    ["log(sum(exp(x))) - y'*x", 'x'],
    ['W*x', 'W'],
    ['sigmoid(W*x)', 'x'],
    ['softmax(x)', 'x'],
    ['A*X*B', 'X'],
    ['exp(a*b) + a^2', 'a'],
  ])('%s with respect to %s: every step checks', (expr, wrt) => {
    const steps = derivationSteps(expr, wrt);
    checkAll(steps);
    agreesWithDerivative(steps, expr, wrt);
  });

  it('a reduction along a dim quotes its rule along that dim (issue 15): sum(var(X, 1))', () => {
    const steps = derivationSteps('sum(var(X, 1))', 'X');
    expect(steps[1]!.rule).toBe(
      "one rule per operation: d var: 2*mean((X - mean(X, 1)*vector(1)').*dX, 1); d sum: sum(dX)",
    );
    checkAll(steps);
    agreesWithDerivative(steps, 'sum(var(X, 1))', 'X');
  });

  it('logdet of an spd matrix', () => {
    const vars = { X: { dims: ['n', 'n'], props: ['spd' as const] } };
    const steps = derivationSteps('logdet(X)', 'X', { vars });
    // X is symmetric, so inv(X)' = inv(X)
    expect(steps[steps.length - 1]!.text).toBe('∂f/∂X = inv(X)');
    checkAll(steps);
  });

  it("higher orders: a*x^3 three times, the Hessian of x'*A*x", () => {
    const s3 = derivationSteps('a*x^3', 'x', { order: 3, vars: { x: { dims: [] } } });
    expect(s3.filter((s) => /derivative$/.test(s.title)).map((s) => s.text)).toEqual([
      '∂f/∂x = 3*a*x^2',
      '∂²f/∂x² = 6*a*x',
      '∂³f/∂x³ = 6*a',
    ]);
    checkAll(s3);
    const h = derivationSteps("x'*A*x", 'x', { order: 2 });
    expect(h[h.length - 1]!.latex).toBe(String.raw`\frac{\partial^2 f}{\partial x\,\partial x^\top} = A + A^\top`);
    checkAll(h);
    agreesWithDerivative(h, "x'*A*x", 'x', 2);
  });

  // Issue 10 item 6: an order whose derivative is identically zero crashed verification (the point
  // lacked the variable, which the order k-1 result no longer mentions).
  it.each([
    ['A*x', 'x', 2],
    ["x'*A*x", 'x', 3],
    ['W*x', 'W', 2],
    ['W*x', 'x', 2],
    ['A*X*B', 'X', 2],
    ['tr(X*A)', 'X', 2],
    ["x'*y", 'x', 2],
    ['a*x^2', 'x', 3],
  ] as const)('%s with respect to %s, order %i: an identically zero order checks', (expr, wrt, order) => {
    const vars = expr === 'a*x^2' ? { x: { dims: [] } } : undefined;
    const steps = derivationSteps(expr, wrt, { order, ...(vars ? { vars } : {}) });
    const zeroOrder = steps.filter((s) => s.title === `order ${order}: differentiate`);
    expect(zeroOrder).toHaveLength(1);
    expect(zeroOrder[0]!.rule).toMatch(/does not depend on .*: its differential is identically zero/);
    expect(steps[steps.length - 1]!.text).toMatch(/= (matrix|vector)?\(?0\)?$/);
    checkAll(steps);
    agreesWithDerivative(steps, expr, wrt, order, vars);
  });

  it('a zero claimed where the derivative is not zero fails its check', () => {
    const steps = derivationSteps("x'*A*x", 'x', { order: 2 });
    const hess = steps[steps.length - 1]!;
    if (hess.claim.kind !== 'derivative') throw new Error('expected a derivative claim');
    expect(verifyStep({ ...hess, claim: { ...hess.claim, expr: b.zero(hess.claim.expr.shape) } }).ok).toBe(false);
  });

  it("d(X')/dX: the commutation matrix is the result (it was only a differential)", () => {
    const steps = derivationSteps("X'", 'X');
    expect(steps[steps.length - 1]!.title).toBe('Jacobian');
    expect(steps[steps.length - 1]!.text).toBe('∂f/∂X = commutation(n, m)');
    expect(steps[steps.length - 1]!.claim.kind).toBe('derivative');
    checkAll(steps);
  });
});

describe('chain-rule route (upstream × local)', () => {
  it('the course notes: q = x + y, f = q*z', () => {
    const S = { dims: [] };
    const steps = derivationSteps('q = x + y; f = q*z', 'x', { route: 'chain', vars: { x: S, y: S, z: S } });
    expect(steps.map((s) => s.text)).toEqual(['q = x + y; f = q*z', '∂f/∂q = z', '∂f/∂x = G_q', '∂f/∂x = z']);
    expect(steps[2]!.latex).toBe(
      String.raw`\frac{\partial f}{\partial x} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial x} = {\frac{\partial f}{\partial q}}`,
    );
    expect(steps.map((s) => s.claim.kind)).toEqual(['value', 'adjoint', 'derivative', 'derivative']);
    checkAll(steps);
  });

  it('a two-layer network: every upstream on the way from W1 to the loss checks', () => {
    const vars = { b1: { dims: ['k'] }, b2: { dims: ['c'] }, t: { dims: ['c'] } };
    const program = "z1 = W1*x + b1; h1 = sigmoid(z1); s = W2*h1 + b2; L = -t'*log(softmax(s))";
    const steps = derivationSteps(program, 'W1', { route: 'chain', vars });
    const texts = steps.map((s) => s.text);
    expect(texts).toContain("∂L/∂h1 = W2'*G_v4");
    expect(texts).toContain('∂L/∂z1 = G_h1.*(sigmoid(z1).*(1 - sigmoid(z1)))');
    expect(steps.filter((s) => s.claim.kind === 'adjoint').length).toBe(7);
    checkAll(steps);
    agreesWithDerivative(steps, "-t'*log(softmax(W2*sigmoid(W1*x + b1) + b2))", 'W1', 1, vars);
  });

  it('needs a scalar function and order 1', () => {
    expect(() => derivationSteps('W*x', 'x', { route: 'chain' })).toThrow(RequestError);
    expect(() => derivationSteps("x'*x", 'x', { route: 'chain', order: 2 })).toThrow(RequestError);
    expect(() => derivationSteps("x'*x", 'x', { route: 'forward' as never })).toThrow(RequestError);
  });
});

describe('the checker says no to a wrong step', () => {
  it('a gradient missing a term, a differential with a sign error, a wrong upstream', () => {
    const steps = derivationSteps("x'*A*x", 'x');
    const grad = steps[steps.length - 1]!;
    if (grad.claim.kind !== 'derivative') throw new Error('expected a derivative claim');
    const A = varsOf(grad.claim.of).find((v) => v.name === 'A')!;
    const x = grad.claim.wrt;
    const wrongGrad: Step = { ...grad, claim: { ...grad.claim, expr: b.mul(A, x) } };
    expect(verifyStep(wrongGrad).ok).toBe(false);
    const diff = steps[1]!;
    if (diff.claim.kind !== 'differential') throw new Error('expected a differential claim');
    const wrongDiff: Step = { ...diff, claim: { ...diff.claim, expr: b.neg(diff.claim.expr) } };
    expect(verifyStep(wrongDiff).ok).toBe(false);
    const S = { dims: [] };
    const chain = derivationSteps('q = x + y; f = q*z + q*q', 'x', { route: 'chain', vars: { x: S, y: S, z: S } });
    const up = chain.find((s) => s.claim.kind === 'adjoint')!;
    if (up.claim.kind !== 'adjoint') throw new Error('expected an adjoint claim');
    expect(verifyStep(up).ok).toBe(true);
    const z = varsOf(up.claim.of).find((v) => v.name === 'z')!;
    // ∂f/∂q = z + 2q; z alone forgets the second path
    expect(verifyStep({ ...up, claim: { ...up.claim, expr: z } }).ok).toBe(false);
  });
});
