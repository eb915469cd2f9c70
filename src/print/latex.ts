/**
 * LaTeX printer: IR → the notation of the Matrix Cookbook, valid KaTeX (tests render every output).
 *
 * Notation: products by juxtaposition (`x^\top A x`, `2 A x`; `\cdot` only before a factor that
 * starts with a digit), `^\top`, `X^{-1}` and `X^{-\top}`, `\odot` `\oslash` `\otimes`, `x^{\circ 2}`,
 * `\frac{a}{b}` for division by a scalar, operator names for functions (table FN below, keyed by
 * FnName, so a function without a LaTeX form is a compile error).
 *
 * Parentheses: minimal, by a precedence table that mirrors the text printer's, with three
 * differences that only ever remove ambiguity for a reader:
 *   - juxtaposition binds tighter than ⊙ and ⊘ (`x \odot A y` is x ⊙ (A y), as in ML papers), and
 *     ⊗ never mixes with either without parentheses;
 *   - a superscript never sits on a superscripted base (`\left(A^\top\right)^{2}`; KaTeX rejects
 *     `A^\top^{2}`), nor on a fraction, square root or product;
 *   - associative chains are flattened: `A + B + C`, `A B C`, `x \odot y \odot z`, `A \otimes B \otimes C`.
 *     A right-nested product `A (B x)` drops its parentheses only when the left-to-right reading of
 *     the flattened factors is well-shaped (so `A (x^\top y)` keeps them: `A x^\top` is undefined).
 * A leading minus is printed only where it is a linear factor of the whole operand (`-A x`,
 * `-x \odot y`), so a sum turns `a + (-A x)` into `a - A x` and every other position wraps it.
 *
 * Each node is printed once per call, bottom-up over the DAG in postorder (no recursion, so deep
 * expressions cannot overflow the stack); a parent only adds parentheses around its children's text.
 * (A product keeps its flattened factor list, so a left-nested chain of k factors costs O(k²).)
 */
import { type Expr, assertNever } from '../ir/expr.js';
import { FUNCTIONS, type FnName } from '../ir/functions.js';
import { postorder } from '../ir/walk.js';
import type { Shape } from '../shape/shape.js';

export interface LatexOptions {
  /** Print vector and matrix variables (and I, 0) in bold: `\mathbf{x}`, `\mathbf{A}`, `\boldsymbol{\Sigma}`. */
  readonly bold?: boolean;
}

/** Binding strength of a printed form; a parent wraps a child whose level is too low for its slot. */
const L = { add: 1, had: 2, mul: 3, neg: 4, sup: 5, frac: 6, atom: 7 } as const;

/**
 * What a node printed as: its text, its level, and which operator sits at its top (for the chains
 * that may continue without parentheses: ⊙/⊘ on the left of ⊙/⊘, ⊗ inside ⊗).
 */
interface Printed {
  readonly tex: string;
  readonly level: number;
  readonly top?: 'emul' | 'ediv' | 'kron';
}

const atom = (tex: string): Printed => ({ tex, level: L.atom });
const paren = (tex: string): string => `\\left(${tex}\\right)`;

// ---------------------------------------------------------------------------------------------
// Names and numbers

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota',
  'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi',
  'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);

