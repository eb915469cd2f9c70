/**
 * Linear maps as rules (rules/linear.ts): every row that has forms is exercised through its adjoint
 * (a scalar f, so the gradient transposes the map) and its vec form (a non-scalar f, so the Jacobian
 * runs forward), in both vec orders, and each result is checked against central finite differences
 * of the original f by verify(). The cases are keyed by the table's rows, so a linear row cannot be
 * added without being exercised. Then: the commutation matrix itself (parse, print, value), the
 * column-major vec read back numerically, and the typed NoMatrixFormError.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { LINEAR_FUNCTIONS, LINEAR_NODES, isNotLinear } from '../../rules/linear.js';
import { derivative } from '../../src/api/derivative.js';
import { gradientOf, jacobianOf } from '../../src/diff/linear.js';
import { NoMatrixFormError, ParseError } from '../../src/errors.js';
import * as b from '../../src/ir/build.js';
import type { Expr } from '../../src/ir/expr.js';
import { postorder, varsOf } from '../../src/ir/walk.js';
import { bindDims, evaluate, shapeSizes } from '../../src/numeric/evaluate.js';
import { sizeOf } from '../../src/numeric/tensor.js';
import { randomPoint } from '../../src/numeric/random.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { toLatex } from '../../src/print/latex.js';
import { toText } from '../../src/print/text.js';
import { tensorDims } from '../../src/shape/shape.js';

interface Case {
  readonly src: string;
  readonly wrt: string;
  readonly vars?: Readonly<Record<string, VarDecl>>;
  readonly order?: number;
}

/** The rows with forms (the first test checks this list against the table). */
type LinearName =
  | 'neg'
  | 'transpose'
  | 'add'
  | 'mul'
  | 'emul'
  | 'ediv'
  | 'div'
  | 'sum'
  | 'mean'
  | 'tr'
  | 'diag'
  | 'vec'
  | 'kron';

const sq = (n = 'n'): VarDecl => ({ dims: [n, n] });

