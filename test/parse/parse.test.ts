/**
 * The input language (issue 3, §1, §2 and "Bad input"): the matrixcalculus.org examples parse,
 * shape-check and evaluate to what plain loops compute; every operator and function of the language
 * evaluates correctly; declarations override the naming convention; inference names dimensions
 * readably; every error is typed, plain, and (for syntax) carries its column — asserted exactly, as
 * acorn's tests do; limits fail fast and cleanly.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MatcalcError, type ErrorKind } from '../../src/errors.js';
import type { Expr } from '../../src/ir/expr.js';
import { FUNCTIONS, type FnName } from '../../src/ir/functions.js';
import { postorder, varsOf } from '../../src/ir/walk.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { type VarDecl, parse, parseVarAssignment, parseVarSpec } from '../../src/parse/parse.js';
import { LIMITS } from '../../src/parse/surface.js';
import { formatShape, tensorDims } from '../../src/shape/shape.js';
import { derivative } from '../../src/api/derivative.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { readProgram } from '../../src/parse/program.js';
import {
  erfByQuadrature,
  type Mat,
  type Vec,
  T,
  detCofactor,
  dot,
  env,
  eye,
  inverseGaussJordan,
  matmul,
  matvec,
  maxRelErr,
  normals,
  randMat,
  randSpd,
  randVec,
  trace,
  transpose,
} from '../helpers/points.js';

type Decls = Record<string, VarDecl>;

/** The variables of a parsed expression as "name:shape", sorted by name. */
const shapesOf = (e: Expr): string =>
  varsOf(e)
    .map((v) => `${v.name}:${formatShape(v.shape)}`)
    .join(' ');

/** The error `f` throws (failing the test if it throws none). */
function errorOf(f: () => unknown): MatcalcError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(MatcalcError);
    return err as MatcalcError;
  }
  throw new Error('expected an error');
}

const fails = (src: string, vars: Decls = {}) => errorOf(() => parse(src, { vars }));

