/**
 * LaTeX printer. Goldens are exact strings (String.raw, as in KaTeX's own tests) in the notation of
 * the Matrix Cookbook and of ML papers; every string a test produces is rendered by KaTeX with
 * throwOnError and strict errors, so "valid LaTeX" is checked, not assumed. A property test renders
 * random well-shaped expressions (seeded; the seed is printed on failure).
 */
import fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import type { Expr } from '../../src/ir/expr.js';
import { FUNCTIONS, type FnName } from '../../src/ir/functions.js';
import { derivative } from '../../src/api/derivative.js';
import { parseLatex } from '../../src/parse/latex.js';
import { parse } from '../../src/parse/parse.js';
import { fracHeading, latexName, latexNumber, toLatex } from '../../src/print/latex.js';
import { toText } from '../../src/print/text.js';
import { SCALAR, matrixShape, vectorShape } from '../../src/shape/shape.js';
import { arbExpr, assertProperty, generatorVars } from '../helpers/generators.js';

/** Renders with KaTeX, throwing on any parse error or strict-mode complaint; returns its input. */
function rendered(s: string): string {
  katex.renderToString(s, { throwOnError: true, strict: 'error' });
  return s;
}

const tex = (src: string, opts: { bold?: boolean } = {}): string => rendered(toLatex(parse(src), opts));
const texOf = (e: Expr, opts: { bold?: boolean } = {}): string => rendered(toLatex(e, opts));

describe('toLatex: Matrix Cookbook notation', () => {
  it.each([
    // products by juxtaposition, transposes, inverses
    ["x'*A*x", String.raw`x^\top A x`],
    ["x'*(A*x)", String.raw`x^\top A x`],
    ["(A+A')*x", String.raw`\left(A + A^\top\right) x`],
    ["(A*B)'", String.raw`\left(A B\right)^\top`],
    ["det(X)*inv(X)'", String.raw`\det\left(X\right) X^{-\top}`],
    ["inv(X')", String.raw`X^{-\top}`],
    ['-inv(X)*A*inv(X)', String.raw`-X^{-1} A X^{-1}`],
    ['inv(A*B)', String.raw`\left(A B\right)^{-1}`],
    ['inv(X)^2', String.raw`\left(X^{-1}\right)^{2}`],
    ["(A')^2", String.raw`\left(A^\top\right)^{2}`],
    ['tr(A*X*B)', String.raw`\operatorname{tr}\left(A X B\right)`],
    ['logdet(X)', String.raw`\log\det\left(X\right)`],
    ["kron(eye, x')", String.raw`I \otimes x^\top`],
    ['kron(A, kron(B, C))', String.raw`A \otimes B \otimes C`],
    ['kron(A*B, C)', String.raw`\left(A B\right) \otimes C`],
    ['vec(X)', String.raw`\operatorname{vec}\left(X\right)`],
    ["diag(s) - s*s'", String.raw`\operatorname{diag}\left(s\right) - s s^\top`],
    ["vector(1)'*x", String.raw`\mathbf{1}^\top x`],
    // scalars: constants lead, \cdot only between numbers, fractions, powers
    ['2*A*x', String.raw`2 A x`],
    ['A*x*2', String.raw`2 A x`],
    ['a*(2*x)', String.raw`2 a x`],
    ['2*3^a', String.raw`2 \cdot 3^{a}`],
    ['a/b', String.raw`\frac{a}{b}`],
    ['(a+b)/c*x', String.raw`\frac{a + b}{c} x`],
    ['-a^2', String.raw`-a^{2}`],
    ['(-a)^2', String.raw`\left(-a\right)^{2}`],
    ['a^b^c', String.raw`a^{b^{c}}`],
    // a scalar in the middle keeps its parentheses: A x' would be undefined
    ["A*(x'*y)", String.raw`A \left(x^\top y\right)`],
    ["a*(x'*A*x)", String.raw`a x^\top A x`],
    // sums: minimal parentheses, subtraction only where it is one
    ['a - A*x', String.raw`a - A x`],
    ['x - (y - z)', String.raw`x - \left(y - z\right)`],
    ['x + (y - z)', String.raw`x + y - z`],
    ['-(a+b)', String.raw`-\left(a + b\right)`],
    ['A*(-x)', String.raw`A \left(-x\right)`],
    ['(A - B)*(A + B)', String.raw`\left(A - B\right) \left(A + B\right)`],
    // norms
    ['norm2(X*w-y)^2', String.raw`\lVert X w - y\rVert_2^{2}`],
    ['norm2(X)', String.raw`\lVert X\rVert_F`],
    ['norm1(x)', String.raw`\lVert x\rVert_1`],
  ])('%s', (src, want) => {
    expect(tex(src)).toBe(want);
  });
});

