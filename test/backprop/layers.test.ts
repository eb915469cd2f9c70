/**
 * Neural-network layers, one at a time: the compact local Jacobians of the activations (course
 * notes; CS231n), the adjoint rules of linear layers — W*x + b and the batched X*W with rows as
 * examples (dL/dW = X'*G, dL/dX = G*W') — and the four losses. Each golden (the printed form) is
 * paired with finite differences of the same walkthrough (checkWalkthrough: every upstream gradient
 * and every local Jacobian) and of the loss itself.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  LOSSES,
  backprop,
  checkWalkthrough,
  mlp,
  renderHtml,
  renderLatex,
  renderText,
  type Mlp,
  type Walkthrough,
} from '../../src/backprop/index.js';
import { UnsupportedError } from '../../src/errors.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { toText } from '../../src/print/text.js';
import { expectGradientsMatchLoss, smoothWalk } from './mlp.js';

/** A walkthrough of the network at a point where it is smooth, every upstream and local gradient checked. */
const walk = (m: Mlp, seed: number, sizes?: number[]): Walkthrough =>
  smoothWalk(m.expr, (s) => m.sample(s, sizes), { vars: m.vars, layers: m.layers }, seed, { tries: 20 }).w;

const rendered = (s: string): string => {
  katex.renderToString(s, { throwOnError: true });
  return s;
};

describe('activations: local Jacobians in compact form', () => {
  const expected: Record<string, string[]> = {
    sigmoid: ['diag(sigmoid(z1).*(1 - sigmoid(z1)))'],
    tanh: ['diag(1 - tanh(z1).^2)'],
    relu: ['diag(step(z1))'],
    leaky_relu: ['diag(step(z1) + step(-z1)/10)'],
    elu: ['diag(step(z1) + exp(z1).*step(-z1))'],
    maxout: ['diag(step(z1 - u1))', 'diag(step(u1 - z1))'],
    softplus: ['diag(sigmoid(z1))'],
    // softmax in its own output s = h1: diag(s) - s s'
    softmax: ["diag(h1) - h1*h1'"],
  };
  it.each(ACTIVATIONS.map((a) => [a]))('%s', (activation) => {
    const m = mlp({ depth: 2, activation, loss: 'squared' });
    const w = walk(m, 11);
    const h = w.node('h1');
    expect(h.edges.map((e) => toText(e.local.expr))).toEqual(expected[activation]);
    expect(h.edges.every((e) => e.local.kind === 'jacobian' && e.local.value !== null)).toBe(true);
    expectGradientsMatchLoss(w);
    const tex = rendered(renderLatex(w));
    if (activation === 'relu') expect(tex).toContain(String.raw`\operatorname{diag}\left(\mathbb{1}[z_{1} > 0]\right)`);
    if (activation === 'sigmoid')
      expect(tex).toContain(
        String.raw`\operatorname{diag}\left(\sigma\left(z_{1}\right) \odot \left(1 - \sigma\left(z_{1}\right)\right)\right)`,
      );
    if (activation === 'softmax')
      expect(tex).toContain(String.raw`\operatorname{diag}\left(h_{1}\right) - h_{1} h_{1}^\top`);
  });
});

