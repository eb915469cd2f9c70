/**
 * Regressions of issue 10, item 10 (backprop), each reproduction as reported:
 *   - a missing value or a mistyped step name was reported as "backprop needs a scalar output";
 *   - the API did not take shapes from the values, so the course notes' (x + y)*z at
 *     {x: -2, y: 5, z: -4} was a ShapeError from the library while the CLI accepted it;
 *   - a node feeding the output directly and through another node printed the circular
 *     ∂f/∂a = ∂f/∂b · ∂b/∂a + ∂f/∂a.
 * Every gradient asserted here is compared with central differences of the original expression,
 * parsed on its own (no graph involved).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  backprop,
  checkWalkthrough,
  renderHtml,
  renderJson,
  renderLatex,
  renderText,
} from '../../src/backprop/index.js';
import { backprop as apiBackprop } from '../../src/index.js';
import { ParseError, RequestError } from '../../src/errors.js';
import { toEnv } from '../../src/api/values.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import type { Nested } from '../../src/numeric/tensor.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { derivationSteps } from '../../src/steps/steps.js';

/** Central differences of `expr` itself in `wrt` at `at`, flattened. */
function fd(expr: string, wrt: string, at: Record<string, Nested>, vars: Record<string, VarDecl>): number[] {
  const run = evaluator(parse(expr, { vars }));
  return [...fdJacobian((e) => run(e), toEnv(at), wrt).data];
}

const expectClose = (got: ArrayLike<number>, want: readonly number[]): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[i]!)));
};

const S: VarDecl = { dims: [] };
const notesAt = { x: -2, y: 5, z: -4 };

describe('the API takes shapes from the values, as the CLI does', () => {
  it('course notes: backprop("(x + y)*z", {x: -2, y: 5, z: -4}) from the library, as the docs show', () => {
    const w = apiBackprop('(x + y)*z', notesAt);
    expect(w.value.data[0]).toBe(-12);
    expect(Object.fromEntries([...w.gradients].map(([k, g]) => [k, g.data[0]]))).toEqual({ x: -4, y: -4, z: 3 });
    for (const v of ['x', 'y', 'z'])
      expectClose(w.gradients.get(v)!.data, fd('(x + y)*z', v, notesAt, { x: S, y: S, z: S }));
    expect(checkWalkthrough(w).ok).toBe(true);
  });

  it("the README's library example runs as printed, each commented value included", () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
    const block = readme
      .split('```ts')
      .map((b) => b.split('```')[0]!)
      .find((b) => b.includes("backprop('(x + y)*z'"))!;
    const call = /backprop\('(.+?)', (\{.+?\})\)/.exec(block)!;
    const w = apiBackprop(call[1]!, JSON.parse(call[2]!.replace(/(\w+):/g, '"$1":')) as Record<string, number>);
    const claims = [...block.matchAll(/^(w\.[^;]+);\s*\/\/\s*(-?\d+)/gm)];
    expect(claims.length).toBe(3);
    for (const [, expr, value] of claims) {
      const m = /^w\.(value|gradients\.get\('(\w)'\)!)\.data\[0\]$/.exec(expr!)!;
      const got = m[1] === 'value' ? w.value : w.gradients.get(m[2]!)!;
      expect(got.data[0]).toBe(Number(value));
    }
  });

  it('the program form too: q = x + y; f = q*z', () => {
    const w = backprop('q = x + y; f = q*z', notesAt);
    expect(w.node('q').upstream.data[0]).toBe(-4);
    expect(w.node('x').explanation).toBe('∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4');
  });

  it("vectors and matrices whose letters the naming convention reads otherwise: a'*B*c with a, c lists, B rows", () => {
    const at = {
      a: [1, -2],
      B: [
        [1, 2],
        [3, 4],
      ],
      c: [0.5, 1],
    };
    const w = backprop("a'*B*c", at);
    const vars = { a: { dims: [2] }, B: { dims: [2, 2] }, c: { dims: [2] } };
    for (const v of ['a', 'B', 'c']) expectClose(w.gradients.get(v)!.data, fd("a'*B*c", v, at, vars));
    expect(checkWalkthrough(w).ok).toBe(true);
  });

  it('a declaration still wins over the value, and must agree with it', () => {
    const w = backprop('sum(x)', { x: [1, 2, 3] }, { vars: { x: { dims: ['n'] } } });
    expect([...w.gradients.get('x')!.data]).toEqual([1, 1, 1]);
    expect(() => backprop('sum(x)', { x: [1, 2, 3] }, { vars: { x: { dims: [2] } } })).toThrow(
      /x has 3 entries|declared/,
    );
  });
});

