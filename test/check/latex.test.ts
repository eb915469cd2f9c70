/**
 * The LaTeX answer reader (src/parse/latex.ts): exact translations to the input syntax (goldens),
 * each paired with a numeric check against an equivalent written independently in the input
 * syntax; error messages with columns; and every form print/latex.ts produces reads back to the
 * same value.
 */
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { latexToInput, looksLikeLatex, parseLatex } from '../../src/parse/latex.js';
import { bindDims, evaluate } from '../../src/numeric/evaluate.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { toLatex } from '../../src/print/latex.js';
import { near } from './relations.js';

const VARS: Readonly<Record<string, VarDecl>> = {
  A: { dims: ['n', 'n'] },
  B: { dims: ['n', 'n'] },
  X: { dims: ['n', 'n'], props: ['invertible'] },
  W: { dims: ['m', 'n'] },
  W1: { dims: ['n', 'n'] },
  Sigma: { dims: ['n', 'n'] },
  x: { dims: ['n'] },
  y: { dims: ['n'] },
  z: { dims: ['n'] },
  h_prev: { dims: ['n'] },
  a: { dims: [] },
  b: { dims: [] },
  sigma: { dims: [] },
};
const NAMES = Object.keys(VARS);
const MATRICES = NAMES.filter((k) => VARS[k]!.dims.length === 2);

/** Whether two expressions have the same value at several seeded points (same dims for both). */
function sameValue(p: Expr, q: Expr): boolean {
  const both = [...varsOf(p), ...varsOf(q)];
  for (let seed = 1; seed <= 3; seed++) {
    const dims = new Map([...defaultDims(p, seed), ...defaultDims(q, seed)]);
    if (!dims.has('n')) dims.set('n', 3);
    if (!dims.has('m')) dims.set('m', 2);
    const env = randomPoint(both, dims, seed);
    const sizes = bindDims(both, env, dims);
    const u = evaluate(p, env, sizes),
      v = evaluate(q, env, sizes);
    if (u.data.length !== v.data.length || !near(u.data, v.data, 1e-9)) return false;
  }
  return true;
}

const translate = (tex: string): string => latexToInput(tex, { names: NAMES, matrices: MATRICES });

