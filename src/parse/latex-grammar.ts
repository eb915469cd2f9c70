/**
 * The LaTeX reader's grammar: the levels of an answer, loosest first — sums, the infix ⊙ ⊘ ⊗ (looser
 * than juxtaposition), products (explicit or juxtaposed), signs, and postfix transposes and
 * superscripts (`^T`, `^{-1}`, `^{-\top}`, `^{\circ k}`). Its atoms — names, words, commands,
 * functions, delimiters — are read by the subclass in latex-reader.ts, whose header gives the
 * reading rules. Surface trees are built with the constructors exported here.
 */
import type { Surface, SurfaceOp } from './surface.js';
import { type Tok, TokenCursor, show } from './latex-lexer.js';
import { FONTS, FORM_FN, GREEK, HADAMARD_COMMANDS, PRODUCT_COMMANDS, PRODUCT_SYMBOLS } from './latex-vocabulary.js';

export interface LatexReadOptions {
  /** Names that may be variables; runs of letters are split against them, longest first. */
  readonly names?: readonly string[];
  /** Names known to be matrices, so that `X^{-1}` reads as inv(X) (else `^(-1)`). */
  readonly matrices?: readonly string[];
}

export const num = (v: string): Surface => ({ t: 'num', value: Number(v) });
export const name = (n: string): Surface => ({ t: 'name', name: n });
export const op = (o: SurfaceOp, ...args: Surface[]): Surface => ({ t: 'op', op: o, args });
export const call = (fn: string, ...args: Surface[]): Surface => ({ t: 'call', fn, args });
export const product = (fs: readonly Surface[]): Surface => fs.reduce((a, b) => op('mul', a, b));

/** An explicit product command (\cdot, \times, \ast) as its operator. */
function productOp(cmd: string): SurfaceOp | undefined {
  const infix = PRODUCT_COMMANDS.get(cmd);
  return infix !== undefined && 'op' in infix ? infix.op : undefined;
}

/** Reads the levels of an answer; `atom` and `word` are the subclass's. */
export abstract class LatexGrammar extends TokenCursor {
  protected absDepth = 0;
  protected normDepth = 0;
  protected readonly names: ReadonlySet<string>;
  protected readonly matrices: ReadonlySet<string>;

  protected abstract atom(): Surface[];
  protected abstract word(t: Tok): Surface[];

  constructor(toks: readonly Tok[], end: number, opts: LatexReadOptions) {
    super(toks, end);
    this.names = new Set(opts.names ?? []);
    this.matrices = new Set(opts.matrices ?? []);
  }

  read(): Surface {
    if (this.toks.length === 0) this.fail('the answer is empty', this.end);
    const e = this.sum();
    if (this.i < this.toks.length) this.fail(`unexpected ${show(this.peek()!)}`);
    return e;
  }

  /** sum := had (('+'|'-') had)* */
  protected sum(): Surface {
    let acc = this.had();
    for (;;) {
      if (this.isSym('+')) {
        this.i++;
        acc = op('add', acc, this.had());
      } else if (this.isSym('-')) {
        this.i++;
        acc = op('sub', acc, this.had());
      } else return acc;
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
  protected startsAtom(): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    switch (t.k) {
      case 'num':
      case 'word':
        return true;
      case 'sym':
        return t.v === '(' || t.v === '[' || t.v === '{' || (t.v === '|' && this.absDepth === 0);
      case 'cmd':
        if (t.v === '|' || t.v === 'Vert') return this.normDepth === 0;
        if (t.v === 'vert') return this.absDepth === 0;
        return (
          !PRODUCT_COMMANDS.has(t.v) &&
          !HADAMARD_COMMANDS.has(t.v) &&
          t.v !== 'rVert' &&
          t.v !== 'rvert' &&
          t.v !== 'top'
        );
    }
  }

  /** unary := ('-'|'+') unary | postfix; juxtaposed factors (a run `Ax`) come back as a list. */
  private unary(): Surface[] {
    if (this.isSym('-')) {
      this.i++;
      const [first, ...rest] = this.unary();
      return [op('neg', first!), ...rest];
    }
    if (this.isSym('+')) {
      this.i++;
      return this.unary();
    }
    return this.postfix();
  }

  /** postfix := atom ('^' sup | "'")*, applied to the last factor of a run (`Ax^T` is A x^T). */
  protected postfix(): Surface[] {
    const factors = this.atom();
    let e = factors.pop()!;
    for (;;) {
      if (this.isSym("'")) {
        this.i++;
        e = op('transpose', e);
        continue;
      }
      if (this.isSym('^')) {
        this.i++;
        e = this.superscript(e);
        continue;
      }
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
    if (
      t.k === 'cmd' &&
      FONTS.has(t.v) &&
      this.isSym('{', 1) &&
      this.peek(2)?.k === 'word' &&
      this.peek(2)!.v === 'T' &&
      this.isSym('}', 3)
    )
      return 4;
    return 0;
  }

  private isMatrixName(name: string): boolean {
    return this.matrices.has(name) || (this.matrices.size === 0 && /^[A-Z]/.test(name));
  }

  /** Whether `s` is a matrix by its names alone: matrices under products, sums, transposes, inverses and scaling by numbers. */
  protected isMatrixValued(s: Surface): boolean {
    switch (s.t) {
      case 'num':
        return false;
      case 'name':
        return this.isMatrixName(s.name);
      case 'call':
        return s.fn === FORM_FN.inverse && this.isMatrixValued(s.args[0]!);
      case 'op':
        switch (s.op) {
          case 'neg':
          case 'transpose':
            return this.isMatrixValued(s.args[0]!);
          case 'add':
          case 'sub':
            return s.args.every((a) => this.isMatrixValued(a));
          case 'mul':
            return (
              s.args.some((a) => this.isMatrixValued(a)) && s.args.every((a) => a.t === 'num' || this.isMatrixValued(a))
            );
          case 'pow':
            return this.isMatrixValued(s.args[0]!) && s.args[1]!.t === 'num';
          default:
            return false;
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
      if (mark > 0) {
        this.i += mark;
        return op('transpose', base);
      }
      if (this.isSym('-')) {
        this.i++;
        this.splitFirst();
        const m = this.transposeMark();
        if (m > 0) {
          this.i += m;
          return op('transpose', this.inverse(base));
        }
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
    if (m > 0 && this.isSym('}', m)) {
      this.i += m;
      close();
      return op('transpose', base);
    }
    if (this.isSym('-')) {
      const save = this.i;
      this.i++;
      const mt = this.transposeMark();
      if (mt > 0 && this.isSym('}', mt)) {
        this.i += mt;
        close();
        return op('transpose', this.inverse(base));
      }
      const t = this.peek();
      if (t?.k === 'num' && t.v === '1' && this.isSym('}', 1)) {
        this.i++;
        close();
        return this.inverse(base);
      }
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
  protected single(t: Tok): Surface {
    if (t.k === 'num') return num(t.v);
    if (t.k === 'word') return product(this.word(t));
    if (t.k === 'cmd' && GREEK.has(t.v)) return name(t.v);
    return this.fail(`cannot read ${show(t)} as a superscript or argument`, t.col);
  }

  /** A braced group `{…}` or a single token. */
  protected argument(): Surface {
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
}
