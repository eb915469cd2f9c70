/**
 * Programs through the API: derivatives of programs, with respect to inputs and to intermediates,
 * printed as programs (the user's names kept, shared parts named), each checked against central
 * finite differences of the ORIGINAL program; and the checker reading answers in those names.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { toEnv } from '../../src/api/values.js';
import { backprop } from '../../src/backprop/graph.js';
import { check } from '../../src/check/check.js';
import { ParseError } from '../../src/errors.js';
import { derivationSteps, verifyStep } from '../../src/steps/steps.js';
import katex from 'katex';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { readProgram } from '../../src/parse/program.js';
import { toText } from '../../src/print/text.js';
import { whereText } from '../../src/print/program.js';
import { maxRelErr } from '../helpers/points.js';

const MLP = 'z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2';
const vars = {
  W1: { dims: ['k', 'n'] },
  b1: { dims: ['k'] },
  W2: { dims: ['m', 'k'] },
  x: { dims: ['n'] },
  y: { dims: ['m'] },
} as const;
const AT = {
  W1: [
    [1, 2],
    [3, -4],
    [0.5, 1],
  ],
  b1: [0.1, 0.2, -0.3],
  W2: [
    [1, 0, 2],
    [0, 1, -1],
  ],
  x: [1, 2],
  y: [0.5, -1],
};

/** Central differences of the original program's function at AT. */
const fdOfProgram = (src: string, wrt: string, at: Record<string, unknown> = AT) => {
  const run = evaluator(readProgram(src, { vars }).root);
  return fdJacobian((e) => run(e), toEnv(at as never), wrt);
};

describe('derivatives of programs, printed as programs', () => {
  it("course notes: ∂L/∂W1 = (W2'*(yhat - y) .* step(z1))*x' in the program's own names", () => {
    const d = derivative(MLP, 'W1', { vars });
    const form = d.programForm();
    expect(toText(form.result)).toBe("W2'*(yhat - y).*step(z1)*x'");
    expect(whereText(form.bindings)).toEqual(['where  z1 = W1*x + b1', '       h1 = relu(z1)', '       yhat = W2*h1']);
    expect(d.toProgramText()).toBe("z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; W2'*(yhat - y).*step(z1)*x'");
    expect(maxRelErr(d.evaluate(AT), [...fdOfProgram(MLP, 'W1').data])).toBeLessThan(1e-6);
  });

  it('the program form parses back and evaluates to the derivative given only the inputs', () => {
    for (const wrt of ['W1', 'W2', 'b1', 'x', 'h1', 'z1', 'yhat']) {
      const d = derivative(MLP, wrt, { vars });
      const back = evaluator(readProgram(d.toProgramText(), { vars }).root)(toEnv(AT));
      const fd = ['h1', 'z1', 'yhat'].includes(wrt) ? d.evaluate(AT) : fdOfProgram(MLP, wrt);
      expect(maxRelErr(back, [...fd.data]), wrt).toBeLessThan(1e-6);
      expect(maxRelErr(d.evaluate(AT), [...fd.data]), wrt).toBeLessThan(1e-6);
    }
  });

  it("--wrt an intermediate: the upstream gradient, its definition's inputs held fixed", () => {
    const d = derivative(MLP, 'h1', { vars });
    expect(d.toString()).toBe("W2'*(W2*h1 - y)");
    expect(toText(d.programForm().result)).toBe("W2'*(yhat - y)");
    // Truth: differences of L in h1 alone (L = norm2(W2*h1 - y)^2/2), at h1 = relu(W1*x + b1) computed by hand.
    const z = [1 + 4 + 0.1, 3 - 8 + 0.2, 0.5 + 2 - 0.3],
      h1 = z.map((v) => Math.max(v, 0));
    const run = evaluator(readProgram('norm2(W2*h1 - y)^2/2', { vars: { ...vars, h1: { dims: ['k'] } } }).root);
    const fd = fdJacobian((e) => run(e), toEnv({ ...AT, h1 }), 'h1');
    expect(maxRelErr(d.evaluate(AT), [...fd.data])).toBeLessThan(1e-6);
    expect(d.verify().ok).toBe(true);
    expect(() => derivative(MLP, 'L', { vars })).toThrow('L is the function itself');
  });

  it('a shared part printed more than once gets a fresh name that collides with nothing', () => {
    const src = 'sum((tanh(W3*tanh(W2*tanh(W1*t1))) - y).^2)'; // t1 is taken: the fresh names skip it
    const d = derivative(src, 'W1');
    const form = d.programForm();
    // tanh(W2*tanh(W1*t1)) is printed three times inline; tanh(W3*t2) is short enough to repeat.
    expect(form.bindings.map((b) => b.name)).toEqual(['t2']);
    expect(d.toProgramText()).toBe(
      "t2 = tanh(W2*tanh(W1*t1)); 2*(W2'*(W3'*((tanh(W3*t2) - y).*(1 - tanh(W3*t2).^2)).*(1 - t2.^2)).*(1 - tanh(W1*t1).^2))*t1'",
    );
    const at = {
      W1: [
        [0.3, -0.2],
        [0.1, 0.4],
      ],
      W2: [
        [0.5, 0.1],
        [-0.3, 0.2],
      ],
      W3: [
        [0.2, 0.7],
        [0.1, -0.5],
      ],
      t1: [1, -1],
      y: [0.2, 0.3],
    };
    const run = evaluator(readProgram(src).root);
    const fd = fdJacobian((e) => run(e), toEnv(at), 'W1');
    expect(maxRelErr(evaluator(readProgram(d.toProgramText()).root)(toEnv(at)), [...fd.data])).toBeLessThan(1e-6);
  });

  it('with nothing shared or named, nothing changes', () => {
    const d = derivative("x'*A*x", 'x');
    expect(d.programForm().bindings).toEqual([]);
    expect(d.toProgramText()).toBe(d.toString());
  });

  it('an unused definition is a warning on the derivative', () => {
    const d = derivative('q = x + y; r = x*2; f = sum(q.*z)', 'x');
    expect(d.warnings.map((w) => w.message)).toEqual(['r is defined but not used (statement 2: r = x*2)']);
  });
});