/** A plain message: one line, no stack, no internal '?1' dimension names, no JS error prefixes. */
function expectPlain(e: MatcalcError): void {
  expect(e.message).not.toMatch(/\n|\?\d|Error:|\bundefined \(|\[object/);
}

const next = normals(20261125);
const sig = (t: number) => 1 / (1 + Math.exp(-t));

describe('the examples of matrixcalculus.org parse, shape-check and evaluate', () => {
  const n = 3,
    m = 4,
    k = 2;
  const x = randVec(next, n),
    y = randVec(next, m),
    w = randVec(next, n),
    b = 0.7;
  const A = randMat(next, n, n),
    X = randMat(next, m, n),
    S = randSpd(next, n),
    XS = randMat(next, n, n);
  const AA = randMat(next, k, m),
    XX = randMat(next, m, n),
    BB = randMat(next, n, k);

  const cases: Array<{
    src: string;
    shape: string;
    vars: string;
    at: Record<string, number | Vec | Mat>;
    want: number | Vec | Mat;
  }> = [
    { src: "x'*A*x", shape: 'scalar', vars: 'A:n×n x:n', at: { x, A }, want: dot(x, matvec(A, x)) },
    {
      src: 'A*x + b',
      shape: 'm',
      vars: 'A:m×n b:scalar x:n',
      at: { A: X, x: w, b },
      want: matvec(X, w).map((v) => v + b),
    },
    {
      src: 'tr(A*X*B)',
      shape: 'scalar',
      vars: 'A:n×m B:k×n X:m×k',
      at: { A: AA, X: XX, B: BB },
      want: trace(matmul(matmul(AA, XX), BB)),
    },
    {
      src: 'sum(log(vector(1) + exp(-y.*(X*w))))',
      shape: 'scalar',
      vars: 'X:n×m w:m y:n',
      at: { X, w, y },
      want: matvec(X, w).reduce((s, v, i) => s + Math.log(1 + Math.exp(-y[i]! * v)), 0),
    },
    {
      src: 'norm2(X*w - y)^2',
      shape: 'scalar',
      vars: 'X:m×n w:n y:m',
      at: { X, w, y },
      want: matvec(X, w).reduce((s, v, i) => s + (v - y[i]!) ** 2, 0),
    },
    { src: 'inv(S)', shape: 'n×n', vars: 'S:n×n', at: { S }, want: inverseGaussJordan(S) },
    { src: 'det(X)', shape: 'scalar', vars: 'X:n×n', at: { X: XS }, want: detCofactor(XS) },
    { src: 'logdet(S)', shape: 'scalar', vars: 'S:n×n', at: { S }, want: Math.log(detCofactor(S)) },
  ];
  for (const c of cases) {
    it(`${c.src}: ${c.shape}, with ${c.vars}`, () => {
      const e = parse(c.src);
      expect(formatShape(e.shape)).toBe(c.shape);
      expect(shapesOf(e)).toBe(c.vars);
      expect(maxRelErr(evaluate(e, env(c.at)), c.want)).toBeLessThan(1e-12);
    });
  }

  it('inv(S) times S is the identity (checked with a plain product)', () => {
    const got = evaluate(parse('inv(S)'), env({ S }));
    const inv = Array.from({ length: n }, (_, i) => Array.from(got.data.slice(i * n, (i + 1) * n)));
    expect(maxRelErr(T(matmul(inv, S)), eye(n))).toBeLessThan(1e-12);
  });
});

describe('operators', () => {
  const n = 3;
  const x = randVec(next, n),
    y = randVec(next, n),
    A = randMat(next, n, n),
    B = randMat(next, n, n);
  const p = x.map((v) => Math.exp(v)); // positive, for fractional powers
  const a = 1.3,
    c = -0.4;
  const at = { x, y, A, B, a, c, p };
  const vars: Decls = {
    x: { dims: ['n'] },
    y: { dims: ['n'] },
    p: { dims: ['n'] },
    A: { dims: ['n', 'n'] },
    B: { dims: ['n', 'n'] },
  };
  const ew = (u: Vec, v: Vec, f: (s: number, t: number) => number) => u.map((s, i) => f(s, v[i]!));
  const ewm = (U: Mat, V: Mat, f: (s: number, t: number) => number) => U.map((r, i) => ew(r, V[i]!, f));

  const cases: Array<[string, number | Vec | Mat]> = [
    ["A'", transpose(A)],
    ["x'*y", dot(x, y)],
    ["x*y'", x.map((s) => y.map((t) => s * t))],
    ['A*B', matmul(A, B)],
    ['A*x', matvec(A, x)],
    ["x'*A", matvec(transpose(A), x)],
    ['a*A', A.map((r) => r.map((v) => a * v))],
    ['x*a', x.map((v) => v * a)],
    ['A/a', A.map((r) => r.map((v) => v / a))],
    ['a/c', a / c],
    ['x.*y', ew(x, y, (s, t) => s * t)],
    ['A./B', ewm(A, B, (s, t) => s / t)],
    ['p.^y', ew(p, y, (s, t) => s ** t)],
    ['A.^2', A.map((r) => r.map((v) => v * v))],
    ['p.^0.5', p.map(Math.sqrt)],
    ['a^3', a ** 3],
    ['a^c', a ** c],
    ['A^2', matmul(A, A)],
    ['A^3', matmul(matmul(A, A), A)],
    ['-A', A.map((r) => r.map((v) => -v))],
    ['-x + y', ew(x, y, (s, t) => -s + t)],
    ['A - B', ewm(A, B, (s, t) => s - t)],
    ['a + x', x.map((v) => a + v)],
    ['(a + c)*(a - c)', (a + c) * (a - c)],
    ['-a^2', -(a ** 2)],
    ['2^-1', 0.5],
    ['a/c/a', a / c / a],
    ['2.5e-1*a + .5 + 1e2', 0.25 * a + 0.5 + 100],
    ['x > y', ew(x, y, (s, t) => (s > t ? 1 : 0))],
    ['2 x', x.map((v) => 2 * v)],
  ];
  for (const [src, want] of cases) {
    it(`${src}`, () => {
      expect(maxRelErr(evaluate(parse(src, { vars }), env(at)), want)).toBeLessThan(1e-12);
    });
  }

  it('^ with a negative integer power inverts a square matrix', () => {
    const S = randSpd(next, n);
    expect(
      maxRelErr(evaluate(parse('S^-1', { vars: { S: { dims: ['n', 'n'] } } }), env({ S })), inverseGaussJordan(S)),
    ).toBeLessThan(1e-12);
  });

  it('vector(c), matrix(c), eye, pi and e take their size from context', () => {
    const W = randMat(next, 2, n);
    const at2 = env({ x, W, A });
    expect(
      maxRelErr(
        evaluate(parse('W*x + vector(1)'), at2),
        matvec(W, x).map((v) => v + 1),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        evaluate(parse('A + matrix(2)'), at2),
        A.map((r) => r.map((v) => v + 2)),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        evaluate(parse('A - 3*eye'), at2),
        A.map((r, i) => r.map((v, j) => v - (i === j ? 3 : 0))),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        evaluate(parse("vector(1)'*x"), at2),
        x.reduce((s, v) => s + v, 0),
      ),
    ).toBeLessThan(1e-12);
    expect(maxRelErr(evaluate(parse('eye(3)*x'), at2), x)).toBeLessThan(1e-12);
    expect(maxRelErr(evaluate(parse('pi*e'), at2), Math.PI * Math.E)).toBeLessThan(1e-15);
    expect(formatShape(parse('vector(0) + W*x').shape)).toBe('m');
  });
});

describe('functions: every name in the vocabulary evaluates like its definition', () => {
  const n = 3;
  const x = [0.7, -1.2, 0.3],
    y = [0.1, 0.4, -2],
    p = [0.5, 1.7, 2.2];
  const A = randMat(next, n, n),
    B = randMat(next, 2, 2),
    S = randSpd(next, n),
    C = randMat(next, 2, n);
  const at = env({ x, y, p, A, B, S, C });
  const vars: Decls = {
    x: { dims: ['n'] },
    y: { dims: ['n'] },
    p: { dims: ['n'] },
    A: { dims: ['n', 'n'] },
    B: { dims: [2, 2] },
    S: { dims: ['n', 'n'] },
    C: { dims: [2, 'n'] },
  };
  // Reductions by their definitions, over a list of numbers: population variance (1/n).
  const total = (v: readonly number[]) => v.reduce((s, t) => s + t, 0);
  const avg = (v: readonly number[]) => total(v) / v.length;
  const variance = (v: readonly number[]) => avg(v.map((t) => (t - avg(v)) ** 2));
  const columns = (M: Mat): number[][] => M[0]!.map((_, j) => M.map((row) => row[j]!));
  /** f over all entries, down the columns (dim 0) and along the rows (dim 1) of C (2×3), and over x. */
  const reduction = (
    name: string,
    f: (v: readonly number[]) => number,
  ): ReadonlyArray<readonly [string, number | Vec | Mat]> => [
    [`${name}(x)`, f(x)],
    [`${name}(x, 0)`, f(x)],
    [`${name}(C)`, f(C.flat())],
    [`${name}(C, 0)`, columns(C).map(f)],
    [`${name}(C, 1)`, C.map(f)],
    [`${name}(C, -1)`, C.map(f)],
  ];
  const map = (f: (t: number) => number) => x.map(f);
  const frob = A.flat().reduce((s, v) => s + v * v, 0) ** 0.5;
  const lse = Math.log(x.reduce((s, v) => s + Math.exp(v), 0));

  /** A mapped type: a function added to the vocabulary without a case here is a compile error. */
  const table: { readonly [F in FnName]: ReadonlyArray<readonly [string, number | Vec | Mat]> } = {
    exp: [['exp(x)', map(Math.exp)]],
    log: [['log(p)', p.map(Math.log)]],
    sqrt: [['sqrt(p)', p.map(Math.sqrt)]],
    sin: [['sin(x)', map(Math.sin)]],
    cos: [['cos(x)', map(Math.cos)]],
    tan: [['tan(x)', map(Math.tan)]],
    tanh: [['tanh(x)', map(Math.tanh)]],
    sinh: [['sinh(x)', map((t) => (Math.exp(t) - Math.exp(-t)) / 2)]],
    cosh: [['cosh(x)', map((t) => (Math.exp(t) + Math.exp(-t)) / 2)]],
    asin: [['asin(x/2)', map((t) => Math.atan2(t / 2, Math.sqrt(1 - (t * t) / 4)))]],
    acos: [['acos(x/2)', map((t) => Math.PI / 2 - Math.atan2(t / 2, Math.sqrt(1 - (t * t) / 4)))]],
    atan: [['atan(x)', map((t) => Math.asin(t / Math.sqrt(1 + t * t)))]],
    erf: [['erf(x)', map(erfByQuadrature)]],
    gelu: [['gelu(x)', map((t) => (t * (1 + erfByQuadrature(t / Math.SQRT2))) / 2)]],
    silu: [['silu(x)', map((t) => t / (1 + Math.exp(-t)))]],
    softsign: [['softsign(x)', map((t) => t / (1 + Math.abs(t)))]],
    log1p: [['log1p(p)', p.map((t) => Math.log(1 + t))]],
    expm1: [['expm1(x)', map((t) => Math.exp(t) - 1)]],
    abs: [['abs(x)', map(Math.abs)]],
    sign: [['sign(x)', map(Math.sign)]],
    sigmoid: [['sigmoid(x)', map(sig)]],
    relu: [['relu(x)', map((t) => Math.max(t, 0))]],
    softplus: [['softplus(x)', map((t) => Math.log(1 + Math.exp(t)))]],
    step: [['step(x)', map((t) => (t > 0 ? 1 : 0))]],
    leaky_relu: [
      ['leaky_relu(x)', map((t) => (t > 0 ? t : 0.01 * t))],
      ['leaky_relu(x, 0.2)', map((t) => (t > 0 ? t : 0.2 * t))],
    ],
    elu: [
      ['elu(x)', map((t) => (t > 0 ? t : Math.exp(t) - 1))],
      ['elu(x, 0.5)', map((t) => (t > 0 ? t : 0.5 * (Math.exp(t) - 1)))],
    ],
    maximum: [
      ['maximum(x, y)', x.map((t, i) => Math.max(t, y[i]!))],
      ['max(x, y)', x.map((t, i) => Math.max(t, y[i]!))],
      ['max(0, x)', map((t) => Math.max(t, 0))],
    ],
    minimum: [
      ['minimum(x, y)', x.map((t, i) => Math.min(t, y[i]!))],
      ['min(x, 0.5)', map((t) => Math.min(t, 0.5))],
    ],
    sum: [
      ['sum(x)', x.reduce((s, v) => s + v, 0)],
      ['sum(A)', A.flat().reduce((s, v) => s + v, 0)],
      ...reduction('sum', total),
    ],
    mean: reduction('mean', avg),
    var: reduction('var', variance),
    std: reduction('std', (v) => Math.sqrt(variance(v))),
    max: reduction('max', (v) => Math.max(...v)),
    min: reduction('min', (v) => Math.min(...v)),
    norm1: [
      ['norm1(x)', x.reduce((s, v) => s + Math.abs(v), 0)],
      ['norm1(A)', A.flat().reduce((s, v) => s + Math.abs(v), 0)],
    ],
    norm2: [
      ['norm2(x)', Math.sqrt(dot(x, x))],
      ['norm2(A)', frob],
    ],
    tr: [['tr(A)', trace(A)]],
    det: [['det(A)', detCofactor(A)]],
    logdet: [['logdet(S)', Math.log(detCofactor(S))]],
    logsumexp: [
      ['logsumexp(x)', lse],
      ['logsumexp(A, 1)', A.map((r) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0)))],
      ['logsumexp(A, 0)', A[0]!.map((_, j) => Math.log(A.reduce((s, r) => s + Math.exp(r[j]!), 0)))],
    ],
    // (Σ|xᵢ|³)^(1/3), and norm(x, 2), norm(x, 1), norm(A, 'fro') as norm2, norm1, the Frobenius norm.
    norm: [
      ['norm(x, 3)', x.reduce((s, v) => s + Math.abs(v) ** 3, 0) ** (1 / 3)],
      ['norm(x, 2)', Math.sqrt(dot(x, x))],
      ['norm(x, 1)', x.reduce((s, v) => s + Math.abs(v), 0)],
      ["norm(A, 'fro')", frob],
      ['norm(A)', frob],
      ['norm(x, inf)', Math.max(...x.map(Math.abs))],
      ['norm(x, Infinity)', Math.max(...x.map(Math.abs))],
    ],
    log_softmax: [
      ['log_softmax(x)', map((t) => t - lse)],
      ['log_softmax(A, 1)', A.map((r) => r.map((v) => v - Math.log(r.reduce((s, w) => s + Math.exp(w), 0))))],
    ],
    inv: [['inv(A)', inverseGaussJordan(A)]],
    diag: [
      ['diag(x)', x.map((v, i) => x.map((_, j) => (i === j ? v : 0)))],
      ['diag(A)', A.map((r, i) => r[i]!)],
    ],
    softmax: [
      ['softmax(x)', map((t) => Math.exp(t - lse))],
      ['softmax(x, 0)', map((t) => Math.exp(t - lse))],
      // Each row of A divided by its sum of exponentials (dim 1), each column (dim 0).
      ['softmax(A, 1)', A.map((r) => r.map((v) => Math.exp(v) / r.reduce((s, w) => s + Math.exp(w), 0)))],
      ['softmax(A, 0)', A.map((r) => r.map((v, j) => Math.exp(v) / A.reduce((s, q) => s + Math.exp(q[j]!), 0)))],
    ],
    kron: [
      [
        'kron(A, B)',
        Array.from({ length: 2 * n }, (_, i) =>
          Array.from({ length: 2 * n }, (__, j) => A[Math.floor(i / 2)]![Math.floor(j / 2)]! * B[i % 2]![j % 2]!),
        ),
      ],
    ],
    // Row-major vec (rows stacked), the layout of derivative values.
    vec: [['vec(A)', A.flat()]],
  };
  for (const fn of Object.keys(FUNCTIONS) as FnName[]) {
    for (const [src, want] of table[fn]) {
      it(src, () => {
        expect(maxRelErr(evaluate(parse(src, { vars }), at), want)).toBeLessThan(1e-12);
      });
    }
  }
});

