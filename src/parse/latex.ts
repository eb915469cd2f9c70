/**
 * LaTeX answers → the input syntax → IR.
 *
 * Students write answers the way they typeset them: `2Ax`, `A^\top x`, `\mathbf{x}^T A`,
 * `\frac{1}{2}\left(A + A^\top\right)x`, `\sigma(z) \odot (1 - \sigma(z))`, `X^{-\top}`,
 * `\operatorname{tr}(AX)`, `\lVert x \rVert_2^2`. This module reads that notation with a small
 * recursive-descent parser into a Surface tree (parse/surface.ts), prints it in the input syntax
 * (`latexToInput`, minimal parentheses, the text printer's precedence table) and parses that text
 * as usual (`parseLatex`), so the translation a user is shown is exactly what is checked.
 *
 * Reading rules (the Matrix Cookbook's and print/latex.ts's notation, so every toLatex output reads
 * back):
 *   - juxtaposition is a product; a run of letters `Ax` is a product of one-letter names unless a
 *     declared name matches (longest first: with W1 declared, `W1x` is W1*x), and `x_1`, `W_{1}`
 *     are names (W_1 reads as W1 when only W1 is declared);
 *   - ⊙ ⊘ ⊗ bind more loosely than juxtaposition (`x \odot A y` is x .* (A*y));
 *   - `^T` `^\top` `^{\mathsf{T}}` `'` transpose, `^{-1}` inverts (inv() for a matrix name), `^{-\top}`
 *     inverts and transposes, `^{\circ k}` is an elementwise power;
 *   - `I`, `I_n` and `\mathbf{I}` are the identity, `K_{m,n}` (two sizes) the commutation matrix,
 *     `\mathbf{1}` a vector of ones, `e^{x}` is exp(x) (unless I, K or e is a declared name),
 *     `\sigma(z)` is the logistic sigmoid;
 *   - `\log`, `\exp`, `\det`, `\operatorname{tr}` … apply to a parenthesised argument, or else to the
 *     juxtaposed product that follows (`\log\det X`, `\operatorname{tr} A X^\top`);
 *   - `\left`, `\right`, `\big…` and spacing commands (`\,` `\;` `\quad` `~`) are ignored.
 * Anything else — `\partial`, `\sum`, an unknown command, unbalanced braces — is a ParseError with
 * the column in the original text.
 */