describe("a result with no variable reads back in the question's declarations", () => {
  // matrix(0) and matrix(1) carry no size of their own: read back, their dimensions are fresh and must
  // never take the name (and so, evaluated, the size) of one of the question's dimensions.
  const decls = { W: { dims: ['m', 'n'] }, x: { dims: ['n'] } };
  const at = toEnv({
    W: [
      [1, 2],
      [3, -4],
      [0.5, 1],
    ],
    x: [0.7, -0.2],
  });
  const sizes = new Map([
    ['m', 3],
    ['n', 2],
  ]);
  const cases = [
    // A zero Jacobian (n×n): printed matrix(0), it used to read back n×m and take W's sizes (3×2, not 2×2).
    { src: "W'.*W'*(W*x - W*x)", wrt: 'x', printed: 'matrix(0)' },
    { src: 'sum(W*x - W*x)', wrt: 'W', printed: 'matrix(0)' },
    { src: "-mean(W')", wrt: 'W', printed: '-matrix(1)/(tr(eye(m))*tr(eye(n)))' },
  ];
  for (const { src, wrt, printed } of cases) {
    it(`d/d${wrt} of ${src} = ${printed}, fresh sizes read back apart from m and n`, () => {
      const d = derivative(src, wrt, { vars: decls });
      expect(d.toString()).toBe(printed);
      expect(d.toProgramText()).toBe(printed);
      const fd = fdJacobian((e) => evaluator(readProgram(src, { vars: decls }).root)(e, sizes), at, wrt);
      const back = readProgram(printed, { vars: decls }).root;
      const fresh = back.shape.kind === 'matrix' ? [back.shape.m, back.shape.n] : [];
      expect(fresh.filter((dim) => dim === 'm' || dim === 'n')).toEqual([]);
      // The fresh dims take the derivative's sizes; m and n keep the question's.
      const value = evaluator(back)(
        at,
        new Map([...sizes, ...fresh.map((dim, i) => [String(dim), fd.dims[i]!] as const)]),
      );
      expect(value.dims).toEqual(fd.dims);
      expect(maxRelErr(value, [...fd.data])).toBeLessThan(1e-6);
      expect(maxRelErr(d.evaluate(at, sizes), [...fd.data])).toBeLessThan(1e-6);
    });
  }
});

