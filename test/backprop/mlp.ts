/**
 * Shared body of the MLP walkthrough tests (split over two files so that they run in parallel):
 * for depths 1 to 10 with one activation, every upstream gradient in the walkthrough (every node,
 * parameters and inputs included) is checked against finite differences with the node set free,
 * every parameter gradient against finite differences of the loss expression itself, and the
 * layer-by-layer view against the graph. The loss cycles through the four losses with the depth.
 * Points near a kink (relu at 0, max at a tie, a hinge margin at 0) are resampled.
 */
import { describe, expect, it } from 'vitest';
import {
  LOSSES,
  backprop,
  checkWalkthrough,
  mlp,
  type Activation,
  type Walkthrough,
} from '../../src/backprop/index.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { ORDER1, compareTensors, fdJacobian } from '../../src/numeric/fd.js';
import type { Tensor } from '../../src/numeric/tensor.js';

export const DEPTHS = Array.from({ length: 10 }, (_, i) => i + 1);

/**
 * A walkthrough at the first seed from `seed` where the function is smooth (kinks of relu/max
 * resampled), with every upstream gradient (and, unless `locals` is false, every local Jacobian)
 * asserted to match finite differences.
 */
export function smoothWalk(
  expr: string,
  make: (seed: number) => Map<string, Tensor>,
  opts: Parameters<typeof backprop>[2],
  seed: number,
  { tries = 25, locals = true }: { readonly tries?: number; readonly locals?: boolean } = {},
): { w: Walkthrough; seed: number } {
  for (let s = seed; s < seed + tries; s++) {
    const w = backprop(expr, make(s), opts);
    const c = checkWalkthrough(w, { locals });
    if (c.kink) continue;
    expect(
      c.results.filter((r) => !r.ok),
      `seed ${s}: gradients off finite differences`,
    ).toEqual([]);
    expect(c.results.filter((r) => r.kind === 'upstream').length).toBe(w.nodes.length);
    return { w, seed: s };
  }
  throw new Error(`no smooth point within ${tries} seeds of ${seed}`);
}

/** Each parameter gradient against central differences of the loss expression itself (no graph involved). */
export function expectGradientsMatchLoss(w: Walkthrough, label = ''): void {
  const loss = evaluator(w.expr);
  for (const [name, g] of w.gradients) {
    const fd = fdJacobian((at) => loss(at), w.at, name);
    const cmp = compareTensors({ dims: fd.dims, data: g.data }, fd, ORDER1);
    expect(cmp.ok, `${name}${label}: max error ${cmp.maxError}`).toBe(true);
  }
}

export function mlpSuite(activations: readonly Activation[], batched = false): void {
  for (const activation of activations) {
    describe(`${activation}${batched ? ' (batched)' : ''}`, () => {
      it.each(DEPTHS.filter((d) => !batched || d <= 4).map((d) => [d]))(
        'depth %i: every gradient matches finite differences',
        (depth) => {
          const loss = batched
            ? (['squared', 'bce', 'softmax-ce'] as const)[depth % 3]!
            : LOSSES[depth % LOSSES.length]!;
          const m = mlp({ depth, activation, loss, batched });
          // Input 3 wide, the others 2: small, and no two neighbours of one size (a transposed W would not fit).
          const sizes = m.dims.filter((d) => d !== 'm').map((_, i) => (i === 0 ? 3 : 2));
          const { w, seed } = smoothWalk(
            m.expr,
            (s) => m.sample(1000 * depth + s, sizes, 2),
            { vars: m.vars, layers: m.layers },
            1,
            { locals: false },
          );
          expectGradientsMatchLoss(w, ` (seed ${seed})`);
          expect([...w.gradients.keys()].sort()).toEqual(Object.keys(m.vars).sort());
          // Layer by layer: depth layers and the loss, each fed by the next one's upstream.
          expect(w.layers.length).toBe(depth + 1);
          for (const l of w.layers) {
            expect(l.received).toEqual(w.node(l.output).upstream);
            for (const s of l.steps)
              expect(compareTensors(s.value, w.node(s.id).upstream).ok, `${l.name}: ∂L/∂${s.id}`).toBe(true);
          }
          expect(w.chain).not.toBeNull();
        },
      );
    });
  }
}