describe('a missing value or an undefined name is named, not mistaken for a non-scalar output', () => {
  it('an expression: "no value for z", with its column', () => {
    expect(() => backprop('(x + y)*z', { x: -2, y: 5 })).toThrow(RequestError);
    expect(() => backprop('(x + y)*z', { x: -2, y: 5 })).toThrow('no value for z (at column 9)');
    expect(() => backprop("sigmoid(w'*x + b)", { w: [1, -1], x: [0.5, 2] })).toThrow('no value for b (at column 16)');
  });

  it('a program with a mistyped step: "r is not defined", with its statement and column', () => {
    expect(() => backprop('q = x + y; f = r*z', notesAt)).toThrow(ParseError);
    expect(() => backprop('q = x + y; f = r*z', notesAt)).toThrow(
      'r is not defined — in statement 2, "f = r*z" (at column 16)',
    );
    expect(() => backprop('q = x + y\nf = q*z', { x: -2, y: 5 })).toThrow(
      'z is not defined — in statement 2 (line 2), "f = q*z" (at column 7)',
    );
    expect(() => backprop('q = x + w; f = q*z', notesAt)).toThrow(
      'w is not defined — in statement 1, "q = x + w" (at column 9)',
    );
    // a declared input without a value is still named as such
    expect(() => backprop('q = x + y; f = q*z', { x: -2, y: 5 }, { vars: { z: 'scalar' } })).toThrow('no value for z');
  });

  it('e, pi and eye are constants unless given a value; function names are left to the parser', () => {
    expect(backprop('x*pi + e', { x: 2 }).gradients.get('x')!.data[0]).toBeCloseTo(Math.PI, 14);
    expect(() => backprop('sum + x', { x: 2 })).toThrow(/sum is a function/);
  });

  it('an expression already built: "no value for" its variable', () => {
    const e = parse('a*b', { vars: { a: S, b: S } });
    expect(() => backprop(e, { a: 1 })).toThrow('no value for b');
  });

  it('a non-scalar output with every value given is still the shape error it was', () => {
    expect(() =>
      backprop('W*x', {
        W: [
          [1, 2],
          [3, 4],
        ],
        x: [1, 1],
      }),
    ).toThrow(/backprop needs a scalar output/);
  });
});

