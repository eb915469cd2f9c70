/**
 * Checker edge cases of issue 10 item 12, each verdict paired with numbers computed here:
 *   - the Matrix Cookbook's column-major vec answers (kron(x', eye(k)) for d(W*x)/dW) are right up
 *     to a stated convention: verdict `transposed`, diagnosis `convention`, `convention`
 *     'column-major-vec' — and they are, by finite differences reordered column by column;
 *   - in a LaTeX answer |X| of a matrix is det X, of a scalar or vector abs;
 *   - an answer of another shape (kron(A,B) for a gradient) is `wrong-shape`;
 *   - a counterexample is never taken at a kink (relu at 0).
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { varsOf } from '../../src/ir/walk.js';
import { evaluate, evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { tensorDims } from '../../src/shape/shape.js';
import { latexToInput } from '../../src/parse/latex.js';
import { parse, parseLatex } from '../../src/index.js';
import { toLatex } from '../../src/print/latex.js';

/** The finite-difference Jacobian of f w.r.t. X, rows and columns numbered column-major (vec stacking columns). */
function columnMajorJacobian(f: string, wrt: string, vars: Record<string, string>, seed: number) {
  const e = parse(f, { vars });
  const sizes = defaultDims(e, seed);
  const at = randomPoint(varsOf(e), sizes, seed);
  const J = fdJacobian((env) => evaluator(e)(env, sizes), at, wrt);
  const fDims = e.shape.kind === 'matrix' ? [J.dims[0]!, J.dims[1]!] : e.shape.kind === 'scalar' ? [] : [J.dims[0]!];
  const xDims = J.dims.slice(fDims.length);
  const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
  const cm = (d: number[], flat: number) => (d.length === 2 ? (flat % d[1]!) * d[0]! + Math.floor(flat / d[1]!) : flat);
  const R = size(fDims),
    C = size(xDims);
  const out = new Float64Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[cm(fDims, i) * C + cm(xDims, j)] = J.data[i * C + j]!;
  return { at, sizes, out };
}

describe('the column-major vec convention (Matrix Cookbook) is named, not marked wrong', () => {
  it.each([
    ['W*x', 'W', "kron(x', eye(k))", ['W=matrix(k,n)']],
    ['A*X*B', 'X', "kron(B', A)", []],
  ] as const)('d(%s)/d%s = %s', (f, wrt, answer, decls) => {
    const vars = Object.fromEntries(decls.map((d) => d.split('=') as [string, string]));
    const r = check(f, wrt, answer, { vars });
    expect(r.verdict).toBe('transposed');
    expect(r.diagnosis).toBe('convention');
    expect(r.convention).toBe('column-major-vec');
    expect(r.explanation).toContain('column-major vec convention');
    // The truth of it: the answer equals the column-major finite-difference Jacobian.
    const { at, sizes, out } = columnMajorJacobian(f, wrt, vars, 7);
    const a = evaluate(
      parse(answer, {
        vars: {
          ...vars,
          ...Object.fromEntries(varsOf(parse(f, { vars })).map((v) => [v.name, { dims: tensorDims(v.shape) }])),
        },
      }),
      at,
      sizes,
    );
    expect(a.data.length).toBe(out.length);
    for (let i = 0; i < out.length; i++) expect(a.data[i]).toBeCloseTo(out[i]!, 6);
  });

  it('a wrong answer in that convention is still wrong, with the convention said', () => {
    const r = check('A*X*B', 'X', "2*kron(B', A)");
    expect(r.verdict).toBe('incorrect');
    expect(r.diagnosis).toBe('factor');
    expect(r.explanation).toContain('in the column-major vec convention');
  });
});

describe('|X| in a LaTeX answer: det of a matrix, abs otherwise', () => {
  it('Cookbook (49): d det(X)/dX = |X| X^{-T}', () => {
    expect(check('det(X)', 'X', String.raw`|X| X^{-T}`).verdict).toBe('correct');
    expect(check('det(X)', 'X', String.raw`\left| X \right| (X^{-1})^T`).verdict).toBe('correct');
    expect(latexToInput('|X^T X|', { names: ['X'], matrices: ['X'] })).toBe("det(X'*X)");
    expect(latexToInput('|2X|', { names: ['X'], matrices: ['X'] })).toBe('det(2*X)');
  });

  it('of a scalar or a vector it is the absolute value', () => {
    expect(check("abs(a)*x'*x", 'x', String.raw`2|a| x`).verdict).toBe('correct');
    expect(latexToInput('|x|', { names: ['x'], matrices: [] })).toBe('abs(x)');
    expect(latexToInput(String.raw`|x^\top A x|`, { names: ['x', 'A'], matrices: ['A'] })).toBe("abs(x'*A*x)");
  });

  it('matcalc prints entrywise abs of a matrix so that it reads back as abs, not det', () => {
    const vars = { X: 'matrix(n,n)' };
    const e = parse('abs(X)', { vars });
    expect(toLatex(e)).toBe(String.raw`\operatorname{abs}\left(X\right)`);
    expect(parseLatex(toLatex(e), { vars })).toBe(e);
    expect(parseLatex(toLatex(parse('det(X)', { vars })), { vars })).toBe(parse('det(X)', { vars }));
  });
});

describe('wrong-shape', () => {
  it("tr(A*X*B) with the answer kron(A,B): the answer's product dimensions are fixed by A and B", () => {
    const r = check('tr(A*X*B)', 'X', 'kron(A,B)');
    expect(r.verdict).toBe('incorrect');
    expect(r.diagnosis).toBe('wrong-shape');
    expect(r.explanation).toMatch(
      /^wrong shape: the answer is a matrix \(\(k·n\)×\(m·n\)\) but the derivative is a matrix \(m×k\)/,
    );
  });
});

describe('counterexamples avoid kinks', () => {
  it('sum(relu(x)) with the answer x: the counterexample has no zero entry', () => {
    const r = check('sum(relu(x))', 'x', 'x');
    expect(r.verdict).toBe('incorrect');
    const x = r.counterexample!.at.x as number[];
    expect(x.every((v) => v !== 0)).toBe(true);
    // …and it is a counterexample: the derivative step(x) there differs from x.
    expect(r.counterexample!.expected).toEqual(x.map((v) => (v > 0 ? 1 : 0)));
    expect(r.counterexample!.answer).toEqual(x);
  });

  it('an answer that differs from the derivative only at the kink is correct', () => {
    expect(check('sum(relu(x))', 'x', '(sign(x) + 1)/2').verdict).toBe('correct');
    expect(check('sum(abs(W*x))', 'x', "W'*sign(W*x)").verdict).toBe('correct');
  });
});