describe('toLatex: elementwise operations (ML notation)', () => {
  it.each([
    ['sigmoid(z).*(1-sigmoid(z))', String.raw`\sigma\left(z\right) \odot \left(1 - \sigma\left(z\right)\right)`],
    // juxtaposition binds tighter than ⊙: σ'(z) ⊙ Wᵀδ
    ['x.*(A*y)', String.raw`x \odot A y`],
    ["step(z).*(W'*u)", String.raw`\mathbb{1}[z > 0] \odot W^\top u`],
    ["(x.*y)'*A", String.raw`\left(x \odot y\right)^\top A`],
    ['-(x.*y)', String.raw`-\left(x \odot y\right)`],
    ['x.*(y.*z)', String.raw`x \odot y \odot z`],
    ['x./(y./z)', String.raw`x \oslash \left(y \oslash z\right)`],
    ['(x./y)./z', String.raw`x \oslash y \oslash z`],
    ['x.^2', String.raw`x^{\circ 2}`],
    ['x.^(a+b)', String.raw`x^{\circ \left(a + b\right)}`],
    ['sum(log(1 + exp(W*x)))', String.raw`\operatorname{sum}\left(\log\left(1 + \exp\left(W x\right)\right)\right)`],
    ['softmax(z)', String.raw`\operatorname{softmax}\left(z\right)`],
    // Along a dim of a batch, the dim printed as an argument (Vaswani et al.'s attention); the p of a p-norm as a subscript.
    ["softmax(Q*K'/sqrt(d), 1)*V", String.raw`\operatorname{softmax}\left(\frac{Q K^\top}{\sqrt{d}}, 1\right) V`],
    [
      '-sum(Y.*log_softmax(Z, 1))',
      String.raw`-\operatorname{sum}\left(Y \odot \operatorname{log\_softmax}\left(Z, 1\right)\right)`,
    ],
    ['norm(x, 3)', String.raw`\lVert x\rVert_{3}`],
    [
      "diag(softmax(z)) - softmax(z)*softmax(z)'",
      String.raw`\operatorname{diag}\left(\operatorname{softmax}\left(z\right)\right) - \operatorname{softmax}\left(z\right) \operatorname{softmax}\left(z\right)^\top`,
    ],
    ['logsumexp(z)', String.raw`\operatorname{logsumexp}\left(z\right)`],
    ['leaky_relu(x, 0.2)', String.raw`\operatorname{leaky\_relu}_{0.2}\left(x\right)`],
    ['leaky_relu(x)', String.raw`\operatorname{leaky\_relu}_{0.01}\left(x\right)`],
    ['relu(W*x + y)', String.raw`\operatorname{relu}\left(W x + y\right)`],
    ['max(x, y)', String.raw`\operatorname{maximum}\left(x, y\right)`],
    ['max(X, 1)', String.raw`\max\left(X, 1\right)`],
    ['mean(X, 0) - var(X, 0)', String.raw`\operatorname{mean}\left(X, 0\right) - \operatorname{var}\left(X, 0\right)`],
    ['abs(x)', String.raw`\lvert x\rvert`],
    ['sqrt(a)^2', String.raw`\left(\sqrt{a}\right)^{2}`],
    ['x./sqrt(y)', String.raw`x \oslash \sqrt{y}`],
  ])('%s', (src, want) => {
    expect(tex(src)).toBe(want);
  });

  it('prints every function of the vocabulary, and each renders', () => {
    const x = b.variable('x', vectorShape('n'));
    const X = b.variable('X', matrixShape('n', 'n'));
    const argsFor = (f: FnName): Expr[] => {
      switch (FUNCTIONS[f].shape) {
        case 'elementwise2':
        case 'kron':
          return [x, b.variable('y', vectorShape('n'))];
        case 'square-to-scalar':
        case 'square':
        case 'diag':
          return [X];
        default:
          return f === 'norm' ? [x, b.num(3)] : [x];
      }
    };
    const got = Object.fromEntries((Object.keys(FUNCTIONS) as FnName[]).map((f) => [f, texOf(b.call(f, argsFor(f)))]));
    expect(got).toEqual({
      exp: String.raw`\exp\left(x\right)`,
      log: String.raw`\log\left(x\right)`,
      sqrt: String.raw`\sqrt{x}`,
      sin: String.raw`\sin\left(x\right)`,
      cos: String.raw`\cos\left(x\right)`,
      tan: String.raw`\tan\left(x\right)`,
      tanh: String.raw`\tanh\left(x\right)`,
      sinh: String.raw`\sinh\left(x\right)`,
      cosh: String.raw`\cosh\left(x\right)`,
      asin: String.raw`\arcsin\left(x\right)`,
      acos: String.raw`\arccos\left(x\right)`,
      atan: String.raw`\arctan\left(x\right)`,
      erf: String.raw`\operatorname{erf}\left(x\right)`,
      gelu: String.raw`\operatorname{gelu}\left(x\right)`,
      silu: String.raw`\operatorname{silu}\left(x\right)`,
      softsign: String.raw`\operatorname{softsign}\left(x\right)`,
      log1p: String.raw`\operatorname{log1p}\left(x\right)`,
      expm1: String.raw`\operatorname{expm1}\left(x\right)`,
      abs: String.raw`\lvert x\rvert`,
      sign: String.raw`\operatorname{sign}\left(x\right)`,
      sigmoid: String.raw`\sigma\left(x\right)`,
      relu: String.raw`\operatorname{relu}\left(x\right)`,
      softplus: String.raw`\operatorname{softplus}\left(x\right)`,
      step: String.raw`\mathbb{1}[x > 0]`,
      leaky_relu: String.raw`\operatorname{leaky\_relu}_{0.01}\left(x\right)`,
      elu: String.raw`\operatorname{elu}_{1}\left(x\right)`,
      maximum: String.raw`\operatorname{maximum}\left(x, y\right)`,
      minimum: String.raw`\operatorname{minimum}\left(x, y\right)`,
      sum: String.raw`\operatorname{sum}\left(x\right)`,
      mean: String.raw`\operatorname{mean}\left(x\right)`,
      var: String.raw`\operatorname{var}\left(x\right)`,
      std: String.raw`\operatorname{std}\left(x\right)`,
      max: String.raw`\max\left(x\right)`,
      min: String.raw`\min\left(x\right)`,
      norm1: String.raw`\lVert x\rVert_1`,
      norm2: String.raw`\lVert x\rVert_2`,
      tr: String.raw`\operatorname{tr}\left(X\right)`,
      det: String.raw`\det\left(X\right)`,
      logdet: String.raw`\log\det\left(X\right)`,
      logsumexp: String.raw`\operatorname{logsumexp}\left(x\right)`,
      norm: String.raw`\lVert x\rVert_{3}`,
      log_softmax: String.raw`\operatorname{log\_softmax}\left(x\right)`,
      inv: String.raw`X^{-1}`,
      diag: String.raw`\operatorname{diag}\left(X\right)`,
      softmax: String.raw`\operatorname{softmax}\left(x\right)`,
      kron: String.raw`x \otimes y`,
      vec: String.raw`\operatorname{vec}\left(x\right)`,
    });
  });
});