describe('declarations override the naming convention', () => {
  it('x: scalar, c: vector(n), W: matrix(k,n), A: vector(n), written as specs', () => {
    const vars: Decls = {
      x: parseVarSpec('scalar'),
      c: parseVarSpec('vector(n)'),
      W: parseVarSpec('matrix(k,n)'),
      A: parseVarSpec('vector(n)'),
    };
    const e = parse('x*(W*c) + W*A', { vars });
    expect(shapesOf(e)).toBe('A:n W:k×n c:n x:scalar');
    expect(formatShape(e.shape)).toBe('k');
    const W = randMat(next, 2, 3),
      c = randVec(next, 3),
      A = randVec(next, 3);
    const want = matvec(W, c).map((v, i) => 0.5 * v + matvec(W, A)[i]!);
    expect(maxRelErr(evaluate(e, env({ x: 0.5, W, c, A })), want)).toBeLessThan(1e-12);
  });

  it('numeric sizes bind at declaration: x: vector(3) makes A n×3', () => {
    expect(shapesOf(parse('A*x', { vars: { x: { dims: [3] } } }))).toBe('A:n×3 x:3');
  });

  it('properties travel with the variable; spd implies symmetric and invertible', () => {
    const props = (src: string, vars: Decls) =>
      varsOf(parse(src, { vars }))
        .map((v) => `${v.name}:${v.props.join(',')}`)
        .join(' ');
    expect(props('S', { S: parseVarSpec('matrix(n,n) spd') })).toBe('S:invertible,spd,symmetric');
    expect(
      props('A + D', { A: parseVarSpec('symmetric matrix(n)'), D: parseVarSpec('matrix(n,n) diagonal invertible') }),
    ).toBe('A:symmetric D:diagonal,invertible');
    expect(props('x', { x: parseVarSpec('vector(n) positive') })).toBe('x:positive');
    expect(props('x + y', {})).toBe('x: y:');
  });

  it('a declared dimension is rigid: W: matrix(k,n) times y: vector(m) is an error', () => {
    const e = fails('W*y', { W: { dims: ['k', 'n'] }, y: { dims: ['m'] } });
    expect(e.kind).toBe('shape');
    expect(e.message).toBe('cannot multiply W (k×n) by y (m): inner dimensions n and m differ');
  });
});

