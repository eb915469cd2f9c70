/**
 * The catalogue of standard results (issue 4): derivatives from the Matrix Cookbook (Petersen &
 * Pedersen, version of November 15, 2012; cited by section) and the gradients of common
 * machine-learning losses, each with its textbook answer written in matcalc's input syntax.
 *
 * Every entry is checked by test/catalogue/catalogue.test.ts: the derivative matcalc prints passes
 * finite differences, equals the textbook answer numerically at random points, and has at most
 * 1.2 × the textbook answer's operation count (src/simplify/measure.ts). bench/ measures the same
 * entries, and scripts/gen-catalogue.ts prints them as docs/catalogue.md.
 *
 * Conventions the answers follow (they are matcalc's, stated in docs/catalogue.md):
 *   - the gradient of a scalar has the variable's shape: df = tr(G'*dX) gives ∇f = G (the
 *     Cookbook's ∂f/∂X);
 *   - a Jacobian is in numerator layout (rows index the outputs); with respect to a matrix, the
 *     matrix is vectorised row by row (vec stacks rows), so y = W*x has dy/dW = kron(eye(k), x');
 *   - a gradient with respect to a matrix declared symmetric (or spd) is the unconstrained one:
 *     each entry of S is treated as free. Where the unconstrained gradient G is itself symmetric (as
 *     for every symmetric-matrix entry below) it coincides with the symmetric gradient (G + G')/2;
 *     the often-quoted G + G' - G.*eye is not used (Srinivasan & Panda, arXiv 1911.06491);
 *   - names follow the convention a–g scalars, h–z vectors, A–Z matrices; everything else is
 *     declared in `vars` (lambda, a vector name by convention, is declared a scalar).
 */
import type { VarDecl } from '../../src/parse/parse.js';

export interface CatalogueEntry {
  /** What the result is, in a few words. */
  readonly name: string;
  /** Where the textbook answer comes from, e.g. 'Matrix Cookbook §2.5.1'. */
  readonly source: string;
  readonly expr: string;
  readonly wrt: string;
  /** Order of the derivative (default 1). */
  readonly order?: number;
  /** Declarations for names outside the convention, dimensions the answer names, properties. */
  readonly vars?: Readonly<Record<string, VarDecl>>;
  /** 'cols' for an answer written with the Matrix Cookbook's column-major vec (default: rows). */
  readonly vec?: 'rows' | 'cols';
  /** The textbook answer, in the input syntax, with the same variable names. */
  readonly textbook: string;
}

const sq = (n = 'n'): VarDecl => ({ dims: [n, n] });
const mat = (m: string, n: string): VarDecl => ({ dims: [m, n] });
const vec = (n = 'n'): VarDecl => ({ dims: [n] });
const sym = (n = 'n'): VarDecl => ({ dims: [n, n], props: ['symmetric'] });
const spd = (n = 'n'): VarDecl => ({ dims: [n, n], props: ['spd'] });
const inv = (n = 'n'): VarDecl => ({ dims: [n, n], props: ['invertible'] });
const positive = (n = 'n'): VarDecl => ({ dims: [n], props: ['positive'] });
const scalar: VarDecl = { dims: [] };

const MC = 'Matrix Cookbook';

const traces: CatalogueEntry[] = [
  { name: 'trace', source: `${MC} §2.5.1`, expr: 'tr(X)', wrt: 'X', vars: { X: sq() }, textbook: 'eye(n)' },
  { name: 'trace of a product', source: `${MC} §2.5.1`, expr: 'tr(X*A)', wrt: 'X', textbook: "A'" },
  { name: 'trace of a sandwich', source: `${MC} §2.5.1`, expr: 'tr(A*X*B)', wrt: 'X', textbook: "A'*B'" },
  { name: 'trace of a sandwich, transposed', source: `${MC} §2.5.1`, expr: "tr(A*X'*B)", wrt: 'X', textbook: 'B*A' },
  { name: 'trace of X\'A', source: `${MC} §2.5.1`, expr: "tr(X'*A)", wrt: 'X', textbook: 'A' },
  { name: 'trace of AX\'', source: `${MC} §2.5.1`, expr: "tr(A*X')", wrt: 'X', textbook: 'A' },
  { name: 'trace of a square', source: `${MC} §2.5.2`, expr: 'tr(X^2)', wrt: 'X', textbook: "2*X'" },
  { name: 'trace of X²B', source: `${MC} §2.5.2`, expr: 'tr(X^2*B)', wrt: 'X', textbook: "(X*B + B*X)'" },
  { name: 'trace of X\'BX', source: `${MC} §2.5.2`, expr: "tr(X'*B*X)", wrt: 'X', textbook: "B*X + B'*X" },
  { name: 'trace of XBX\'', source: `${MC} §2.5.2`, expr: "tr(X*B*X')", wrt: 'X', textbook: "X*B' + X*B" },
  { name: 'trace of AXBX', source: `${MC} §2.5.2`, expr: 'tr(A*X*B*X)', wrt: 'X', textbook: "A'*X'*B' + B'*X'*A'" },
  { name: 'trace of X\'X', source: `${MC} §2.5.2`, expr: "tr(X'*X)", wrt: 'X', textbook: '2*X' },
  { name: 'trace of XX\'', source: `${MC} §2.5.2`, expr: "tr(X*X')", wrt: 'X', textbook: '2*X' },
  { name: 'trace of B\'X\'CXB', source: `${MC} §2.5.2`, expr: "tr(B'*X'*C*X*B)", wrt: 'X', textbook: "C'*X*B*B' + C*X*B*B'" },
  { name: 'trace of X\'BXC', source: `${MC} §2.5.2`, expr: "tr(X'*B*X*C)", wrt: 'X', textbook: "B*X*C + B'*X*C'" },
  { name: 'trace of AXBX\'C', source: `${MC} §2.5.2`, expr: "tr(A*X*B*X'*C)", wrt: 'X', textbook: "A'*C'*X*B' + C*A*X*B" },
  { name: 'trace of a squared residual', source: `${MC} §2.5.2`, expr: "tr((A*X*B + C)*(A*X*B + C)')", wrt: 'X', textbook: "2*A'*(A*X*B + C)*B'" },
  { name: 'trace of a cube', source: `${MC} §2.5.3`, expr: 'tr(X^3)', wrt: 'X', textbook: "3*(X^2)'" },
  { name: 'trace of an inverse', source: `${MC} §2.5.4`, expr: 'tr(inv(X))', wrt: 'X', vars: { X: inv() }, textbook: "-(inv(X)^2)'" },
  { name: 'trace with an inverse inside', source: `${MC} §2.5.4`, expr: 'tr(A*inv(X)*B)', wrt: 'X', vars: { X: inv() }, textbook: "-(inv(X)*B*A*inv(X))'" },
  { name: 'trace of a Kronecker product', source: `${MC} §2.5.1`, expr: 'tr(kron(A, X))', wrt: 'X', vars: { A: sq('m'), X: sq() }, textbook: 'tr(A)*eye(n)' },
];