/** [LaTeX as students write it, its exact translation, an equivalent written differently in the input syntax]. */
const GOLDENS: ReadonlyArray<readonly [string, string, string]> = [
  [String.raw`A^\top x`, "A'*x", "(x'*A)'"],
  [String.raw`A^T x`, "A'*x", "(x'*A)'"],
  [String.raw`\mathbf{x}^T A`, "x'*A", "(A'*x)'"],
  [String.raw`\operatorname{tr}(AX)`, 'tr(A*X)', 'tr(X*A)'],
  [String.raw`\mathrm{tr}\left(A^\top B\right)`, "tr(A'*B)", 'sum(A.*B)'],
  [String.raw`\frac{1}{2}`, '1/2', '0.5'],
  [String.raw`\frac12 x`, '1/2*x', 'x/2'],
  ['2Ax', '2*A*x', 'A*(2*x)'],
  [String.raw`2 \cdot A\,x`, '2*A*x', '2*(A*x)'],
  [String.raw`\mathbf{A}\mathbf{x}`, 'A*x', "(x'*A')'"],
  [String.raw`x^TAx`, "x'*A*x", "x'*(A*x)"],
  [String.raw`\sigma(z)`, 'sigmoid(z)', 'exp(z)./(1 + exp(z))'],
  [String.raw`\sigma'(z)`, 'sigmoid(z).*(1 - sigmoid(z))', 'exp(z)./(1 + exp(z)).^2'],
  [String.raw`x \odot y`, 'x.*y', 'y.*x'],
  [String.raw`x \odot A y`, 'x.*(A*y)', '(A*y).*x'],
  [String.raw`x^{\circ 2}`, 'x.^2', 'x.*x'],
  [String.raw`\mathrm{diag}(x)`, 'diag(x)', "diag(x)'"],
  [String.raw`X^{-1}`, 'inv(X)', 'X^(-1)'],
  [String.raw`X^{-T}`, "inv(X)'", "inv(X')"],
  [String.raw`X^{-\top}`, "inv(X)'", "inv(X')"],
  [String.raw`(X^TX)^{-1}`, "(X'*X)^(-1)", "inv(X'*X)"],
  [String.raw`a^{-1}`, 'a^(-1)', '1/a'],
  [String.raw`a^23`, 'a^2*3', '3*a*a'],
  [String.raw`\det(X)`, 'det(X)', "det(X')"],
  [String.raw`\log\det\left(AA^\top + I\right)`, "logdet(A*A' + eye)", "log(det(A*A' + eye(n)))"],
  [String.raw`\log(\exp(a))`, 'log(exp(a))', 'a'],
  [String.raw`e^{x^\top x}`, "exp(x'*x)", 'exp(norm2(x)^2)'],
  [String.raw`\left( A + A^\top \right) x`, "(A + A')*x", "A*x + A'*x"],
  [String.raw`-2 A^\top(y - Ax)`, "-2*A'*(y - A*x)", "2*A'*(A*x - y)"],
  [String.raw`\frac{x^\top A x}{x^\top x}`, "x'*A*x/(x'*x)", "(x'*A*x)/norm2(x)^2"],
  [String.raw`I_n x + I x`, 'eye(n)*x + eye*x', '2*x'],
  [String.raw`\mathbf{1}^\top x`, "vector(1)'*x", 'sum(x)'],
  [String.raw`\|Ax - y\|_2^2`, 'norm2(A*x - y)^2', "(A*x - y)'*(A*x - y)"],
  [String.raw`\lVert X \rVert_F`, 'norm2(X)', "sqrt(tr(X'*X))"],
  [String.raw`\|x\|_1`, 'norm1(x)', 'sum(abs(x))'],
  [String.raw`\|x\|_3`, 'norm(x, 3)', 'sum(abs(x).^3)^(1/3)'],
  // Attention's scores, row by row (declared names, so that both readings share their dimensions).
  [
    String.raw`\operatorname{softmax}\left(\frac{WA^\top}{2}, 1\right)B`,
    "softmax(W*A'/2, 1)*B",
    "softmax(W*(A'/2), 1)*B",
  ],
  [String.raw`\lvert a\rvert + |b|`, 'abs(a) + abs(b)', 'sqrt(a^2) + sqrt(b^2)'],
  [String.raw`W_1 x + W_{1}x`, 'W1*x + W1*x', '2*W1*x'],
  [String.raw`h_{\mathrm{prev}}`, 'h_prev', 'h_prev'],
  [String.raw`\Sigma x + \sigma x`, 'Sigma*x + sigma*x', 'x*sigma + Sigma*x'],
  [String.raw`\mathbb{1}[x > 0]`, 'step(x)', '(sign(x) + 1)/2'],
  [String.raw`\operatorname{leaky\_relu}_{0.1}(x)`, 'leaky_relu(x, 0.1)', 'max(x, 0.1*x)'],
  [String.raw`A \otimes B`, 'kron(A, B)', "kron(A', B')'"],
  // Magnus & Neudecker: K_{m,n} vec(A) = vec(A') for A m×n (our row-major vec).
  [String.raw`K_{m,n} \operatorname{vec}(W)`, 'commutation(m, n)*vec(W)', "vec(W')"],
  [String.raw`\mathbf{K}_{n,n}(A \otimes B)`, 'commutation(n, n)*kron(A, B)', 'kron(B, A)*commutation(n, n)'],
  [String.raw`\sqrt{x^\top x}`, "sqrt(x'*x)", 'norm2(x)'],
  [String.raw`\tanh\left(Wx\right)`, 'tanh(W*x)', '2*sigmoid(2*W*x) - 1'],
  [String.raw`\max(x, y)`, 'max(x, y)', 'max(y, x)'],
  [String.raw`\exp x`, 'exp(x)', 'exp(x)'],
  [String.raw`$2Ax$`, '2*A*x', 'A*x + A*x'],
  [String.raw`\frac{\partial f}{\partial x} = 2Ax`, '2*A*x', 'A*x + A*x'],
  ['tr(AX)', 'tr(A*X)', "tr(X'*A')"],
  ["x'Ax", "x'*A*x", "x'*(A'+A)*x/2"],
];