describe('parseVarSpec and parseVarAssignment', () => {
  const ok: Array<[string, VarDecl]> = [
    ['scalar', { dims: [], props: [] }],
    ['vector(n)', { dims: ['n'], props: [] }],
    ['matrix(k,n)', { dims: ['k', 'n'], props: [] }],
    ['matrix(k, n)', { dims: ['k', 'n'], props: [] }],
    ['matrix(n)', { dims: ['n', 'n'], props: [] }],
    ['[k,n]', { dims: ['k', 'n'], props: [] }],
    ['[3]', { dims: [3], props: [] }],
    ['[]', { dims: [], props: [] }],
    ['matrix(n,n) spd', { dims: ['n', 'n'], props: ['spd', 'symmetric'] }],
    ['symmetric matrix(n,n)', { dims: ['n', 'n'], props: ['symmetric'] }],
    ['vector(n) positive', { dims: ['n'], props: ['positive'] }],
    ['matrix(3,n) invertible diagonal', { dims: [3, 'n'], props: ['invertible', 'diagonal'] }],
  ];
  for (const [spec, want] of ok) it(`reads ${JSON.stringify(spec)}`, () => expect(parseVarSpec(spec)).toEqual(want));

  const bad: Array<[string, string]> = [
    [
      'tensor(n)',
      'cannot read the shape "tensor(n)": write scalar, vector(n), matrix(m,n) or [m,n], optionally followed by symmetric, spd, invertible, diagonal, positive',
    ],
    ['vector(n,m)', 'cannot read the shape "vector(n,m)": vector needs 1 dimension'],
    ['spd', 'cannot read the shape "spd": it names no shape'],
    ['vector(0)', 'cannot read the shape "vector(0)": the dimension 0 is neither a name nor a positive integer'],
    [
      'matrix(k*n, n)',
      'cannot read the shape "matrix(k*n, n)": the dimension k*n is neither a name nor a positive integer',
    ],
  ];
  for (const [spec, msg] of bad) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      const e = errorOf(() => parseVarSpec(spec));
      expect(e.kind).toBe('syntax');
      expect(e.message).toBe(msg);
    });
  }

  it('reads NAME=SPEC and NAME: SPEC', () => {
    expect(parseVarAssignment('W=matrix(k,n)')).toEqual(['W', { dims: ['k', 'n'], props: [] }]);
    expect(parseVarAssignment('x: vector(n)')).toEqual(['x', { dims: ['n'], props: [] }]);
    expect(parseVarAssignment(' S = matrix(n,n) spd ')).toEqual([
      'S',
      { dims: ['n', 'n'], props: ['spd', 'symmetric'] },
    ]);
    const e = errorOf(() => parseVarAssignment('x vector(n)'));
    expect(e.message).toBe(
      'cannot read the declaration "x vector(n)": write NAME=SHAPE, e.g. x=vector(n) or W=matrix(k,n)',
    );
  });
});