const determinants: CatalogueEntry[] = [
  { name: 'determinant', source: `${MC} §2.1.2`, expr: 'det(X)', wrt: 'X', vars: { X: inv() }, textbook: "det(X)*inv(X)'" },
  { name: 'determinant of a sandwich', source: `${MC} §2.1.2`, expr: 'det(A*X*B)', wrt: 'X', vars: { A: inv(), X: inv(), B: inv() }, textbook: "det(A*X*B)*inv(X)'" },
  { name: 'log-determinant (spd)', source: `${MC} §2.1.4`, expr: 'logdet(S)', wrt: 'S', vars: { S: spd() }, textbook: 'inv(S)' },
  { name: 'log of a determinant', source: `${MC} §2.1.4`, expr: 'log(det(X))', wrt: 'X', vars: { X: inv() }, textbook: "inv(X)'" },
  { name: 'determinant of an inverse', source: `${MC} §2.1.1 with §2.2`, expr: 'det(inv(X))', wrt: 'X', vars: { X: inv() }, textbook: "-det(inv(X))*inv(X)'" },
  { name: 'determinant of X\'AX, X square', source: `${MC} §2.1.3`, expr: "det(X'*A*X)", wrt: 'X', vars: { X: inv(), A: spd() }, textbook: "2*det(X'*A*X)*inv(X)'" },
  { name: 'determinant of X\'AX, A symmetric', source: `${MC} §2.1.3`, expr: "det(X'*A*X)", wrt: 'X', vars: { X: mat('n', 'm'), A: spd() }, textbook: "2*det(X'*A*X)*A*X*inv(X'*A*X)" },
  { name: 'log-determinant of X\'X', source: `${MC} §2.1.4`, expr: "logdet(X'*X)", wrt: 'X', vars: { X: mat('n', 'm') }, textbook: "2*X*inv(X'*X)" },
  { name: 'determinant along a line', source: `${MC} §2.1.1`, expr: 'det(A + a*B)', wrt: 'a', vars: { A: inv(), B: sq() }, textbook: 'det(A + a*B)*tr(inv(A + a*B)*B)' },
];

const inverses: CatalogueEntry[] = [
  { name: 'inverse (Jacobian, vec form)', source: `${MC} §2.2`, expr: 'inv(X)', wrt: 'X', vars: { X: inv() }, textbook: "-kron(inv(X), inv(X)')" },
  { name: 'bilinear form of an inverse', source: `${MC} §2.2`, expr: "u'*inv(X)*v", wrt: 'X', vars: { X: inv() }, textbook: "-inv(X)'*u*v'*inv(X)'" },
  { name: 'inverse along a line', source: `${MC} §2.2`, expr: 'inv(A + a*B)', wrt: 'a', vars: { A: inv(), B: sq() }, textbook: '-inv(A + a*B)*B*inv(A + a*B)' },
];

