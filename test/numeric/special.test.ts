/**
 * erf, erfc and Φ against published values (Abramowitz & Stegun Table 7.1 and standard
 * tables of erfc and of the normal distribution), not from our own output; the finite-difference
 * checks of erf and gelu (test/rules.fd.test.ts) need agreement to ~1e-14. The definition by
 * quadrature is checked in test/parse/parse.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { erf, erfc, normalCdf } from '../../src/numeric/special.js';

const rel = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe('special functions', () => {
  it('erf at tabulated points (A&S Table 7.1)', () => {
    const table: readonly [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
    ];
    for (const [x, want] of table) {
      expect(rel(erf(x), want), `erf(${x})`).toBeLessThan(1e-14);
      expect(rel(erf(-x), -want), `erf(-${x})`).toBeLessThan(1e-14);
    }
    expect(erf(0)).toBe(0);
    expect(erf(40)).toBe(1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it('erfc in the tail, where 1 − erf would lose every digit', () => {
    expect(rel(erfc(3), 2.209049699858544e-5)).toBeLessThan(1e-13);
    expect(rel(erfc(5), 1.5374597944280349e-12)).toBeLessThan(1e-13);
    expect(rel(erfc(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
    expect(rel(erfc(-1), 1.8427007929497148)).toBeLessThan(1e-15);
  });

  it('erf is continuous where the series hands over to the continued fraction (x = 3)', () => {
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-9);
    const jump = erf(3 + 1e-9) - erf(3 - 1e-9);
    expect(Math.abs(jump - 2e-9 * slope)).toBeLessThan(1e-15);
  });

  it('Φ: Φ(0) = 1/2, Φ(1.96) ≈ 0.975, and the lower tail Φ(−10) = erfc(10/√2)/2', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(rel(normalCdf(1.959963984540054), 0.975)).toBeLessThan(1e-14);
    expect(rel(normalCdf(-10), 7.619853024160527e-24)).toBeLessThan(1e-12);
  });
});
