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
  abs: { dx: 'sign(x)', ref: 'd|x| = sign(x) dx, away from 0', domain: 'nonzero' },
  sign: { dx: '0', ref: 'piecewise constant', domain: 'nonzero' },
  step: { dx: '0', ref: 'piecewise constant', domain: 'nonzero' },
  sigmoid: { dx: 'sigmoid(x).*(1 - sigmoid(x))', ref: 'σ\' = σ(1 - σ)' },
  relu: { dx: 'step(x)', ref: 'relu\'(x) = [x > 0]', domain: 'nonzero' },
  softplus: { dx: 'sigmoid(x)', ref: 'softplus\' = σ' },
  leaky_relu: { dx: 'step(x) + alpha*step(-x)', ref: '1 for x > 0, α for x < 0', domain: 'nonzero', params: ['alpha'] },
  elu: { dx: 'step(x) + alpha*exp(x).*step(-x)', ref: '1 for x > 0, αeˣ for x < 0', domain: 'nonzero', params: ['alpha'] },
} as const satisfies Record<string, ElementwiseRule>;