const forms: CatalogueEntry[] = [
  { name: 'linear form', source: `${MC} §2.4.1`, expr: "v'*x", wrt: 'x', textbook: 'v' },
  { name: 'linear form, transposed', source: `${MC} §2.4.1`, expr: "x'*v", wrt: 'x', textbook: 'v' },
  { name: 'bilinear form in X', source: `${MC} §2.4.1`, expr: "u'*X*v", wrt: 'X', textbook: "u*v'" },
  { name: 'bilinear form in X\'', source: `${MC} §2.4.1`, expr: "u'*X'*v", wrt: 'X', textbook: "v*u'" },
  { name: 'quadratic form in X', source: `${MC} §2.4.1`, expr: "u'*X*u", wrt: 'X', textbook: "u*u'" },
  { name: 'bilinear form in X\'X', source: `${MC} §2.4.2`, expr: "u'*X'*X*v", wrt: 'X', textbook: "X*(u*v' + v*u')" },
  { name: 'bilinear form in X\'CX', source: `${MC} §2.4.2`, expr: "u'*X'*C*X*v", wrt: 'X', textbook: "C'*X*u*v' + C*X*v*u'" },
  { name: 'quadratic form', source: `${MC} §2.4.2`, expr: "x'*A*x", wrt: 'x', textbook: "(A + A')*x" },
  { name: 'quadratic form, symmetric', source: `${MC} §2.4.2`, expr: "x'*S*x", wrt: 'x', vars: { S: sym() }, textbook: '2*S*x' },
  { name: 'inner product of two affine maps', source: `${MC} §2.4.2`, expr: "(A*x + u)'*C*(D*x + v)", wrt: 'x', textbook: "A'*C*(D*x + v) + D'*C'*(A*x + u)" },
  { name: 'quadratic form of an affine map in X', source: `${MC} §2.4.2`, expr: "(X*u + v)'*C*(X*u + v)", wrt: 'X', textbook: "(C + C')*(X*u + v)*u'" },
  { name: 'weighted distance', source: `${MC} §2.4.2`, expr: "(x - s)'*W*(x - s)", wrt: 'x', vars: { W: sym() }, textbook: '2*W*(x - s)' },
  { name: 'weighted distance, centre', source: `${MC} §2.4.2`, expr: "(x - s)'*W*(x - s)", wrt: 's', vars: { W: sym() }, textbook: '-2*W*(x - s)' },
  { name: 'weighted residual, coefficients', source: `${MC} §2.4.2`, expr: "(x - A*s)'*W*(x - A*s)", wrt: 's', vars: { W: sym() }, textbook: "-2*A'*W*(x - A*s)" },
  { name: 'weighted residual, matrix', source: `${MC} §2.4.2`, expr: "(x - A*s)'*W*(x - A*s)", wrt: 'A', vars: { W: sym() }, textbook: "-2*W*(x - A*s)*s'" },
  { name: 'squared length', source: `${MC} §2.4.2`, expr: "x'*x", wrt: 'x', textbook: '2*x' },
  { name: 'Rayleigh quotient', source: 'Horn & Johnson §4.2; Magnus & Neudecker ch. 11', expr: "x'*S*x/(x'*x)", wrt: 'x', vars: { S: sym() }, textbook: "2*(S*x - x'*S*x/(x'*x)*x)/(x'*x)" },
  { name: 'inverse Rayleigh quotient', source: 'quotient rule', expr: "x'*x/(x'*A*x)", wrt: 'x', textbook: "2*x/(x'*A*x) - x'*x/(x'*A*x)^2*(A + A')*x" },
  { name: 'log of a quadratic form', source: 'chain rule', expr: "log(x'*S*x)", wrt: 'x', vars: { S: spd() }, textbook: "2*S*x/(x'*S*x)" },
  { name: 'exponential of a linear form', source: 'chain rule', expr: "exp(u'*x)", wrt: 'x', textbook: "exp(u'*x)*u" },
];

const norms: CatalogueEntry[] = [
  { name: 'squared 2-norm', source: `${MC} §2.6.1`, expr: 'norm2(x)^2', wrt: 'x', textbook: '2*x' },
  { name: '2-norm', source: `${MC} §2.6.1`, expr: 'norm2(x)', wrt: 'x', textbook: 'x/norm2(x)' },
  { name: 'distance', source: `${MC} §2.6.1`, expr: 'norm2(x - v)', wrt: 'x', textbook: '(x - v)/norm2(x - v)' },
  { name: 'squared residual norm', source: `${MC} §2.6.1`, expr: 'norm2(A*x - v)^2', wrt: 'x', textbook: "2*A'*(A*x - v)" },
  { name: 'squared Frobenius norm', source: `${MC} §2.7.1`, expr: 'norm2(X)^2', wrt: 'X', textbook: '2*X' },
  { name: 'Frobenius norm', source: `${MC} §2.7.1 and the chain rule`, expr: 'norm2(X)', wrt: 'X', textbook: 'X/norm2(X)' },
  { name: '1-norm', source: 'subgradient calculus (away from 0)', expr: 'norm1(x)', wrt: 'x', textbook: 'sign(x)' },
  { name: 'normalisation (Jacobian)', source: `${MC} §2.6.1`, expr: 'x/norm2(x)', wrt: 'x', vars: { x: vec() }, textbook: "(eye(n) - x*x'/norm2(x)^2)/norm2(x)" },
];

