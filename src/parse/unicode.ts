/**
 * Unicode input pasted from papers, mapped to the input syntax before mathjs reads it:
 *
 *   θ α Σ …  (Greek letters)    the spelled-out names theta alpha Sigma … (π is the constant pi,
 *                               σ(…) the sigmoid; Xθ is X θ, a product, as the paper means)
 *   ᵀ ′  and  .'                transpose '        (.' is MATLAB's plain transpose; matcalc is real)
 *   · ⋅ × ∗                     product *
 *   ⊙ ∘                         elementwise product .*
 *   − (minus sign)              -
 *   ² ³  and  ⁻¹                ^2 ^3 and ^-1
 *   ‖x‖  ‖x‖₂  ‖x‖₁             norm2(x) norm2(x) norm1(x)
 *
 * The pass keeps, for every character it writes, the index of the character the user typed, so a
 * ParseError found in the mapped text reports the column of the user's own text (`columnIn`).
 * Greek names follow the shape convention of their spelled-out first letter (theta is a vector,
 * alpha a scalar, Sigma a matrix) unless declared; declarations may use either spelling.
 */
import { ParseError } from '../errors.js';

/** Greek letters and their names; look-alikes of Latin capitals (Α, Β, …) are left out. */
export const GREEK: Readonly<Record<string, string>> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  δ: 'delta',
  ε: 'epsilon',
  ϵ: 'epsilon',
  ζ: 'zeta',
  η: 'eta',
  θ: 'theta',
  ϑ: 'theta',
  ι: 'iota',
  κ: 'kappa',
  λ: 'lambda',
  μ: 'mu',
  ν: 'nu',
  ξ: 'xi',
  π: 'pi',
  ρ: 'rho',
  σ: 'sigma',
  ς: 'sigma',
  τ: 'tau',
  υ: 'upsilon',
  φ: 'phi',
  ϕ: 'phi',
  χ: 'chi',
  ψ: 'psi',
  ω: 'omega',
  Γ: 'Gamma',
  Δ: 'Delta',
  Θ: 'Theta',
  Λ: 'Lambda',
  Ξ: 'Xi',
  Π: 'Pi',
  Σ: 'Sigma',
  Υ: 'Upsilon',
  Φ: 'Phi',
  Ψ: 'Psi',
  Ω: 'Omega',
};

/** Single characters and their spelling in the input syntax. */
const SYMBOLS: Readonly<Record<string, string>> = {
  ᵀ: "'",
  '′': "'",
  '·': '*',
  '⋅': '*',
  '×': '*',
  '∗': '*',
  '⊙': '.*',
  '∘': '.*',
  '−': '-',
  '²': '^2',
  '³': '^3',
};

const NORM = '‖';
const SUB_ONE = '₁',
  SUB_TWO = '₂';

export interface Mapped {
  /** The text in the input syntax. */
  readonly text: string;
  /** The 1-based column in the user's text of a 1-based column in `text`. */
  readonly columnIn: (column: number) => number;
}

/** Whether text needs the pass at all (plain ASCII input is returned as it is). */
const NEEDS = /[^\t\n\r -~]|\.'/;

/** Maps pasted Unicode notation to the input syntax (see the header). */
export function fromUnicode(src: string): Mapped {
  if (!NEEDS.test(src)) return { text: src, columnIn: (c) => c };
  const parts: string[] = [];
  const origin: number[] = [];
  const emit = (s: string, from: number): void => {
    parts.push(s);
    for (let k = 0; k < s.length; k++) origin.push(from);
  };
  /** Open ‖ … ‖: the index in `parts` of the opener's text, and where it was typed. */
  let open: { part: number; at: number } | undefined;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '.' && src[i + 1] === "'") {
      emit("'", i);
      i++;
      continue;
    }
    if (c === '⁻' && src[i + 1] === '¹') {
      emit('^-1', i);
      i++;
      continue;
    }
    if (c === NORM) {
      if (open === undefined) {
        open = { part: parts.length, at: i };
        emit('norm2(', i);
      } else {
        emit(')', i);
        const sub = src[i + 1];
        if (sub === SUB_ONE) parts[open.part] = 'norm1(';
        if (sub === SUB_ONE || sub === SUB_TWO) i++;
        open = undefined;
      }
      continue;
    }
    const greek = GREEK[c];
    if (greek !== undefined) {
      // A letter is a name of its own beside Latin letters (Xθ is X θ, as the paper means), and σ(…) is
      // the sigmoid, as in the LaTeX reader; θ1 and θ_2 keep their digits and subscripts.
      const name = c === 'σ' && src[i + 1] === '(' ? 'sigmoid' : greek;
      const before = i > 0 && /[A-Za-z0-9]/.test(src[i - 1]!) ? ' ' : '';
      const after = /[A-Za-z]/.test(src[i + 1] ?? '') || GREEK[src[i + 1] ?? ''] !== undefined ? ' ' : '';
      emit(before + name + after, i);
      continue;
    }
    emit(SYMBOLS[c] ?? c, i);
  }
  if (open !== undefined)
    throw new ParseError('this ‖ opens a norm that is never closed: write ‖x‖ for norm2(x)', open.at + 1);
  origin.push(src.length);
  return {
    text: parts.join(''),
    columnIn: (column) => (origin[Math.min(Math.max(column, 1), origin.length) - 1] ?? src.length) + 1,
  };
}

/**
 * Runs `read` on the mapped text, and reports a ParseError's column in the user's own text. The
 * column is the error's own field; its message is rebuilt around it.
 */
export function readUnicode<T>(src: string, read: (text: string) => T): T {
  const mapped = fromUnicode(src);
  if (mapped.text === src) return read(src);
  try {
    return read(mapped.text);
  } catch (err) {
    if (!(err instanceof ParseError) || err.column === undefined) throw err;
    const base = err.message.replace(/ \(at column \d+\)$/, '');
    throw new ParseError(base, mapped.columnIn(err.column));
  }
}

/** A name as the pass spells it (θ → theta, θ_1 → theta_1), for names given outside an expression (--wrt θ). */
export const asciiName = (name: string): string => [...name].map((c) => GREEK[c] ?? c).join('');
