/**
 * The simplifier's forms on small inputs, each a golden (the exact printed form) paired with a
 * numeric check that input and output agree at random points. The goldens pin the textbook shapes
 * the passes promise (coefficients, cancellation, signs, factoring on the correct side, transposes
 * pulled out); the values pin the truth.
 */
import { describe, expect, it } from 'vitest';
import { varsOf } from '../../src/ir/walk.js';
import { bindDims, evaluate } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { toText } from '../../src/print/text.js';
import { opCount } from '../../src/simplify/measure.js';
import { simplify } from '../../src/simplify/simplify.js';

const square = { dims: ['n', 'n'] } satisfies VarDecl;

const CASES: readonly {
  readonly why: string;
  readonly input: string;
  readonly out: string;
  readonly vars?: Record<string, VarDecl>;
}[] = [
  { why: 'a scalar cancels against its division', input: "2/norm2(r)*norm2(r)*X'*r", out: "2*X'*r" },
  { why: 'a coefficient of -1 is a sign on the first factor', input: "-1*X'*r", out: "-X'*r" },
  { why: 'a shared last factor is pulled out on the right', input: "A*x + A'*x", out: "(A + A')*x" },
  { why: 'a shared first factor is pulled out on the left', input: "x'*A + x'*B", out: "x'*(A + B)" },
  { why: 'products do not commute', input: 'A*B + B*A', out: 'A*B + B*A', vars: { A: square, B: square } },
  { why: 'like terms collect', input: 'A*x + 2*A*x - x', out: '3*A*x - x' },
  { why: 'equal scalar parts collect', input: "S/(x'*x)*x + S*(x/(x'*x))", out: "2*S*x/(x'*x)" },
  {
    why: 'a common scalar factor is pulled out',
    input: "2*S*x/(x'*x) - 2*x'*S*x*x/(x'*x)^2",
    out: "2*(S*x - x'*S*x*x/(x'*x))/(x'*x)",
  },
  { why: 'a 1×1 segment of a chain is a scalar', input: "x*x'*A*x", out: "x'*A*x*x" },
  {
    why: 'an inverse cancels a factor of its argument',
    input: 'B*inv(A*B)',
    out: 'inv(A)',
    vars: { A: square, B: square },
  },
  {
    why: 'an inverse cancels a factor of its argument, transposed',
    input: "det(A*X*B)*A'*inv(A*X*B)'*B'",
    out: "det(A*X*B)*inv(X)'",
    vars: { A: square, X: square, B: square },
  },
  { why: 'equal square factors make a power', input: "X'*X'", out: "X'^2" },
  { why: 'elementwise cancellation', input: 'x.*(1./x)', out: 'vector(1)' },
  {
    why: 'elementwise expansion when it is shorter',
    input: '(vector(1) - y).*sigmoid(z) - y.*(vector(1) - sigmoid(z))',
    out: 'sigmoid(z) - y',
  },
  { why: 'the logistic function is recognised', input: 'exp(z)./(vector(1) + exp(z))', out: 'sigmoid(z)' },
  { why: 'transposes leave a sum when that is shorter', input: "X'*B' + B'*X'", out: "(B*X + X*B)'" },
  { why: 'two transposed factors stay', input: "A'*B'", out: "A'*B'" },
  {
    why: 'a long run of transposed factors is one transpose',
    input: "inv(X)'*A'*B'*inv(X)'",
    out: "(inv(X)*B*A*inv(X))'",
  },
  {
    why: 'a numeric common factor is a denominator',
    input: '-inv(S)/2 + inv(S)*C*inv(S)/2',
    out: '(inv(S)*C*inv(S) - inv(S))/2',
  },
  { why: 'a negated sum leads with its positive term', input: '-(x - y)', out: 'y - x' },
  {
    why: 'symmetric matrices lose their transposes',
    input: "S'*x + S*x",
    out: '2*S*x',
    vars: { S: { dims: ['n', 'n'], props: ['symmetric'] } },
  },
];

describe('simplify: textbook forms', () => {
  for (const c of CASES) {
    it(`${c.why}: ${c.input} → ${c.out}`, () => {
      const e = parse(c.input, c.vars ? { vars: c.vars } : {});
      const s = simplify(e);
      expect(toText(s)).toBe(c.out);
      expect(opCount(s)).toBeLessThanOrEqual(opCount(e));
      const vars = varsOf(e);
      for (const seed of [1, 2, 3]) {
        const at = randomPoint(vars, defaultDims(e, seed), seed);
        const sizes = bindDims(vars, at);
        const cmp = compareTensors(evaluate(s, at, sizes), evaluate(e, at, sizes), { rtol: 1e-9, atol: 1e-11 });
        expect(cmp.ok, `seed ${seed}: error ${cmp.maxError}`).toBe(true);
      }
    });
  }
});