describe('linear layers: upstream × local as vector–Jacobian products', () => {
  it("W*x + b: dL/dW = G*x', dL/dx = W'*G, dL/db = G", () => {
    const m = mlp({ depth: 1, loss: 'squared' });
    const w = walk(m, 5);
    const v1 = w.nodes.find((n) => toText(n.formula) === 'W1*x')!;
    const vjp = (from: string) => toText(v1.edges.find((e) => e.from === from)!.vjp!);
    expect(vjp('W1')).toBe(`G_${v1.id}*x'`);
    expect(vjp('x')).toBe(`W1'*G_${v1.id}`);
    expect(toText(v1.edges.find((e) => e.from === 'W1')!.local.expr)).toBe("kron(eye(n1), x')");
    const layer = w.layers[0]!;
    expect(layer.steps.map((s) => `${s.id}: ${toText(s.formula)}`)).toEqual(["W1: G_s*x'", 'b1: G_s', "x: W1'*G_s"]);
    expect(w.layers[1]!.steps.map((s) => `${s.id}: ${toText(s.formula)}`)).toEqual(['s: 2*(s - t)']);
    expectGradientsMatchLoss(w);
  });

  it("batched X*W (rows = examples): dL/dW = X'*G, dL/dX = G*W'", () => {
    const m = mlp({ depth: 1, loss: 'squared', batched: true });
    expect(m.expr).toBe("S = X*W1 + vector(1)*b1'; L = sum((S - T).^2)");
    const w = walk(m, 5, [3, 2]);
    const v1 = w.nodes.find((n) => toText(n.formula) === 'X*W1')!;
    const vjp = (from: string) => toText(v1.edges.find((e) => e.from === from)!.vjp!);
    expect(vjp('W1')).toBe(`X'*G_${v1.id}`);
    expect(vjp('X')).toBe(`G_${v1.id}*W1'`);
    expect(w.layers[0]!.steps.map((s) => `${s.id}: ${toText(s.formula)}`)).toEqual([
      "W1: X'*G_S",
      "b1: G_S'*vector(1)",
      "X: G_S*W1'",
    ]);
    expect(w.gradients.get('W1')!.dims).toEqual([3, 2]);
    expect(w.gradients.get('X')!.dims).toEqual([2, 3]);
    expectGradientsMatchLoss(w);
  });

  it('batched softmax cross-entropy: -sum(T.*log_softmax(S, 1)), dL/dS = softmax(S, 1) - T row by row for one-hot rows', () => {
    const m = mlp({ depth: 1, batched: true, loss: 'softmax-ce' });
    expect(m.expr).toBe("S = X*W1 + vector(1)*b1'; L = -sum(T.*log_softmax(S, 1))");
    const w = walk(m, 5, [3, 4]);
    // By hand: each row of S through its own softmax, minus that row's one-hot target.
    const S = w.node('S').value,
      T = w.at.get('T')!;
    const [rows, cols] = S.dims as [number, number];
    for (let i = 0; i < rows; i++) {
      const e = Array.from({ length: cols }, (_, j) => Math.exp(S.data[i * cols + j]!));
      const z = e.reduce((a, v) => a + v, 0);
      for (let j = 0; j < cols; j++)
        expect(w.node('S').upstream.data[i * cols + j]).toBeCloseTo(e[j]! / z - T.data[i * cols + j]!, 12);
    }
    const loss = w.layers[w.layers.length - 1]!;
    expect(toText(loss.steps[loss.steps.length - 1]!.formula)).toBe("sum(T, 1)*vector(1)'.*softmax(S, 1) - T");
    rendered(renderLatex(w));
    expectGradientsMatchLoss(w);
  });

  it('a batched softmax activation is row by row; the batched form has no hinge loss', () => {
    const m = mlp({ depth: 2, batched: true, activation: 'softmax', loss: 'squared' });
    expect(m.expr).toContain('H1 = softmax(Z1, 1)');
    expectGradientsMatchLoss(walk(m, 3, [3, 4, 2]));
    expect(() => mlp({ depth: 2, batched: true, loss: 'hinge' })).toThrow(UnsupportedError);
  });
});

