/**
 * LaTeX printer: IR → the notation of the Matrix Cookbook, valid KaTeX (tests render every output).
 * It is the LaTeX view of the vocabulary table (ir/operators.ts): each operator's template and
 * binding, each function's LaTeX form.
 *
 * Notation: products by juxtaposition (`x^\top A x`, `2 A x`; `\cdot` only before a factor that
 * starts with a digit), `^\top`, `X^{-1}` and `X^{-\top}`, `\odot` `\oslash` `\otimes`, `x^{\circ 2}`,
 * `\frac{a}{b}` for division by a scalar, operator names for functions.
 *
 * Parentheses: minimal, by the shared policy `needsParens` over the rows' LaTeX bindings, which
 * differ from the input syntax's only to remove ambiguity for a reader:
 *   - juxtaposition binds tighter than ⊙ and ⊘ (`x \odot A y` is x ⊙ (A y), as in ML papers), and
 *     ⊗ never mixes with either, nor takes a product, without parentheses;
 *   - a superscript never sits on a superscripted base (`\left(A^\top\right)^{2}`; KaTeX rejects
 *     `A^\top^{2}`), nor on a fraction, square root or product: its base must be an atom;
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
import { FUNCTIONS } from '../ir/functions.js';
import {
  GREEK_LETTERS,
  type Binding,
  type FunctionLatex,
  LATEX,
  type LatexForm,
  OPERATORS,
  type Operand,
  type Side,
  needsParens,
} from '../ir/operators.js';
import { postorder } from '../ir/walk.js';
import type { Dim, Shape } from '../shape/shape.js';

export interface LatexOptions {
  /** Print vector and matrix variables (and I, 0) in bold: `\mathbf{x}`, `\mathbf{A}`, `\boldsymbol{\Sigma}`. */
  readonly bold?: boolean;
}

/** What a node printed as: its text, and how it binds as an operand (`signed`: it starts with a minus). */
export interface Printed extends Operand {
  readonly tex: string;
}

const printed = (tex: string, prec: number, op?: string): Printed =>
  op === undefined ? { tex, prec, signed: tex.startsWith('-') } : { tex, prec, op, signed: tex.startsWith('-') };
const atom = (tex: string): Printed => printed(tex, LATEX.atom);
const paren = (tex: string): string => `\\left(${tex}\\right)`;
/** An operand in its slot: parenthesised when the shared policy says so. */
const put = (p: Printed, parent: Binding, side: Side): string => (needsParens(parent, p, side) ? paren(p.tex) : p.tex);
/** Fills a template's #1, #2 with operand texts. */
const fill = (template: string, parts: readonly string[]): string =>
  template.replace(/#([12])/g, (_, i: string) => parts[Number(i) - 1]!);
/** The base of a superscript (`X^{-1}`, `A^\top`, `x^{2}`) must be an atom. */
const SUPERSCRIPT = OPERATORS.pow.latex;

// ---------------------------------------------------------------------------------------------
// Names and numbers

const GREEK: ReadonlySet<string> = new Set(GREEK_LETTERS);

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
  let base = name,
    sub: string | undefined;
  if (us > 0 && us < name.length - 1) {
    base = name.slice(0, us);
    sub = name.slice(us + 1);
  } else {
    const m = /^(.*[^\d])(\d+)$/.exec(name);
    if (m) {
      base = m[1]!;
      sub = m[2]!;
    }
  }
  const b = namePart(base, bold);
  if (sub === undefined) return b;
  // A short lowercase index such as `ij` reads as indices, not as a word.
  const s = /^[a-z]{1,2}$/.test(sub) && !GREEK.has(sub) ? sub : namePart(sub, false);
  return `${b}_{${s}}`;
}

/**
 * How matcalc's LaTeX is rendered by KaTeX, everywhere it is rendered (CLI HTML, backprop pages, the
 * playground, the tests). maxExpand: KaTeX counts each \operatorname or \mathrm as a macro expansion
 * and stops at 1000 (a guard against user macros that loop, which our output never has); a third
 * derivative of softmax(softmax(W*x)) has more, and is a valid formula all the same.
 */
export const KATEX_OPTIONS = { displayMode: true, throwOnError: true, maxExpand: 100_000 } as const;

