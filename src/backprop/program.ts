/**
 * Backpropagation input: one expression, or a program of named steps as in the course notes
 * (`q = x + y; f = q*z`), read by the one program reader (parse/program.ts). The names label the
 * graph's nodes: the node of `x + y` is called q; the output is the last statement's name.
 *
 * Backprop needs a value for every variable, so its caller passes `hasValue`: every free name is then
 * checked before shapes are inferred, and a missing one is reported where it is used — "no value for
 * z (at column 9)" in an expression; in a program, where a name without a value is as likely a
 * mistyped step name, the reader's "r is not defined — in statement 2, …" — instead of whatever shape
 * error the naming convention would later produce for it.
 */
import { RequestError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import { isFnName } from '../ir/functions.js';
import { varsOf } from '../ir/walk.js';
import { type Declarations, readDeclarations } from '../parse/parse.js';
import { type Program, isProgramText, programOf as readProgramOf } from '../parse/program.js';
import { type Surface, parseSurface } from '../parse/surface.js';

export type { Program } from '../parse/program.js';

export interface ProgramOptions {
  /** Whether a name has a value; when given, every free name must have one (see the header). */
  readonly hasValue?: (name: string) => boolean;
}

/** Names of the language that are not variables (constants unless the user gives them a value). */
const LANGUAGE = new Set(['eye', 'vector', 'matrix', 'pi', 'e']);

/** A program from source text, or an expression already built (no names). */
export function programOf(expr: string | Expr, vars: Declarations = {}, opts: ProgramOptions = {}): Program {
  const decls = readDeclarations(vars);
  const has = opts.hasValue;
  if (has === undefined) return readProgramOf(expr, { vars: decls });
  if (typeof expr !== 'string') {
    const missing = varsOf(expr).find((v) => !has(v.name));
    if (missing !== undefined) throw new RequestError(`no value for ${missing.name}`);
    return readProgramOf(expr, { vars: decls });
  }
  if (isProgramText(expr)) {
    const inputs = new Set([...namesIn(expr)].filter(has));
    // Declared names are allowed by the reader; one without a value is then "no value for" it.
    return readProgramOf(expr, { vars: decls, inputs });
  }
  const missing = [...freeNames(parseSurface(expr))].find((n) => !has(n) && !LANGUAGE.has(n) && !isFnName(n));
  if (missing !== undefined) {
    const column = columnOf(expr, missing);
    throw new RequestError(`no value for ${missing}${column === undefined ? '' : ` (at column ${column})`}`);
  }
  return readProgramOf(expr, { vars: decls });
}

/** Free names of a Surface tree, in order of appearance. */
function freeNames(s: Surface, out = new Set<string>()): Set<string> {
  if (s.t === 'name') out.add(s.name);
  else if (s.t === 'op' || s.t === 'call') for (const a of s.args) freeNames(a, out);
  return out;
}

/** Every identifier of a source text (a superset of its free names). */
const namesIn = (src: string): Set<string> => new Set(src.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []);

/** 1-based column of the first use of `name` as a variable in `src`, if found. */
function columnOf(src: string, name: string): number | undefined {
  const m = new RegExp(`(?<![A-Za-z0-9_.])${name}(?![A-Za-z0-9_]|\\s*\\()`).exec(src);
  return m === null ? undefined : m.index + 1;
}
