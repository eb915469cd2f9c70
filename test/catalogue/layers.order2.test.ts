/**
 * The layers over a batch (catalogue section "Layers over a batch", issue 15) at order 2: each
 * second derivative — a Hessian or a vec-form Jacobian of the gradient — compared with central
 * finite differences of the symbolic gradient of the ORIGINAL expression, at random points from the
 * variables' domains (verify()). Order 1 is checked with the rest of the catalogue.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { CATALOGUE_SECTIONS } from './catalogue.js';

const layers = CATALOGUE_SECTIONS.find((s) => s.title === 'Layers over a batch')!.entries;

describe('layers over a batch: second derivatives agree with finite differences', () => {
  it('the section has the layers of issue 15', () => {
    expect(layers.map((e) => e.name.split(',')[0])).toEqual(
      expect.arrayContaining([
        'attention',
        'softmax cross-entropy over a batch',
        'GELU layer',
        'SiLU layer',
        'two-layer network over a batch',
        'layer norm',
        'batch norm',
      ]),
    );
  });
  for (const e of layers) {
    it(`${e.source}: d²(${e.expr})/d${e.wrt}²`, () => {
      const d = derivative(e.expr, e.wrt, { ...(e.vars ? { vars: e.vars } : {}), order: 2 });
      expect(d.kind).not.toBe('differential');
      const r = d.verify();
      expect(r.ok, `${d.toString()} (seed ${r.seed}, error ${r.maxError})`).toBe(true);
      expect(r.points).toBeGreaterThan(0);
    });
  }
});
