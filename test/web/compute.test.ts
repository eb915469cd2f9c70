/**
 * The playground's worker logic (src/web/compute.ts), run in Node: what it shows is the library's
 * own derivative (same text, same LaTeX, same index notation), and that result is right — evaluated
 * from its printed text and compared with finite differences of the original f. Errors come back
 * typed, beside the input they belong to; default backprop values lie inside every domain.
 */
import { describe, expect, it } from 'vitest';
import { backprop, codegen, derivationSteps, derivative, latexHeading, toLatex, whereLatex } from '../../src/index.js';
import { compute } from '../../src/web/compute.js';
import {
  CODE_TARGETS,
  type CheckView,
  type CodeView,
  type DiffView,
  type Request,
  type Response,
} from '../../src/web/protocol.js';
import { defaultValues } from '../../src/web/values.js';
import { CASES } from './cases.js';
import { EXAMPLES } from '../../src/web/examples.js';
import { INITIAL } from '../../src/web/state.js';
import { agreement, fdDerivative, valueOfText } from './truth.js';
import { toEnv } from '../../src/api/values.js';
import { fromNested, toNested } from '../../src/numeric/tensor.js';

type Task = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;
const run = (task: Task): Promise<Response> => compute({ ...task, id: 1 } as Request);
const question = (expr: string, wrt = '', order = 1, vars = {}) => ({ expr, wrt, order, vars });

function view<T>(r: Response): T {
  if (!r.outcome.ok) throw new Error(`expected a result, got ${JSON.stringify(r.outcome.error)}`);
  return r.outcome.view as T;
}

describe("the derivative shown is the library's, and it is right", () => {
  for (const c of CASES) {
    it(`${c.what}: ${c.expr} by ${c.wrt}, order ${c.order}`, async () => {
      const v = view<DiffView>(
        await run({ task: 'diff', question: question(c.expr, c.wrt, c.order), layout: 'numerator' }),
      );
      const d = derivative(c.expr, c.wrt, { order: c.order });
      expect(v.kind).toBe(c.kind);
      expect(v.text).toBe(d.toProgramText());
      const form = d.programForm();
      const where = form.bindings.length > 0 ? ` \\qquad ${whereLatex(form.bindings)}` : '';
      expect(v.math.tex).toBe(`${latexHeading(d)} = ${toLatex(form.result)}${where}`);
      expect(v.math.html).toContain('<annotation encoding="application/x-tex">');
      expect(v.check.state).toBe('ok');
      if (c.kind === 'vec-jacobian' || c.kind === 'differential') expect(v.index?.text).toBe(d.toIndexNotation()!.text);
      else expect(v.index).toBeUndefined();
      const truth = fdDerivative(c.expr, c.wrt, c.order, c.at);
      // A differential's text has direction variables; its value is the library's, read off basis directions.
      const shown = c.kind === 'differential' ? d.evaluate(c.at) : valueOfText(v.text, c.expr, c.at);
      const agree = agreement(shown, truth, c.order);
      expect(agree.ok, `max relative error ${agree.maxError}`).toBe(true);
    });
  }

  it('denominator layout: the transposed Jacobian (rows index x), checked against finite differences', async () => {
    const c = CASES[1]!;
    const v = view<DiffView>(await run({ task: 'diff', question: question(c.expr, c.wrt), layout: 'denominator' }));
    expect(v.text).toBe(derivative(c.expr, c.wrt, { layout: 'denominator' }).toString());
    expect(v.convention).toMatch(/denominator layout/);
    const truth = fdDerivative(c.expr, c.wrt, 1, c.at); // 2×3, numerator
    const shown = valueOfText(v.text, c.expr, c.at); // 3×2
    const t = toNested(shown) as number[][];
    const back = fromNested(t[0]!.map((_, i) => t.map((row) => row[i]!)));
    expect(agreement(back, truth).ok).toBe(true);
  });

  it("steps on request: the library's derivation, every step checked", async () => {
    const v = view<DiffView>(
      await run({ task: 'diff', question: question("x'*A*x", 'x'), layout: 'numerator', steps: 'differential' }),
    );
    const steps = derivationSteps("x'*A*x", 'x');
    expect(v.steps?.map((s) => s.math.tex)).toEqual(steps.map((s) => s.latex));
    expect(v.steps?.every((s) => s.check.state === 'ok')).toBe(true);
  });

  it('declarations given as strings are read by the library; properties shorten the result', async () => {
    const r = await run({
      task: 'diff',
      question: question("x'*S*x", 'x', 1, { S: 'matrix(n,n) spd' }),
      layout: 'numerator',
    });
    expect(r.analysis?.vars.find((v) => v.name === 'S')?.props).toContain('spd');
    const v = view<DiffView>(r);
    expect(v.text).toBe('2*S*x');
    const at = {
      S: [
        [2, 0.5],
        [0.5, 1],
      ],
      x: [0.3, -0.8],
    };
    expect(agreement(valueOfText(v.text, "x'*S*x", at), fdDerivative("x'*S*x", 'x', 1, at)).ok).toBe(true);
  });

  it('chooses the variable when none (or one not in f) is asked for', async () => {
    expect((await run({ task: 'diff', question: question("x'*A*x", 'q'), layout: 'numerator' })).analysis?.wrt).toBe(
      'x',
    );
    expect((await run({ task: 'diff', question: question('tr(A*X*B)'), layout: 'numerator' })).analysis?.wrt).toBe('X');
  });
});