describe('fan-out through the output itself: branches named, no circular formula', () => {
  // a feeds q = a*b and f = q*a directly: ∂f/∂a = ∂f/∂q · ∂q/∂a + (local ∂f/∂a with q held) = a*b*... = 2ab
  const at = { a: 2, b: 3 };
  const w = backprop('q = a*b; f = q*a', at);
  const noCircle = (line: string, total: string): void => {
    const rhs = line.slice(line.indexOf(' = ') + 3);
    // The total may appear on the right only as a named branch.
    expect(
      rhs
        .split(total)
        .slice(1)
        .every((rest) => rest.startsWith(' (via ') || rest.startsWith('\\right|_{\\text{via ')),
    ).toBe(true);
  };

  it('text: ∂f/∂a = ∂f/∂a (via q) + ∂f/∂a (via f) = ∂f/∂q · ∂q/∂a + q', () => {
    const line = w.node('a').explanation;
    expect(line).toBe('∂f/∂a = ∂f/∂a (via q) + ∂f/∂a (via f) = ∂f/∂q · ∂q/∂a + q = (2)(3) + (6) = 12');
    noCircle(line, '∂f/∂a');
    expect(renderText(w)).toContain(`  ${line}`);
    expectClose(w.gradients.get('a')!.data, fd('a*b*a', 'a', at, { a: S, b: S }));
    expectClose(w.gradients.get('b')!.data, fd('a*b*a', 'b', at, { a: S, b: S }));
  });

  it('a compound local is parenthesised: q = exp(a); f = q/a', () => {
    const at2 = { a: 0.5 };
    const w2 = backprop('q = exp(a); f = q/a', at2);
    const line = w2.node('a').explanation;
    expect(line).toBe(
      '∂f/∂a = ∂f/∂a (via q) + ∂f/∂a (via f) = ∂f/∂q · ∂q/∂a + (-(q/a^2)) = (2)(1.649) + (-6.595) = -3.297',
    );
    noCircle(line, '∂f/∂a');
    expectClose(w2.gradients.get('a')!.data, fd('exp(a)/a', 'a', at2, { a: S }));
    expect(checkWalkthrough(w2).ok).toBe(true);
  });

  it('fan-out that does not reach the output directly keeps its upstream × local sum', () => {
    const at2 = { a: 0.5, b: 3 };
    const w2 = backprop('q = a*b; f = q + a^2', at2);
    expect(w2.node('a').explanation).toBe('∂f/∂a = ∂f/∂q · ∂q/∂a + ∂f/∂v1 · ∂v1/∂a = (1)(3) + (1)(1) = 4');
    expectClose(w2.gradients.get('a')!.data, fd('a*b + a^2', 'a', at2, { a: S, b: S }));
  });

  it('LaTeX: the branches named ∂f/∂a|via q + ∂f/∂a|via f, then ∂f/∂q ∂q/∂a + q; KaTeX renders it', () => {
    const tex = renderLatex(w);
    katex.renderToString(tex, { throwOnError: true });
    const line = tex.split('\n').find((l) => l.startsWith(String.raw`\frac{\partial f}{\partial a} &=`))!;
    expect(line).toBe(
      String.raw`\frac{\partial f}{\partial a} &= \left.\frac{\partial f}{\partial a}\right|_{\text{via } q} + \left.\frac{\partial f}{\partial a}\right|_{\text{via } f} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial a} + q = b {\frac{\partial f}{\partial q}} + q = \left(2\right)\left(3\right) + \left(6\right) = 12`,
    );
    noCircle(line.replace(' &=', ' ='), String.raw`\frac{\partial f}{\partial a}`);
  });

  it("JSON: each path's contribution is its own named entry", () => {
    const j = JSON.parse(renderJson(w));
    const q = j.nodes.find((n: { id: string }) => n.id === 'q'),
      f = j.nodes.find((n: { id: string }) => n.id === 'f');
    expect(q.local.a.explanation).toBe('∂f/∂a (via q) = ∂f/∂q · ∂q/∂a = (2)(3) = 6');
    expect(f.local.a.explanation).toBe('∂f/∂a (via f) = q = 6, directly from f = q*a');
    expect(q.local.a.contribution + f.local.a.contribution).toBe(j.gradients.a);
  });

  it('HTML: the backward pass lists the named branches', async () => {
    const html = await renderHtml(w);
    expect(html).toContain('∂f/∂a = ∂f/∂a (via q) + ∂f/∂a (via f) = ∂f/∂q · ∂q/∂a + q');
    expect(html).not.toContain('∂q/∂a + ∂f/∂a');
  });

  it('with a given upstream (a vector output) the path through the output is its adjoint rule, not ∂f/∂f ∂f/∂x', () => {
    const at = { x: [1, 2] },
      u = [1, -1];
    const w2 = backprop('q = 2*x; f = q + x', at, { upstream: u });
    const tex = renderLatex(w2);
    katex.renderToString(tex, { throwOnError: true });
    const line = tex.split('\n').find((l) => l.startsWith(String.raw`\frac{\partial f}{\partial x} &=`))!;
    expect(line).toContain(
      String.raw`\left.\frac{\partial f}{\partial x}\right|_{\text{via } q} + \left.\frac{\partial f}{\partial x}\right|_{\text{via } f} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial x} + {\frac{\partial f}{\partial f}}`,
    );
    noCircle(line.replace(' &=', ' ='), String.raw`\frac{\partial f}{\partial x}`);
    expect(tex).not.toContain(String.raw`\frac{\partial f}{\partial f}\,\frac{\partial f}{\partial`);
    // ∂⟨u, f⟩/∂x = uᵀ J, J by central differences of f = 2x + x itself
    const J = fdJacobian((e) => evaluator(parse('2*x + x', { vars: { x: { dims: [2] } } }))(e), toEnv(at), 'x');
    expectClose(
      w2.gradients.get('x')!.data,
      [0, 1].map((j) => u[0]! * J.data[j]! + u[1]! * J.data[2 + j]!),
    );
  });

  it('diff --steps chain: the same fan-out is not circular either', () => {
    const steps = derivationSteps('a*b + a', 'a', { route: 'chain' });
    const line = steps.find((s) => s.latex.includes(String.raw`\text{via }`))!.latex;
    expect(line).toContain(
      String.raw`\left.\frac{\partial f}{\partial a}\right|_{\text{via } v_{1}} + \left.\frac{\partial f}{\partial a}\right|_{\text{via } f} = \frac{\partial f}{\partial v_{1}}\,\frac{\partial v_{1}}{\partial a} + 1`,
    );
    noCircle(line, String.raw`\frac{\partial f}{\partial a}`);
    katex.renderToString(line, { throwOnError: true });
  });
});