const jacobians: CatalogueEntry[] = [
  { name: 'linear map', source: 'Magnus & Neudecker ch. 9', expr: 'A*x', wrt: 'x', textbook: 'A' },
  { name: 'linear map, by its matrix', source: 'Magnus & Neudecker ch. 9 (row-major vec)', expr: 'W*x', wrt: 'W', vars: { W: mat('k', 'n') }, textbook: "kron(eye(k), x')" },
  { name: 'right product, by the matrix', source: 'Magnus & Neudecker ch. 9 (row-major vec)', expr: 'X*A', wrt: 'X', vars: { X: mat('m', 'n') }, textbook: "kron(eye(m), A')" },
  { name: 'left product, by the matrix', source: 'Magnus & Neudecker ch. 9 (row-major vec)', expr: 'A*X', wrt: 'X', vars: { X: mat('n', 'p') }, textbook: 'kron(A, eye(p))' },
  { name: 'elementwise product', source: 'elementwise chain rule', expr: 'x.*y', wrt: 'x', textbook: 'diag(y)' },
  { name: 'elementwise exponential', source: 'elementwise chain rule', expr: 'exp(x)', wrt: 'x', textbook: 'diag(exp(x))' },
  { name: 'sigmoid', source: 'Goodfellow et al., Deep Learning §6.2.2', expr: 'sigmoid(x)', wrt: 'x', textbook: 'diag(sigmoid(x).*(1 - sigmoid(x)))' },
  { name: 'softmax', source: 'Goodfellow et al., Deep Learning §6.2.2.3', expr: 'softmax(z)', wrt: 'z', textbook: "diag(softmax(z)) - softmax(z)*softmax(z)'" },
  { name: 'tanh layer, by its input', source: 'backpropagation (Goodfellow et al. §6.5)', expr: 'tanh(W*x + h)', wrt: 'x', textbook: 'diag(1 - tanh(W*x + h).^2)*W' },
  { name: 'relu layer, by its input', source: 'backpropagation (Goodfellow et al. §6.5)', expr: 'relu(W*x + h)', wrt: 'x', textbook: 'diag(step(W*x + h))*W' },
  { name: 'sigmoid layer, by its weights', source: 'backpropagation (Goodfellow et al. §6.5)', expr: 'sigmoid(W*x + h)', wrt: 'W', vars: { W: mat('k', 'n') }, textbook: "diag(sigmoid(W*x + h).*(1 - sigmoid(W*x + h)))*kron(eye(k), x')" },
];

const hessians: CatalogueEntry[] = [
  { name: 'Hessian of a quadratic form', source: `${MC} §2.4.2`, expr: "x'*A*x", wrt: 'x', order: 2, textbook: "A + A'" },
  { name: 'Hessian of a symmetric quadratic form', source: `${MC} §2.4.2`, expr: "x'*S*x", wrt: 'x', order: 2, vars: { S: sym() }, textbook: '2*S' },
  { name: 'Hessian of the squared norm', source: `${MC} §2.6.1`, expr: 'norm2(x)^2', wrt: 'x', order: 2, vars: { x: vec() }, textbook: '2*eye(n)' },
  { name: 'Hessian of a sum of exponentials', source: 'elementwise chain rule', expr: 'sum(exp(z))', wrt: 'z', order: 2, textbook: 'diag(exp(z))' },
  { name: 'Hessian of log-sum-exp', source: 'Boyd & Vandenberghe §3.1.5', expr: 'logsumexp(z)', wrt: 'z', order: 2, textbook: "diag(softmax(z)) - softmax(z)*softmax(z)'" },
  { name: 'Hessian of least squares', source: 'Boyd & Vandenberghe §A.4', expr: 'norm2(X*w - y)^2', wrt: 'w', order: 2, textbook: "2*X'*X" },
  { name: 'Hessian of ridge regression', source: 'Hastie et al., ESL §3.4.1', expr: 'norm2(X*w - y)^2 + lambda*norm2(w)^2', wrt: 'w', order: 2, vars: { lambda: scalar, w: vec('p') }, textbook: "2*X'*X + 2*lambda*eye(p)" },
  { name: 'Hessian of logistic regression', source: 'Bishop, PRML (4.97)', expr: "sum(softplus(X*w)) - y'*X*w", wrt: 'w', order: 2, textbook: "X'*diag(sigmoid(X*w).*(1 - sigmoid(X*w)))*X" },
  { name: 'Hessian of the log barrier', source: 'Boyd & Vandenberghe §11.2', expr: '-sum(log(x))', wrt: 'x', order: 2, vars: { x: positive() }, textbook: 'diag(1./x.^2)' },
  { name: 'Hessian of a trace quadratic (vec form)', source: `${MC} §2.5.2; Magnus & Neudecker ch. 10`, expr: "tr(X'*A*X)", wrt: 'X', order: 2, vars: { X: mat('n', 'm') }, textbook: "kron(A + A', eye(m))" },
];