/** For each linear row: scalar fs (its adjoint) and non-scalar fs (its vec form) whose differentials pass through it. */
const CASES: { readonly [K in LinearName]: { readonly adjoint: readonly Case[]; readonly vec: readonly Case[] } } = {
  neg: { adjoint: [{ src: 'sum(-X)', wrt: 'X' }], vec: [{ src: '-X', wrt: 'X' }] },
  transpose: {
    adjoint: [{ src: "tr(A*X')", wrt: 'X' }],
    vec: [
      { src: "X'", wrt: 'X' },
      { src: "X'*X", wrt: 'X' },
      { src: "x'", wrt: 'x' },
      { src: "inv(X)'", wrt: 'X', vars: { X: { dims: ['n', 'n'], props: ['invertible'] } } },
    ],
  },
  add: {
    adjoint: [
      { src: 'sum(X + A)', wrt: 'X' },
      { src: 'sum(x + c)', wrt: 'c' },
    ],
    vec: [
      { src: 'X + A', wrt: 'X' },
      { src: 'x + c', wrt: 'c' },
    ],
  },
  mul: {
    adjoint: [{ src: "u'*X*v", wrt: 'X' }],
    vec: [
      { src: 'A*X*B', wrt: 'X' },
      { src: 'W*x', wrt: 'W' },
      { src: 'c*X', wrt: 'c' },
    ],
  },
  emul: {
    adjoint: [{ src: 'sum(X.*A)', wrt: 'X' }],
    vec: [
      { src: 'X.*A', wrt: 'X' },
      { src: 'x.*y', wrt: 'x' },
    ],
  },
  ediv: {
    adjoint: [{ src: 'sum(X./A)', wrt: 'X', vars: { A: { dims: ['m', 'n'], props: ['positive'] } } }],
    vec: [
      { src: 'X./A', wrt: 'X', vars: { A: { dims: ['m', 'n'], props: ['positive'] } } },
      { src: 'c./y', wrt: 'c', vars: { y: { dims: ['n'], props: ['positive'] } } },
    ],
  },
  div: {
    adjoint: [{ src: 'sum(X/c)', wrt: 'X', vars: { c: { dims: [], props: ['positive'] } } }],
    vec: [{ src: 'X/c', wrt: 'X', vars: { c: { dims: [], props: ['positive'] } } }],
  },
  sum: {
    adjoint: [
      { src: 'sum(X)^2', wrt: 'X' },
      { src: "u'*sum(X, 1)", wrt: 'X' },
      { src: 'sum(X.*X, 0)*v', wrt: 'X' },
    ],
    vec: [
      { src: 'sum(X)*x', wrt: 'X' },
      { src: 'sum(X, 0)', wrt: 'X' },
      { src: 'sum(X, 1)', wrt: 'X' },
      { src: 'sum(X*A, 0)', wrt: 'X' },
    ],
  },
  mean: {
    adjoint: [
      { src: 'mean(X)^2', wrt: 'X' },
      { src: "u'*mean(X, 1)", wrt: 'X' },
      { src: 'mean(X, 0)*v', wrt: 'X', vars: { X: { dims: [3, 2] } } },
    ],
    vec: [
      { src: 'mean(X)*x', wrt: 'X' },
      { src: 'mean(X, 0)', wrt: 'X' },
      { src: 'mean(X, 1)', wrt: 'X', vars: { X: { dims: [2, 3] } } },
    ],
  },
  tr: {
    adjoint: [{ src: 'tr(X)^2', wrt: 'X', vars: { X: sq() } }],
    vec: [{ src: 'tr(X)*x', wrt: 'X', vars: { X: sq() } }],
  },
  diag: {
    adjoint: [
      { src: 'sum(diag(X).^2)', wrt: 'X', vars: { X: sq() } },
      { src: "u'*diag(x)*v", wrt: 'x' },
    ],
    vec: [
      { src: 'diag(x)', wrt: 'x' },
      { src: 'diag(X)', wrt: 'X', vars: { X: sq() } },
      { src: 'sum(exp(z))', wrt: 'z', order: 3 },
      { src: 'exp(x)', wrt: 'x', order: 3 },
    ],
  },
  vec: {
    adjoint: [
      { src: "u'*vec(X)", wrt: 'X', vars: { X: { dims: [2, 3] }, u: { dims: [6] } } },
      { src: 'sum(vec(X).^2)', wrt: 'X' },
    ],
    vec: [
      { src: 'vec(X)', wrt: 'X' },
      { src: 'vec(X*A)', wrt: 'X' },
    ],
  },
  kron: {
    adjoint: [
      { src: 'norm2(kron(X, A))', wrt: 'X' },
      { src: 'norm2(kron(A, X))', wrt: 'X' },
      { src: "u'*kron(x, y)", wrt: 'x', vars: { u: { dims: [6] }, x: { dims: [2] }, y: { dims: [3] } } },
      { src: 'tr(kron(X, X))', wrt: 'X', vars: { X: sq() } },
    ],
    vec: [
      { src: 'kron(X, A)', wrt: 'X' },
      { src: 'kron(A, X)', wrt: 'X' },
      { src: 'kron(x, y)', wrt: 'y' },
      { src: 'kron(X, X)', wrt: 'X' },
    ],
  },
};

/** Whether a node of this row appears in f's differential route: f itself contains the primitive. */
const contains = (e: Expr, row: string): boolean =>
  postorder(e).some((n) => (n.kind === 'call' ? n.fn : n.kind) === row);

