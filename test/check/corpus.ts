/**
 * The checker's corpus: question/answer pairs in the input syntax and in LaTeX, each with the
 * *relation* its answer has to our derivative E — not a verdict. The test establishes each relation
 * numerically (relations.ts) and only then derives the verdict and diagnosis the checker must give.
 *
 * Answers are either built from our verified derivative (its text, its LaTeX, its transpose, its
 * negation, a multiple of it) or written the way students write them.
 */
import * as b from '../../src/ir/build.js';
import type { Expr } from '../../src/ir/expr.js';
import { toLatex } from '../../src/print/latex.js';
import { toText } from '../../src/print/text.js';
import type { Question } from './relations.js';

export type Relation =
  /** A = E. */
  | { readonly kind: 'equal' }
  /** A = E' and A ≠ E. */
  | { readonly kind: 'transpose' }
  /** A = c·E (or c·E'), c ≠ 1. */
  | { readonly kind: 'scaled'; readonly c: number }
  /** A is a product of E's factors in another order (transposes aside); numerically none of the above. */
  | { readonly kind: 'reordered' }
  /** A ≠ E, but A = E when the named matrices are symmetric. */
  | { readonly kind: 'symmetric'; readonly matrices: readonly string[] }
  /** A = E − term. */
  | { readonly kind: 'missing'; readonly term: string }
  /** A = E + term. */
  | { readonly kind: 'extra'; readonly term: string }
  /** A's shape is neither E's nor E''s. */
  | { readonly kind: 'shape' }
  /** None of the relations above holds. */
  | { readonly kind: 'unrelated' }
  /** The text does not parse (or names something that is not a variable of the question). */
  | { readonly kind: 'syntax' }
  /** The text parses but does not shape-check. */
  | { readonly kind: 'ill-shaped' };

export interface Case {
  readonly id: string;
  readonly question: Question;
  readonly syntax: 'input' | 'latex';
  /** Written as a student would, or built from our derivative E. */
  readonly answer: string | ((E: Expr) => string);
  readonly relation: Relation;
}

const sq = { dims: ['n', 'n'] } as const;
const vecN = { dims: ['n'] } as const;

/** Questions, each a textbook result (Matrix Cookbook §2.4–2.5, deep-learning course notes). */
export const Q = {
  quad: { expr: "x'*A*x", wrt: 'x' },
  protocol: { expr: "u'*D*u", wrt: 'u' },
  traceAX: { expr: 'tr(A*X)', wrt: 'X' },
  jacAx: { expr: 'A*x', wrt: 'x' },
  jacWx: { expr: 'W*x', wrt: 'x' },
  normSq: { expr: "x'*x", wrt: 'x' },
  traceAXB: { expr: 'tr(A*X*B)', wrt: 'X', vars: { A: sq, B: sq, X: sq } },
  det: { expr: 'det(X)', wrt: 'X', vars: { X: { dims: ['n', 'n'], props: ['invertible'] } } },
  logdet: { expr: 'logdet(X)', wrt: 'X', vars: { X: { dims: ['n', 'n'], props: ['spd'] } } },
  logdetInv: { expr: 'logdet(X)', wrt: 'X', vars: { X: { dims: ['n', 'n'], props: ['invertible'] } } },
  leastSquares: { expr: 'norm2(A*x - y)^2', wrt: 'x' },
  sigmoidLayer: { expr: 'sum(sigmoid(W*x))', wrt: 'W' },
  sigmoid: { expr: 'sigmoid(z)', wrt: 'z' },
  scalar: { expr: 'exp(a*b)', wrt: 'a' },
  bilinear: { expr: "u'*X*v", wrt: 'X' },
  bilinearSq: { expr: "x'*A*y", wrt: 'x', vars: { A: sq, x: vecN, y: vecN } },
  traceQuad: { expr: "tr(X'*A*X)", wrt: 'X' },
  hessian: { expr: "x'*A*x", wrt: 'x', order: 2 },
  quadLinear: { expr: "x'*A*x + y'*x", wrt: 'x' },
  quadSym: { expr: "x'*A*x", wrt: 'x', vars: { A: { dims: ['n', 'n'], props: ['symmetric'] } } },
  // Reductions over a batch X (4 examples × 3 features), issue 15.
  meanRows: { expr: "y'*mean(X.*X, 1)", wrt: 'X', vars: { X: { dims: [4, 3] }, y: { dims: [4] } } },
  varColumns: { expr: 'sum(var(X, 0))', wrt: 'X', vars: { X: { dims: [4, 3] } } },
  maxRows: { expr: "y'*max(X, 1)", wrt: 'X', vars: { X: { dims: [4, 3] }, y: { dims: [4] } } },
  // Layers over a batch, issue 15: attention through an upstream G, softmax cross-entropy with one-hot-style targets.
  attentionV: {
    expr: "sum(G.*(softmax(Q*K'/sqrt(d), 1)*V))", wrt: 'V',
    vars: { Q: { dims: [3, 2] }, K: { dims: [4, 2] }, V: { dims: [4, 2] }, G: { dims: [3, 2] }, d: { dims: [], props: ['positive'] } },
  },
  crossEntropy: { expr: 'sum(logsumexp(Z, 1)) - sum(Y.*Z)', wrt: 'Z', vars: { Z: { dims: [4, 3] }, Y: { dims: [4, 3] } } },
} satisfies Record<string, Question>;

