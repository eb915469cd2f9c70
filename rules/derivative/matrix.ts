/**
 * Differentials of the structural and reducing functions (Matrix Cookbook §2, Minka 2000).
 */
import type { DifferentialRule } from './types.js';

export const matrixFunctions = {
  sum: { d: 'sum(dX)', alongDim: ['sum(dX, 0)', 'sum(dX, 1)'], ref: 'linearity' },
  tr: { d: 'tr(dX)', ref: 'Cookbook (36): d tr(X) = tr(dX)' },
  det: { d: 'det(X)*tr(inv(X)*dX)', ref: 'Cookbook (41): d det(X) = det(X) tr(X⁻¹dX)', domain: 'invertible' },
  logdet: { d: 'tr(inv(X)*dX)', ref: 'Cookbook (43): d log det(X) = tr(X⁻¹dX)', domain: 'spd' },
  inv: { d: '-inv(X)*dX*inv(X)', ref: 'Cookbook (40): d(X⁻¹) = -X⁻¹(dX)X⁻¹', domain: 'invertible' },
  diag: { d: 'diag(dX)', ref: 'linearity' },
  vec: { d: 'vec(dX)', ref: 'linearity' },
  kron: { d: 'kron(dA, B) + kron(A, dB)', ref: 'Magnus & Neudecker: d(A⊗B) = dA⊗B + A⊗dB' },
  norm1: { d: 'sum(sign(X).*dX)', ref: 'd|x| = sign(x) dx, away from 0', domain: 'nonzero' },
  norm2: { d: 'sum(X.*dX)/norm2(X)', ref: 'Cookbook (129), (130): d‖X‖ = tr(X\'dX)/‖X‖', domain: 'nonzero' },
  norm: {
    d: 'sum(sign(X).*abs(X).^(p - 1).*dX)/norm(X, p)^(p - 1)',
    ref: 'd‖x‖ₚ = Σ sign(xᵢ)|xᵢ|ᵖ⁻¹ dxᵢ / ‖x‖ₚᵖ⁻¹ (chain rule on (Σ|xᵢ|ᵖ)^(1/p)), away from 0',
    domain: 'nonzero',
    params: ['p'],
  },
} as const satisfies Record<string, DifferentialRule>;