import { ParseError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import { type TextPart, atomText, numberText, operatorText } from '../print/text.js';
import {
  FN_COMMAND_RUNS, FN_COMMANDS, FN_GREEK, FN_WORDS, FORM_FN, FRAC_COMMANDS, GREEK, HADAMARD_COMMANDS, PRODUCT_COMMANDS,
  PRODUCT_SYMBOLS, SUBSCRIPTED,
} from './latex-vocabulary.js';
import { type ParseOptions, parse, readDeclarations } from './parse.js';
import type { Surface, SurfaceOp } from './surface.js';

export interface LatexReadOptions {
  /** Names that may be variables; runs of letters are split against them, longest first. */
  readonly names?: readonly string[];
  /** Names known to be matrices, so that `X^{-1}` reads as inv(X) (else `^(-1)`). */
  readonly matrices?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Detection and delimiters

/** Whether the text carries a LaTeX marker: a command, a brace, `^{…}`, `^T` or `$`. */
export function looksLikeLatex(src: string): boolean {
  return /\\[A-Za-z,;:!| ]|\^\s*\{|\^\s*(?:T|\\top)|[{}$]/.test(src);
}

/**
 * The answer proper: math delimiters `$…$`, `$$…$$`, `\(…\)`, `\[…\]` and a trailing period or comma
 * stripped, and a left-hand side (`\frac{\partial f}{\partial x} = …`, `df/dx = …`) dropped — the
 * answer is the text after the last `=`.
 */
export function answerBody(src: string): string {
  const parts = stripMathDelimiters(src).split(/(?<![<>=!])=(?!=)/);
  return parts[parts.length - 1]!.trim();
}

/** Strips math delimiters `$…$`, `$$…$$`, `\(…\)`, `\[…\]` and a trailing period or comma. */
function stripMathDelimiters(src: string): string {
  let s = src.trim();
  for (const [open, close] of [['$$', '$$'], ['$', '$'], ['\\(', '\\)'], ['\\[', '\\]']] as const) {
    if (s.startsWith(open) && s.endsWith(close) && s.length >= open.length + close.length) {
      s = s.slice(open.length, s.length - close.length).trim();
      break;
    }
  }
  return s.replace(/[.,]\s*$/, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Tok =
  | { readonly k: 'cmd'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'num'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'word'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'sym'; readonly v: string; readonly col: number; readonly space: boolean };

/** Sizing commands: dropped, with a following `.` (the empty delimiter of `\right.`). */
const SIZING = new Set(['left', 'right', 'middle', 'big', 'Big', 'bigg', 'Bigg', 'bigl', 'bigr', 'Bigl', 'Bigr', 'biggl', 'biggr', 'Biggl', 'Biggr', 'displaystyle', 'textstyle']);
const SPACING = new Set(['quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'negthinspace']);

/** Tokens of `src`; columns count from `offset` (where `src` starts in the text the user wrote). */
function tokenize(src: string, offset: number): Tok[] {
  const out: Tok[] = [];
  let space = false;
  let i = 0;
  const push = (t: Omit<Tok, 'space'>) => { out.push({ ...t, space } as Tok); space = false; };
  while (i < src.length) {
    const c = src[i]!;
    const col = offset + i + 1;
    if (/\s/.test(c) || c === '~' || c === '&') { space = true; i++; continue; }
    if (c === '\\') {
      const m = /^\\([A-Za-z]+|.)/.exec(src.slice(i));
      if (!m) throw new ParseError('a backslash ends the text', col);
      const name = m[1]!;
      i += m[0].length;
      if (SIZING.has(name)) {
        while (i < src.length && /\s/.test(src[i]!)) i++;
        if (src[i] === '.') i++;
        continue;
      }
      if (SPACING.has(name) || name === ',' || name === ';' || name === ':' || name === '!' || name === ' ') { space = true; continue; }
      if (name === '{') { push({ k: 'sym', v: '(', col }); continue; }
      if (name === '}') { push({ k: 'sym', v: ')', col }); continue; }
      if (name === '_') { push({ k: 'sym', v: '_', col }); continue; }
      push({ k: 'cmd', v: name, col });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:\d+(?:\.\d+)?|\.\d+)/.exec(src.slice(i))!;
      i += m[0].length;
      push({ k: 'num', v: m[0], col });
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z][A-Za-z0-9]*/.exec(src.slice(i))!;
      i += m[0].length;
      push({ k: 'word', v: m[0], col });
      continue;
    }
    if (c === '.' && (src[i + 1] === '*' || src[i + 1] === '/' || src[i + 1] === '^')) {
      push({ k: 'sym', v: `.${src[i + 1]}`, col });
      i += 2;
      continue;
    }
    if ('+-*/^_\'()[]{}|,=<>'.includes(c)) { push({ k: 'sym', v: c, col }); i++; continue; }
    throw new ParseError(`the character ${JSON.stringify(c)} cannot be read here`, col);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

// Functions, infix commands and product symbols come from the vocabulary table (latex-vocabulary.ts).

/** Font commands whose argument is a name (or 1, 0, I, or a function name). */
const FONTS = new Set(['mathbf', 'boldsymbol', 'bm', 'mathit', 'mathrm', 'mathsf', 'vec', 'mathbfit', 'pmb', 'bf', 'operatorname', 'text', 'textrm', 'textit', 'textbf', 'mathbb', 'mathcal', 'mathnormal']);

const UNSUPPORTED: Readonly<Record<string, string>> = {
  partial: 'a partial derivative', nabla: 'a gradient symbol', sum: 'a sum with an index', prod: 'a product with an index',
  int: 'an integral', lim: 'a limit',
};

const num = (v: string): Surface => ({ t: 'num', value: Number(v) });
const name = (n: string): Surface => ({ t: 'name', name: n });
const op = (o: SurfaceOp, ...args: Surface[]): Surface => ({ t: 'op', op: o, args });
const call = (fn: string, ...args: Surface[]): Surface => ({ t: 'call', fn, args });
const ONES = call('vector', num('1'));
const product = (fs: readonly Surface[]): Surface => fs.reduce((a, b) => op('mul', a, b));
const EYE = name('eye');

// ---------------------------------------------------------------------------------------------
// The parser

class LatexReader {
  private i = 0;
  private absDepth = 0;
  private normDepth = 0;
  private readonly names: ReadonlySet<string>;
  private readonly matrices: ReadonlySet<string>;
  private readonly toks: Tok[];

  constructor(toks: readonly Tok[], private readonly end: number, opts: LatexReadOptions) {
    this.toks = [...toks];
    this.names = new Set(opts.names ?? []);
    this.matrices = new Set(opts.matrices ?? []);
  }

  /**
   * An unbraced superscript, subscript or argument is one character: `A^TA` is A^T A and `x^23`
   * is x^2 3. Splits the word or integer at the cursor after its first character.
   */
  private splitFirst(): void {
    const t = this.peek();
    if (t === undefined || t.v.length < 2 || !(t.k === 'word' || (t.k === 'num' && /^\d+$/.test(t.v)))) return;
    const first = { ...t, v: t.v[0]! } as Tok;
    const rest = { ...t, v: t.v.slice(1), col: t.col + 1, space: false } as Tok;
    this.toks.splice(this.i, 1, first, rest);
  }

  private peek(k = 0): Tok | undefined { return this.toks[this.i + k]; }
  private isSym(v: string, k = 0): boolean { const t = this.peek(k); return t?.k === 'sym' && t.v === v; }
  private isCmd(v: string, k = 0): boolean { const t = this.peek(k); return t?.k === 'cmd' && t.v === v; }
  private col(): number { return this.peek()?.col ?? this.end; }
  private fail(msg: string, col = this.col()): never { throw new ParseError(msg, col); }
  private next(): Tok { const t = this.peek(); if (!t) this.fail('the answer ends too early'); this.i++; return t; }

  private expectSym(v: string, what: string): void {
    if (!this.isSym(v)) this.fail(`expected ${what}${this.peek() ? ` but found ${show(this.peek()!)}` : ' but the answer ends'}`);
    this.i++;
  }

  read(): Surface {
    if (this.toks.length === 0) this.fail('the answer is empty', this.end);
    const e = this.sum();
    if (this.i < this.toks.length) this.fail(`unexpected ${show(this.peek()!)}`);
    return e;
  }

  /** sum := had (('+'|'-') had)* */
  private sum(): Surface {
    let acc = this.had();
    for (;;) {
      if (this.isSym('+')) { this.i++; acc = op('add', acc, this.had()); } else if (this.isSym('-')) { this.i++; acc = op('sub', acc, this.had()); } else return acc;
    }
  }

  /** had := prod (('\odot'|'\oslash'|'\otimes') prod)*  — looser than juxtaposition. */
  private had(): Surface {
    let acc = this.prod();
    for (;;) {
      const t = this.peek();
      const infix = t?.k === 'cmd' ? HADAMARD_COMMANDS.get(t.v) : undefined;
      if (infix === undefined) return acc;
      this.i++;
      const rhs = this.prod();
      acc = 'fn' in infix ? call(infix.fn, acc, rhs) : op(infix.op, acc, rhs);
    }
  }

  /** prod := unary ((explicit operator | juxtaposition) unary)*, products left-nested. */
  private prod(): Surface {
    let acc = product(this.unary());
    for (;;) {
      const t = this.peek();
      if (t === undefined) return acc;
      const explicit = t.k === 'sym' ? PRODUCT_SYMBOLS.get(t.v) : t.k === 'cmd' ? productOp(t.v) : undefined;
      if (explicit !== undefined) {
        this.i++;
        const [first, ...rest] = this.unary();
        acc = rest.reduce((a, f) => op('mul', a, f), op(explicit, acc, first!));
      } else if (this.startsAtom()) {
        acc = this.postfix().reduce((a, f) => op('mul', a, f), acc);
      } else return acc;
    }
  }

  /** Whether the next token can begin a juxtaposed factor. */
  private startsAtom(): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    switch (t.k) {
      case 'num': case 'word': return true;
      case 'sym': return t.v === '(' || t.v === '[' || t.v === '{' || (t.v === '|' && this.absDepth === 0);
      case 'cmd':
        if (t.v === '|' || t.v === 'Vert') return this.normDepth === 0;
        if (t.v === 'vert') return this.absDepth === 0;
        return !PRODUCT_COMMANDS.has(t.v) && !HADAMARD_COMMANDS.has(t.v) && t.v !== 'rVert' && t.v !== 'rvert' && t.v !== 'top';
    }
  }

  /** unary := ('-'|'+') unary | postfix; juxtaposed factors (a run `Ax`) come back as a list. */
  private unary(): Surface[] {
    if (this.isSym('-')) {
      this.i++;
      const [first, ...rest] = this.unary();
      return [op('neg', first!), ...rest];
    }
    if (this.isSym('+')) { this.i++; return this.unary(); }
    return this.postfix();
  }

  /** postfix := atom ('^' sup | "'")*, applied to the last factor of a run (`Ax^T` is A x^T). */
  private postfix(): Surface[] {
    const factors = this.atom();
    let e = factors.pop()!;
    for (;;) {
      if (this.isSym("'")) { this.i++; e = op('transpose', e); continue; }
      if (this.isSym('^')) { this.i++; e = this.superscript(e); continue; }
      if (this.isSym('_')) this.fail('a subscript can follow only a name, a norm or I');
      return [...factors, e];
    }
  }

  /** A transpose mark at the cursor (T, \top, \intercal, \prime, \mathsf{T}, …): tokens it spans, else 0. */
  private transposeMark(): number {
    const t = this.peek();
    if (t === undefined) return 0;
    if (t.k === 'word' && t.v === 'T') return 1;
    if (t.k === 'sym' && t.v === "'") return 1;
    if (t.k === 'cmd' && (t.v === 'top' || t.v === 'intercal' || t.v === 'prime')) return 1;
    if (t.k === 'cmd' && FONTS.has(t.v) && this.isSym('{', 1) && this.peek(2)?.k === 'word' && this.peek(2)!.v === 'T' && this.isSym('}', 3)) return 4;
    return 0;
  }

  private isMatrixName(name: string): boolean {
    return this.matrices.has(name) || (this.matrices.size === 0 && /^[A-Z]/.test(name));
  }

  /** Whether `s` is a matrix by its names alone: matrices under products, sums, transposes, inverses and scaling by numbers. */
  private isMatrixValued(s: Surface): boolean {
    switch (s.t) {
      case 'num': return false;
      case 'name': return this.isMatrixName(s.name);
      case 'call': return s.fn === FORM_FN.inverse && this.isMatrixValued(s.args[0]!);
      case 'op':
        switch (s.op) {
          case 'neg': case 'transpose': return this.isMatrixValued(s.args[0]!);
          case 'add': case 'sub': return s.args.every((a) => this.isMatrixValued(a));
          case 'mul': return s.args.some((a) => this.isMatrixValued(a)) && s.args.every((a) => a.t === 'num' || this.isMatrixValued(a));
          case 'pow': return this.isMatrixValued(s.args[0]!) && s.args[1]!.t === 'num';
          default: return false;
        }
    }
  }

  private inverse(base: Surface): Surface {
    const matrix = base.t === 'name' && this.isMatrixName(base.name);
    return matrix ? call(FORM_FN.inverse, base) : op('pow', base, op('neg', num('1')));
  }

  private superscript(base: Surface): Surface {
    if (!this.isSym('{')) {
      // One character: x^2, x^n, A^T, and the common slips X^-1, X^-T.
      this.splitFirst();
      const mark = this.transposeMark();
      if (mark > 0) { this.i += mark; return op('transpose', base); }
      if (this.isSym('-')) {
        this.i++;
        this.splitFirst();
        const m = this.transposeMark();
        if (m > 0) { this.i += m; return op('transpose', this.inverse(base)); }
        const t = this.next();
        if (t.k === 'num' && t.v === '1') return this.inverse(base);
        return op('pow', base, op('neg', this.single(t)));
      }
      return op('pow', base, this.single(this.next()));
    }
    const open = this.col();
    this.i++;
    const close = (): void => this.expectSym('}', `} to close the superscript opened at column ${open}`);
    const m = this.transposeMark();
    if (m > 0 && this.isSym('}', m)) { this.i += m; close(); return op('transpose', base); }
    if (this.isSym('-')) {
      const save = this.i;
      this.i++;
      const mt = this.transposeMark();
      if (mt > 0 && this.isSym('}', mt)) { this.i += mt; close(); return op('transpose', this.inverse(base)); }
      const t = this.peek();
      if (t?.k === 'num' && t.v === '1' && this.isSym('}', 1)) { this.i++; close(); return this.inverse(base); }
      this.i = save;
    }
    if (this.isCmd('circ')) {
      this.i++;
      const p = this.sum();
      close();
      return op('epow', base, p);
    }
    const p = this.sum();
    close();
    return op('pow', base, p);
  }

  /** A single-token argument (x^2, \frac12). */
  private single(t: Tok): Surface {
    if (t.k === 'num') return num(t.v);
    if (t.k === 'word') return product(this.word(t));
    if (t.k === 'cmd' && GREEK.has(t.v)) return name(t.v);
    return this.fail(`cannot read ${show(t)} as a superscript or argument`, t.col);
  }

  /** A braced group `{…}` or a single token. */
  private argument(): Surface {
    if (this.isSym('{')) {
      const open = this.col();
      this.i++;
      const e = this.sum();
      this.expectSym('}', `} to close the group opened at column ${open}`);
      return e;
    }
    this.splitFirst();
    return this.single(this.next());
  }

  /** The raw text of a braced group of words, digits, `\_` and greek letters (the argument of \mathbf, \operatorname, …). */
  private rawGroup(): string | undefined {
    if (!this.isSym('{')) {
      this.splitFirst();
      const t = this.peek();
      if (t?.k === 'word' || t?.k === 'num') { this.i++; return t.v; }
      if (t?.k === 'cmd' && GREEK.has(t.v)) { this.i++; return t.v; }
      return undefined;
    }
    let j = this.i + 1, text = '', depth = 0;
    for (; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.k === 'sym' && t.v === '}') { if (depth === 0) break; depth--; continue; }
      if (t.k === 'cmd' && FONTS.has(t.v) && this.toks[j + 1]?.k === 'sym' && this.toks[j + 1]!.v === '{') { depth++; j++; continue; }
      if (t.k === 'word' || t.k === 'num') text += t.v;
      else if (t.k === 'sym' && t.v === '_') text += '_';
      else if (t.k === 'cmd' && GREEK.has(t.v)) text += t.v;
      else return undefined;
    }
    if (j >= this.toks.length || text === '') return undefined;
    this.i = j + 1;
    return text;
  }

  private atom(): Surface[] {
    const t = this.peek();
    if (t === undefined) return this.fail('the answer ends where a value was expected');
    switch (t.k) {
      case 'num': this.i++; return [num(t.v)];
      case 'word': this.i++; return this.word(t);
      case 'sym': return [this.symAtom(t)];
      case 'cmd': return [this.cmdAtom(t)];
    }
  }

  private symAtom(t: Tok): Surface {
    const closer: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    if (closer[t.v] !== undefined) {
      this.i++;
      const saved = [this.absDepth, this.normDepth];
      this.absDepth = 0; this.normDepth = 0;
      const e = this.sum();
      [this.absDepth, this.normDepth] = saved as [number, number];
      this.expectSym(closer[t.v]!, `${closer[t.v]} to match the ${t.v} at column ${t.col}`);
      return e;
    }
    if (t.v === '|') {
      this.i++;
      return this.delimited('abs', () => this.isSym('|') || this.isCmd('rvert') || this.isCmd('vert'));
    }
    return this.fail(`unexpected ${show(t)}`, t.col);
  }

  /** |x| (abs) and ‖x‖ (norms, with _1, _2, _F and an optional square). */
  private delimited(kind: 'abs' | 'norm', atClose: () => boolean): Surface {
    const open = this.toks[this.i - 1]!;
    if (kind === 'abs') this.absDepth++; else this.normDepth++;
    const inner = this.sum();
    if (kind === 'abs') this.absDepth--; else this.normDepth--;
    if (!atClose()) this.fail(`expected the closing ${kind === 'abs' ? '|' : '\\|'} for the one at column ${open.col}`);
    this.i++;
    // |X| of a matrix is its determinant (the Matrix Cookbook's notation), of anything else abs.
    if (kind === 'abs') return call(this.isMatrixValued(inner) ? 'det' : FORM_FN.abs, inner);
    let fn: string = FORM_FN.norm2;
    if (this.isSym('_')) {
      this.i++;
      const col = this.col();
      const sub = this.rawGroup() ?? this.fail('a norm subscript is 1, 2 or F', col);
      if (sub === '1') fn = FORM_FN.norm1;
      else if (sub !== '2' && sub !== 'F') this.fail(`the ${sub}-norm is not supported: use 1, 2 or F`, col);
    }
    return call(fn, inner);
  }

  private cmdAtom(t: Tok): Surface {
    const v = t.v;
    this.i++;
    if (v === '|' || v === 'Vert' || v === 'lVert') return this.delimited('norm', () => this.isCmd('|') || this.isCmd('rVert') || this.isCmd('Vert'));
    if (v === 'lvert' || v === 'vert') return this.delimited('abs', () => this.isCmd('rvert') || this.isCmd('vert') || this.isSym('|'));
    if (FRAC_COMMANDS.has(v)) {
      const a = this.argument();
      const b = this.argument();
      return op('div', a, b);
    }
    if (v === 'sqrt') {
      if (this.isSym('[')) this.fail('only square roots are supported');
      return call(FORM_FN.sqrt, this.argument());
    }
    if (v === 'mathbb' && this.isSym('{') && this.peek(1)?.k === 'num' && this.peek(1)!.v === '1' && this.isSym('}', 2)) {
      this.i += 3;
      return this.isSym('[') ? this.indicator() : ONES;
    }
    if (FONTS.has(v)) return this.font(v, t);
    const run = FN_COMMAND_RUNS.find(([cmds]) => cmds[0] === v && cmds.every((c, k) => k === 0 || this.isCmd(c, k - 1)));
    if (run !== undefined) { this.i += run[0].length - 1; return this.application(run[1], t); }
    const command = FN_COMMANDS.get(v);
    if (command !== undefined) return this.application(command, t);
    // σ(z) is the sigmoid even when σ is also a declared name; a bare σ is that name.
    const greekFn = FN_GREEK.get(v);
    if (greekFn !== undefined && (!this.names.has(v) || this.isSym('(') || (this.isSym("'") && this.isSym('(', 1)))) {
      // σ'(z), the logistic's derivative as ML notes write it: σ(z) ⊙ (1 − σ(z)).
      if (greekFn === 'sigmoid' && this.isSym("'")) {
        this.i++;
        const s = this.application(greekFn, t);
        return op('emul', s, op('sub', num('1'), s));
      }
      return this.application(greekFn, t);
    }
    if (GREEK.has(v)) return this.named(v);
    if (v === 'pi') return name('pi');
    if (v === 'top') return this.fail('\\top must follow ^ (write A^\\top)', t.col);
    if (UNSUPPORTED[v] !== undefined) return this.fail(`\\${v} (${UNSUPPORTED[v]}) cannot be read in an answer: write the derivative's value`, t.col);
    return this.fail(`unknown LaTeX command \\${v}`, t.col);
  }

  /** \mathbb{1}[a > b]: the indicator, step(a - b). */
  private indicator(): Surface {
    const open = this.col();
    this.i++;
    const a = this.sum();
    if (!this.isSym('>')) this.fail('expected > inside the indicator \\mathbb{1}[…]');
    this.i++;
    const b = this.sum();
    this.expectSym(']', `] to close the indicator opened at column ${open}`);
    return call(FORM_FN.indicator, b.t === 'num' && b.value === 0 ? a : op('sub', a, b));
  }

  private font(v: string, t: Tok): Surface {
    const raw = this.rawGroup();
    if (raw === undefined) {
      if (v === 'operatorname' || v === 'text' || v === 'mathrm') return this.fail(`cannot read the argument of \\${v}`, t.col);
      return this.argument();
    }
    if (raw === '1') return ONES;
    if (raw === '0') return num('0');
    if (raw === 'I' && !this.names.has('I')) return this.identity();
    const fn = FN_WORDS.get(raw);
    if (fn !== undefined && !this.names.has(raw)) {
      if (SUBSCRIPTED.has(fn)) return this.application(fn, t, this.paramSubscript());
      return this.application(fn, t);
    }
    // Upright text is one word (\mathrm{loss}); bold or italic letters are a product like any run (\mathbf{Ax}).
    const upright = v === 'mathrm' || v === 'operatorname' || v === 'text' || v === 'textrm';
    if (upright || this.names.has(raw) || !/^[A-Za-z][A-Za-z0-9]*$/.test(raw)) return this.named(raw);
    return product(this.word({ ...t, k: 'word', v: raw }));
  }

  /** `_{0.01}` after leaky_relu / elu: the function's parameter. */
  private paramSubscript(): Surface | undefined {
    if (!this.isSym('_')) return undefined;
    this.i++;
    return this.argument();
  }

  /** I, I_n, I_3: the identity. */
  private identity(): Surface {
    if (!this.isSym('_')) return EYE;
    this.i++;
    const sub = this.rawGroup() ?? this.fail('the size of I is a name or a number');
    return call('eye', /^\d+$/.test(sub) ? num(sub) : name(sub));
  }

  /** Whether a subscript `_{a, b}` with two sizes follows (K_{m,n}: the commutation matrix). */
  private twoSizeSubscript(): boolean {
    if (!this.isSym('_') || !this.isSym('{', 1)) return false;
    for (let j = this.i + 2, depth = 0; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.k !== 'sym') continue;
      if (t.v === '{' || t.v === '(') depth++;
      else if (t.v === ')') depth--;
      else if (t.v === '}') { if (depth === 0) return false; depth--; } else if (t.v === ',' && depth === 0) return true;
    }
    return false;
  }

  /** K_{m,n}: the commutation matrix, its sizes read as products of names and numbers (K_{m,kn}). */
  private commutation(): Surface {
    const open = this.peek(1)!.col;
    this.i += 2;
    const m = this.sum();
    this.expectSym(',', 'the second size of K_{m,n}');
    const n = this.sum();
    this.expectSym('}', `} to close the subscript opened at column ${open}`);
    return call('commutation', m, n);
  }

  /** A name with an optional subscript, resolved against the declared names. */
  private named(base: string): Surface {
    if (!this.isSym('_')) return name(base);
    this.i++;
    const sub = this.rawGroup() ?? this.fail(`cannot read the subscript of ${base}`);
    const joined = `${base}_${sub}`, glued = `${base}${sub}`;
    if (!this.names.has(joined) && this.names.has(glued)) return name(glued);
    return name(joined);
  }

  /** A function applied to `( … )` (several arguments allowed), `{ … }`, or the juxtaposed product that follows. */
  private application(fn: string, t: Tok, param?: Surface): Surface {
    const extra = param ? [param] : [];
    if (this.isSym('(') || this.isSym('[')) {
      const close = this.isSym('(') ? ')' : ']';
      const open = this.col();
      this.i++;
      const args = [this.sum()];
      while (this.isSym(',')) { this.i++; args.push(this.sum()); }
      this.expectSym(close, `${close} to close the arguments of ${fn} opened at column ${open}`);
      return call(fn, ...args, ...extra);
    }
    if (this.isSym('{')) return call(fn, this.argument(), ...extra);
    if (!this.startsAtom()) this.fail(`${fn} needs an argument`, t.col);
    const factors = this.postfix();
    while (this.startsAtom()) factors.push(...this.postfix());
    return call(fn, product(factors), ...extra);
  }

  /**
   * A run of letters and digits: split into declared names (longest first), function names before
   * a parenthesis, I and e^…, and one-letter names; the pieces multiply.
   */
  private word(t: Tok): Surface[] {
    const w = t.v;
    const pieces: Surface[] = [];
    let pos = 0;
    while (pos < w.length) {
      const rest = w.slice(pos);
      const last = (len: number) => pos + len === w.length;
      const digits = /^\d+/.exec(rest);
      if (digits) { pieces.push(num(digits[0])); pos += digits[0].length; continue; }
      let known = '';
      for (const n of this.names) if (rest.startsWith(n) && n.length > known.length) known = n;
      const fn = FN_WORDS.get(rest);
      if (fn !== undefined && !this.names.has(rest) && (this.isSym('(') || this.isSym('[') || this.isSym('{'))) {
        pieces.push(this.application(fn, t));
        pos = w.length;
        continue;
      }
      if (known !== '') {
        pieces.push(last(known.length) ? this.named(known) : name(known));
        pos += known.length;
        continue;
      }
      const c = rest[0]!;
      if (c === 'I' && !this.names.has('I')) { pieces.push(last(1) ? this.identity() : EYE); pos++; continue; }
      if (c === 'K' && last(1) && !this.names.has('K') && this.twoSizeSubscript()) { pieces.push(this.commutation()); pos++; continue; }
      if (c === 'e' && last(1) && !this.names.has('e') && this.isSym('^')) {
        this.i++;
        pieces.push(call('exp', this.argument()));
        pos++;
        continue;
      }
      pieces.push(last(1) ? this.named(c) : name(c));
      pos++;
    }
    return pieces;
  }
}

/** An explicit product command (\cdot, \times, \ast) as its operator. */
function productOp(cmd: string): SurfaceOp | undefined {
  const infix = PRODUCT_COMMANDS.get(cmd);
  return infix !== undefined && 'op' in infix ? infix.op : undefined;
}

function show(t: Tok): string {
  return t.k === 'cmd' ? `\\${t.v}` : JSON.stringify(t.v);
}

// ---------------------------------------------------------------------------------------------
// Printing in the input syntax: the text printer's operatorText over the Surface tree, so the
// translation has the fewest parentheses that keep its reading.

function surfaceToInput(s: Surface): TextPart {
  switch (s.t) {
    case 'num': return numberText(s.value);
    case 'name': return atomText(s.name);
    case 'call': return atomText(`${s.fn}(${s.args.map((a) => surfaceToInput(a).text).join(', ')})`);
    case 'op': return operatorText(s.op, s.args.map(surfaceToInput));
  }
}

/** Translates a LaTeX answer to the input syntax; throws ParseError (with the LaTeX column). */
export function latexToInput(src: string, opts: LatexReadOptions = {}): string {
  const text = answerBody(src);
  const offset = Math.max(0, src.lastIndexOf(text));
  return surfaceToInput(new LatexReader(tokenize(text, offset), offset + text.length + 1, opts).read()).text;
}

/** Reads a LaTeX answer as IR: translate, then parse the translation with the given declarations. */
export function parseLatex(src: string, opts: ParseOptions & LatexReadOptions = {}): Expr {
  const vars = readDeclarations(opts.vars);
  const names = opts.names ?? Object.keys(vars);
  const matrices = opts.matrices ?? Object.entries(vars).filter(([, d]) => d.dims.length === 2).map(([n]) => n);
  const input = latexToInput(src, { names, matrices });
  return parse(input, { vars });
}
