/**
 * A program's statements, each on its own: where the text splits (`;`, line breaks, a `where`, and
 * the commas after it, outside parentheses), and what each statement is — a declaration
 * `name: SHAPE`, a definition `name = expression`, or a bare expression — parsed, with errors whose
 * columns count in the whole text and name the statement. program.ts then relates the statements.
 */
import { MatcalcError, ParseError } from '../errors.js';
import { isFnName } from '../ir/functions.js';
import type { VarDecl } from './elaborate.js';
import { parseVarSpec } from './parse.js';
import { type Surface, parseSurface } from './surface.js';
import { GREEK, asciiName } from './unicode.js';

/** A statement of the source, located. */
export interface Statement {
  readonly index: number;
  readonly text: string;
  /** Offset of text in the source. */
  readonly offset: number;
  /** Whether a `where` opened the definitions at this statement. */
  readonly where: boolean;
}

export type Parsed =
  | { readonly t: 'decl'; readonly st: Statement; readonly name: string; readonly decl: VarDecl }
  | {
      readonly t: 'def';
      readonly st: Statement;
      readonly name: string | undefined;
      readonly body: Surface;
      readonly bodyOffset: number;
      readonly free: readonly string[];
    };

export type Def = Extract<Parsed, { t: 'def' }>;

const GREEK_LETTERS = Object.keys(GREEK).join('');
/** A name; Greek letters (θ) are read as their spelled-out names (theta) by asciiName. */
const NAME = `[A-Za-z${GREEK_LETTERS}][A-Za-z0-9_${GREEK_LETTERS}]*`;
const BINDING = new RegExp(`^(${NAME})\\s*=(?!=)`);
const DECLARATION = new RegExp(`^(${NAME})\\s*:(.*)$`, 's');
const WHERE = new RegExp(`^where\\s+(?=${NAME}\\s*=(?!=))`);
/** Names of the language that are not variables. */
const CONSTANTS = new Set(['eye', 'commutation', 'vector', 'matrix', 'pi', 'e']);
export const isLanguageName = (name: string): boolean => CONSTANTS.has(name) || isFnName(name);

/** Whether text is more than one expression: several statements, a definition, a declaration or a where. */
export function isProgramText(src: string): boolean {
  return splitStatements(src).length > 1 || BINDING.test(src.trim()) || DECLARATION.test(src.trim());
}

/** Splits at `;`, line breaks and (after a `where`) commas outside parentheses, and before `where`. */
export function splitStatements(src: string): Statement[] {
  const out: Statement[] = [];
  let depth = 0,
    start = 0,
    inWhere = false,
    whereNext = false;
  const push = (end: number): void => {
    const raw = src.slice(start, end);
    const text = raw.trim();
    if (text === '') return;
    out.push({ index: out.length + 1, text, offset: start + raw.length - raw.trimStart().length, where: whereNext });
    whereNext = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth > 0) continue;
    else if (c === ';' || c === '\n' || (c === ',' && inWhere)) {
      push(i);
      start = i + 1;
    } else if (c === 'w' && (i === 0 || /[\s;]/.test(src[i - 1]!))) {
      const m = WHERE.exec(src.slice(i));
      if (m === null) continue;
      // `result where t = …`: the where ends the statement before it and opens the definitions.
      push(i);
      whereNext = true;
      inWhere = true;
      start = i + m[0].length;
      i = start - 1;
    }
  }
  push(src.length);
  return out;
}

/** Line and column (1-based) of an offset. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** Free names of a Surface tree. */
function freeNames(s: Surface, out = new Set<string>()): Set<string> {
  if (s.t === 'name') out.add(s.name);
  else if (s.t === 'op' || s.t === 'call') for (const a of s.args) freeNames(a, out);
  return out;
}

/** The offset of `name` as a whole word in text, after `from`. */
export function wordOffset(text: string, name: string, from = 0): number {
  const m = new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).exec(text.slice(from));
  return m === null ? from : from + m.index;
}

/** Fails with a message about a statement, at an offset of the whole text. */
export type Fail = (message: string, st: Statement, offset: number) => never;

/** A failure that names the statement (and its line when the text has several) and gives the column. */
export function failIn(src: string, statements: readonly Statement[]): Fail {
  const multiLine = src.includes('\n');
  return (message, st, offset) => {
    const { line, column } = lineColumn(src, offset);
    const label =
      statements.length > 1 ? ` — in statement ${st.index}${multiLine ? ` (line ${line})` : ''}, "${st.text}"` : '';
    throw new ParseError(`${message}${label}`, multiLine ? column : offset + 1);
  };
}

/**
 * One statement read on its own: a declaration (added to `vars`, checked not to repeat or take a
 * name of the language) or a definition or expression, parsed (`transform` applied).
 */
export function readStatement(
  st: Statement,
  vars: Record<string, VarDecl>,
  several: boolean,
  fail: Fail,
  transform?: (s: Surface) => Surface,
): Parsed {
  const decl = DECLARATION.exec(st.text);
  if (decl !== null && !BINDING.test(st.text)) {
    const name = asciiName(decl[1]!);
    let spec: VarDecl;
    try {
      spec = parseVarSpec(decl[2]!);
    } catch (err) {
      return fail(err instanceof MatcalcError ? err.message : String(err), st, st.offset + st.text.indexOf(':') + 1);
    }
    if (Object.hasOwn(vars, name)) fail(`${name} is declared twice`, st, st.offset);
    if (isLanguageName(name))
      fail(`${name} is a function or constant of the language and cannot be declared as a variable`, st, st.offset);
    vars[name] = spec;
    return { t: 'decl', st, name, decl: spec };
  }
  const bind = BINDING.exec(st.text);
  const name = bind?.[1] === undefined ? undefined : asciiName(bind[1]);
  const bodyStart =
    bind === null
      ? 0
      : bind[0].length + (st.text.slice(bind[0].length).length - st.text.slice(bind[0].length).trimStart().length);
  const bodyText = st.text.slice(bodyStart);
  let body: Surface;
  try {
    body = parseSurface(bodyText);
    if (transform) body = transform(body);
  } catch (err) {
    // Columns count in the whole text: past other statements, and past a binding's `g = ` (issue 10 item 11).
    if (err instanceof ParseError && (several || st.offset + bodyStart > 0)) {
      const m = /^(.*?)(?: \(at column (\d+)\))?$/s.exec(err.message)!;
      const col = m[2] === undefined ? 1 : Number(m[2]);
      return fail(m[1]!, st, st.offset + bodyStart + col - 1);
    }
    throw err;
  }
  return { t: 'def', st, name, body, bodyOffset: st.offset + bodyStart, free: [...freeNames(body)] };
}