describe('rules/linear.ts: every linear row, both forms, checked by finite differences of f', () => {
  it('names exactly the rows that are linear', () => {
    const linear = [...Object.entries(LINEAR_NODES), ...Object.entries(LINEAR_FUNCTIONS)]
      .filter(([, r]) => !isNotLinear(r))
      .map(([k]) => k);
    expect(Object.keys(CASES).sort()).toEqual(linear.sort());
  });

  for (const [row, { adjoint, vec }] of Object.entries(CASES)) {
    for (const c of adjoint) {
      it(`${row} adjoint: d(${c.src})/d${c.wrt}`, () => {
        const d = derivative(c.src, c.wrt, { order: c.order ?? 1, ...(c.vars ? { vars: c.vars } : {}) });
        expect(contains(d.f, row) || row === 'transpose', `${c.src} has no ${row}`).toBe(true);
        expect(d.kind, d.toString()).not.toBe('differential');
        const r = d.verify();
        expect(r.ok, `${d.toString()} (seed ${r.seed}, error ${r.maxError})`).toBe(true);
      });
    }
    for (const c of vec) {
      for (const order of ['rows', 'cols'] as const) {
        it(`${row} vec form (${order}): d${c.order ?? ''}(${c.src})/d${c.wrt}`, () => {
          const d = derivative(c.src, c.wrt, { order: c.order ?? 1, vec: order, ...(c.vars ? { vars: c.vars } : {}) });
          expect(d.kind, d.toString()).not.toBe('differential');
          const r = d.verify();
          expect(r.ok, `${d.toString()} (seed ${r.seed}, error ${r.maxError})`).toBe(true);
        });
      }
    }
  }
});

describe('results that were only differentials (issue 11 §2), with their textbook forms', () => {
  const X = { dims: ['m', 'n'] };
  const inv = { X: { dims: ['n', 'n'], props: ['invertible' as const] } };
  it.each([
    // Magnus & Neudecker §3.7: K vec(A) = vec(A'), here with the row-major vec.
    ["X'", 'X', 1, { X }, 'commutation(m, n)'],
    ["X'*X", 'X', 1, { X }, "kron(eye(n), X')*commutation(m, n) + kron(X', eye(n))"],
    // Magnus & Neudecker ch. 10: d² det = det(X)(tr(X⁻¹dX)² - tr(X⁻¹dX X⁻¹dX)).
    ['det(X)', 'X', 2, inv, "det(X)*(vec(inv(X)')*vec(inv(X)')' - commutation(n, n)*kron(inv(X), inv(X)'))"],
    ['logdet(X)', 'X', 2, inv, "-commutation(n, n)*kron(inv(X), inv(X)')"],
    ['tr(kron(X, X))', 'X', 1, { X: { dims: ['n', 'n'] } }, '2*tr(X)*eye(n)'],
    ['sum(exp(z))', 'z', 3, {}, 'kron(eye(n), diag(eye(n))).*kron(diag(eye(n)), eye(n))*diag(exp(z))'],
    // vec's adjoint is the inverse reshaping: ∇ Σ vec(X)ᵢ² = 2X.
    ['sum(vec(X).^2)', 'X', 1, { X }, '2*X'],
  ] as const)('d^%s(%s)/d%s^%s = %s', (src, wrt, order, vars, golden) => {
    const d = derivative(src, wrt, { order, vars });
    expect(d.toString()).toBe(golden);
    const r = d.verify();
    expect(r.ok, `seed ${r.seed}, error ${r.maxError}`).toBe(true);
  });
});

describe('the commutation matrix', () => {
  const vars = { X: { dims: [2, 3] } };
  it("K vec(A) = vec(A') for A m×n (row-major vec), evaluated", () => {
    const e = parse("commutation(2, 3)*vec(X) - vec(X')", { vars });
    const at = randomPoint(varsOf(e), new Map(), 7);
    expect(Array.from(evaluate(e, at).data).every((v) => v === 0)).toBe(true);
    expect(Array.from(evaluate(parse('commutation(2, 3)', {}), new Map()).data).filter((v) => v === 1)).toHaveLength(6);
  });

  it("prints commutation(m, n) and K_{m,n}; K' = K_{n,m}; K_{1,n} = I; KaTeX renders it", () => {
    const k = parse("commutation(m, k*n)'", {});
    expect(toText(k)).toBe('commutation(k*n, m)');
    expect(toText(parse('commutation(1, n)', {}))).toBe('eye(n)');
    expect(toLatex(parse('commutation(m, n)*vec(X)', { vars: { X: { dims: ['m', 'n'] } } }))).toBe(
      String.raw`K_{m,n} \operatorname{vec}\left(X\right)`,
    );
    expect(toLatex(k)).toBe('K_{kn,m}');
    katex.renderToString(toLatex(k), { throwOnError: true });
    expect(parse(toText(k), {})).toBe(k);
  });

  it('bad sizes are parse errors', () => {
    expect(() => parse('commutation(n)', {})).toThrow(ParseError);
    expect(() => parse('commutation(0, 2)', {})).toThrow(ParseError);
    expect(() => parse('commutation(x + 1, 2)', {})).toThrow(/two sizes/);
  });
});