describe('dimension inference', () => {
  const cases: Array<[string, Decls, string, string]> = [
    ['A*x', {}, 'm', 'A:m×n x:n'],
    ["x'*A*x", {}, 'scalar', 'A:n×n x:n'],
    ['W*x + b', { W: { dims: ['k', 'n'] } }, 'k', 'W:k×n b:scalar x:n'],
    ['A*B*x + y', {}, 'm', 'A:m×k B:k×n x:n y:m'],
    ['tr(A*X*B)', {}, 'scalar', 'A:n×m B:k×n X:m×k'],
    ['inv(A)*x', {}, 'n', 'A:n×n x:n'],
    ['diag(x)*A', {}, 'n×m', 'A:n×m x:n'],
    ['kron(A, B)', {}, '(k·n)×(m·p)', 'A:n×m B:k×p'],
  ];
  for (const [src, vars, shape, vs] of cases) {
    it(`${src}: ${shape}, ${vs}`, () => {
      const e = parse(src, { vars });
      expect(formatShape(e.shape)).toBe(shape);
      expect(shapesOf(e)).toBe(vs);
    });
  }

  it('a product dimension unifies factor by factor: ones under a Kronecker product take their size', () => {
    // kron(1, x)' kron(x, x) = Σ_ij x_j · x_i x_j = sum(x)·x'x, by plain loops.
    const e = parse("kron(vector(1), x)'*kron(x, x)", { vars: { x: { dims: ['n'] } } });
    expect(formatShape(e.shape)).toBe('scalar');
    const x = randVec(normals(7), 4);
    expect(maxRelErr(evaluate(e, env({ x })), x.reduce((a, b) => a + b, 0) * dot(x, x))).toBeLessThan(1e-12);
    // Two unknown factors against n·n stay ambiguous (n and n, or 1 and n·n): an error, as before.
    expect(() => parse("vec(matrix(1))'*kron(x, x)", { vars: { x: { dims: ['n'] } } })).toThrow('inner dimensions');
  });

  it("regression (program property test, seed 2): the gradient of cos(sum(kron(y.^2, sigmoid(y')))) reads back and agrees with differences of f", () => {
    const vars = { y: { dims: ['n'] } };
    const f = parse("cos(sum(kron(y.^2, sigmoid(y'))))", { vars });
    const d = derivative("cos(sum(kron(y.^2, sigmoid(y'))))", 'y', { vars });
    expect(d.toString()).toContain('matrix(1)*kron(');
    const at = env({ y: randVec(normals(11), 3) });
    const fd = fdJacobian((a) => evaluate(f, a), at, 'y');
    for (const text of [d.toString(), d.toProgramText()]) {
      const back = readProgram(text, { vars }).root;
      expect(maxRelErr(evaluate(back, at), Array.from(fd.data))).toBeLessThan(1e-6);
    }
  });

  it('no internal dimension name (?1) ever reaches a shape', () => {
    const srcs = [
      'A*x',
      "x'*A*x + a",
      'sum(log(vector(1) + exp(-y.*(X*w))))',
      'eye*A*B',
      'matrix(1)*x',
      "vector(1)'*x",
      'kron(x, y)',
      'vec(A)',
      'A + eye',
    ];
    for (const src of srcs) {
      for (const node of postorder(parse(src))) {
        for (const d of tensorDims(node.shape)) expect(String(d)).not.toContain('?');
      }
    }
  });
});