describe('errors are typed and placed', () => {
  it('a syntax error carries its column and belongs to the expression', async () => {
    const r = await run({ task: 'diff', question: question("x'*A*"), layout: 'numerator' });
    expect(r.outcome).toEqual({
      ok: false,
      error: { kind: 'syntax', message: 'unexpected end of expression (at column 6)', source: 'expr', column: 6 },
    });
    expect(r.analysis).toBeUndefined();
  });

  it('a shape error says which operands disagree', async () => {
    const r = await run({ task: 'diff', question: question("x + x'"), layout: 'numerator' });
    expect(r.outcome.ok).toBe(false);
    if (!r.outcome.ok) expect(r.outcome.error).toMatchObject({ kind: 'shape', source: 'expr' });
  });

  it('an unreadable declaration belongs to the declarations', async () => {
    const r = await run({
      task: 'diff',
      question: question("x'*S*x", 'x', 1, { S: 'matrix(n,n) spdd' }),
      layout: 'numerator',
    });
    expect(r.outcome.ok).toBe(false);
    if (!r.outcome.ok)
      expect(r.outcome.error).toMatchObject({
        kind: 'syntax',
        source: 'vars',
        message: expect.stringMatching(/^the declaration of S: cannot read the shape/),
      });
  });

  it('an empty answer asks for one', async () => {
    const r = await run({ task: 'check', question: question("x'*A*x", 'x'), answer: '  ' });
    expect(r.outcome).toEqual({
      ok: false,
      error: { kind: 'request', message: 'type an answer to check', source: 'answer' },
    });
  });

  it('backprop of a vector output says how to make it a loss', async () => {
    const r = await run({ task: 'backprop', question: question('W*x'), at: {} });
    expect(r.outcome.ok).toBe(false);
    if (!r.outcome.ok)
      expect(r.outcome.error).toMatchObject({
        kind: 'shape',
        source: 'values',
        message: expect.stringMatching(/scalar output/),
      });
  });
});