describe("the checker reads answers in the question's names and the student's own definitions", () => {
  const answers = [
    "(W2'*(yhat - y) .* step(z1))*x'",
    "G*x' where G = W2'*d .* step(z1), d = yhat - y",
    "d = yhat - y; G = (W2'*d).*step(z1); G*x'",
  ];
  for (const a of answers) {
    it(`correct: ${a}`, () => {
      expect(check(MLP, 'W1', a, { vars }).verdict).toBe('correct');
    });
  }
  it('a wrong answer in those names is incorrect; an undefined name cannot be read', () => {
    expect(check(MLP, 'W1', "(W2'*(yhat - y))*x'", { vars }).verdict).toBe('incorrect');
    expect(check(MLP, 'W1', "G*x' where G = W2'*q", { vars }).diagnosis).toBe('unparseable');
  });
  it("the expected answer is said in the question's names, and reads back to the derivative", () => {
    const r = check(MLP, 'W1', "(W2'*(yhat - y))*x'", { vars });
    expect(r.expected).toBe("W2'*(yhat - y).*step(z1)*x' where z1 = W1*x + b1, h1 = relu(z1), yhat = W2*h1");
    const back = evaluator(readProgram(r.expected, { vars }).root)(toEnv(AT));
    expect(maxRelErr(back, [...fdOfProgram(MLP, 'W1').data])).toBeLessThan(1e-6);
  });
  it('with respect to an intermediate, the names above it read in terms of it', () => {
    expect(check(MLP, 'h1', "W2'*(yhat - y)", { vars }).verdict).toBe('correct');
    expect(check(MLP, 'h1', "W2'*(W2*h1 - y)", { vars }).verdict).toBe('correct');
  });
});

describe('derivation steps read and print the program form', () => {
  for (const route of ['differential', 'chain'] as const) {
    it(`${route} route: the result in the program's names, checked by finite differences`, () => {
      const steps = derivationSteps(MLP, 'W1', { vars, route });
      const last = steps[steps.length - 1]!;
      expect(last.text).toBe(
        "∂L/∂W1 = W2'*(yhat - y).*step(z1)*x'  where  z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1",
      );
      katex.renderToString(last.latex, { throwOnError: true, strict: 'error' });
      expect(verifyStep(last).ok).toBe(true);
    });
  }
});

describe('backprop reads programs with the same reader', () => {
  it('a typo in a program is "not defined", at its statement and column (issue 10 item 10)', () => {
    const at = { x: -2, y: 5, z: -4 };
    const scalars = { vars: { x: { dims: [] }, y: { dims: [] }, z: { dims: [] } } };
    expect(() => backprop('q = x + y; f = r*z', at, scalars)).toThrow(ParseError);
    expect(() => backprop('q = x + y; f = r*z', at, scalars)).toThrow(
      'r is not defined — in statement 2, "f = r*z" (at column 16)',
    );
    // The same program spelled right: the course notes' gradients, ∂f/∂x = ∂f/∂y = z = -4, ∂f/∂z = x + y = 3.
    const w = backprop('q = x + y; f = q*z', at, scalars);
    expect(Object.fromEntries([...w.gradients].map(([k, t]) => [k, t.data[0]]))).toEqual({ x: -4, y: -4, z: 3 });
  });
});