describe("a reduction's dim must be an integer literal", () => {
  for (const [src, msg] of [
    ['sum(X, a)', 'the dim of sum(X, a) must be an integer literal (0 or 1 for a matrix, 0 for a vector), not a'],
    [
      'mean(X, 0.5)',
      'the dim of mean(X, 0.5) must be an integer literal (0 or 1 for a matrix, 0 for a vector), not 0.5',
    ],
    [
      'std(X, 1 + 0)',
      'the dim of std(X, 1+0) must be an integer literal (0 or 1 for a matrix, 0 for a vector), not 1+0',
    ],
  ] as const) {
    it(`${src} → ${msg}`, () => {
      const e = fails(src);
      expect(e.kind).toBe('syntax');
      expect(e.message).toBe(msg);
    });
  }
});

describe('shape errors name both operands and their shapes', () => {
  const cases: Array<[string, Decls, string]> = [
    [
      'A*y',
      { A: { dims: ['k', 'n'] }, y: { dims: ['m'] } },
      'cannot multiply A (k×n) by y (m): inner dimensions n and m differ',
    ],
    [
      'A*B',
      { A: { dims: [2, 3] }, B: { dims: [4, 2] } },
      'cannot multiply A (2×3) by B (4×2): inner dimensions 3 and 4 differ',
    ],
    ['x + y', { x: { dims: [2] }, y: { dims: [3] } }, 'cannot add x (2) and y (3): shapes differ'],
    ["x + y'", {}, "cannot add x (n) and y' (1×m): shapes differ"],
    ['A*y + z', { A: { dims: ['k', 'n'] }, z: { dims: ['m'] } }, 'cannot add A*y (k) and z (m): shapes differ'],
    [
      'x*y',
      {},
      "cannot multiply x (n) by y (m): a column vector times a column vector is undefined; did you mean x'*y or x.*y?",
    ],
    ["x'*x/y", {}, "cannot divide x'*x (scalar) by y (n): '/' divides by a scalar; use ./ for elementwise division"],
    ['x^2', {}, "cannot raise x (n) to a power: '^' takes a scalar or a square matrix; use .^ for elementwise powers"],
    ['tr(x)', {}, 'tr(x) needs a square matrix, but x is n'],
    [
      'softmax(A)',
      {},
      'softmax(A) needs a vector, but A is n×m; give a dim: softmax(A, 1) along each row, softmax(A, 0) down each column',
    ],
    ['inv(W)', { W: { dims: ['k', 'n'] } }, 'W (k×n) must be a square matrix, but k and n differ'],
    ['leaky_relu(x, y)', {}, 'the parameter y of leaky_relu must be a scalar'],
    // A reduction's dim: the dims there are, named.
    [
      'sum(X, 2)',
      { X: { dims: ['k', 'n'] } },
      'sum(X, 2): X is k×n and has dim 0 (down its k rows, giving a 1×n row) and dim 1 (along each row, giving a vector of length k), not dim 2',
    ],
    [
      'mean(X, -3)',
      { X: { dims: [2, 3] } },
      'mean(X, -3): X is 2×3 and has dim 0 (down its 2 rows, giving a 1×3 row) and dim 1 (along each row, giving a vector of length 2), not dim -3',
    ],
    ['var(x, 1)', {}, 'var(x, 1): x is a vector (n), which has only dim 0 (var(x, 0) is var(x)), not dim 1'],
    [
      'max(x, 1)',
      {},
      'max(x, 1): x is a vector (n), which has only dim 0 (max(x, 0) is max(x)), not dim 1; for the elementwise maximum write maximum(x, 1)',
    ],
    ['sum(a, 0)', {}, 'sum(a, 0): a is a scalar and has no dim to reduce; write sum(a)'],
    // (dims that inference names, never its unknowns ?1, ?2)
    [
      'std(W, 2)',
      {},
      'std(W, 2): W is n×m and has dim 0 (down its n rows, giving a 1×m row) and dim 1 (along each row, giving a vector of length n), not dim 2',
    ],
    ['std(a)', {}, 'std(a) needs a vector or a matrix: the standard deviation of one number is 0'],
    // Batches (issue 15): a dim is 0 or 1 (or -1, -2), a vector has only dim 0, and a bias is written out.
    [
      "softmax(Q*K', 2)",
      {},
      "softmax(Q*K', 2): Q*K' is n×m and has dim 0 (down each column) and dim 1 (along each row), not dim 2",
    ],
    [
      'logsumexp(X, 3)',
      { X: { dims: ['k', 'n'] } },
      'logsumexp(X, 3): X is k×n and has dim 0 (down its k rows, giving a 1×n row) and dim 1 (along each row, giving a vector of length k), not dim 3',
    ],
    ['log_softmax(x, 1)', {}, 'log_softmax(x, 1): x is a vector (n), whose one axis is dim 0; write log_softmax(x)'],
    ['softmax(c, 0)', {}, 'softmax(c) needs a vector, or a matrix and a dim, but c is a scalar'],
    [
      'X*W + b',
      { X: { dims: ['k', 'n'] }, W: { dims: ['n', 'h'] }, b: { dims: ['h'] } },
      "cannot add X*W (k×h) and b (h): shapes differ; to add b to every row, write X*W + vector(1)*b'",
    ],
    [
      'A - x',
      { A: { dims: [3, 2] }, x: { dims: [3] } },
      "cannot add A (3×2) and x (3): shapes differ; to add x to every column, write A + x*vector(1)'",
    ],
    [
      'X*W + h',
      {},
      "cannot add X*W (n×m) and h (k): shapes differ; to add h to every row, write X*W + vector(1)*h', or to every column, X*W + h*vector(1)'",
    ],
    [
      "h' + X",
      {},
      "cannot add h' (1×n) and X (m×k): shapes differ; to add h' to every row, write X + vector(1)*h', or to every column, X + h*vector(1)'",
    ],
    [
      'norm(X, 3)',
      {},
      "norm(X, 3): for a matrix, NumPy's norm(X, 3) is an induced norm, which matcalc does not have; write norm(X) or norm(X, 'fro') for the Frobenius norm, or norm(vec(X), 3) for the p-norm of its entries",
    ],
    // Inferred dimensions appear by their readable names, never as inference's ?1, ?2.
    [
      'B*A*C + inv(A)',
      { B: { dims: ['k', 'p'] }, C: { dims: ['q', 'm'] } },
      'A (p×q) must be a square matrix, but p and q differ',
    ],
    [
      'B*A + C*A',
      { B: { dims: ['k', 'p'] }, C: { dims: ['k', 'q'] } },
      'cannot multiply C (k×q) by A (p×n): inner dimensions q and p differ',
    ],
    [
      "x'*y + W*x",
      { W: { dims: ['k', 'n'] }, y: { dims: ['m'] } },
      'cannot multiply W (k×n) by x (m): inner dimensions n and m differ',
    ],
  ];
  for (const [src, vars, msg] of cases) {
    it(`${src} → ${msg}`, () => {
      const e = fails(src, vars);
      expect(e.kind).toBe('shape');
      expect(e.message).toBe(msg);
      expectPlain(e);
    });
  }
});