const text = (f: (E: Expr) => Expr) => (E: Expr): string => toText(f(E));
const latex = (f: (E: Expr) => Expr) => (E: Expr): string => toLatex(f(E));
const id = (E: Expr): Expr => E;

export const CORPUS: readonly Case[] = [
  // ---- correct, proved equal by the simplifier or equal at random points
  { id: 'protocol-correct', question: Q.protocol, syntax: 'input', answer: "D*u + D'*u", relation: { kind: 'equal' } },
  { id: 'quad-own-text', question: Q.quad, syntax: 'input', answer: text(id), relation: { kind: 'equal' } },
  { id: 'quad-own-latex', question: Q.quad, syntax: 'latex', answer: latex(id), relation: { kind: 'equal' } },
  { id: 'quad-latex-left-right', question: Q.quad, syntax: 'latex', answer: String.raw`\left(A + A^\top\right) x`, relation: { kind: 'equal' } },
  { id: 'quad-latex-sum', question: Q.quad, syntax: 'latex', answer: String.raw`A^T x + Ax`, relation: { kind: 'equal' } },
  { id: 'quad-latex-lhs', question: Q.quad, syntax: 'latex', answer: String.raw`$\frac{\partial f}{\partial \mathbf{x}} = (\mathbf{A} + \mathbf{A}^\top)\,\mathbf{x}$`, relation: { kind: 'equal' } },
  { id: 'quad-input-juxtaposed', question: Q.quad, syntax: 'latex', answer: "A'x + Ax", relation: { kind: 'equal' } },
  { id: 'least-squares-latex', question: Q.leastSquares, syntax: 'latex', answer: String.raw`2A^\top(Ax - y)`, relation: { kind: 'equal' } },
  { id: 'sigmoid-layer-latex', question: Q.sigmoidLayer, syntax: 'latex', answer: String.raw`\left(\sigma(Wx) \odot (1 - \sigma(Wx))\right) x^T`, relation: { kind: 'equal' } },
  { id: 'sigmoid-jacobian-latex', question: Q.sigmoid, syntax: 'latex', answer: String.raw`\mathrm{diag}(\sigma(z) \odot (1 - \sigma(z)))`, relation: { kind: 'equal' } },
  { id: 'sigmoid-jacobian-expanded', question: Q.sigmoid, syntax: 'input', answer: 'diag(sigmoid(z) - sigmoid(z).^2)', relation: { kind: 'equal' } },
  { id: 'sigmoid-jacobian-circ', question: Q.sigmoid, syntax: 'latex', answer: String.raw`\operatorname{diag}\left(\sigma(z) - \sigma(z)^{\circ 2}\right)`, relation: { kind: 'equal' } },
  { id: 'declared-symmetric', question: Q.quadSym, syntax: 'input', answer: '2*A*x', relation: { kind: 'equal' } },
  { id: 'declared-symmetric-latex', question: Q.quadSym, syntax: 'latex', answer: '2Ax', relation: { kind: 'equal' } },
  { id: 'hessian-correct', question: Q.hessian, syntax: 'input', answer: "A + A'", relation: { kind: 'equal' } },
  { id: 'trace-latex', question: Q.traceAX, syntax: 'latex', answer: String.raw`A^\top`, relation: { kind: 'equal' } },
  { id: 'logdet-inverse-transpose', question: Q.logdetInv, syntax: 'latex', answer: String.raw`X^{-\top}`, relation: { kind: 'equal' } },
  { id: 'logdet-inv-of-transpose', question: Q.logdetInv, syntax: 'input', answer: "inv(X')", relation: { kind: 'equal' } },
  { id: 'logdet-spd', question: Q.logdet, syntax: 'latex', answer: String.raw`X^{-1}`, relation: { kind: 'equal' } },
  { id: 'scalar-commuted', question: Q.scalar, syntax: 'latex', answer: String.raw`b\, e^{ab}`, relation: { kind: 'equal' } },
  { id: 'identity-latex', question: { expr: 'x', wrt: 'x' }, syntax: 'latex', answer: String.raw`\mathbf{I}`, relation: { kind: 'equal' } },
  { id: 'identity-input', question: { expr: 'x', wrt: 'x' }, syntax: 'input', answer: 'eye(n)', relation: { kind: 'equal' } },
  { id: 'mean-rows', question: Q.meanRows, syntax: 'input', answer: "2*(y*vector(1)').*X/3", relation: { kind: 'equal' } },
  { id: 'mean-rows-latex', question: Q.meanRows, syntax: 'latex', answer: String.raw`\frac{2}{3} \left(y \mathbf{1}^\top\right) \odot X`, relation: { kind: 'equal' } },
  { id: 'mean-rows-own-latex', question: Q.meanRows, syntax: 'latex', answer: latex(id), relation: { kind: 'equal' } },
  { id: 'var-columns-own-latex', question: Q.varColumns, syntax: 'latex', answer: latex(id), relation: { kind: 'equal' } },
  { id: 'var-columns', question: Q.varColumns, syntax: 'input', answer: '(X - vector(1)*mean(X, 0))/2', relation: { kind: 'equal' } },
  { id: 'max-rows', question: Q.maxRows, syntax: 'input', answer: "(y*vector(1)').*(1 - step(max(X, 1)*vector(1)' - X))", relation: { kind: 'equal' } },
  { id: 'max-rows-own-text', question: Q.maxRows, syntax: 'input', answer: text(id), relation: { kind: 'equal' } },
  { id: 'attention-values', question: Q.attentionV, syntax: 'input', answer: "softmax(Q*K'/sqrt(d), 1)'*G", relation: { kind: 'equal' } },
  { id: 'attention-values-own-latex', question: Q.attentionV, syntax: 'latex', answer: latex(id), relation: { kind: 'equal' } },
  { id: 'cross-entropy-latex', question: Q.crossEntropy, syntax: 'latex', answer: String.raw`\operatorname{softmax}\left(Z, 1\right) - Y`, relation: { kind: 'equal' } },
  { id: 'attention-values-transposed', question: Q.attentionV, syntax: 'input', answer: "G'*softmax(Q*K'/sqrt(d), 1)", relation: { kind: 'transpose' } },
  { id: 'cross-entropy-sign', question: Q.crossEntropy, syntax: 'input', answer: 'Y - softmax(Z, 1)', relation: { kind: 'scaled', c: -1 } },
  { id: 'cross-entropy-wrong-dim', question: Q.crossEntropy, syntax: 'input', answer: 'softmax(Z, 0) - Y', relation: { kind: 'unrelated' } },

  // ---- transposed: a row gradient, the transpose of a matrix gradient, a denominator-layout Jacobian
  { id: 'protocol-transposed', question: Q.protocol, syntax: 'input', answer: "u'*(D+D')", relation: { kind: 'transpose' } },
  { id: 'quad-row-latex', question: Q.quad, syntax: 'latex', answer: String.raw`x^T(A + A^T)`, relation: { kind: 'transpose' } },
  { id: 'trace-A', question: Q.traceAX, syntax: 'input', answer: 'A', relation: { kind: 'transpose' } },
  { id: 'logdet-inverse', question: Q.logdetInv, syntax: 'latex', answer: String.raw`X^{-1}`, relation: { kind: 'transpose' } },
  { id: 'det-latex', question: Q.det, syntax: 'latex', answer: String.raw`\det(X)\, X^{-1}`, relation: { kind: 'transpose' } },
  { id: 'norm-row', question: Q.normSq, syntax: 'input', answer: text((E) => b.transpose(E)), relation: { kind: 'transpose' } },
  { id: 'bilinear-latex', question: Q.bilinear, syntax: 'latex', answer: String.raw`\mathbf{v}\mathbf{u}^\top`, relation: { kind: 'transpose' } },
  { id: 'sigmoid-layer-transposed', question: Q.sigmoidLayer, syntax: 'input', answer: text((E) => b.transpose(E)), relation: { kind: 'transpose' } },
  { id: 'least-squares-row', question: Q.leastSquares, syntax: 'latex', answer: String.raw`2(Ax - y)^T A`, relation: { kind: 'transpose' } },
  { id: 'jacobian-denominator', question: Q.jacAx, syntax: 'input', answer: "A'", relation: { kind: 'transpose' } },
  { id: 'jacobian-denominator-latex', question: Q.jacWx, syntax: 'latex', answer: String.raw`W^\top`, relation: { kind: 'transpose' } },
  { id: 'jacobian-denominator-own', question: Q.jacAx, syntax: 'latex', answer: latex((E) => b.transpose(E)), relation: { kind: 'transpose' } },

  // ---- sign
  { id: 'quad-negated', question: Q.quad, syntax: 'input', answer: text((E) => b.neg(E)), relation: { kind: 'scaled', c: -1 } },
  { id: 'least-squares-sign', question: Q.leastSquares, syntax: 'latex', answer: String.raw`2A^\top(y - Ax)`, relation: { kind: 'scaled', c: -1 } },
  { id: 'trace-negated-latex', question: Q.traceAX, syntax: 'latex', answer: latex((E) => b.neg(E)), relation: { kind: 'scaled', c: -1 } },

  // ---- constant factor
  { id: 'norm-missing-2', question: Q.normSq, syntax: 'input', answer: 'x', relation: { kind: 'scaled', c: 0.5 } },
  { id: 'mean-rows-sum', question: Q.meanRows, syntax: 'input', answer: "2*(y*vector(1)').*X", relation: { kind: 'scaled', c: 3 } },
  { id: 'var-columns-sample', question: Q.varColumns, syntax: 'input', answer: '2*(X - vector(1)*mean(X, 0))/3', relation: { kind: 'scaled', c: 4 / 3 } },
  { id: 'norm-half-latex', question: Q.normSq, syntax: 'latex', answer: String.raw`\frac{1}{2} x`, relation: { kind: 'scaled', c: 0.25 } },
  { id: 'least-squares-missing-2', question: Q.leastSquares, syntax: 'latex', answer: String.raw`A^\top(Ax - y)`, relation: { kind: 'scaled', c: 0.5 } },
  { id: 'quad-doubled', question: Q.quad, syntax: 'input', answer: text((E) => b.mul(b.num(2), E)), relation: { kind: 'scaled', c: 2 } },
  { id: 'sigmoid-layer-tripled-transposed', question: Q.sigmoidLayer, syntax: 'latex', answer: latex((E) => b.mul(b.num(3), b.transpose(E))), relation: { kind: 'scaled', c: 3 } },

  // ---- wrong shape
  { id: 'quad-matrix', question: Q.quad, syntax: 'input', answer: "A + A'", relation: { kind: 'shape' } },
  { id: 'quad-matrix-latex', question: Q.quad, syntax: 'latex', answer: String.raw`A + A^T`, relation: { kind: 'shape' } },
  { id: 'sigmoid-layer-vector', question: Q.sigmoidLayer, syntax: 'input', answer: 'sigmoid(W*x).*(1 - sigmoid(W*x))', relation: { kind: 'shape' } },
  { id: 'norm-scalar-latex', question: Q.normSq, syntax: 'latex', answer: String.raw`x^T x`, relation: { kind: 'shape' } },

  // ---- factors in the wrong order
  { id: 'trace-axb-reversed', question: Q.traceAXB, syntax: 'input', answer: "B'*A'", relation: { kind: 'reordered' } },
  { id: 'trace-axb-reversed-latex', question: Q.traceAXB, syntax: 'latex', answer: String.raw`B^T A^T`, relation: { kind: 'reordered' } },
  { id: 'bilinear-row-swapped', question: Q.bilinearSq, syntax: 'input', answer: "y'*A", relation: { kind: 'reordered' } },
  { id: 'bilinear-row-swapped-latex', question: Q.bilinearSq, syntax: 'latex', answer: String.raw`y^\top A`, relation: { kind: 'reordered' } },

  // ---- a symmetry assumed
  { id: 'quad-2Ax', question: Q.quad, syntax: 'input', answer: '2*A*x', relation: { kind: 'symmetric', matrices: ['A'] } },
  { id: 'quad-2Ax-latex', question: Q.quad, syntax: 'latex', answer: '2Ax', relation: { kind: 'symmetric', matrices: ['A'] } },
  { id: 'trace-quad-latex', question: Q.traceQuad, syntax: 'latex', answer: String.raw`2AX`, relation: { kind: 'symmetric', matrices: ['A'] } },
  { id: 'trace-quad', question: Q.traceQuad, syntax: 'input', answer: '2*A*X', relation: { kind: 'symmetric', matrices: ['A'] } },
  { id: 'hessian-2A', question: Q.hessian, syntax: 'input', answer: '2*A', relation: { kind: 'symmetric', matrices: ['A'] } },

  // ---- one term missing or extra
  { id: 'quad-missing', question: Q.quad, syntax: 'input', answer: 'A*x', relation: { kind: 'missing', term: "A'*x" } },
  { id: 'quad-missing-latex', question: Q.quad, syntax: 'latex', answer: String.raw`A^\top x`, relation: { kind: 'missing', term: 'A*x' } },
  { id: 'quad-linear-missing', question: Q.quadLinear, syntax: 'input', answer: "(A + A')*x", relation: { kind: 'missing', term: 'y' } },
  { id: 'quad-linear-missing-latex', question: Q.quadLinear, syntax: 'latex', answer: String.raw`(A + A^T)x`, relation: { kind: 'missing', term: 'y' } },
  { id: 'quad-linear-extra', question: Q.quadLinear, syntax: 'input', answer: "(A + A')*x + y + x", relation: { kind: 'extra', term: 'x' } },
  { id: 'quad-extra-latex', question: Q.quad, syntax: 'latex', answer: String.raw`(A + A^T)x + x`, relation: { kind: 'extra', term: 'x' } },
  { id: 'norm-extra-ones-latex', question: Q.normSq, syntax: 'latex', answer: String.raw`2x + \mathbf{1}`, relation: { kind: 'extra', term: 'vector(1)' } },

  // ---- otherwise wrong: a counterexample
  { id: 'quad-sin', question: Q.quad, syntax: 'input', answer: 'sin(x)', relation: { kind: 'unrelated' } },
  { id: 'norm-exp-latex', question: Q.normSq, syntax: 'latex', answer: String.raw`\exp(x)`, relation: { kind: 'unrelated' } },
  { id: 'least-squares-normal', question: Q.leastSquares, syntax: 'input', answer: "A'*A*x", relation: { kind: 'unrelated' } },
  { id: 'max-rows-every-entry', question: Q.maxRows, syntax: 'input', answer: "(y*vector(1)').*(X.^0)", relation: { kind: 'unrelated' } },
  { id: 'var-columns-squared', question: Q.varColumns, syntax: 'input', answer: 'X.^2/2', relation: { kind: 'unrelated' } },
  // centred along the wrong dim (each example's mean instead of each feature's)
  { id: 'var-columns-wrong-dim', question: Q.varColumns, syntax: 'input', answer: "(X - mean(X, 1)*vector(1)')/2", relation: { kind: 'unrelated' } },
  { id: 'var-columns-wrong-dim-latex', question: Q.varColumns, syntax: 'latex', answer: String.raw`\frac{1}{2}\left(X - \operatorname{mean}(X, 1) \mathbf{1}^\top\right)`, relation: { kind: 'unrelated' } },
  { id: 'scalar-chain-rule-forgotten', question: Q.scalar, syntax: 'latex', answer: String.raw`e^{ab}`, relation: { kind: 'unrelated' } },

  // ---- cannot be read
  { id: 'dangling-operator', question: Q.quad, syntax: 'input', answer: '2*A*', relation: { kind: 'syntax' } },
  { id: 'unclosed-frac', question: Q.quad, syntax: 'latex', answer: String.raw`\frac{1}{2`, relation: { kind: 'syntax' } },
  { id: 'unknown-variable', question: Q.quad, syntax: 'input', answer: '2*A*y', relation: { kind: 'syntax' } },
  { id: 'partial-latex', question: Q.quad, syntax: 'latex', answer: String.raw`\partial f`, relation: { kind: 'syntax' } },

  // ---- parses but does not shape-check
  { id: 'matrix-times-row', question: Q.quad, syntax: 'input', answer: "A*x'", relation: { kind: 'ill-shaped' } },
  { id: 'sigmoid-juxtaposed', question: Q.sigmoid, syntax: 'latex', answer: String.raw`\sigma(z)(1 - \sigma(z))`, relation: { kind: 'ill-shaped' } },
  { id: 'vector-times-matrix-latex', question: Q.quad, syntax: 'latex', answer: String.raw`x A`, relation: { kind: 'ill-shaped' } },
];
