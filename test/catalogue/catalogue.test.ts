/**
 * The catalogue of standard results (issue 4). For every entry:
 *   1. the derivative passes finite-difference verification (verify());
 *   2. the printed result, read back, equals the textbook answer numerically at random points;
 *   3. its operation count is at most 1.2 × the textbook answer's (src/simplify/measure.ts).
 * The textbook answers are the sources' (test/catalogue/catalogue.ts); (2) checks them against our
 * result and (1) checks our result against finite differences, so a wrong textbook string fails too.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from './catalogue.js';
import { agreeNumerically, runEntry, sizeRatio } from './check.js';

const MAX_RATIO = 1.2;

describe('catalogue of standard results', () => {
  it('has at least 60 entries with distinct names', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CATALOGUE.map((e) => e.name)).size).toBe(CATALOGUE.length);
  });

  for (const entry of CATALOGUE) {
    const order = entry.order ?? 1;
    const title = `${entry.source}: ${entry.name} — d${order > 1 ? `^${order}` : ''}(${entry.expr})/d${entry.wrt}${order > 1 ? `^${order}` : ''} = ${entry.textbook}`;
    it(title, () => {
      const r = runEntry(entry);
      const shown = r.d.toString();
      expect(r.d.kind, `${shown} should have a matrix form`).not.toBe('differential');

      const fd = r.d.verify();
      expect(fd.ok, `finite differences disagree with ${shown} (seed ${fd.seed}, error ${fd.maxError})`).toBe(true);

      const same = agreeNumerically(r);
      expect(same.points).toBeGreaterThan(0);
      expect(
        same.ok,
        `${shown} differs from the textbook ${entry.textbook} (seed ${same.seed}, error ${same.maxError})`,
      ).toBe(true);

      expect(
        sizeRatio(r),
        `${shown} has ${r.oursOps} operations, the textbook ${entry.textbook} ${r.textbookOps}`,
      ).toBeLessThanOrEqual(MAX_RATIO);
    });
  }
});
