/**
 * The examples offered by the playground's picker: one of each kind of result (gradient, Jacobian,
 * Hessian, tensor in index form), the classic losses, and a homework and a backprop exercise. Each is
 * a state of the page, so picking one is the same as opening its link. Most come from the catalogue
 * (test/catalogue/catalogue.ts), where their textbook answers are checked.
 */
import type { State } from './state.js';

export interface Example {
  readonly label: string;
  readonly state: Partial<State> & Pick<State, 'expr'>;
}

export const EXAMPLES: readonly Example[] = [
  { label: "Quadratic form x'Ax (gradient)", state: { expr: "x'*A*x", wrt: 'x' } },
  { label: 'Least squares (gradient)', state: { expr: "(A*x - y)'*(A*x - y)", wrt: 'x' } },
  { label: 'Log-determinant (gradient)', state: { expr: 'log(det(X))', wrt: 'X' } },
  { label: 'Trace of an inverse (gradient)', state: { expr: 'tr(A*inv(X)*B)', wrt: 'X' } },
  { label: 'Logistic loss (gradient)', state: { expr: 'sum(log(1 + exp(-y.*(X*w))))', wrt: 'w' } },
  { label: 'Two-layer network (gradient)', state: { expr: 'sum((W2*tanh(W1*x) - y).^2)', wrt: 'W1' } },
  {
    label: 'Mahalanobis distance, S spd (gradient)',
    state: { expr: "(x - m)'*inv(S)*(x - m)", wrt: 'x', vars: { S: { dims: ['n', 'n'], props: ['spd'] } } },
  },
  { label: 'Layer tanh(Wx + b) (Jacobian)', state: { expr: 'tanh(W*x + b)', wrt: 'x', vars: { b: { dims: ['k'] } } } },
  { label: 'Softmax (Jacobian)', state: { expr: 'softmax(z)', wrt: 'z' } },
  { label: 'W x by the matrix W (tensor, index form)', state: { expr: 'W*x', wrt: 'W' } },
  { label: 'Log-sum-exp (Hessian)', state: { expr: 'log(sum(exp(z)))', wrt: 'z', order: 2 } },
  { label: 'Euclidean norm, third order (tensor, index form)', state: { expr: 'norm2(x)', wrt: 'x', order: 3 } },
  {
    label: "Homework: is 2Ax the gradient of x'Ax?",
    state: { expr: "x'*A*x", wrt: 'x', tab: 'check', answer: '2*A*x' },
  },
  {
    label: 'Backprop: the course-notes graph q = x + y, f = q z',
    state: { expr: 'q = x + y; f = q*z', wrt: 'x', tab: 'backprop', at: { x: -2, y: 5, z: -4 } },
  },
  {
    label: 'Backprop: a logistic neuron',
    state: { expr: "sigmoid(w'*x + b)", wrt: 'w', tab: 'backprop', at: { w: [1, -1], x: [0.5, 2], b: 0.1 } },
  },
];
