/**
 * Backprop walkthroughs of the layers over a batch (issue 15), written as programs the way papers
 * write them: attention (Vaswani et al. 2017), layer norm (Ba et al. 2016), batch norm (Ioffe &
 * Szegedy 2015), softmax cross-entropy, GELU and SiLU layers. For each, every upstream gradient and
 * every local Jacobian of the walkthrough is checked against finite differences with that node set
 * free (checkWalkthrough), and every input's gradient against central differences of the ORIGINAL
 * loss (expectGradientsMatchLoss). Goldens pair the printed backward steps with those checks.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { renderLatex, renderText } from '../../src/backprop/index.js';
import { rng } from '../../src/numeric/random.js';
import { type Tensor, tensor } from '../../src/numeric/tensor.js';
import { toText } from '../../src/print/text.js';
import { expectGradientsMatchLoss, smoothWalk } from './mlp.js';

/** Values of the given shapes, standard normal, seeded; `d` positive (a scale). */
function values(shapes: Readonly<Record<string, readonly number[]>>, extra: Readonly<Record<string, number>> = {}) {
  return (seed: number): Map<string, Tensor> => {
    const r = rng(seed);
    const out = new Map<string, Tensor>();
    for (const [name, dims] of Object.entries(shapes)) {
      const t = tensor([...dims]);
      for (let i = 0; i < t.data.length; i++) t.data[i] = r.normal();
      out.set(name, t);
    }
    for (const [name, v] of Object.entries(extra)) out.set(name, tensor([], [v]));
    return out;
  };
}

/** One-hot rows (k×n), as classification targets. */
function oneHot(seed: number, k: number, n: number): Tensor {
  const r = rng(seed + 1);
  const t = tensor([k, n]);
  for (let i = 0; i < k; i++) t.data[i * n + r.int(0, n - 1)] = 1;
  return t;
}

const rendered = (s: string): string => {
  katex.renderToString(s, { throwOnError: true });
  return s;
};
const chainOf = (w: ReturnType<typeof smoothWalk>['w']): Record<string, string> =>
  Object.fromEntries((w.chain ?? []).map((s) => [s.id, toText(s.formula)]));

describe('layers over a batch: backprop walkthroughs agree with finite differences', () => {
  it("attention (Vaswani et al. 2017): dV = P'G, dS = P.*(dP - sum(dP.*P, 1)1'), dQ = dS K/√d", () => {
    const program = "S = Q*K'/sqrt(d); P = softmax(S, 1); O = P*V; L = sum(G.*O)";
    const { w } = smoothWalk(program, values({ Q: [3, 2], K: [4, 2], V: [4, 2], G: [3, 2] }, { d: 2 }), {}, 1);
    expectGradientsMatchLoss(w);
    const chain = chainOf(w);
    expect(chain.O).toBe('G');
    expect(chain.V).toBe("P'*G_O");
    expect(chain.P).toBe("G_O*V'");
    expect(chain.S).toBe("P.*(G_P - sum(G_P.*P, 1)*vector(1)')");
    expect(w.gradients.get('Q')!.dims).toEqual([3, 2]);
    rendered(renderLatex(w));
    expect(renderText(w)).toContain('∂L/∂S');
  });

  it('layer norm over the features of each row (Ba et al. 2016)', () => {
    const program =
      "M = X - mean(X, 1)*vector(1)'; Xh = M./(std(X, 1)*vector(1)'); Y = Xh.*(vector(1)*w') + vector(1)*h'; L = sum(G.*Y)";
    const { w } = smoothWalk(program, values({ X: [3, 4], G: [3, 4], w: [4], h: [4] }), {}, 1);
    expectGradientsMatchLoss(w);
    const chain = chainOf(w);
    expect(chain.h).toBe("G_Y'*vector(1)");
    expect(w.gradients.get('X')!.dims).toEqual([3, 4]);
    rendered(renderLatex(w));
  });

  it('batch norm over the batch (Ioffe & Szegedy 2015)', () => {
    const program =
      "M = X - vector(1)*mean(X, 0); Xh = M./(vector(1)*std(X, 0)); Y = Xh.*(vector(1)*w') + vector(1)*h'; L = sum(G.*Y)";
    const { w } = smoothWalk(program, values({ X: [4, 3], G: [4, 3], w: [3], h: [3] }), {}, 1);
    expectGradientsMatchLoss(w);
    expect(w.gradients.get('w')!.dims).toEqual([3]);
    rendered(renderLatex(w));
  });

  it('softmax cross-entropy over a batch: dL/dZ = softmax(Z, 1) - T for one-hot rows', () => {
    const program = "Z = X*W + vector(1)*h'; L = -sum(T.*log_softmax(Z, 1))";
    const make = (seed: number) =>
      new Map([...values({ X: [3, 2], W: [2, 4], h: [4] })(seed), ['T', oneHot(seed, 3, 4)]]);
    const { w } = smoothWalk(program, make, {}, 1);
    expectGradientsMatchLoss(w);
    const Z = w.node('Z'),
      T = w.at.get('T')!;
    for (let i = 0; i < 3; i++) {
      const e = Array.from({ length: 4 }, (_, j) => Math.exp(Z.value.data[i * 4 + j]!));
      const s = e.reduce((a, v) => a + v, 0);
      for (let j = 0; j < 4; j++) expect(Z.upstream.data[i * 4 + j]).toBeCloseTo(e[j]! / s - T.data[i * 4 + j]!, 12);
    }
  });

  it.each([['gelu'], ['silu']])("a %s layer: dL/dW = X'*(G .* f'(X*W))", (f) => {
    const program = `Z = X*W; H = ${f}(Z); L = sum(G.*H)`;
    const { w } = smoothWalk(program, values({ X: [3, 2], W: [2, 4], G: [3, 4] }), {}, 1);
    expectGradientsMatchLoss(w);
    expect(chainOf(w).W).toBe("X'*G_Z");
    rendered(renderLatex(w));
  });
});