describe('LaTeX answers → input syntax (goldens, each checked numerically)', () => {
  for (const [tex, golden, equivalent] of GOLDENS) {
    it(`${tex}  →  ${golden}`, () => {
      expect(translate(tex)).toBe(golden);
      const read = parseLatex(tex, { vars: VARS });
      expect(read).toBe(parse(golden, { vars: VARS }));
      expect(sameValue(read, parse(equivalent, { vars: VARS }))).toBe(true);
    });
  }

  it('a different reading gives a different value (the numeric check can fail)', () => {
    expect(sameValue(parseLatex(String.raw`A^\top x`, { vars: VARS }), parse('A*x', { vars: VARS }))).toBe(false);
  });

  it('without declared names, letters are one-letter names and an upper-case base inverts with inv()', () => {
    expect(latexToInput('2Ax + Wx')).toBe('2*A*x + W*x');
    expect(latexToInput(String.raw`M^{-1} + k^{-1}`)).toBe('inv(M) + k^(-1)');
  });
});

describe('errors name the problem and its column in the text as written', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    [
      String.raw`\partial f`,
      String.raw`\partial (a partial derivative) cannot be read in an answer: write the derivative's value (at column 1)`,
    ],
    [String.raw`2 + \foo x`, String.raw`unknown LaTeX command \foo (at column 5)`],
    [String.raw`\frac{1}{2`, 'expected } to close the group opened at column 9 but the answer ends (at column 11)'],
    [
      String.raw`df/dx = \frac{1}{2`,
      'expected } to close the group opened at column 17 but the answer ends (at column 19)',
    ],
    ['(a + b', 'expected ) to match the ( at column 1 but the answer ends (at column 7)'],
    ['a + # b', 'the character "#" cannot be read here (at column 5)'],
    [String.raw`\|x`, String.raw`expected the closing \| for the one at column 1 (at column 4)`],
    [String.raw`\|x\|_p`, 'the p-norm is not supported: use a number p ≥ 1 or F (at column 7)'],
  ];
  for (const [tex, message] of cases) {
    it(tex, () => expect(() => translate(tex)).toThrow(message));
  }
});

describe('detection', () => {
  it('LaTeX markers', () => {
    for (const s of [String.raw`A^T x`, String.raw`\alpha`, 'x^{2}', '$x$', String.raw`A\,x`, 'x^TAx'])
      expect(looksLikeLatex(s), s).toBe(true);
    for (const s of ["A'*x", 'x.^2', '2*A*x', 'tr(A*X)', 'x^2', 'A x']) expect(looksLikeLatex(s), s).toBe(false);
  });
});

describe('every form print/latex.ts writes reads back to the same value', () => {
  const EXPRS = [
    "(A + A')*x",
    'sigmoid(W*x).*(1 - sigmoid(W*x))',
    "inv(X)'",
    "det(X)*inv(X)'",
    'diag(cos(x))',
    'exp(a*b)*b',
    '1/2*x',
    "x'*A",
    'tr(A*X)',
    "vector(1)'*x",
    'exp(x)./(x.*x + 1)',
    'softmax(x)',
    'relu(x) + leaky_relu(x) + x.^2',
    'norm2(A*x - y)',
    'norm1(x)',
    'norm2(X)',
    "logdet(A*A' + eye(n))",
    "sqrt(x'*x)",
    'abs(x)',
    'x.*(A*y)',
    'W1*x',
    'h_prev + x',
    'sigma*x',
    'step(x)',
    'elu(x, 2)',
    'max(x, y)',
    'logsumexp(x)',
    'vec(X)',
    'sum(X)',
    '-A*x',
    'a - (b - a)',
    "x'*A*x/(x'*x)",
    'kron(A, B)',
    '1e-20*x + x',
    'x.^3 - 2*x',
    'commutation(m, n)*vec(W)',
    'kron(A, B)*commutation(n, n)',
    'A^2*x',
    "(A*B)'",
    'inv(X)*X*x',
    'tanh(W*x)',
    'sign(x).*x',
    'softplus(x)',
    "Sigma*x - x'*Sigma'",
    'exp(a)^b',
    '-(a*b)^2',
    'x./(1 + y.^2)',
  ];
  for (const src of EXPRS) {
    it(src, () => {
      let e: Expr;
      try {
        e = parse(src, { vars: VARS });
      } catch {
        return; // not a well-shaped expression under these declarations; nothing to print
      }
      const tex = toLatex(e);
      expect(sameValue(parseLatex(tex, { vars: VARS }), e), `${tex} → ${translate(tex)}`).toBe(true);
    });
  }
});