describe('check an answer', () => {
  const q = question("x'*A*x", 'x');
  const at = CASES[0]!.at;

  it("(A + A')*x is correct, and it is the gradient by finite differences", async () => {
    const v = view<CheckView>(await run({ task: 'check', question: q, answer: "(A + A')*x" }));
    expect(v.verdict).toBe('correct');
    expect(agreement(valueOfText("(A + A')*x", "x'*A*x", at), fdDerivative("x'*A*x", 'x', 1, at)).ok).toBe(true);
  });

  it('the same answer in LaTeX is read as LaTeX', async () => {
    const v = view<CheckView>(await run({ task: 'check', question: q, answer: '(A + A^\\top) x' }));
    expect(v.verdict).toBe('correct');
    expect(v.answer?.syntax).toBe('latex');
  });

  it('2*A*x assumes A symmetric: incorrect, with a counterexample that tells them apart', async () => {
    const v = view<CheckView>(await run({ task: 'check', question: q, answer: '2*A*x' }));
    expect(v.verdict).toBe('incorrect');
    expect(v.diagnosis).toBe('assumed-symmetric');
    expect(v.counterexample?.expected).not.toBe(v.counterexample?.answer);
  });

  it("a program's question, answered in its own names: correct, and the expected result keeps the names", async () => {
    const prog = CASES.find((c) => c.what.startsWith('a program'))!;
    const answer = "(W2'*(yhat - y) .* step(z1))*x'";
    const v = view<CheckView>(await run({ task: 'check', question: question(prog.expr, 'W1'), answer }));
    expect(v.verdict).toBe('correct');
    expect(v.expected.math.tex).toContain('\\text{where}');
    // The answer, its names expanded, agrees with finite differences of the program's function.
    const inlined = `z1 = W1*x + b; h1 = relu(z1); yhat = W2*h1; ${answer}`;
    expect(agreement(valueOfText(inlined, prog.expr, prog.at), fdDerivative(prog.expr, 'W1', 1, prog.at)).ok).toBe(
      true,
    );
  });

  it("x'*(A + A') is transposed", async () => {
    expect(view<CheckView>(await run({ task: 'check', question: q, answer: "x'*(A + A')" })).verdict).toBe(
      'transposed',
    );
  });
});

describe('backprop', () => {
  it('a logistic neuron: the walkthrough, checked; its gradients agree with finite differences', async () => {
    const at = { w: [1, -1], x: [0.5, 2], b: 0.1 };
    const r = await run({ task: 'backprop', question: question("sigmoid(w'*x + b)"), at });
    expect(r.outcome.ok).toBe(true);
    if (!r.outcome.ok || r.outcome.view.task !== 'backprop') return;
    expect(r.outcome.view.check.state).toBe('ok');
    expect(r.outcome.view.html).toContain('<svg');
    expect(r.outcome.view.at).toEqual(at);
    const w = backprop("sigmoid(w'*x + b)", at);
    for (const name of ['w', 'x', 'b']) {
      expect(agreement(w.gradients.get(name)!, fdDerivative("sigmoid(w'*x + b)", name, 1, at)).ok).toBe(true);
    }
  });

  it('defaults fill the inputs without a value, in every domain (log det needs det > 0)', async () => {
    const r = await run({ task: 'backprop', question: question('log(det(X)) + sum(log(x))'), at: {} });
    expect(r.outcome.ok).toBe(true);
    if (r.outcome.ok && r.outcome.view.task === 'backprop') expect(r.outcome.view.check.state).toBe('ok');
  });
});

describe('default values', () => {
  const vars = [
    { name: 'S', dims: ['n', 'n'], props: ['spd', 'symmetric'], text: 'n×n' },
    { name: 'D', dims: ['n', 'n'], props: ['diagonal'], text: 'n×n' },
    { name: 'W', dims: ['k', 'n'], props: [], text: 'k×n' },
    { name: 'x', dims: ['n'], props: [], text: 'n' },
    { name: 'a', dims: [], props: [], text: 'scalar' },
  ] as const;

  it('sizes come from the given values first, then 3, 2, 4, …', () => {
    const v = defaultValues(vars, { x: [1, 2] });
    expect(v.x).toEqual([1, 2]);
    expect((v.S as number[][]).length).toBe(2);
    expect((v.W as number[][]).map((r) => r.length)).toEqual([2, 2, 2]); // k = 3 (the first default), n = 2 (from x)
  });

  it('square matrices are symmetric positive definite (Cholesky succeeds), diagonal ones diagonal, numbers positive', () => {
    const v = defaultValues(vars, {});
    const S = v.S as number[][];
    expect(S).toEqual(S[0]!.map((_, j) => S.map((r) => r[j]!)));
    const n = S.length,
      L = S.map(() => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const s = S[i]![j]! - L[i]!.slice(0, j).reduce((acc, l, k) => acc + l * L[j]![k]!, 0);
        if (i === j) {
          expect(s).toBeGreaterThan(0);
          L[i]![i] = Math.sqrt(s);
        } else L[i]![j] = s / L[j]![j]!;
      }
    }
    (v.D as number[][]).forEach((r, i) => r.forEach((x, j) => expect(x === 0).toBe(i !== j)));
    expect((v.x as number[]).every((x) => x > 0) && (v.a as number) > 0).toBe(true);
    expect(toEnv(v).size).toBe(5);
  });
});