describe('toLatex: reductions and the size of a dimension (issue 15)', () => {
  it("a mean's 1/n, tr(eye(n)), prints its size I_{n}; the LaTeX reader reads it back to the same expression", () => {
    const vars = { X: { dims: ['k', 'n'] } };
    const d = derivative('sum(var(X, 1))', 'X', { vars });
    expect(d.verify({ points: 2 }).ok).toBe(true);
    expect(d.toString()).toBe("2*(X - mean(X, 1)*vector(1)')/tr(eye(n))");
    const tex = texOf(d.expr);
    expect(tex).toBe(
      String.raw`\frac{2 \left(X - \operatorname{mean}\left(X, 1\right) \mathbf{1}^\top\right)}{\operatorname{tr}\left(I_{n}\right)}`,
    );
    expect(parseLatex(tex, { vars })).toBe(d.expr);
    // All entries of a k×n matrix: the count k·n is the product of the two sizes.
    const all = derivative('mean(X)', 'X', { vars });
    expect(all.verify({ points: 2 }).ok).toBe(true);
    expect(texOf(all.expr)).toBe(
      String.raw`\frac{\mathbf{1}\mathbf{1}^\top}{\operatorname{tr}\left(I_{k}\right) \operatorname{tr}\left(I_{n}\right)}`,
    );
  });
});

