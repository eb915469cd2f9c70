/**
 * The LaTeX answer reader: tokens (latex-lexer.ts) → a Surface tree (parse/surface.ts).
 *
 * Students write answers the way they typeset them: `2Ax`, `A^\top x`, `\mathbf{x}^T A`,
 * `\frac{1}{2}\left(A + A^\top\right)x`, `\sigma(z) \odot (1 - \sigma(z))`, `X^{-\top}`,
 * `\operatorname{tr}(AX)`, `\lVert x \rVert_2^2`. A small recursive-descent parser reads that
 * notation into a Surface tree: its levels (sums, products, postfix) are latex-grammar.ts, its atoms
 * this module; latex.ts prints the tree in the input syntax and parses that text as usual.
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
import type { Surface } from './surface.js';
import { type Tok, show } from './latex-lexer.js';
import { LatexGrammar, call, name, num, op, product } from './latex-grammar.js';
import {
  FN_COMMAND_RUNS,
  FN_COMMANDS,
  FN_GREEK,
  FN_WORDS,
  FONTS,
  FORM_FN,
  FRAC_COMMANDS,
  GREEK,
  SUBSCRIPTED,
  UNSUPPORTED,
} from './latex-vocabulary.js';

const ONES = call('vector', num('1'));
const EYE = name('eye');

/** The atoms of an answer: numbers, runs of letters, names, commands, functions and their arguments, delimiters. */
export class LatexReader extends LatexGrammar {
  /** The raw text of a braced group of words, digits, `\_` and greek letters (the argument of \mathbf, \operatorname, …). */
  private rawGroup(): string | undefined {
    if (!this.isSym('{')) {
      this.splitFirst();
      const t = this.peek();
      if (t?.k === 'word' || t?.k === 'num') {
        this.i++;
        return t.v;
      }
      if (t?.k === 'cmd' && GREEK.has(t.v)) {
        this.i++;
        return t.v;
      }
      return undefined;
    }
    let j = this.i + 1,
      text = '',
      depth = 0;
    for (; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.k === 'sym' && t.v === '}') {
        if (depth === 0) break;
        depth--;
        continue;
      }
      if (t.k === 'cmd' && FONTS.has(t.v) && this.toks[j + 1]?.k === 'sym' && this.toks[j + 1]!.v === '{') {
        depth++;
        j++;
        continue;
      }
      if (t.k === 'word' || t.k === 'num') text += t.v;
      else if (t.k === 'sym' && t.v === '_') text += '_';
      else if (t.k === 'cmd' && GREEK.has(t.v)) text += t.v;
      else return undefined;
    }
    if (j >= this.toks.length || text === '') return undefined;
    this.i = j + 1;
    return text;
  }

  protected atom(): Surface[] {
    const t = this.peek();
    if (t === undefined) return this.fail('the answer ends where a value was expected');
    switch (t.k) {
      case 'num':
        this.i++;
        return [num(t.v)];
      case 'word':
        this.i++;
        return this.word(t);
      case 'sym':
        return [this.symAtom(t)];
      case 'cmd':
        return [this.cmdAtom(t)];
    }
  }

  private symAtom(t: Tok): Surface {
    const closer: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    if (closer[t.v] !== undefined) {
      this.i++;
      const saved = [this.absDepth, this.normDepth];
      this.absDepth = 0;
      this.normDepth = 0;
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
    if (kind === 'abs') this.absDepth++;
    else this.normDepth++;
    const inner = this.sum();
    if (kind === 'abs') this.absDepth--;
    else this.normDepth--;
    if (!atClose()) this.fail(`expected the closing ${kind === 'abs' ? '|' : '\\|'} for the one at column ${open.col}`);
    this.i++;
    // |X| of a matrix is its determinant (the Matrix Cookbook's notation), of anything else abs.
    if (kind === 'abs') return call(this.isMatrixValued(inner) ? 'det' : FORM_FN.abs, inner);
    let fn: string = FORM_FN.norm2;
    if (this.isSym('_')) {
      this.i++;
      const col = this.col();
      const sub = this.rawGroup() ?? this.fail('a norm subscript is a number p ≥ 1 or F', col);
      if (sub === '1') fn = FORM_FN.norm1;
      else if (/^\d+(\.\d+)?$/.test(sub) && sub !== '2')
        return call(FORM_FN.normp, inner, { t: 'num', value: Number(sub) });
      else if (sub !== '2' && sub !== 'F') this.fail(`the ${sub}-norm is not supported: use a number p ≥ 1 or F`, col);
    }
    return call(fn, inner);
  }

  private cmdAtom(t: Tok): Surface {
    const v = t.v;
    this.i++;
    if (v === '|' || v === 'Vert' || v === 'lVert')
      return this.delimited('norm', () => this.isCmd('|') || this.isCmd('rVert') || this.isCmd('Vert'));
    if (v === 'lvert' || v === 'vert')
      return this.delimited('abs', () => this.isCmd('rvert') || this.isCmd('vert') || this.isSym('|'));
    if (FRAC_COMMANDS.has(v)) {
      const a = this.argument();
      const b = this.argument();
      return op('div', a, b);
    }
    if (v === 'sqrt') {
      if (this.isSym('[')) this.fail('only square roots are supported');
      return call(FORM_FN.sqrt, this.argument());
    }
    if (
      v === 'mathbb' &&
      this.isSym('{') &&
      this.peek(1)?.k === 'num' &&
      this.peek(1)!.v === '1' &&
      this.isSym('}', 2)
    ) {
      this.i += 3;
      return this.isSym('[') ? this.indicator() : ONES;
    }
    if (FONTS.has(v)) return this.font(v, t);
    const run = FN_COMMAND_RUNS.find(
      ([cmds]) => cmds[0] === v && cmds.every((c, k) => k === 0 || this.isCmd(c, k - 1)),
    );
    if (run !== undefined) {
      this.i += run[0].length - 1;
      return this.application(run[1], t);
    }
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
    if (UNSUPPORTED[v] !== undefined)
      return this.fail(`\\${v} (${UNSUPPORTED[v]}) cannot be read in an answer: write the derivative's value`, t.col);
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
      if (v === 'operatorname' || v === 'text' || v === 'mathrm')
        return this.fail(`cannot read the argument of \\${v}`, t.col);
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
      else if (t.v === '}') {
        if (depth === 0) return false;
        depth--;
      } else if (t.v === ',' && depth === 0) return true;
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
    const joined = `${base}_${sub}`,
      glued = `${base}${sub}`;
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
      while (this.isSym(',')) {
        this.i++;
        args.push(this.sum());
      }
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
  protected word(t: Tok): Surface[] {
    const w = t.v;
    const pieces: Surface[] = [];
    let pos = 0;
    while (pos < w.length) {
      const rest = w.slice(pos);
      const last = (len: number) => pos + len === w.length;
      const digits = /^\d+/.exec(rest);
      if (digits) {
        pieces.push(num(digits[0]));
        pos += digits[0].length;
        continue;
      }
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
      if (c === 'I' && !this.names.has('I')) {
        pieces.push(last(1) ? this.identity() : EYE);
        pos++;
        continue;
      }
      if (c === 'K' && last(1) && !this.names.has('K') && this.twoSizeSubscript()) {
        pieces.push(this.commutation());
        pos++;
        continue;
      }
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