describe('the examples offered by the picker', () => {
  for (const ex of EXAMPLES) {
    it(`${ex.label} opens to a checked result`, async () => {
      const s = { ...INITIAL, wrt: '', ...ex.state };
      const q = { expr: s.expr, wrt: s.wrt, order: s.order, vars: s.vars };
      const r =
        s.tab === 'check'
          ? await run({ task: 'check', question: q, answer: s.answer })
          : s.tab === 'backprop'
            ? await run({ task: 'backprop', question: q, at: s.at })
            : await run({ task: 'diff', question: q, layout: s.layout });
      if (!r.outcome.ok) throw new Error(JSON.stringify(r.outcome.error));
      const v = r.outcome.view;
      if (v.task === 'check') expect(v.verdict).toBeDefined();
      else if (v.task === 'code') expect(v.code).toContain(v.function);
      else expect(v.check.state).toBe('ok');
    });
  }
});

describe('formulas render with the options every other renderer uses', () => {
  it("a third derivative of softmax(softmax(W*x)) renders (more than KaTeX's default 1000 macro expansions), not as a red error", async () => {
    const v = view<DiffView>(
      await run({ task: 'diff', question: question('softmax(softmax(W*x))', 'x', 3), layout: 'numerator' }),
    );
    expect(v.math.html).toContain('katex');
    expect(v.math.html).not.toContain('katex-error');
  });
});

describe('vec order and the symmetric gradient: the options the CLI has', () => {
  it("--vec cols: the Matrix Cookbook's kron(x', eye(m)), the library's result, checked", async () => {
    const v = view<DiffView>(
      await run({ task: 'diff', question: question('W*x', 'W'), layout: 'numerator', vec: 'cols' }),
    );
    expect(v.text).toBe(derivative('W*x', 'W', { vec: 'cols' }).toString());
    expect(v.text).toContain("kron(x', eye(m))");
    expect(v.convention).toMatch(/stacks columns/);
    expect(v.check.state).toBe('ok');
  });

  it("symmetric gradient: (G + G')/2 for a matrix declared symmetric, checked along symmetric directions", async () => {
    const q = question('tr(S*A)', 'S', 1, { S: 'matrix(n,n) symmetric' });
    const v = view<DiffView>(await run({ task: 'diff', question: q, layout: 'numerator', symmetricGradient: true }));
    expect(v.text).toBe(
      derivative('tr(S*A)', 'S', { vars: { S: 'matrix(n,n) symmetric' }, symmetricGradient: true }).toString(),
    );
    expect(v.convention).toMatch(/symmetric gradient/);
    expect(v.check.state).toBe('ok');
  });
});

describe('Code tab: the module matcalc codegen writes (proved by running it in test/codegen)', () => {
  for (const target of CODE_TARGETS) {
    it(`${target}: the library's module for the question, order and layout`, async () => {
      const v = view<CodeView>(
        await run({ task: 'code', question: question("x'*A*x", 'x', 2), layout: 'numerator', target }),
      );
      const lib = codegen("x'*A*x", 'x', { target, order: 2, layout: 'numerator' });
      expect(v).toEqual({ task: 'code', code: lib.code, function: lib.function, target, parameters: lib.parameters });
      expect(v.code).toContain(lib.function);
    });
  }

  it('a name that is a Python keyword is renamed, and the view says so', async () => {
    const v = view<CodeView>(
      await run({ task: 'code', question: question('sum(lambda .* x)', 'x'), layout: 'numerator', target: 'numpy' }),
    );
    expect(v.parameters.lambda).not.toBe('lambda');
    expect(v.code).toContain(`${v.parameters.lambda}`);
  });

  it('an error in the question comes back typed, beside its input', async () => {
    const r = await run({ task: 'code', question: question('x*y', 'x'), layout: 'numerator', target: 'jax' });
    if (r.outcome.ok) throw new Error('expected a shape error');
    expect(r.outcome.error).toMatchObject({ kind: 'shape', source: 'expr' });
  });
});
