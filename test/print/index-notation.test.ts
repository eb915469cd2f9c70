/**
 * Index notation is checked for truth, not only form: the printed sum is evaluated entry by entry
 * (atoms evaluated numerically, deltas as 0/1, explicit sums looped) and compared with the
 * derivative's value, which is itself checked by finite differences.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { varsOf } from '../../src/ir/walk.js';
import type { Expr } from '../../src/ir/expr.js';
import type { IndexForm } from '../../src/print/index-notation.js';
import type { Env } from '../../src/numeric/evaluate.js';
import type { Tensor } from '../../src/numeric/tensor.js';

/** Evaluates an index form into the tensor layout dims(f) + order·dims(x). */
function evaluateIndexForm(
  form: IndexForm,
  dims: readonly number[],
  at: Env,
  sizeOf: (label: string) => number,
  sizes?: ReadonlyMap<string, number>,
): Tensor {
  const free = [...form.fLabels, ...form.slotLabels.flat()];
  const out = new Float64Array(dims.reduce((a, b) => a * b, 1));
  const atomCache = new Map<Expr, Tensor>();
  const atom = (e: Expr) => {
    let t = atomCache.get(e);
    // (sizes: an atom may name a dimension no variable of its own fixes, as a mean's 1/tr(eye(n)).)
    if (!t) {
      t = evaluate(e, at, sizes);
      atomCache.set(e, t);
    }
    return t;
  };
  const entry = (t: Tensor, idx: readonly number[]) => t.data[idx.reduce((acc, i, k) => acc * t.dims[k]! + i, 0)]!;
  for (let flat = 0; flat < out.length; flat++) {
    const env = new Map<string, number>();
    let r = flat;
    for (let k = free.length - 1; k >= 0; k--) {
      env.set(free[k]!, r % dims[k]!);
      r = Math.floor(r / dims[k]!);
    }
    let total = 0;
    for (const term of form.terms) {
      const loop = (i: number, bind: Map<string, number>): number => {
        if (i === term.summed.length) {
          let p = term.coef;
          for (const f of term.factors) {
            const idx = f.idx.map((l) => bind.get(l)!);
            const v = f.kind === 'delta' ? Number(idx[0] === idx[1]) : entry(atom(f.expr!), idx);
            p *= f.reciprocal ? 1 / v : v;
          }
          return p;
        }
        let acc = 0;
        const label = term.summed[i]!;
        for (let v = 0; v < sizeOf(label); v++) acc += loop(i + 1, new Map(bind).set(label, v));
        return acc;
      };
      total += loop(0, env);
    }
    out[flat] = total;
  }
  return { dims: [...dims], data: out };
}

const CASES: Array<[string, string, number]> = [
  ['sum(exp(z))', 'z', 3],
  ["X'*X", 'X', 1],
  ['det(X)', 'X', 2],
  ['W*x', 'W', 1],
  ["x'*A*x", 'x', 2],
  ['softmax(z)', 'z', 2],
  ['A*X*B', 'X', 1],
  ['inv(X)', 'X', 1],
  ['tr(A*X*B)', 'X', 1],
  ['sigmoid(W*x)', 'W', 1],
  ['x./(y.*y)', 'y', 1],
  ['norm2(x)', 'x', 3],
  ['diag(x)*A*x', 'x', 1],
  ['logsumexp(z)', 'z', 3],
  // reductions along a dim, and a mean's 1/n (issue 15)
  ['sum(W, 0)', 'W', 1],
  ['sum(W, 1)', 'W', 1],
  ['mean(W, 1)', 'W', 1],
  ['mean(W.*W, 0)', 'W', 2],
  ['var(W, 1)', 'W', 2],
  ['mean(x)', 'x', 1],
];