const losses: CatalogueEntry[] = [
  { name: 'least squares', source: 'Hastie et al., ESL §3.2', expr: 'norm2(X*w - y)^2', wrt: 'w', textbook: "2*X'*(X*w - y)" },
  { name: 'least squares, halved', source: 'Bishop, PRML (3.13)', expr: 'norm2(X*w - y)^2/2', wrt: 'w', textbook: "X'*(X*w - y)" },
  { name: 'ridge regression', source: 'Hastie et al., ESL §3.4.1', expr: 'norm2(X*w - y)^2 + lambda*norm2(w)^2', wrt: 'w', vars: { lambda: scalar }, textbook: "2*X'*(X*w - y) + 2*lambda*w" },
  { name: 'multi-output least squares', source: 'Hastie et al., ESL §3.2.4', expr: 'norm2(X*W - Y)^2', wrt: 'W', textbook: "2*X'*(X*W - Y)" },
  { name: 'logistic regression, ±1 labels', source: 'Hastie et al., ESL §4.4', expr: 'sum(log(vector(1) + exp(-y.*(X*w))))', wrt: 'w', textbook: "-X'*(y.*sigmoid(-y.*(X*w)))" },
  { name: 'logistic regression, 0/1 labels', source: 'Bishop, PRML (4.91)', expr: "sum(softplus(X*w)) - y'*X*w", wrt: 'w', textbook: "X'*(sigmoid(X*w) - y)" },
  { name: 'logistic regression, cross-entropy', source: 'Bishop, PRML (4.90), (4.91)', expr: "-(y'*log(sigmoid(X*w)) + (vector(1) - y)'*log(vector(1) - sigmoid(X*w)))", wrt: 'w', textbook: "X'*(sigmoid(X*w) - y)" },
  { name: 'softmax cross-entropy, by the logits', source: 'Goodfellow et al., Deep Learning §6.2.2.3', expr: "logsumexp(z) - t'*z", wrt: 'z', textbook: 'softmax(z) - t' },
  { name: 'softmax cross-entropy, by the weights', source: 'Bishop, PRML (4.109)', expr: "logsumexp(W*x) - t'*W*x", wrt: 'W', textbook: "(softmax(W*x) - t)*x'" },
  { name: 'Poisson regression', source: 'McCullagh & Nelder, GLMs §6', expr: "sum(exp(X*w)) - y'*X*w", wrt: 'w', textbook: "X'*(exp(X*w) - y)" },
  { name: 'two-layer network, output weights', source: 'backpropagation (Goodfellow et al. §6.5)', expr: 'norm2(V*tanh(W*x + h) - y)^2', wrt: 'V', textbook: "2*(V*tanh(W*x + h) - y)*tanh(W*x + h)'" },
  { name: 'two-layer network, hidden weights', source: 'backpropagation (Goodfellow et al. §6.5)', expr: 'norm2(V*tanh(W*x + h) - y)^2', wrt: 'W', textbook: "2*((V'*(V*tanh(W*x + h) - y)).*(1 - tanh(W*x + h).^2))*x'" },
  { name: 'relu layer loss, by its weights', source: 'backpropagation (Goodfellow et al. §6.5)', expr: "u'*relu(W*x + h)", wrt: 'W', textbook: "(u.*step(W*x + h))*x'" },
  { name: 'relu layer loss, by its input', source: 'backpropagation (Goodfellow et al. §6.5)', expr: "u'*relu(W*x + h)", wrt: 'x', textbook: "W'*(u.*step(W*x + h))" },
  { name: 'matrix factorisation, left factor', source: 'Koren, Bell & Volinsky (2009); Cookbook §2.7.1', expr: "norm2(X - U*V')^2", wrt: 'U', textbook: "-2*(X - U*V')*V" },
  { name: 'matrix factorisation, right factor', source: 'Koren, Bell & Volinsky (2009); Cookbook §2.7.1', expr: "norm2(X - U*V')^2", wrt: 'V', textbook: "-2*(X - U*V')'*U" },
  { name: 'PCA objective', source: `${MC} §2.5.2`, expr: "tr(W'*S*W)", wrt: 'W', vars: { S: sym() }, textbook: '2*S*W' },
  { name: 'Gaussian log-likelihood, mean', source: `${MC} §8.1; Bishop, PRML (2.121)`, expr: "-(x - m)'*inv(S)*(x - m)/2", wrt: 'm', vars: { S: spd() }, textbook: 'inv(S)*(x - m)' },
  { name: 'Gaussian log-likelihood, covariance', source: `${MC} §8.1; Bishop, PRML (2.122)`, expr: "-logdet(S)/2 - (x - m)'*inv(S)*(x - m)/2", wrt: 'S', vars: { S: spd() }, textbook: "-(inv(S) - inv(S)*(x - m)*(x - m)'*inv(S))/2" },
  { name: 'Gaussian log-likelihood, covariance from a scatter matrix', source: `${MC} §2.5.4; Bishop, PRML (2.122)`, expr: '-c*logdet(S)/2 - tr(inv(S)*C)/2', wrt: 'S', vars: { S: spd(), C: sym() }, textbook: '-(c*inv(S) - inv(S)*C*inv(S))/2' },
  { name: 'entropy', source: 'Cover & Thomas §2.1', expr: 'sum(x.*log(x))', wrt: 'x', vars: { x: positive() }, textbook: 'log(x) + vector(1)' },
  { name: 'log barrier', source: 'Boyd & Vandenberghe §11.2', expr: '-sum(log(x))', wrt: 'x', vars: { x: positive() }, textbook: '-1./x' },
  { name: 'sigmoid of a linear form', source: 'chain rule', expr: "sigmoid(u'*x)", wrt: 'x', textbook: "sigmoid(u'*x)*(1 - sigmoid(u'*x))*u" },
];