/** A number: integers exactly, others to 6 significant digits, `m \times 10^{e}` when tiny or huge. */
export function latexNumber(v: number): string {
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  const s = String(Number(v.toPrecision(6)));
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

/**
 * A number binds like an atom; a negative one like a unary minus, and so does one in scientific
 * notation (m × 10^e): it may lead a product but follows no factor.
 */
/** A dimension as a subscript: n, 3, kn for a product k·n. */
const latexDim = (d: Dim): string =>
  typeof d === 'number'
    ? String(d)
    : d
        .split('·')
        .map((f) => namePart(f, false))
        .join('');

function printNumber(v: number): Printed {
  const tex = latexNumber(v);
  return printed(tex, tex.startsWith('-') || tex.includes('\\times') ? LATEX.prefix : LATEX.atom);
}

// ---------------------------------------------------------------------------------------------
// Shapes of a left-to-right product, to decide whether `A (B C)` may print as `A B C`

type Dims = readonly [rows: string | number, cols: string | number] | 'scalar';

const dimsOf = (s: Shape): Dims => {
  switch (s.kind) {
    case 'scalar':
      return 'scalar';
    case 'vector':
      return [s.n, 1];
    case 'row':
      return [1, s.n];
    case 'matrix':
      return [s.m, s.n];
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
// Functions: one printer per LaTeX form of the vocabulary table

interface CallView {
  readonly e: Expr & { readonly kind: 'call' };
  /** Argument i as printed. */
  arg(i: number): Printed;
  /** A node (an argument, or a node inside one) as printed. */
  node(x: Expr): Printed;
}

type FormPrinter<F extends LatexForm> = (c: CallView, form: Extract<FunctionLatex, { form: F }>) => Printed;

const FORMS: { readonly [F in LatexForm]: FormPrinter<F> } = {
  apply: (c, f) => atom(`${f.name}${paren(c.e.args.map((_, i) => c.arg(i).tex).join(', '))}`),
  // The scalar parameter as a subscript, default included.
  subscripted: (c, f) => {
    const p = c.e.args.length > 1 ? c.arg(1).tex : latexNumber(FUNCTIONS[c.e.fn].params[0] ?? 0);
    return atom(`${f.name}_{${p}}${paren(c.arg(0).tex)}`);
  },
  sqrt: (c) => printed(`\\sqrt{${c.arg(0).tex}}`, LATEX.closed),
  // |X| of a matrix reads as its determinant (parse/latex.ts), so entrywise abs of a matrix is spelt out.
  abs: (c) =>
    atom(c.e.shape.kind === 'matrix' ? `\\operatorname{abs}${paren(c.arg(0).tex)}` : `\\lvert ${c.arg(0).tex}\\rvert`),
  norm: (c, f) =>
    atom(
      `\\lVert ${c.arg(0).tex}\\rVert_${f.p === 'param' ? `{${c.arg(1).tex}}` : f.p === 1 ? '1' : c.e.args[0]!.shape.kind === 'matrix' ? 'F' : '2'}`,
    ),
  indicator: (c) => atom(`\\mathbb{1}[${c.arg(0).tex} > 0]`),
  inverse: (c) => {
    const x = c.e.args[0]!;
    // inv(X') prints like inv(X)': both are X^{-\top}.
    if (x.kind === 'transpose') return printed(`${put(c.node(x.x), SUPERSCRIPT, 'left')}^{-\\top}`, LATEX.superscript);
    return printed(`${put(c.arg(0), SUPERSCRIPT, 'left')}^{-1}`, LATEX.superscript);
  },
  infix: (c, f) =>
    printed(
      `${put(c.arg(0), f.binding, 'left')} ${f.symbol} ${put(c.arg(1), f.binding, 'right')}`,
      f.binding.prec,
      c.e.fn,
    ),
};

function printCall(c: CallView): Printed {
  // tr(eye(n)) is how the language writes the size n of a dimension (a mean's 1/n): the identity's
  // size is printed, I_{n} (which the LaTeX reader reads back), where a bare I would leave it open.
  const x = c.e.args[0]!;
  if (c.e.fn === 'tr' && x.kind === 'eye') {
    const n = (x.shape as { n: Dim }).n;
    if (typeof n === 'number' || !n.includes('·')) return atom(`\\operatorname{tr}${paren(`I_{${latexDim(n)}}`)}`);
  }
  const form = FUNCTIONS[c.e.fn].latex;
  return (FORMS[form.form] as FormPrinter<typeof form.form>)(c, form as never);
}

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
  return latexPart(e, opts).tex;
}

/** `e` as LaTeX, with how it binds as an operand (for printers that wrap it, such as index notation). */
export function latexPart(e: Expr, opts: LatexOptions = {}): Printed {
  const bold = opts.bold === true;
  const memo = new Map<Expr, Printed>();
  /** The factors of a product in print order, flattened where that keeps the reading well-shaped. */
  const factorMemo = new Map<Expr, readonly Expr[]>();
  const pr = (x: Expr): Printed => memo.get(x)!;
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
      if (d !== null && !pr(rf[0]!).signed) right = rf;
    }
    // Scaling commutes with every product, and dropping scalars keeps a chain well-shaped: print
    // constants first (`2 A x`, not `A x 2`).
    const all = [...left, ...right];
    const out = [...all.filter((f) => f.kind === 'const'), ...all.filter((f) => f.kind !== 'const')];
    factorMemo.set(x, out);
    return out;
  };

  /** A binary operator by its row: template, binding, and the operator at the top of the result. */
  const binary = (op: 'emul' | 'ediv' | 'div' | 'pow' | 'epow', a: Expr, b: Expr): Printed => {
    const row = OPERATORS[op].latex;
    return printed(fill(row.template, [put(pr(a), row, 'left'), put(pr(b), row, 'right')]), row.prec, op);
  };

  const printNode = (x: Expr): Printed => {
    switch (x.kind) {
      case 'var':
        return atom(latexName(x.name, isBold(x.shape)));
      case 'const':
        return printNumber(x.value);
      case 'zero':
        return atom(isBold(x.shape) ? '\\mathbf{0}' : '0');
      case 'ones':
        switch (x.shape.kind) {
          case 'row':
            return printed('\\mathbf{1}^\\top', LATEX.superscript);
          case 'matrix':
            return printed('\\mathbf{1}\\mathbf{1}^\\top', LATEX.product);
          default:
            return atom('\\mathbf{1}');
        }
      case 'eye':
        return atom(bold ? '\\mathbf{I}' : 'I');
      case 'commutation':
        return atom(`${bold ? '\\mathbf{K}' : 'K'}_{${latexDim(x.m)},${latexDim(x.n)}}`);
      case 'neg': {
        // -(A B) = (-A) B reads either way; -(x ⊙ y) and -(A ⊗ B) keep their parentheses.
        const row = OPERATORS.neg.latex;
        return printed(fill(row.template, [put(pr(x.x), row, 'right')]), row.prec, 'neg');
      }
      case 'transpose': {
        const inner = x.x;
        if (inner.kind === 'call' && inner.fn === 'inv')
          return printed(`${put(pr(inner.args[0]!), SUPERSCRIPT, 'left')}^{-\\top}`, LATEX.superscript);
        const row = OPERATORS.transpose.latex;
        return printed(fill(row.template, [put(pr(inner), row, 'left')]), row.prec, 'transpose');
      }
      case 'add': {
        // A sum on the right continues the chain (a + (b - c) is a + b - c), and a leading minus of
        // the right operand is a linear factor of it: a + (-b) prints as a - b.
        const r = pr(x.b);
        if (r.signed)
          return printed(
            fill(OPERATORS.sub.latex.template, [put(pr(x.a), OPERATORS.sub.latex, 'left'), r.tex.slice(1)]),
            LATEX.sum,
            'sub',
          );
        const row = OPERATORS.add.latex;
        return printed(fill(row.template, [put(pr(x.a), row, 'left'), put(r, row, 'right')]), row.prec, 'add');
      }
      case 'mul': {
        const row = OPERATORS.mul.latex;
        let tex = '';
        for (const [i, f] of factors(x).entries()) {
          if (i === 0) {
            tex = put(pr(f), row, 'left');
            continue;
          }
          const s = put(pr(f), row, 'right');
          tex += separator(tex, s) + s;
        }
        return printed(tex, row.prec, 'mul');
      }
      case 'emul':
      case 'ediv':
      case 'div':
      case 'pow':
      case 'epow':
        return binary(x.kind, x.a, x.b);
      case 'call':
        return printCall({ e: x, arg: (i) => pr(x.args[i]!), node: pr });
      default:
        return assertNever(x);
    }
  };

  for (const node of postorder(e)) memo.set(node, printNode(node));
  return pr(e);
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
    else if (s.startsWith('\\left', i)) {
      depth++;
      i += 4;
    } else if (s.startsWith('\\right', i)) {
      depth--;
      i += 5;
    } else if (c === '\\') {
      while (i + 1 < s.length && /[A-Za-z]/.test(s[i + 1]!)) i++;
    } else if ((c === '+' || c === '-') && depth === 0) return true;
  }
  return false;
}

/**
 * The Leibniz heading of a derivative: `\frac{\partial f}{\partial X}`,
 * `\frac{\partial^2 f}{\partial x\,\partial x^\top}`, `\frac{\partial^3 f}{\partial x\,\partial x\,\partial x}`.
 * `f` and `wrt` are LaTeX (e.g. from toLatex and latexName); a sum in `f` is parenthesised.
 */
export function fracHeading(f: string, wrt: string, order = 1, opts: FracHeadingOptions = {}): string {
  if (!Number.isInteger(order) || order < 1)
    throw new RangeError(`a derivative's order is a positive integer, not ${order}`);
  const F = hasTopLevelSum(f) ? paren(f) : f;
  const power = order === 1 ? '' : order < 10 ? `^${order}` : `^{${order}}`;
  const ds = Array.from({ length: order }, () => `\\partial ${wrt}`);
  if (order === 2 && opts.transposeSecond !== false) ds[1] = `\\partial ${wrt}^\\top`;
  return `\\frac{\\partial${power} ${F}}{${ds.join('\\,')}}`;
}
