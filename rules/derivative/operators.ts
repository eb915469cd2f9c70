/**
 * Differentials of the operators (Magnus & Neudecker, ch. 8; Matrix Cookbook §2). Matrix products do
 * not commute: every rule keeps its factors in order.
 */
import type { DifferentialRule } from './types.js';

export const operators = {
  add: { d: 'dA + dB', ref: 'linearity' },
  neg: { d: '-dX', ref: 'linearity' },
  transpose: { d: "dX'", ref: 'Cookbook (34): d(X\') = (dX)\'' },
  mul: { d: 'dA*B + A*dB', ref: 'Cookbook (37): d(XY) = (dX)Y + X(dY)' },
  emul: { d: 'dA.*B + A.*dB', ref: 'Cookbook (38): d(X∘Y) = dX∘Y + X∘dY' },
  ediv: { d: 'dA./B - A.*dB./B.^2', ref: 'quotient rule, elementwise', domain: 'nonzero' },
  div: { d: 'dA/B - A*dB/B^2', ref: 'quotient rule (B scalar)', domain: 'nonzero' },
  epow: { d: 'B.*A.^(B - 1).*dA + A.^B.*log(A).*dB', ref: 'power rule; the log term only when the exponent varies', domain: 'positive' },
  /** Scalar powers; integer powers of a square matrix are expanded by the engine (see matrixPower). */
  pow: { d: 'B*A^(B - 1)*dA + A^B*log(A)*dB', ref: 'power rule (scalars)', domain: 'positive' },
} as const satisfies Record<string, DifferentialRule>;

/**
 * d(X^k) for an integer k ≥ 1: Σ_{i<k} X^i dX X^(k-1-i) (Cookbook (40)), as a template in X and dX.
 * The engine differentiates a negative power X^(-k) as inv(X)^k, with the inv rule giving d(inv(X)).
 */
export function matrixPower(k: number): string {
  const power = (i: number) => (i === 0 ? '' : i === 1 ? 'X' : `X^${i}`);
  const terms: string[] = [];
  for (let i = 0; i < k; i++) terms.push([power(i), 'dX', power(k - 1 - i)].filter((s) => s !== '').join('*'));
  return terms.join(' + ');
}