const scalars: CatalogueEntry[] = [
  { name: 'scalar second derivative', source: 'calculus', expr: 'a^2*b', wrt: 'a', order: 2, textbook: '2*b' },
  { name: 'vector by a scalar', source: 'elementwise chain rule', expr: 'exp(a*x)', wrt: 'a', textbook: 'exp(a*x).*x' },
];

/**
 * Linear maps that need the commutation matrix, selection matrices or partial traces (issue 11 §2).
 * Answers use the row-major vec unless `vec: 'cols'`; commutation(m, n) is K with K vec(A) = vec(A')
 * for A m×n in the row-major vec (the Cookbook's K_{nm}).
 */
const MN = 'Magnus & Neudecker';
const linearMaps: CatalogueEntry[] = [
  { name: 'transpose: the commutation matrix', source: `${MN} §3.7`, expr: "X'", wrt: 'X', vars: { X: mat('m', 'n') }, textbook: 'commutation(m, n)' },
  { name: 'Gram matrix X\'X', source: `${MN} §3.7, §9.14`, expr: "X'*X", wrt: 'X', vars: { X: mat('m', 'n') }, textbook: "kron(eye(n), X')*commutation(m, n) + kron(X', eye(n))" },
  { name: 'Hessian of the determinant', source: `${MN} §10.8`, expr: 'det(X)', wrt: 'X', order: 2, vars: { X: inv() }, textbook: "det(X)*(vec(inv(X)')*vec(inv(X)')' - commutation(n, n)*kron(inv(X), inv(X)'))" },
  { name: 'Hessian of the log-determinant', source: `${MN} §10.8`, expr: 'log(det(X))', wrt: 'X', order: 2, vars: { X: inv() }, textbook: "-commutation(n, n)*kron(inv(X), inv(X)')" },
  { name: 'trace of a Kronecker square', source: `${MC} §10.2.1 (tr(A ⊗ B) = tr(A) tr(B))`, expr: 'tr(kron(X, X))', wrt: 'X', vars: { X: sq() }, textbook: '2*tr(X)*eye(n)' },
  { name: 'Kronecker product', source: `${MN} §3.10`, expr: 'kron(X, A)', wrt: 'X', vars: { X: mat('m', 'n'), A: mat('p', 'q') }, textbook: 'kron(eye(m), kron(commutation(n, p), eye(q)))*kron(eye(m*n), vec(A))' },
  { name: 'diagonal matrix of a vector', source: 'vec(diag(u)) = S u, S = (I ⊗ 1) ∘ (1 ⊗ I)', expr: 'diag(x)', wrt: 'x', textbook: 'kron(eye(n), diag(eye(n))).*kron(diag(eye(n)), eye(n))' },
  { name: 'third derivative of a sum of exponentials', source: '∂³/∂zₐ∂z_b∂z_c Σ exp(zᵢ) = δ_abc exp(z_a)', expr: 'sum(exp(z))', wrt: 'z', order: 3, textbook: 'kron(eye(n), diag(eye(n))).*kron(diag(eye(n)), eye(n))*diag(exp(z))' },
  { name: 'linear map, column-major vec', source: `${MC} §10.2.2`, expr: 'W*x', wrt: 'W', vec: 'cols', vars: { W: mat('k', 'n'), x: vec() }, textbook: "kron(x', eye(k))" },
  { name: 'sandwich, column-major vec', source: `${MC} §10.2.2 (vec(AXB) = (Bᵀ ⊗ A) vec(X))`, expr: 'A*X*B', wrt: 'X', vec: 'cols', textbook: "kron(B', A)" },
  { name: 'inverse, column-major vec', source: `${MN} §8.4`, expr: 'inv(X)', wrt: 'X', vec: 'cols', vars: { X: inv() }, textbook: "-kron(inv(X)', inv(X))" },
];

/**
 * Reductions along a dim of a batch X (k examples × n features), issue 15: dim 0 runs down the
 * columns (over the examples, as batch norm), dim 1 along the rows (over the features, as layer
 * norm); var and std are the population ones. A mean's 1/k is written 1/tr(eye(k)), the language's
 * scalar for the size of a named dimension.
 */
