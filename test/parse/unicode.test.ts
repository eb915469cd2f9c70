/**
 * Unicode input pasted from papers (issue 15): each spelling reads as the same IR as its input
 * syntax (hash-consed, so `toBe` is structural equality), derivatives of pasted expressions agree
 * with finite differences, and a syntax error reports the column of the text the user typed.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { ParseError } from '../../src/errors.js';
import { parse } from '../../src/parse/parse.js';
import { fromUnicode } from '../../src/parse/unicode.js';

const same = (pasted: string, ascii: string): void => {
  expect(parse(pasted), `${pasted} reads as ${ascii}`).toBe(parse(ascii));
};

/** The ParseError thrown by parsing src. */
function parseErrorOf(src: string): ParseError {
  try {
    parse(src);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`${src} parsed`);
}

describe('Unicode input', () => {
  it('Greek letters are their spelled-out names (π the constant)', () => {
    same('θ', 'theta');
    same('α*x + β*y', 'alpha*x + beta*y');
    same("x'*Σ*x", "x'*Sigma*x");
    same('λ*norm2(θ)', 'lambda*norm2(theta)');
    same('π*c', 'pi*c');
    same('θ1 + θ_2', 'theta1 + theta_2');
    same('Xθ + αβ*x', 'X*theta + alpha*beta*x');
    same('σ(Wθ)', 'sigmoid(W*theta)');
  });

  it("ᵀ, ′ and .' are the transpose", () => {
    same('θᵀx', "theta'*x");
    same('Aᵀ*B', "A'*B");
    same('A′*x', "A'*x");
    same("x.'", "x'");
    same("A.'*B", "A'*B");
  });

  it('· ⋅ × ∗ are products, ⊙ ∘ elementwise products, − a minus sign', () => {
    same('a·x', 'a*x');
    same('A⋅B', 'A*B');
    same('A×x', 'A*x');
    same('x⊙y', 'x.*y');
    same('x ∘ y', 'x .* y');
    same('x − y', 'x - y');
  });

  it('‖x‖, ‖x‖₂ and ‖x‖₁ are norms; ², ³ and ⁻¹ powers', () => {
    same('‖x‖', 'norm2(x)');
    same('‖A*x − y‖²', 'norm2(A*x - y)^2');
    same('‖X‖₂', 'norm2(X)');
    same('‖x‖₁ + ‖y‖', 'norm1(x) + norm2(y)');
    same('c³', 'c^3');
    same('X⁻¹', 'X^-1');
  });

  it('Cookbook-style least squares pasted from a paper: ∂‖Xθ − y‖²/∂θ = 2Xᵀ(Xθ − y), checked by finite differences', () => {
    const pasted = derivative('‖Xθ − y‖²', 'θ');
    const ascii = derivative('norm2(X*theta - y)^2', 'theta');
    expect(pasted.toString()).toBe(ascii.toString());
    expect(pasted.verify({ seed: 3 }).ok).toBe(true);
    const second = derivative('sum(gelu(Wθ)) + θᵀΣθ', 'θ', { order: 2 });
    expect(second.verify({ seed: 5 }).ok).toBe(true);
  });

  it('programs: a Greek step name, and a Greek declaration', () => {
    const pasted = derivative('θ = W*x; L = ‖θ‖²', 'W');
    expect(pasted.toString()).toBe(derivative('theta = W*x; L = norm2(theta)^2', 'W').toString());
    expect(pasted.verify({ seed: 2 }).ok).toBe(true);
    const declared = derivative('x′*Σ*x', 'x', { vars: { Σ: 'matrix(n,n) symmetric' } });
    expect(declared.toString()).toBe('2*Sigma*x');
    expect(declared.verify({ seed: 4 }).ok).toBe(true);
  });
});

describe('Unicode input: errors in the columns the user typed', () => {
  it('an error after a Greek letter is located in the original text', () => {
    const src = 'θ + )';
    const err = parseErrorOf(src);
    expect(err.column).toBe(src.indexOf(')') + 1);
    expect(err.message).toMatch(/\(at column 5\)$/);
  });

  it('after a norm and a Hadamard product, which the pass lengthens', () => {
    const src = '‖x‖ ⊙ y + x[1]';
    expect(parseErrorOf(src).column).toBe(src.indexOf('[') + 1);
    // mathjs reads "x.*y + (" and stops at its end, column 9; the user typed 7 characters.
    const src2 = 'x⊙y + (';
    expect(parseErrorOf(src2).message).toBe(`unexpected end of expression (at column ${src2.length + 1})`);
  });

  it('an unclosed ‖ is reported at the ‖ itself', () => {
    const err = parseErrorOf('x + ‖y');
    expect(err.column).toBe(5);
    expect(err.message).toMatch(/never closed/);
  });

  it('the map of columns: every character of the mapped text points into the original', () => {
    const m = fromUnicode('‖θ‖');
    expect(m.text).toBe('norm2(theta)');
    expect(m.columnIn(1)).toBe(1); // n of norm2( → ‖
    expect(m.columnIn(7)).toBe(2); // t of theta → θ
    expect(m.columnIn(12)).toBe(3); // ) → the closing ‖
    expect(m.columnIn(13)).toBe(4); // the end
    expect(fromUnicode('A*x').text).toBe('A*x');
  });
});