describe('losses', () => {
  const expected: Record<string, { loss: string; Gs: string }> = {
    squared: { loss: 'sum((s - t).^2)', Gs: '2*(s - t)' },
    'softmax-ce': { loss: "-t'*log(softmax(s))", Gs: 'sum(t)*softmax(s) - t' },
    bce: { loss: "-(t'*log(sigmoid(s)) + (1 - t)'*log(1 - sigmoid(s)))", Gs: 'sigmoid(s) - t' },
    hinge: { loss: "sum(relu(s - t'*s + 1)) - 1", Gs: "step(s - t'*s + 1) - step(s - t'*s + 1)'*vector(1)*t" },
  };
  it.each(LOSSES.map((l) => [l]))('%s', (loss) => {
    const m = mlp({ depth: 2, activation: 'tanh', loss });
    expect(m.expr.endsWith(`L = ${expected[loss]!.loss}`)).toBe(true);
    const w = walk(m, 23);
    const last = w.layers[w.layers.length - 1]!;
    expect(last.name).toBe('loss');
    expect(toText(last.steps[last.steps.length - 1]!.formula)).toBe(expected[loss]!.Gs);
    expectGradientsMatchLoss(w);
  });

  it('softmax cross-entropy: dL/ds = softmax(s) - t for a one-hot t', () => {
    const m = mlp({ depth: 1, loss: 'softmax-ce' });
    const w = walk(m, 3);
    const s = w.node('s'),
      t = w.at.get('t')!;
    const e = s.value.data.map(Math.exp);
    const sum = e.reduce((a, v) => a + v, 0);
    s.upstream.data.forEach((g, i) => expect(g).toBeCloseTo(e[i]! / sum - t.data[i]!, 12));
  });

  it('hinge: the margin violations of the wrong classes, by hand', () => {
    const w = backprop("sum(relu(s - t'*s + 1)) - 1", { s: [2, 0.5, 1.8], t: [1, 0, 0] });
    // s_y = 2: margins s_j - 2 + 1 = [1, -0.5, 0.8]; L = (1 - 1) + 0 + 0.8
    expect(w.value.data[0]).toBeCloseTo(0.8, 14);
    expect([...w.gradients.get('s')!.data]).toEqual([-1, 0, 1]);
    expect(checkWalkthrough(w).ok).toBe(true);
  });
});

describe('layer by layer: dL/dW_i and dL/dX_i from the upstream dL/dX_{i+1}', () => {
  it('a 3-layer sigmoid network with softmax cross-entropy', () => {
    const m = mlp({ depth: 3, activation: 'sigmoid', loss: 'softmax-ce' });
    const w = walk(m, 7);
    const views = w.layers.map((l) => [
      l.name,
      l.input,
      l.output,
      l.steps.map((s) => `${s.id} = ${toText(s.formula)}`),
    ]);
    expect(views.slice(0, 3)).toEqual([
      [
        'layer 1',
        'x',
        'h1',
        ['z1 = G_h1.*(sigmoid(z1).*(1 - sigmoid(z1)))', "W1 = G_z1*x'", 'b1 = G_z1', "x = W1'*G_z1"],
      ],
      [
        'layer 2',
        'h1',
        'h2',
        ['z2 = G_h2.*(sigmoid(z2).*(1 - sigmoid(z2)))', "W2 = G_z2*h1'", 'b2 = G_z2', "h1 = W2'*G_z2"],
      ],
      ['layer 3 (scores)', 'h2', 's', ["W3 = G_s*h2'", 'b3 = G_s', "h2 = W3'*G_s"]],
    ]);
    // Each layer receives exactly the upstream its successor sent back, and every value is the graph's.
    for (const [i, l] of w.layers.entries()) {
      expect(l.received).toEqual(w.node(l.output).upstream);
      if (i > 0) expect(w.layers[i - 1]!.output).toBe(l.input);
      for (const s of l.steps) expect(compareTensors(s.value, w.node(s.id).upstream).ok).toBe(true);
    }
    const text = renderText(w);
    expect(text).toContain('layer 2: h1 → h2, receives ∂L/∂h2 = ');
    expect(text).toContain("  ∂L/∂W2 = G_z2*h1' = ");
    rendered(renderLatex(w));
    expectGradientsMatchLoss(w);
  });

  it('the HTML page draws every node and renders the layer formulas with KaTeX', async () => {
    const m = mlp({ depth: 2, activation: 'maxout', loss: 'hinge' });
    const w = walk(m, 9);
    const html = await renderHtml(w); // KaTeX with throwOnError: a LaTeX error would reject
    expect((html.match(/<rect /g) ?? []).length).toBe(w.nodes.length);
    expect((html.match(/marker-end=/g) ?? []).length).toBe(w.nodes.reduce((k, n) => k + n.edges.length, 0));
    expect(html).toContain('<h2>Layer by layer</h2>');
    expect(html).toContain('<h3>layer 1: x → h1</h3>');
    expect((html.match(/<math/g) ?? []).length).toBeGreaterThan(w.layers.reduce((k, l) => k + l.steps.length, 0));
  });
});
