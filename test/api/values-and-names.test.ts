/**
 * Issue 10 items 2–5: given values against declared properties, `e` and `pi`, zero derivatives of
 * variables f does not depend on, and dimensions bound from values that simplification removed.
 * Values are checked against hand computations (and, for derivatives, finite differences of f by
 * verify(), which compares with differences of the original input).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/api/basic.js';
import { derivative } from '../../src/api/derivative.js';
import { DomainError, RequestError, UnknownError } from '../../src/errors.js';
import { toNested } from '../../src/numeric/tensor.js';

const S = 'matrix(n,n) symmetric';

describe('item 2: a given value must satisfy its declaration', () => {
  it("x'*S*x with S declared symmetric at a non-symmetric S is a domain error naming S (was the value [6, 2])", () => {
    const d = derivative("x'*S*x", 'x', { vars: { S } });
    expect(() =>
      d.evaluate({
        S: [
          [1, 2],
          [0, 1],
        ],
        x: [1, 1],
      }),
    ).toThrow(DomainError);
    expect(() =>
      d.evaluate({
        S: [
          [1, 2],
          [0, 1],
        ],
        x: [1, 1],
      }),
    ).toThrow(/S is declared symmetric.*\(1,2\) and \(2,1\)/);
    // At a symmetric S the printed 2*S*x is the gradient (S + S')x: [6, 6].
    expect(
      toNested(
        d.evaluate({
          S: [
            [1, 2],
            [2, 1],
          ],
          x: [1, 1],
        }),
      ),
    ).toEqual([6, 6]);
    expect(() =>
      d.verify({
        at: new Map([
          ['S', { dims: [2, 2], data: new Float64Array([1, 2, 0, 1]) }],
          ['x', { dims: [2], data: new Float64Array([1, 1]) }],
        ]),
      }),
    ).toThrow(DomainError);
  });

  it.each([
    [
      'logdet(S)',
      { S: 'matrix(n,n) spd' },
      {
        S: [
          [1, 2],
          [2, 1],
        ],
      },
      /S is declared spd.*not positive definite/,
    ],
    [
      'logdet(S)',
      { S: 'matrix(n,n) spd' },
      {
        S: [
          [1, 2],
          [0, 1],
        ],
      },
      /S is declared (spd|symmetric)/,
    ],
    [
      'tr(D)',
      { D: 'matrix(n,n) diagonal' },
      {
        D: [
          [1, 2],
          [0, 1],
        ],
      },
      /D is declared diagonal.*\(1,2\) is 2/,
    ],
    ['sum(x)', { x: 'vector(n) positive' }, { x: [1, -2] }, /x is declared positive.*-2/],
    [
      'tr(X)',
      { X: 'matrix(n,n) invertible' },
      {
        X: [
          [1, 2],
          [2, 4],
        ],
      },
      /X is declared invertible.*singular/,
    ],
  ])('evaluate(%s) with a value breaking %j: %j is a domain error', (src, vars, at, message) => {
    expect(() => evaluate(src, at, { vars })).toThrow(DomainError);
    expect(() => evaluate(src, at, { vars })).toThrow(message);
  });

  it('values that satisfy the declaration (to rounding) are accepted', () => {
    expect(
      toNested(
        evaluate(
          'logdet(S)',
          {
            S: [
              [2, 0.5],
              [0.5, 1],
            ],
          },
          { vars: { S: 'matrix(n,n) spd' } },
        ),
      ),
    ).toBeCloseTo(Math.log(1.75), 14);
    expect(
      toNested(
        evaluate(
          'tr(S)',
          {
            S: [
              [1, 0.1 + 0.2],
              [0.3, 1],
            ],
          },
          { vars: { S } },
        ),
      ),
    ).toBe(2);
  });
});

describe('item 3: e and pi are constants unless declared or given a value', () => {
  it('eval "e*2" at {"e": 5} is 10 (was 5.4366)', () => {
    expect(toNested(evaluate('e*2', { e: 5 }))).toBe(10);
    expect(toNested(evaluate('e*2', {}))).toBeCloseTo(2 * Math.E, 14);
    expect(toNested(evaluate('pi*x', { x: [1, 2], pi: 3 }))).toEqual([3, 6]);
    expect(toNested(evaluate('pi*x', { x: [1, 2] }))).toEqual([Math.PI, 2 * Math.PI]);
  });

  it('a declared e is a variable to differentiate by; an undeclared one given a value is an error, not ignored', () => {
    const d = derivative('exp(e*x)', 'e', { vars: { e: 'scalar', x: 'scalar' } });
    expect(d.toString()).toBe('exp(e*x)*x');
    expect(toNested(d.evaluate({ e: 0.5, x: 2 }))).toBeCloseTo(Math.exp(1) * 2, 12);
    expect(d.verify().ok).toBe(true);
    expect(() => derivative('e*x', 'x').evaluate({ x: [1, 2], e: 3 })).toThrow(RequestError);
    expect(() => derivative('e*x', 'x').evaluate({ x: [1, 2], e: 3 })).toThrow(/declare it/);
  });
});

describe('item 4: a variable f does not depend on has a zero derivative of the right shape', () => {
  // SymPy's test_matrices.py / test_derivatives.py: d(A*y)/dx, d(0*x)/dx, dA/di, dk/dA.
  it('d(A*y)/dx with x declared: a zero Jacobian, rows = A*y, columns = x', () => {
    const d = derivative('A*y', 'x', { vars: { x: 'vector(p)' } });
    expect(d.kind).toBe('jacobian');
    expect(d.toString()).toBe('matrix(0)');
    expect(d.shape.at(-1)).toBe('p');
    const v = d.evaluate({
      A: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      y: [1, 1],
      x: [1, 2, 3, 4],
    });
    expect(v.dims).toEqual([3, 4]);
    expect(Array.from(v.data).every((t) => t === 0)).toBe(true);
    expect(d.verify().ok).toBe(true);
  });

  it('d(0*x)/dx: the zero n×n Jacobian (x is in the text; simplification removed it)', () => {
    const d = derivative('0*x', 'x');
    expect(d.shape).toEqual(['n', 'n']);
    expect(toNested(d.evaluate({ x: [1, 2] }))).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(d.verify().ok).toBe(true);
    expect(toNested(derivative("0*x'*x", 'x').evaluate({ x: [1, 2, 3] }))).toEqual([0, 0, 0]);
  });

  it("dA/di with i a declared scalar: the zero matrix of A's shape", () => {
    const d = derivative('A', 'i', { vars: { i: 'scalar', A: 'matrix(m,n)' } });
    expect(d.kind).toBe('derivative');
    expect(d.shape).toEqual(['m', 'n']);
    expect(
      toNested(
        d.evaluate({
          A: [
            [1, 2, 3],
            [4, 5, 6],
          ],
          i: 2,
        }),
      ),
    ).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(d.verify().ok).toBe(true);
  });

  it('dk/dA with k a scalar and A declared: the zero gradient, shape of A; at order 2 too', () => {
    const d = derivative('k', 'A', { vars: { k: 'scalar', A: 'matrix(m,n)' } });
    expect(d.kind).toBe('gradient');
    expect(d.shape).toEqual(['m', 'n']);
    expect(
      toNested(
        d.evaluate({
          k: 2,
          A: [
            [1, 2],
            [3, 4],
          ],
        }),
      ),
    ).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(d.verify().ok).toBe(true);
    const d2 = derivative('k', 'A', { vars: { k: 'scalar', A: 'matrix(m,n)' }, order: 2 });
    expect(d2.shape).toEqual(['m', 'n', 'm', 'n']);
    expect(d2.verify().ok).toBe(true);
  });

  it('an undeclared name f does not mention is an error that says how to declare it', () => {
    expect(() => derivative("x'*A*x", 'y')).toThrow(UnknownError);
    expect(() => derivative("x'*A*x", 'y')).toThrow(/does not contain y.*--var "y=vector\(n\)"/);
    expect(() => derivative("x'*A*x", 'B')).toThrow(/--var "B=matrix\(m,n\)"/);
    expect(() => derivative("x'*A*x", 'c')).toThrow(/vars: \{ c: 'scalar' \}/);
  });
});

describe('item 5: dimensions are bound from values even when simplification removed the variable', () => {
  it('eval "0*x" at x = [1, 2] is [0, 0] (was "no size for the dimension n")', () => {
    expect(toNested(evaluate('0*x', { x: [1, 2] }))).toEqual([0, 0]);
    expect(
      toNested(
        evaluate('A*x - A*x', {
          A: [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          x: [1, 1],
        }),
      ),
    ).toEqual([0, 0, 0]);
  });
});