describe('syntax errors carry the column (1-based)', () => {
  const cases: Array<[string, string, number]> = [
    // norm's p is a number ≥ 1 or 'fro' (NumPy's spellings); other strings and inf are named.
    ["norm(x, 'nuc')", 'the second argument of norm is a number p ≥ 1 or \'fro\', not "nuc"', 9],
    ['1 +', 'unexpected end of expression', 4],
    ['a +* b', 'value expected', 4],
    ['(a', 'parenthesis ) expected', 3],
    ['a)', 'unexpected operator )', 2],
    ['exp(x', 'parenthesis ) expected', 6],
    ['sum(x,)', 'value expected', 7],
    ['3..4', 'unexpected part ".4"', 3],
    ['a @ b', 'syntax error in part "@ b"', 3],
    ['', 'the expression is empty', 1],
    // Constructs mathjs reads but the language does not have.
    ['a == b', 'the operator == is not part of the language', 3],
    ['x[1]', 'indexing such as x[1] is not part of the language', 2],
    ['a = 1', 'assignment is not part of the language', 3],
    ['a ? b : c', 'the conditional a ? b : c is not part of the language', 3],
    ['a; b', 'a block of several expressions is not part of the language', 2],
    ['x + [1, 2]', 'a literal array [..] is not part of the language', 5],
    ['a + 1:3', 'a range a:b is not part of the language', 6],
    ['x + "s"', 'only finite numbers are allowed as constants, not "s"', 5],
    ['a*Infinity', 'only finite numbers are allowed as constants, not Infinity', 3],
  ];
  for (const [src, msg, column] of cases) {
    it(`${JSON.stringify(src)}: ${msg} at column ${column}`, () => {
      const e = fails(src);
      expect(e.kind).toBe('syntax');
      expect((e as MatcalcError & { column?: number }).column).toBe(column);
      expect(e.message).toBe(`${msg} (at column ${column})`);
    });
  }
});

describe('unknown names and functions', () => {
  const cases: Array<[string, string]> = [
    ['foo(x)', 'unknown function foo'],
    ['trace(A)', 'unknown function trace; did you mean tr?'],
    ['Exp(x)', 'unknown function Exp; did you mean exp?'],
    ['exp', 'exp is a function and needs arguments, e.g. exp(x)'],
    ['vector + x', 'vector is a function and needs arguments, e.g. vector(1)'],
    ['maximum(x)', 'maximum takes 2 arguments, not 1'],
    ['sum(X, 0, 1)', 'sum takes 1 to 2 arguments, not 3'],
    ['tr(A, B)', 'tr takes 1 argument, not 2'],
    ['x(2)', 'unknown function x'],
  ];
  for (const [src, msg] of cases) {
    it(`${src} → ${msg}`, () => {
      const e = fails(src);
      expect(e.kind).toBe('unknown');
      expect(e.message).toBe(msg);
    });
  }
});

// Issue 10 item 9: `x'*x/0` printed `2*x/0` with exit 0.
describe('a division by a constant zero is a domain error', () => {
  it.each([
    ["x'*x/0", "x'*x / 0"],
    ['x./vector(0)', 'x ./ vector(0)'],
    ['x/(1 - 1)', 'x / 0'],
    ['0/0', '0 / 0'],
    ['A./matrix(0)', 'A ./ matrix(0)'],
  ])('%s', (src, shown) => {
    const e = fails(src);
    expect(e.kind).toBe('domain');
    expect(e.message).toBe(`division by zero: ${shown} is undefined for every value of the variables`);
  });

  it('so is a divisor that only simplification shows to be zero, once derived', () => {
    expect(errorOf(() => derivative('x/(a - a)', 'x')).kind).toBe('domain');
  });

  it('a divisor that is zero only at some points is not: x/a still differentiates and checks', () => {
    const d = derivative('x/a', 'x');
    expect(d.toString()).toBe('eye(n)/a');
    expect(d.verify().ok).toBe(true);
  });
});

