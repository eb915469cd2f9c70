/**
 * The LaTeX answer reader's front: the answer proper (math delimiters and a left-hand side dropped),
 * its tokens (commands, numbers, words, symbols; sizing and spacing commands dropped, columns kept
 * in the user's text) and a cursor over them that the reader (latex-reader.ts) extends. An unbraced
 * superscript or argument is one character, so the cursor can split a word after its first letter.
 */
import { ParseError } from '../errors.js';

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
  for (const [open, close] of [
    ['$$', '$$'],
    ['$', '$'],
    ['\\(', '\\)'],
    ['\\[', '\\]'],
  ] as const) {
    if (s.startsWith(open) && s.endsWith(close) && s.length >= open.length + close.length) {
      s = s.slice(open.length, s.length - close.length).trim();
      break;
    }
  }
  return s.replace(/[.,]\s*$/, '').trim();
}

export type Tok =
  | { readonly k: 'cmd'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'num'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'word'; readonly v: string; readonly col: number; readonly space: boolean }
  | { readonly k: 'sym'; readonly v: string; readonly col: number; readonly space: boolean };

/** Sizing commands: dropped, with a following `.` (the empty delimiter of `\right.`). */
const SIZING = new Set([
  'left',
  'right',
  'middle',
  'big',
  'Big',
  'bigg',
  'Bigg',
  'bigl',
  'bigr',
  'Bigl',
  'Bigr',
  'biggl',
  'biggr',
  'Biggl',
  'Biggr',
  'displaystyle',
  'textstyle',
]);
const SPACING = new Set(['quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'negthinspace']);

/** Tokens of `src`; columns count from `offset` (where `src` starts in the text the user wrote). */
export function tokenize(src: string, offset: number): Tok[] {
  const out: Tok[] = [];
  let space = false;
  let i = 0;
  const push = (t: Omit<Tok, 'space'>) => {
    out.push({ ...t, space } as Tok);
    space = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    const col = offset + i + 1;
    if (/\s/.test(c) || c === '~' || c === '&') {
      space = true;
      i++;
      continue;
    }
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
      if (SPACING.has(name) || name === ',' || name === ';' || name === ':' || name === '!' || name === ' ') {
        space = true;
        continue;
      }
      if (name === '{') {
        push({ k: 'sym', v: '(', col });
        continue;
      }
      if (name === '}') {
        push({ k: 'sym', v: ')', col });
        continue;
      }
      if (name === '_') {
        push({ k: 'sym', v: '_', col });
        continue;
      }
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
    if ("+-*/^_'()[]{}|,=<>".includes(c)) {
      push({ k: 'sym', v: c, col });
      i++;
      continue;
    }
    throw new ParseError(`the character ${JSON.stringify(c)} cannot be read here`, col);
  }
  return out;
}

export function show(t: Tok): string {
  return t.k === 'cmd' ? `\\${t.v}` : JSON.stringify(t.v);
}

/** A cursor over the tokens, with the column of the end of the text for errors there. */
export class TokenCursor {
  protected i = 0;
  protected readonly toks: Tok[];

  constructor(
    toks: readonly Tok[],
    protected readonly end: number,
  ) {
    this.toks = [...toks];
  }

  /**
   * An unbraced superscript, subscript or argument is one character: `A^TA` is A^T A and `x^23`
   * is x^2 3. Splits the word or integer at the cursor after its first character.
   */
  protected splitFirst(): void {
    const t = this.peek();
    if (t === undefined || t.v.length < 2 || !(t.k === 'word' || (t.k === 'num' && /^\d+$/.test(t.v)))) return;
    const first = { ...t, v: t.v[0]! } as Tok;
    const rest = { ...t, v: t.v.slice(1), col: t.col + 1, space: false } as Tok;
    this.toks.splice(this.i, 1, first, rest);
  }

  protected peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  protected isSym(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.k === 'sym' && t.v === v;
  }
  protected isCmd(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.k === 'cmd' && t.v === v;
  }
  protected col(): number {
    return this.peek()?.col ?? this.end;
  }
  protected fail(msg: string, col = this.col()): never {
    throw new ParseError(msg, col);
  }
  protected next(): Tok {
    const t = this.peek();
    if (!t) this.fail('the answer ends too early');
    this.i++;
    return t;
  }

  protected expectSym(v: string, what: string): void {
    if (!this.isSym(v))
      this.fail(`expected ${what}${this.peek() ? ` but found ${show(this.peek()!)}` : ' but the answer ends'}`);
    this.i++;
  }
}
