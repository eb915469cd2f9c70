/**
 * Results the playground tests open, one of each kind the page shows: a gradient, a Jacobian, a
 * Hessian, tensors in vec form with index notation, and a differential with index notation. Each
 * has a point at which its printed result is evaluated and compared with finite differences of f.
 */
import type { ResultKind } from '../../src/index.js';
import type { Point } from './truth.js';

export interface WebCase {
  readonly what: string;
  readonly expr: string;
  readonly wrt: string;
  readonly order: number;
  readonly kind: ResultKind;
  readonly at: Point;
}

export const CASES: readonly WebCase[] = [
  {
    what: 'a gradient',
    expr: "x'*A*x",
    wrt: 'x',
    order: 1,
    kind: 'gradient',
    at: {
      A: [
        [0.3, -1.2, 0.5],
        [2.1, 0.7, -0.4],
        [-0.8, 1.5, 1.1],
      ],
      x: [0.9, -1.3, 0.4],
    },
  },
  {
    what: 'a Jacobian',
    expr: 'tanh(W*x + b)',
    wrt: 'x',
    order: 1,
    kind: 'jacobian',
    at: {
      W: [
        [0.4, -0.7, 0.2],
        [1.1, 0.3, -0.5],
      ],
      x: [0.6, -0.2, 0.9],
      b: 0.1,
    },
  },
  {
    what: 'a Hessian',
    expr: 'log(sum(exp(z)))',
    wrt: 'z',
    order: 2,
    kind: 'hessian',
    at: { z: [0.2, -1.1, 0.7, 0.4] },
  },
  {
    what: 'a matrix-by-matrix tensor in vec form, with index notation',
    expr: 'W*x',
    wrt: 'W',
    order: 1,
    kind: 'vec-jacobian',
    at: {
      W: [
        [0.4, -0.7, 0.2],
        [1.1, 0.3, -0.5],
      ],
      x: [0.6, -0.2, 0.9],
    },
  },
  {
    what: 'a third-order tensor, with index notation',
    expr: 'norm2(x)',
    wrt: 'x',
    order: 3,
    kind: 'vec-jacobian',
    at: { x: [0.8, -0.5, 1.2] },
  },
  {
    what: 'a third-order result (a matrix form since the commutation work; it was a differential), with index notation',
    expr: 'sum(exp(z))',
    wrt: 'z',
    order: 3,
    kind: 'vec-jacobian',
    at: { z: [0.3, -0.6, 0.1] },
  },
  {
    what: 'a program, its result in its own names',
    expr: 'z1 = W1*x + b; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2',
    wrt: 'W1',
    order: 1,
    kind: 'gradient',
    at: {
      W1: [
        [0.7, -0.2],
        [0.4, 0.9],
        [1.1, 0.3],
      ],
      x: [1.2, 0.8],
      b: 0.3,
      W2: [
        [0.5, -1.1, 0.6],
        [0.2, 0.8, -0.4],
      ],
      y: [0.1, -0.7],
    },
  },
];