describe('bad input never runs and never crashes', () => {
  beforeAll(() => {
    parse('a');
  }); // the parser instance is built on first use; time the limits, not that

  it('no eval and no Function constructor anywhere in src/ or rules/', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('src');
    walk('rules');
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(/);
      // mathjs is imported only as the narrow parse-only instance.
      for (const m of text.matchAll(/from '(mathjs[^']*)'/g)) expect(m[1], f).toBe('mathjs/number');
    }
  });

  const timed = (src: string): { err: MatcalcError; ms: number } => {
    const t0 = performance.now();
    const err = errorOf(() => parse(src));
    return { err, ms: performance.now() - t0 };
  };

  it('10,000 nested parentheses fail with kind limit, fast', () => {
    const { err, ms } = timed('('.repeat(10_000) + 'a' + ')'.repeat(10_000));
    expect(err.kind).toBe('limit');
    expect(ms).toBeLessThan(200);
    // Also when the text itself is short enough: the nesting is what is refused.
    const open = timed('('.repeat(10_000) + 'a');
    expect(open.err.kind).toBe('limit');
    expect(open.err.message).toBe(
      `parentheses are nested more than ${LIMITS.maxNesting} deep (at column ${LIMITS.maxNesting + 1})`,
    );
    expect(open.ms).toBeLessThan(200);
  });

  it('a 1 MB expression fails with kind limit, fast', () => {
    const { err, ms } = timed('a+'.repeat(500_000) + 'a');
    expect(err.kind).toBe('limit');
    expect(err.message).toBe(`the expression is 1000001 characters long; the limit is ${LIMITS.maxLength}`);
    expect(ms).toBeLessThan(200);
  });

  // Issue 10 item 11: a flat sum of 1001 terms was reported as "nested 1000 deep".
  it('a long flat chain names the limit it hits: terms in one sum, factors in one product', () => {
    const over = LIMITS.maxDepth + 1;
    const tail = `; the limit is ${LIMITS.maxDepth} operations in one chain or nesting`;
    expect(errorOf(() => parse(Array(over).fill('a').join('+'))).message).toBe(
      `the expression has more than ${LIMITS.maxDepth} terms in one sum${tail}`,
    );
    expect(errorOf(() => parse(Array(over).fill('a').join(' - '))).message).toBe(
      `the expression has more than ${LIMITS.maxDepth} terms in one sum${tail}`,
    );
    expect(errorOf(() => parse(Array(over).fill('A').join('*'))).message).toBe(
      `the expression has more than ${LIMITS.maxDepth} factors in one product${tail}`,
    );
    expect(errorOf(() => parse('x' + "'".repeat(over))).message).toBe(
      `the expression has more than ${LIMITS.maxDepth} transposes (') in a row${tail}`,
    );
    // One term fewer is within the limit.
    expect(parse(Array(LIMITS.maxDepth).fill('a').join('+')).shape.kind).toBe('scalar');
    // Real nesting is still called nesting.
    const nested = 'exp(-'.repeat(120) + 'a' + ')'.repeat(120);
    expect(parse(nested).shape.kind).toBe('scalar');
  });

  it('a 5,000-term sum a+a+…+a parses or fails with kind limit', () => {
    const src = Array(5000).fill('a').join('+');
    try {
      expect(parse(src).shape.kind).toBe('scalar');
    } catch (err) {
      expect(err).toBeInstanceOf(MatcalcError);
      expect((err as MatcalcError).kind).toBe('limit');
    }
  });

  it('deep chains either work end to end or fail with kind limit, never overflow the stack', () => {
    const chains = [
      Array(1999).fill('a').join('+'), // overflowed the stack in elaboration before maxDepth was lowered
      Array(LIMITS.maxDepth + 5)
        .fill('x')
        .join(' - '),
      Array(3000).fill('A').join('*'),
      '-'.repeat(10_000) + 'a',
      'x' + "'".repeat(10_000),
      Array(5000).fill('a').join('^'),
      'exp('.repeat(LIMITS.maxNesting) + 'a' + ')'.repeat(LIMITS.maxNesting),
    ];
    for (const src of chains) {
      const t0 = performance.now();
      try {
        parse(src);
      } catch (err) {
        expect(err, src.slice(0, 20)).toBeInstanceOf(MatcalcError);
        expect((err as MatcalcError).kind).toBe('limit');
      }
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });

  it('the longest chain the limit allows goes through the whole pipeline: parse, derive, print, verify', () => {
    const terms = LIMITS.maxDepth - 1;
    const e = parse(Array(terms).fill('sin(x)').join(' + '));
    const d = derivative(e, 'x');
    expect(d.toString().length).toBeGreaterThan(0);
    expect(d.verify({ points: 1 }).ok).toBe(true);
  });

  it('every error is a MatcalcError with a kind and a plain one-line message', () => {
    const bad: Array<[string, ErrorKind]> = [
      ['1 +', 'syntax'],
      ['a ? b : c', 'syntax'],
      ['"str"', 'syntax'],
      ['x[1]', 'syntax'],
      ['f(x) = x', 'syntax'],
      ['foo(x)', 'unknown'],
      ['vector + x', 'unknown'],
      ['x $ y', 'unknown'],
      ['A*y + x*y', 'shape'],
      ['x + A', 'shape'],
      ['tr(x)', 'shape'],
      ['det(A*B*x)', 'shape'],
      ['('.repeat(300) + 'a' + ')'.repeat(300), 'limit'],
      ['x'.repeat(LIMITS.maxLength + 1), 'limit'],
      ['vector(n)', 'syntax'],
      ['eye(0)', 'syntax'],
    ];
    for (const [src, kind] of bad) {
      const e = fails(src);
      expect(e.kind, src).toBe(kind);
      expectPlain(e);
    }
  });
});
