/**
 * Scalar derivatives of the elementwise functions, one row each (as in JAX's and ChainRules'
 * tables). The engine applies a row elementwise: d f(X) = f'(X) .* dX. Written with elementwise
 * operators so that each row is valid for scalars, vectors and matrices alike.
 */
import type { ElementwiseRule } from './types.js';

export const elementwise = {
  exp: { dx: 'exp(x)', ref: 'd eˣ = eˣ dx' },
  log: { dx: '1 ./ x', ref: 'd log x = dx / x', domain: 'positive' },
  sqrt: { dx: '1 ./ (2*sqrt(x))', ref: 'd √x = dx / (2√x)', domain: 'positive' },
  sin: { dx: 'cos(x)', ref: 'd sin x = cos x dx' },
  cos: { dx: '-sin(x)', ref: 'd cos x = -sin x dx' },
  tan: { dx: '1 + tan(x).^2', ref: 'd tan x = (1 + tan² x) dx' },
  tanh: { dx: '1 - tanh(x).^2', ref: 'd tanh x = (1 - tanh² x) dx' },
  sinh: { dx: 'cosh(x)', ref: 'd sinh x = cosh x dx (DLMF 4.34.1)' },
  cosh: { dx: 'sinh(x)', ref: 'd cosh x = sinh x dx (DLMF 4.34.2)' },
  asin: { dx: '1 ./ sqrt(1 - x.^2)', ref: 'd arcsin x = dx / √(1 − x²) (DLMF 4.24.1)', domain: 'open-unit-interval' },
  acos: { dx: '-1 ./ sqrt(1 - x.^2)', ref: 'd arccos x = −dx / √(1 − x²) (DLMF 4.24.2)', domain: 'open-unit-interval' },
  atan: { dx: '1 ./ (1 + x.^2)', ref: 'd arctan x = dx / (1 + x²) (DLMF 4.24.3)' },
  erf: { dx: '2/sqrt(pi)*exp(-x.^2)', ref: 'd erf x = (2/√π) e^(−x²) dx (DLMF 7.10.1)' },
  gelu: {
    dx: '(1 + erf(x/sqrt(2)))/2 + x.*exp(-x.^2/2)/sqrt(2*pi)',
    ref: 'gelu(x) = x Φ(x), gelu\' = Φ(x) + x φ(x) (Hendrycks & Gimpel 2016)',
  },
  silu: { dx: 'sigmoid(x).*(1 + x.*(1 - sigmoid(x)))', ref: 'silu(x) = x σ(x), silu\' = σ(x)(1 + x(1 − σ(x))) (Elfwing et al. 2018)' },
  softsign: { dx: '1 ./ (1 + abs(x)).^2', ref: 'softsign(x) = x/(1 + |x|), softsign\' = 1/(1 + |x|)² (Bergstra et al. 2009)' },
  log1p: { dx: '1 ./ (1 + x)', ref: 'd log(1 + x) = dx / (1 + x)', domain: 'above-minus-one' },
  expm1: { dx: 'exp(x)', ref: 'd (eˣ − 1) = eˣ dx' },
  abs: { dx: 'sign(x)', ref: 'd|x| = sign(x) dx, away from 0', domain: 'nonzero' },
  sign: { dx: '0', ref: 'piecewise constant', domain: 'nonzero' },
  step: { dx: '0', ref: 'piecewise constant', domain: 'nonzero' },
  sigmoid: { dx: 'sigmoid(x).*(1 - sigmoid(x))', ref: 'σ\' = σ(1 - σ)' },
  relu: { dx: 'step(x)', ref: 'relu\'(x) = [x > 0]', domain: 'nonzero' },
  softplus: { dx: 'sigmoid(x)', ref: 'softplus\' = σ' },
  leaky_relu: { dx: 'step(x) + alpha*step(-x)', ref: '1 for x > 0, α for x < 0', domain: 'nonzero', params: ['alpha'] },
  elu: { dx: 'step(x) + alpha*exp(x).*step(-x)', ref: '1 for x > 0, αeˣ for x < 0', domain: 'nonzero', params: ['alpha'] },
} as const satisfies Record<string, ElementwiseRule>;