describe('toLatex: names, numbers and constants', () => {
  it.each([
    ['x', String.raw`x`],
    ['W1', String.raw`W_{1}`],
    ['x_1', String.raw`x_{1}`],
    ['x_ij', String.raw`x_{ij}`],
    ['theta12', String.raw`\theta_{12}`],
    ['Sigma', String.raw`\Sigma`],
    ['loss', String.raw`\mathrm{loss}`],
    ['h_prev', String.raw`h_{\mathrm{prev}}`],
    ['loss_max', String.raw`\mathrm{loss}_{\mathrm{max}}`],
  ])('latexName(%s)', (name, want) => {
    expect(rendered(latexName(name))).toBe(want);
  });

  it('separates two upright words by a thin space', () => {
    const loss = b.variable('loss', SCALAR),
      rate = b.variable('rate', SCALAR);
    expect(texOf(b.mul(loss, rate))).toBe(String.raw`\mathrm{loss}\,\mathrm{rate}`);
  });

  it.each([
    [3, '3'],
    [-2, '-2'],
    [0.1, '0.1'],
    [1 / 3, '0.333333'],
    [123456.7, '123457'],
    [1e-9, String.raw`1 \times 10^{-9}`],
    [2.5e21, String.raw`2.5 \times 10^{21}`],
  ])('latexNumber(%d)', (v, want) => {
    expect(rendered(latexNumber(v))).toBe(want);
  });

  it('prints constants in context: leading, scientific, negative', () => {
    expect(tex('0.1*x + 1e-9*y + 123456.7*a*x')).toBe(String.raw`0.1 x + 1 \times 10^{-9} y + 123457 a x`);
    expect(tex('1/3*a')).toBe(String.raw`\frac{1}{3} a`);
    expect(texOf(b.sub(b.variable('a', SCALAR), b.num(2)))).toBe(String.raw`a - 2`);
    expect(tex('x.^(-1)')).toBe(String.raw`x^{\circ -1}`);
  });

  it('prints identity, ones and zero', () => {
    const n = 'n';
    expect(texOf(b.eye(n))).toBe('I');
    expect(texOf(b.ones(vectorShape(n)))).toBe(String.raw`\mathbf{1}`);
    expect(texOf(b.ones(matrixShape(n, n)))).toBe(String.raw`\mathbf{1}\mathbf{1}^\top`);
    expect(texOf(b.zero(matrixShape(n, n)))).toBe('0');
  });
});