describe('index notation evaluates to the derivative', () => {
  for (const [src, wrt, order] of CASES) {
    it(`d^${order} ${src} / d${wrt}^${order}`, () => {
      const d = derivative(src, wrt, { order });
      expect(d.verify({ points: 1 }).ok).toBe(true);
      const form = d.toIndexNotation();
      expect(form, 'index notation should be available').toBeDefined();
      // Every dimension is 3, so a summed label ranges over 0..2 whatever it contracts.
      const uniform = new Map([...defaultDims(d.f, 7).keys()].map((k) => [k, 3]));
      const at = randomPoint(varsOf(d.f), uniform, 13);
      const value = d.evaluate(at);
      const got = evaluateIndexForm(form!, value.dims, at, () => 3, uniform);
      expect(got.data.length).toBe(value.data.length);
      for (let i = 0; i < value.data.length; i++) expect(got.data[i]).toBeCloseTo(value.data[i]!, 9);
    });
  }
});

// Issue 10 item 7: W2 prints as W_{2}, so its entries were W_{2}_{ia} — a double subscript KaTeX
// rejects (and the HTML page crashed). A name that already carries a script is parenthesised.
describe('index notation of names with digits or subscripts is valid LaTeX', () => {
  const CASES: Array<[string, string, number, string]> = [
    ['W2*W1*x', 'W1', 1, String.raw`\frac{\partial f_{i}}{\partial (W_{1})_{ab}} = (W_{2})_{ia} x_{b}`],
    [
      "x_prev'*W1",
      'W1',
      1,
      String.raw`\frac{\partial f_{i}}{\partial (W_{1})_{ab}} = \delta_{ib} (x_{\mathrm{prev}})_{a}`,
    ],
    [
      'exp(h_1)',
      'h_1',
      3,
      String.raw`\frac{\partial^{3} f_{i}}{\partial (h_{1})_{a}\,\partial (h_{1})_{c}\,\partial (h_{1})_{e}} = \delta_{ia} \delta_{ic} \delta_{ie} \exp\left(h_{1}\right)_{i}`,
    ],
    ["A1'*x2", 'x2', 1, String.raw`\frac{\partial f_{i}}{\partial (x_{2})_{a}} = (A_{1})_{ai}`],
  ];
  for (const [src, wrt, order, latex] of CASES) {
    it(`d^${order} ${src} / d${wrt}^${order}`, async () => {
      const katex = (await import('katex')).default;
      const d = derivative(src, wrt, { order });
      expect(d.verify({ points: 1 }).ok).toBe(true);
      const form = d.toIndexNotation()!;
      expect(form.latex).toBe(latex);
      expect(() => katex.renderToString(form.latex, { throwOnError: true })).not.toThrow();
      const uniform = new Map([...defaultDims(d.f, 7).keys()].map((k) => [k, 3]));
      const at = randomPoint(varsOf(d.f), uniform, 13);
      const value = d.evaluate(at);
      const got = evaluateIndexForm(form, value.dims, at, () => 3);
      for (let i = 0; i < value.data.length; i++) expect(got.data[i]).toBeCloseTo(value.data[i]!, 9);
    });
  }

  it('indexedTex parenthesises only a base that ends in a script', async () => {
    const { indexedTex } = await import('../../src/print/index-notation.js');
    expect(indexedTex('W', ['i', 'a'])).toBe('W_{ia}');
    expect(indexedTex('W_{2}', ['i'])).toBe('(W_{2})_{i}');
    expect(indexedTex(String.raw`\mathbf{1}^\top`, ['i'])).toBe(String.raw`(\mathbf{1}^\top)_{i}`);
    expect(indexedTex(String.raw`\sqrt{x}`, ['i'])).toBe(String.raw`\sqrt{x}_{i}`);
    expect(indexedTex(String.raw`\operatorname{lrelu}_{0.1}\left(z\right)`, ['i'])).toBe(
      String.raw`\operatorname{lrelu}_{0.1}\left(z\right)_{i}`,
    );
  });
});

describe('an identically zero derivative', () => {
  it.each([
    ['A*x', 'x', 2],
    ['W*x', 'W', 2],
    ["x'*A*x", 'x', 3],
  ] as const)('d^%i of %s reads "= 0" in index notation', (src, wrt, order) => {
    const d = derivative(src, wrt, { order });
    expect(d.verify({ points: 1 }).ok).toBe(true);
    const form = d.toIndexNotation()!;
    expect(form).toBeDefined();
    expect(form.terms).toEqual([]);
    expect(form.text).toMatch(/ = 0$/);
    expect(form.latex).toMatch(/ = 0$/);
  });
});
