/**
 * Ties of the max and min reductions are kinks, like relu at 0 (issue 15): the derivative through the
 * arg-max jumps there. Finite differences refuse such a point (NearKinkError: the one-sided slopes
 * differ) rather than report a wrong derivative, and the checker's kink test skips it. Away from a
 * tie the same derivative agrees with finite differences.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { kinkTest } from '../../src/check/kinks.js';
import { NearKinkError } from '../../src/numeric/fd.js';
import { fromNested } from '../../src/numeric/tensor.js';
import { parse } from '../../src/parse/parse.js';

const X = 'matrix(2,3)';
const at = (rows: number[][]) => new Map([['X', fromNested(rows)]]);
/** Row 0 has a tie for its largest entry (3, 3) and row 1 for its smallest (-1, -1); columns have none. */
const TIED = at([
  [1, 3, 3],
  [0.5, -1, -1],
]);
const UNTIED = at([
  [1, 3, 2.9],
  [0.5, -1, -0.9],
]);
const sizes = new Map<string, number>();

describe('ties of max and min are kinks', () => {
  it('verify() refuses a tie along the dim (NearKinkError) and passes just beside it', () => {
    for (const src of ['max(X, 1)', 'min(X, 1)', 'max(X)', 'sum(max(X, 1))']) {
      const d = derivative(src, 'X', { vars: { X } });
      expect(() => d.verify({ at: TIED }), src).toThrow(NearKinkError);
      const r = d.verify({ at: UNTIED });
      expect(r.ok, src).toBe(true);
      expect(r.points, src).toBe(1);
    }
  });

  it('a tie across the other dim is no kink: max(X, 0) at a point whose rows tie', () => {
    const d = derivative('max(X, 0)', 'X', { vars: { X } });
    expect(d.verify({ at: TIED }).ok).toBe(true);
  });

  it("the checker's kink test: a tie of the reduction, and not the arg-max indicator's structural zeros", () => {
    const f = parse('max(X, 1)', { vars: { X: { dims: [2, 3] } } });
    const g = derivative('max(X, 1)', 'X', { vars: { X } }).expr;
    const onKink = kinkTest([f, g]);
    expect(onKink(TIED, sizes)).toBe(true);
    expect(onKink(UNTIED, sizes)).toBe(false);
    const min = kinkTest([parse('min(X, 1)', { vars: { X: { dims: [2, 3] } } })]);
    expect(min(TIED, sizes)).toBe(true);
    expect(min(UNTIED, sizes)).toBe(false);
    // Down the columns nothing ties at TIED.
    expect(kinkTest([parse('max(X, 0)', { vars: { X: { dims: [2, 3] } } })])(TIED, sizes)).toBe(false);
  });
});

describe('regressions', () => {
  it('a product of ones over an inner dimension n is n times ones, not ones: d sum(vector(1)*sum(X, 0))/dX = k*ones (found by the property test through log_softmax(A, 0))', () => {
    for (const src of [
      'sum(vector(1)*sum(X, 0))',
      "sum(vector(1)*(vector(1)'*X))",
      'sum(log_softmax(X, 0))',
      'mean(log_softmax(X, 0))',
    ]) {
      for (const order of [1, 2]) {
        const d = derivative(src, 'X', { order, vars: { X } });
        const r = d.verify({ points: 2 });
        expect(r.ok, `d${order} ${src} = ${d.toString()}: error ${r.maxError}`).toBe(true);
      }
    }
  });
});