describe("vec: cols — the Matrix Cookbook's column-major vec", () => {
  it.each([
    ['W*x', 'W', { W: { dims: ['k', 'n'] }, x: { dims: ['n'] } }, "kron(x', eye(k))"], // Cookbook (520) in differential form
    ['A*X*B', 'X', {}, "kron(B', A)"], // Cookbook (520): vec(AXB) = (B' ⊗ A) vec(X)
    ['inv(X)', 'X', { X: { dims: ['n', 'n'], props: ['invertible'] } }, "-kron(inv(X)', inv(X))"], // Cookbook (59) vectorised
  ] as const)('d(%s)/d%s prints %s', (src, wrt, vars, golden) => {
    const d = derivative(src, wrt, { vars: vars as Record<string, VarDecl>, vec: 'cols' });
    expect(d.toString()).toBe(golden);
    expect(d.convention).toContain('vec stacks columns');
    expect(d.verify().ok).toBe(true);
  });

  it.each([
    ['W*x', 'W'],
    ["X'", 'X'],
    ["X'*X", 'X'],
    ['A*X*B', 'X'],
    ['kron(X, A)', 'X'],
    ['vec(X)', 'X'],
    ['X.*A', 'X'],
    ['diag(X)', 'X'],
  ])('the printed matrix of d(%s)/d%s, evaluated, is the row-major tensor value read column by column', (src, wrt) => {
    const rows = derivative(src, wrt);
    const cols = derivative(src, wrt, { vec: 'cols' });
    const vars = varsOf(rows.f);
    const at = randomPoint(
      vars,
      new Map([
        ['m', 2],
        ['n', 3],
        ['k', 2],
        ['p', 3],
      ]),
      11,
    );
    const sizes = bindDims(vars, at);
    const tensor = rows.evaluate(at);
    // The printed text, read back with the expression's own shapes, evaluated as it stands.
    const printed = evaluate(
      parse(cols.toString(), { vars: Object.fromEntries(vars.map((v) => [v.name, { dims: tensorDims(v.shape) }])) }),
      at,
      sizes,
    );
    const fd = shapeSizes(rows.f.shape, sizes),
      xd = shapeSizes(rows.wrt.shape, sizes);
    const nF = sizeOf(fd),
      nX = sizeOf(xd);
    const colMajor = (i: number, d: readonly number[]): number =>
      d.length === 2 ? (i % d[1]!) * d[0]! + Math.floor(i / d[1]!) : i;
    expect(printed.data.length).toBe(nF * nX);
    for (let p = 0; p < nF; p++) {
      for (let q = 0; q < nX; q++)
        expect(printed.data[colMajor(p, fd) * nX + colMajor(q, xd)]).toBeCloseTo(tensor.data[p * nX + q]!, 12);
    }
  });

  it('a bad vec is a request error', () => {
    expect(() => derivative('W*x', 'W', { vec: 'columns' as never })).toThrow(/rows or cols/);
  });
});

describe('NoMatrixFormError', () => {
  it('a map that is not linear in the direction names the node, typed, with a reason', () => {
    const x = b.variable('x', { kind: 'vector', n: 'n' });
    const quadratic = b.mul(b.transpose(x), x);
    expect(() => gradientOf(quadratic, x)).toThrow(NoMatrixFormError);
    expect(() => jacobianOf(b.emul(x, x), x)).toThrow(/not linear in its direction at a emul node/);
    try {
      gradientOf(quadratic, x);
    } catch (err) {
      expect((err as NoMatrixFormError).reason).toBe('the differential is not linear in its direction at a mul node');
    }
  });
});