/** Escapes the characters of an identifier that are special inside `\mathrm{}`. */
const escapeText = (s: string): string => s.replace(/[_$%&#]/g, (c) => `\\${c}`);

function namePart(s: string, bold: boolean): string {
  if (GREEK.has(s)) return bold ? `\\boldsymbol{\\${s}}` : `\\${s}`;
  if (/^\d+$/.test(s)) return s;
  if (s.length === 1) return bold ? `\\mathbf{${escapeText(s)}}` : escapeText(s);
  return bold ? `\\mathbf{${escapeText(s)}}` : `\\mathrm{${escapeText(s)}}`;
}

/**
 * A variable name in LaTeX: `x`, `\mathrm{loss}`, `\Sigma`, `W1` → `W_{1}`, `x_1` → `x_{1}`,
 * `x_ij` → `x_{ij}`, `h_prev` → `h_{\mathrm{prev}}`. With `bold`, the base is bold, the subscript not.
 */
export function latexName(name: string, bold = false): string {
  const us = name.indexOf('_');
  let base = name, sub: string | undefined;
  if (us > 0 && us < name.length - 1) {
    base = name.slice(0, us);
    sub = name.slice(us + 1);
  } else {
    const m = /^(.*[^\d])(\d+)$/.exec(name);
    if (m) { base = m[1]!; sub = m[2]!; }
  }
  const b = namePart(base, bold);
  if (sub === undefined) return b;
  // A short lowercase index such as `ij` reads as indices, not as a word.
  const s = /^[a-z]{1,2}$/.test(sub) && !GREEK.has(sub) ? sub : namePart(sub, false);
  return `${b}_{${s}}`;
}

/** A number: integers exactly, others to 6 significant digits, `m \times 10^{e}` when tiny or huge. */
export function latexNumber(v: number): string {
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  const s = String(Number(v.toPrecision(6)));
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

function printNumber(v: number): Printed {
  const tex = latexNumber(v);
  return { tex, level: tex.startsWith('-') ? L.neg : tex.includes('\\times') ? L.mul : L.atom };
}

// ---------------------------------------------------------------------------------------------
// Shapes of a left-to-right product, to decide whether `A (B C)` may print as `A B C`

type Dims = readonly [rows: string | number, cols: string | number] | 'scalar';

const dimsOf = (s: Shape): Dims => {
  switch (s.kind) {
    case 'scalar': return 'scalar';
    case 'vector': return [s.n, 1];
    case 'row': return [1, s.n];
    case 'matrix': return [s.m, s.n];
  }
};

/** The shape of a*b read as a matrix product or scaling, or null when undefined. */
function productDims(a: Dims, b: Dims): Dims | null {
  if (a === 'scalar') return b;
  if (b === 'scalar') return a;
  if (a[1] !== b[0]) return null;
  return a[0] === 1 && b[1] === 1 ? 'scalar' : [a[0], b[1]];
}

// ---------------------------------------------------------------------------------------------
// Functions

interface CallView {
  readonly e: Expr & { readonly kind: 'call' };
  /** The full text of argument i (no parentheses added). */
  arg(i: number): string;
  /** A node (an argument, or a node inside one) as the base of a superscript. */
  base(x: Expr): string;
  /** Argument i as an operand of ⊗ (left or right). */
  kronOperand(i: number): string;
}

const op = (name: string) => (c: CallView): Printed =>
  atom(`${name}${paren(c.e.args.map((_, i) => c.arg(i)).join(', '))}`);

/** Elementwise functions with a scalar parameter print it as a subscript, default included. */
const withParam = (name: string, fn: 'leaky_relu' | 'elu') => (c: CallView): Printed => {
  const p = c.e.args.length > 1 ? c.arg(1) : latexNumber(FUNCTIONS[fn].params[0]);
  return atom(`${name}_{${p}}${paren(c.arg(0))}`);
};

const FN: { readonly [F in FnName]: (c: CallView) => Printed } = {
  exp: op('\\exp'),
  log: op('\\log'),
  sqrt: (c) => ({ tex: `\\sqrt{${c.arg(0)}}`, level: L.frac }),
  sin: op('\\sin'),
  cos: op('\\cos'),
  tan: op('\\tan'),
  tanh: op('\\tanh'),
  abs: (c) => atom(`\\lvert ${c.arg(0)}\\rvert`),
  sign: op('\\operatorname{sign}'),
  sigmoid: op('\\sigma'),
  relu: op('\\operatorname{relu}'),
  softplus: op('\\operatorname{softplus}'),
  step: (c) => atom(`\\mathbb{1}[${c.arg(0)} > 0]`),
  leaky_relu: withParam('\\operatorname{leaky\\_relu}', 'leaky_relu'),
  elu: withParam('\\operatorname{elu}', 'elu'),
  max: op('\\max'),
  sum: op('\\operatorname{sum}'),
  norm1: (c) => atom(`\\lVert ${c.arg(0)}\\rVert_1`),
  norm2: (c) => atom(`\\lVert ${c.arg(0)}\\rVert_${c.e.args[0]!.shape.kind === 'matrix' ? 'F' : '2'}`),
  tr: op('\\operatorname{tr}'),
  det: op('\\det'),
  logdet: op('\\log\\det'),
  logsumexp: op('\\operatorname{logsumexp}'),
  inv: (c) => {
    const x = c.e.args[0]!;
    // inv(X') prints like inv(X)': both are X^{-\top}.
    if (x.kind === 'transpose') return { tex: `${c.base(x.x)}^{-\\top}`, level: L.sup };
    return { tex: `${c.base(x)}^{-1}`, level: L.sup };
  },
  diag: op('\\operatorname{diag}'),
  softmax: op('\\operatorname{softmax}'),
  kron: (c) => ({ tex: `${c.kronOperand(0)} \\otimes ${c.kronOperand(1)}`, level: L.had, top: 'kron' }),
  vec: op('\\operatorname{vec}'),
};

// ---------------------------------------------------------------------------------------------
// The printer

/** Whether a space between two factors would run two upright words together. */
const WORD_END = /\\math(?:rm|bf)\{[^{}]{2,}\}$/;
const WORD_START = /^\\math(?:rm|bf)\{[^{}]{2,}\}/;

function separator(left: string, right: string): string {
  if (/^[\d.]/.test(right)) return ' \\cdot ';
  if (WORD_END.test(left) || WORD_START.test(right)) return '\\,';
  return ' ';
}

/** Prints `e` as LaTeX (math mode, no delimiters). */
export function toLatex(e: Expr, opts: LatexOptions = {}): string {
  const bold = opts.bold === true;
  const memo = new Map<Expr, Printed>();
  /** The factors of a product in print order, flattened where that keeps the reading well-shaped. */
  const factorMemo = new Map<Expr, readonly Expr[]>();
  const pr = (x: Expr): Printed => memo.get(x)!;
  const wrapIf = (x: Expr, ok: (p: Printed) => boolean): string => {
    const p = pr(x);
    return ok(p) ? p.tex : paren(p.tex);
  };
  /** A non-leading operand: never starts with a minus sign. */
  const okRight = (p: Printed, level: number): boolean => p.level >= level && !p.tex.startsWith('-');
  const base = (x: Expr): string => wrapIf(x, (p) => p.level >= L.atom);
  const isBold = (s: Shape): boolean => bold && s.kind !== 'scalar';

  const factors = (x: Expr): readonly Expr[] => {
    if (x.kind !== 'mul') return [x];
    const hit = factorMemo.get(x);
    if (hit !== undefined) return hit;
    const left = factors(x.a);
    let right: readonly Expr[] = [x.b];
    if (x.b.kind === 'mul') {
      const rf = factors(x.b);
      let d: Dims | null = dimsOf(x.a.shape);
      for (const f of rf) d = d === null ? null : productDims(d, dimsOf(f.shape));
      if (d !== null && !pr(rf[0]!).tex.startsWith('-')) right = rf;
    }
    // Scaling commutes with every product, and dropping scalars keeps a chain well-shaped: print
    // constants first (`2 A x`, not `A x 2`).
    const all = [...left, ...right];
    const out = [...all.filter((f) => f.kind === 'const'), ...all.filter((f) => f.kind !== 'const')];
    factorMemo.set(x, out);
    return out;
  };

  const printNode = (x: Expr): Printed => {
    switch (x.kind) {
      case 'var': return atom(latexName(x.name, isBold(x.shape)));
      case 'const': return printNumber(x.value);
      case 'zero': return atom(isBold(x.shape) ? '\\mathbf{0}' : '0');
      case 'ones':
        switch (x.shape.kind) {
          case 'row': return { tex: '\\mathbf{1}^\\top', level: L.sup };
          case 'matrix': return { tex: '\\mathbf{1}\\mathbf{1}^\\top', level: L.mul };
          default: return atom('\\mathbf{1}');
        }
      case 'eye': return atom(bold ? '\\mathbf{I}' : 'I');
      case 'neg':
        // -(A B) = (-A) B reads either way; -(x ⊙ y) and -(A ⊗ B) keep their parentheses.
        return { tex: `-${wrapIf(x.x, (p) => okRight(p, L.mul))}`, level: L.neg };
      case 'transpose': {
        const inner = x.x;
        if (inner.kind === 'call' && inner.fn === 'inv') return { tex: `${base(inner.args[0]!)}^{-\\top}`, level: L.sup };
        return { tex: `${base(inner)}^\\top`, level: L.sup };
      }
      case 'add': {
        // No operand needs parentheses: a sum on the right continues the chain (a + (b - c) is
        // a + b - c), and a leading minus of the right operand is a linear factor of it.
        const r = pr(x.b).tex;
        return { tex: `${pr(x.a).tex}${r.startsWith('-') ? ` - ${r.slice(1)}` : ` + ${r}`}`, level: L.add };
      }
      case 'mul': {
        const fs = factors(x);
        let tex = '';
        for (const [i, f] of fs.entries()) {
          // A leading factor may carry the sign; a constant in scientific form may lead too.
          if (i === 0) { tex = wrapIf(f, (p) => p.level >= L.neg || f.kind === 'const'); continue; }
          const s = wrapIf(f, (p) => okRight(p, L.sup));
          tex += separator(tex, s) + s;
        }
        return { tex, level: L.mul };
      }
      case 'emul': case 'ediv': {
        const sym = x.kind === 'emul' ? '\\odot' : '\\oslash';
        const left = wrapIf(x.a, (p) => p.level >= L.mul || p.top === 'emul' || p.top === 'ediv');
        const right = wrapIf(x.b, (p) => okRight(p, L.mul) || (x.kind === 'emul' && (p.top === 'emul' || p.top === 'ediv') && !p.tex.startsWith('-')));
        return { tex: `${left} ${sym} ${right}`, level: L.had, top: x.kind };
      }
      case 'div': return { tex: `\\frac{${pr(x.a).tex}}{${pr(x.b).tex}}`, level: L.frac };
      case 'pow': return { tex: `${base(x.a)}^{${pr(x.b).tex}}`, level: L.sup };
      case 'epow': return { tex: `${base(x.a)}^{\\circ ${wrapIf(x.b, (p) => p.level >= L.mul)}}`, level: L.sup };
      case 'call': {
        const view: CallView = {
          e: x,
          arg: (i) => pr(x.args[i]!).tex,
          base,
          kronOperand: (i) => wrapIf(x.args[i]!, (p) => p.top === 'kron'
            ? i === 0 || !p.tex.startsWith('-')
            : i === 0 ? p.level >= L.neg : okRight(p, L.sup)),
        };
        return FN[x.fn](view);
      }
      default: return assertNever(x);
    }
  };

  for (const node of postorder(e)) memo.set(node, printNode(node));
  return pr(e).tex;
}

// ---------------------------------------------------------------------------------------------
// Headings

export interface FracHeadingOptions {
  /** Write the last differential of a second derivative transposed, `\partial x\,\partial x^\top` (default true). */
  readonly transposeSecond?: boolean;
}

/** Whether a LaTeX string has a + or - outside every group, so `\partial` needs parentheses around it. */
function hasTopLevelSum(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (s.startsWith('\\left', i)) { depth++; i += 4; }
    else if (s.startsWith('\\right', i)) { depth--; i += 5; }
    else if (c === '\\') { while (i + 1 < s.length && /[A-Za-z]/.test(s[i + 1]!)) i++; }
    else if ((c === '+' || c === '-') && depth === 0) return true;
  }
  return false;
}

/**
 * The Leibniz heading of a derivative: `\frac{\partial f}{\partial X}`,
 * `\frac{\partial^2 f}{\partial x\,\partial x^\top}`, `\frac{\partial^3 f}{\partial x\,\partial x\,\partial x}`.
 * `f` and `wrt` are LaTeX (e.g. from toLatex and latexName); a sum in `f` is parenthesised.
 */
export function fracHeading(f: string, wrt: string, order = 1, opts: FracHeadingOptions = {}): string {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`a derivative's order is a positive integer, not ${order}`);
  const F = hasTopLevelSum(f) ? paren(f) : f;
  const power = order === 1 ? '' : order < 10 ? `^${order}` : `^{${order}}`;
  const ds = Array.from({ length: order }, () => `\\partial ${wrt}`);
  if (order === 2 && opts.transposeSecond !== false) ds[1] = `\\partial ${wrt}^\\top`;
  return `\\frac{\\partial${power} ${F}}{${ds.join('\\,')}}`;
}