const XHAT_BATCH = '((X - vector(1)*mean(X, 0))./(vector(1)*std(X, 0)))';
const batches: CatalogueEntry[] = [
  { name: 'mean squared error over a batch', source: 'Goodfellow et al., Deep Learning §5.1.4 (MSE = (1/m)‖Xw − y‖²)', expr: 'mean((X*w - y).^2)', wrt: 'w', vars: { X: mat('k', 'n') }, textbook: "2*X'*(X*w - y)/tr(eye(k))" },
  { name: 'batch variance of each feature', source: 'Ioffe & Szegedy (2015), Alg. 1 backward: ∂σ²_B/∂xᵢ = 2(xᵢ − μ_B)/m', expr: 'sum(var(X, 0))', wrt: 'X', vars: { X: mat('k', 'n') }, textbook: '2*(X - vector(1)*mean(X, 0))/tr(eye(k))' },
  { name: 'variance of each example over its features', source: 'Ba, Kiros & Hinton (2016), layer normalisation statistics', expr: 'sum(var(X, 1))', wrt: 'X', vars: { X: mat('k', 'n') }, textbook: "2*(X - mean(X, 1)*vector(1)')/tr(eye(n))" },
  { name: 'batch standard deviation of each feature', source: 'd std = d var / (2 std); Ioffe & Szegedy (2015)', expr: 'sum(std(X, 0))', wrt: 'X', vars: { X: mat('k', 'n') }, textbook: '(X - vector(1)*mean(X, 0))./(tr(eye(k))*vector(1)*std(X, 0))' },
  {
    name: 'batch standardisation (batch norm without scale and shift)', source: 'Ioffe & Szegedy (2015), Alg. 1 backward with γ = 1, ε = 0; CS231n',
    expr: `sum(${XHAT_BATCH}.*G)`, wrt: 'X', vars: { X: mat('k', 'n'), G: mat('k', 'n') },
    textbook: `(G - vector(1)*mean(G, 0) - ${XHAT_BATCH}.*(vector(1)*mean(G.*${XHAT_BATCH}, 0)))./(vector(1)*std(X, 0))`,
  },
  { name: 'max over each row (max pooling)', source: 'Goodfellow et al., Deep Learning §9.3: the gradient goes to the arg-max', expr: "y'*max(X, 1)", wrt: 'X', vars: { X: mat('k', 'n'), y: vec('k') }, textbook: "(y*vector(1)').*(1 - step(max(X, 1)*vector(1)' - X))" },
];

/**
 * Layers of a network over a batch (issue 15), rows of X being examples. A layer inside a network
 * is differentiated through the scalar ⟨G, layer⟩ = sum(G.*layer), G the upstream gradient ∂L/∂out
 * (what backprop receives), so each entry is the layer's backward pass in the batch's own shapes.
 * Cross-entropy is written for general targets (rows of Y need not sum to one: the gradient is then
 * softmax(Z, 1) scaled by each row's sum, minus Y); for one-hot rows, as logsumexp minus the
 * targets' logits, it is softmax(Z, 1) - Y. Layer and batch norm have a gain w and a shift h (γ and
 * β in the papers), ε = 0.
 */