describe('toLatex: bold option', () => {
  it('bolds vectors and matrices by shape, not scalars', () => {
    expect(tex("x'*A*x", { bold: true })).toBe(String.raw`\mathbf{x}^\top \mathbf{A} \mathbf{x}`);
    expect(tex('a*x + W1*y', { bold: true })).toBe(String.raw`a \mathbf{x} + \mathbf{W}_{1} \mathbf{y}`);
    expect(tex('Sigma*x - (eye + A)*x', { bold: true })).toBe(
      String.raw`\boldsymbol{\Sigma} \mathbf{x} - \left(\mathbf{I} + \mathbf{A}\right) \mathbf{x}`,
    );
    expect(texOf(b.zero(vectorShape('n')), { bold: true })).toBe(String.raw`\mathbf{0}`);
  });
});

describe('toLatex: DAGs and large inputs', () => {
  it('prints a shared subexpression the same everywhere it occurs', () => {
    const s = b.call('sigmoid', [b.variable('z', vectorShape('n'))]);
    expect(texOf(b.emul(s, b.sub(b.num(1), s)))).toBe(
      String.raw`\sigma\left(z\right) \odot \left(1 - \sigma\left(z\right)\right)`,
    );
  });

  it('prints a long sum flat and in order', () => {
    const x = b.variable('x', vectorShape('n'));
    let e: Expr = x;
    for (let i = 1; i < 500; i++) e = b.add(e, i % 2 === 0 ? b.mul(b.num(i + 1), x) : b.neg(b.mul(b.num(i + 1), x)));
    const s = texOf(e);
    expect(s.startsWith('x - 2 x + 3 x - 4 x')).toBe(true);
    expect(s.endsWith('+ 499 x - 500 x')).toBe(true);
    expect(s).not.toContain('\\left');
  });
});

describe('fracHeading', () => {
  it.each([
    [['f', 'X'], String.raw`\frac{\partial f}{\partial X}`],
    [['f', 'x', 2], String.raw`\frac{\partial^2 f}{\partial x\,\partial x^\top}`],
    [['f', 'x', 3], String.raw`\frac{\partial^3 f}{\partial x\,\partial x\,\partial x}`],
    [[String.raw`x^\top A x`, 'x'], String.raw`\frac{\partial x^\top A x}{\partial x}`],
    [
      [String.raw`a - \left(b + c\right)`, 'a'],
      String.raw`\frac{\partial \left(a - \left(b + c\right)\right)}{\partial a}`,
    ],
    [
      [String.raw`\log\det\left(X\right)`, String.raw`W_{1}`, 2],
      String.raw`\frac{\partial^2 \log\det\left(X\right)}{\partial W_{1}\,\partial W_{1}^\top}`,
    ],
  ] as const)('%j', (args, want) => {
    const [f, wrt, order] = args;
    expect(rendered(fracHeading(f, wrt, order))).toBe(want);
  });

  it('can leave the second differential untransposed, and rejects order 0', () => {
    expect(rendered(fracHeading('f', 'X', 2, { transposeSecond: false }))).toBe(
      String.raw`\frac{\partial^2 f}{\partial X\,\partial X}`,
    );
    expect(() => fracHeading('f', 'x', 0)).toThrow(RangeError);
  });
});

describe('toLatex: property', () => {
  it('every random well-shaped expression renders in KaTeX, plain and bold', () => {
    assertProperty(
      fc.property(arbExpr({ depth: 3 }), (e) => {
        for (const bold of [false, true]) {
          const s = toLatex(e, { bold });
          try {
            rendered(s);
          } catch (err) {
            throw new Error(`${toText(e)}\n  → ${s}\n  ${(err as Error).message}`);
          }
        }
      }),
    );
  });

  it('is deterministic and memoised: printing twice gives the same string', () => {
    // biome-ignore lint/suspicious/noSelfCompare: comparing two calls is the point (determinism)
    assertProperty(fc.property(arbExpr({ depth: 3, domainSafe: true }), (e) => toLatex(e) === toLatex(e)));
  });

  it('the generator builds over the fixed variables', () => {
    const v = generatorVars();
    expect(Object.keys(v).sort()).toEqual(['A', 'B', 'W', 'a', 'b', 'x', 'y']);
  });
});