const ATTENTION = "softmax(Q*K'/sqrt(d), 1)";
const ATTENTION_DS = `(${ATTENTION}.*(G*V' - sum(${ATTENTION}.*(G*V'), 1)*vector(1)'))`;
const XHAT_LAYER = "((X - mean(X, 1)*vector(1)')./(std(X, 1)*vector(1)'))";
const LAYER_NORM = `sum(G.*(${XHAT_LAYER}.*(vector(1)*w') + vector(1)*h'))`;
const G_GAIN = "(G.*(vector(1)*w'))";
const BATCH_NORM = `sum(G.*(${XHAT_BATCH}.*(vector(1)*w') + vector(1)*h'))`;
const CE = (logits: string) => `-sum(Y.*log_softmax(${logits}, 1))`;
const layers: CatalogueEntry[] = [
  { name: 'attention, by the values', source: 'Vaswani et al. (2017) §3.2.1; backward pass: Dao et al. (2022), FlashAttention, App. B.2 (dV = PᵀdO)', expr: `sum(G.*(${ATTENTION}*V))`, wrt: 'V', textbook: `${ATTENTION}'*G` },
  { name: 'attention, by the queries', source: 'Dao et al. (2022), FlashAttention, App. B.2: dS = P ∘ (dP − rowsum(dP ∘ P)), dQ = dS K/√d', expr: `sum(G.*(${ATTENTION}*V))`, wrt: 'Q', textbook: `${ATTENTION_DS}*K/sqrt(d)` },
  { name: 'attention, by the keys', source: 'Dao et al. (2022), FlashAttention, App. B.2: dK = dSᵀ Q/√d', expr: `sum(G.*(${ATTENTION}*V))`, wrt: 'K', textbook: `${ATTENTION_DS}'*Q/sqrt(d)` },
  { name: 'softmax cross-entropy over a batch, by the logits', source: 'Goodfellow et al., Deep Learning §6.2.2.3, row by row: ∂/∂z = (Σⱼ yⱼ) softmax(z) − y', expr: CE('Z'), wrt: 'Z', textbook: "softmax(Z, 1).*(sum(Y, 1)*vector(1)') - Y" },
  { name: 'softmax cross-entropy over a batch, one-hot targets', source: 'Bishop, PRML (4.106), (4.108): softmax(Z) − Y for rows of Y summing to one', expr: 'sum(logsumexp(Z, 1)) - sum(Y.*Z)', wrt: 'Z', textbook: 'softmax(Z, 1) - Y' },
  { name: 'softmax cross-entropy over a batch, by the weights', source: 'Bishop, PRML (4.109), for a batch: Xᵀ(∂L/∂Z)', expr: CE('X*W'), wrt: 'W', textbook: "X'*(softmax(X*W, 1).*(sum(Y, 1)*vector(1)') - Y)" },
  { name: 'softmax cross-entropy over a batch, by the bias', source: 'backpropagation: the bias gradient sums ∂L/∂Z over the batch (CS231n)', expr: CE("X*W + vector(1)*h'"), wrt: 'h', textbook: "sum(softmax(X*W + vector(1)*h', 1).*(sum(Y, 1)*vector(1)') - Y, 0)'" },
  { name: 'GELU layer, by its weights', source: 'Hendrycks & Gimpel (2016): gelu(x) = x Φ(x), gelu\' = Φ(x) + x φ(x)', expr: 'sum(G.*gelu(X*W))', wrt: 'W', textbook: "X'*(G.*((1 + erf(X*W/sqrt(2)))/2 + X*W.*exp(-(X*W).^2/2)/sqrt(2*pi)))" },
  { name: 'SiLU layer, by its weights', source: 'Elfwing et al. (2018): silu(x) = x σ(x), silu\' = σ(x)(1 + x(1 − σ(x)))', expr: 'sum(G.*silu(X*W))', wrt: 'W', textbook: "X'*(G.*sigmoid(X*W).*(1 + X*W.*(1 - sigmoid(X*W))))" },
  { name: 'two-layer network over a batch, first weights', source: 'backpropagation (Goodfellow et al. §6.5; CS231n)', expr: 'norm2(tanh(X*W1)*W2 - Y)^2', wrt: 'W1', textbook: "2*X'*((tanh(X*W1)*W2 - Y)*W2'.*(1 - tanh(X*W1).^2))" },
  { name: 'two-layer network over a batch, second weights', source: 'backpropagation (Goodfellow et al. §6.5; CS231n)', expr: 'norm2(tanh(X*W1)*W2 - Y)^2', wrt: 'W2', textbook: "2*tanh(X*W1)'*(tanh(X*W1)*W2 - Y)" },
  {
    name: 'layer norm, by its input', source: 'Ba, Kiros & Hinton (2016), normalising each example over its features; backward: (g − mean(g) − x̂ mean(g ∘ x̂))/σ per row, g = ∂L/∂x̂',
    expr: LAYER_NORM, wrt: 'X', vars: { X: mat('k', 'n'), G: mat('k', 'n') },
    textbook: `(${G_GAIN} - mean(${G_GAIN}, 1)*vector(1)' - ${XHAT_LAYER}.*(mean(${G_GAIN}.*${XHAT_LAYER}, 1)*vector(1)'))./(std(X, 1)*vector(1)')`,
  },
  { name: 'layer norm, by its gain', source: 'Ba, Kiros & Hinton (2016): ∂L/∂g = Σ over the batch of ∂L/∂y ∘ x̂', expr: LAYER_NORM, wrt: 'w', vars: { X: mat('k', 'n'), G: mat('k', 'n') }, textbook: `sum(G.*${XHAT_LAYER}, 0)'` },
  {
    name: 'batch norm, by its input', source: 'Ioffe & Szegedy (2015), Alg. 1 and its backward pass (§3), ε = 0',
    expr: BATCH_NORM, wrt: 'X', vars: { X: mat('k', 'n'), G: mat('k', 'n') },
    textbook: `(${G_GAIN} - vector(1)*mean(${G_GAIN}, 0) - ${XHAT_BATCH}.*(vector(1)*mean(${G_GAIN}.*${XHAT_BATCH}, 0)))./(vector(1)*std(X, 0))`,
  },
  { name: 'batch norm, by its scale', source: 'Ioffe & Szegedy (2015) §3: ∂ℓ/∂γ = Σᵢ ∂ℓ/∂yᵢ x̂ᵢ', expr: BATCH_NORM, wrt: 'w', vars: { X: mat('k', 'n'), G: mat('k', 'n') }, textbook: `sum(G.*${XHAT_BATCH}, 0)'` },
  { name: 'batch norm, by its shift', source: 'Ioffe & Szegedy (2015) §3: ∂ℓ/∂β = Σᵢ ∂ℓ/∂yᵢ', expr: BATCH_NORM, wrt: 'h', vars: { X: mat('k', 'n'), G: mat('k', 'n') }, textbook: "sum(G, 0)'" },
];

/** The catalogue by topic, as docs/catalogue.md shows it. */
export const CATALOGUE_SECTIONS: readonly { readonly title: string; readonly entries: readonly CatalogueEntry[] }[] = [
  { title: 'Traces', entries: traces },
  { title: 'Determinants', entries: determinants },
  { title: 'Inverses', entries: inverses },
  { title: 'Linear, bilinear and quadratic forms', entries: forms },
  { title: 'Norms', entries: norms },
  { title: 'Jacobians', entries: jacobians },
  { title: 'Hessians', entries: hessians },
  { title: 'Linear maps: commutation, selection, Kronecker', entries: linearMaps },
  { title: 'Machine-learning losses', entries: losses },
  { title: 'Batches: reductions along a dim', entries: batches },
  { title: 'Layers over a batch', entries: layers },
  { title: 'Scalars', entries: scalars },
];

export const CATALOGUE: readonly CatalogueEntry[] = CATALOGUE_SECTIONS.flatMap((s) => s.entries);
