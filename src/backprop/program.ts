/**
 * Backpropagation input: one expression, or a short program of named steps, as in the course notes:
 *
 *   q = x + y; f = q*z
 *
 * Statements are separated by `;` or newlines; each is `name = expression` or, last only, a bare
 * expression. Names bound earlier are inlined (as shared syntax trees) into later statements, and the
 * whole program is elaborated once, so shapes are inferred jointly, exactly as for the inlined
 * expression. The names then label the graph's nodes: the node of `x + y` is called q. The output is
 * the last statement's name (none for a bare expression).
 */
import { ParseError, RequestError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import { isFnName } from '../ir/functions.js';
import { postorder, varsOf } from '../ir/walk.js';
import { type VarDecl, elaborate } from '../parse/elaborate.js';
import { type Declarations, parse, readDeclarations } from '../parse/parse.js';
import { type Surface, parseSurface } from '../parse/surface.js';
import { tensorDims } from '../shape/shape.js';

export interface Program {
  readonly root: Expr;
  /** Names given to nodes of root by `name = …` statements (first name wins on shared nodes). */
  readonly names: ReadonlyMap<Expr, string>;
  /** The name of the last statement, when it binds one. */
  readonly output?: string;
}

const BINDING = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)([\s\S]*)$/;
const RESERVED = new Set(['eye', 'vector', 'matrix', 'pi', 'e']);

function parseProgram(src: string, vars: Readonly<Record<string, VarDecl>> = {}): Program {
  const statements = src.split(/[;\n]/).map((s) => s.trim()).filter((s) => s !== '');
  if (statements.length <= 1 && !BINDING.test(src)) return { root: parse(src, { vars }), names: new Map() };
  const bound = new Map<string, Surface>();
  const order: Array<{ name: string; surface: Surface }> = [];
  const used = new Set<string>();
  let last: Surface | undefined;
  let output: string | undefined;
  statements.forEach((stmt, i) => {
    const m = BINDING.exec(stmt);
    const name = m?.[1];
    const body = m ? m[2]!.trim() : stmt;
    if (name === undefined && i < statements.length - 1) {
      throw new ParseError(`"${stmt}" is not the last statement, so it must name its result: write name = ${stmt}`);
    }
    if (name !== undefined) {
      if (isFnName(name) || RESERVED.has(name)) throw new ParseError(`${name} is a function or constant of the language and cannot be a step's name`);
      if (bound.has(name)) throw new ParseError(`${name} is defined twice`);
      if (used.has(name)) throw new ParseError(`${name} is used before it is defined`);
      if (Object.hasOwn(vars, name)) throw new ParseError(`${name} is declared as a variable and also defined as a step`);
    }
    let surface: Surface;
    try {
      surface = inline(parseSurface(body), bound, used);
    } catch (err) {
      if (err instanceof ParseError && statements.length > 1) throw new ParseError(`${err.message} in "${stmt}"`);
      throw err;
    }
    if (name !== undefined) { bound.set(name, surface); order.push({ name, surface }); }
    last = surface;
    output = name;
  });
  if (last === undefined) throw new RequestError('the program is empty');
  const root = elaborate(last, { decls: vars, convention: true });
  // Each step elaborated again with every variable declared as it was inferred: by hash-consing it is
  // the very node inside root (a step whose shape depends on later context may not be; it stays unnamed).
  const decls: Record<string, VarDecl> = {};
  for (const v of varsOf(root)) decls[v.name] = { dims: tensorDims(v.shape), props: v.props };
  const inRoot = new Set(postorder(root));
  const names = new Map<Expr, string>();
  for (const { name, surface } of order) {
    let e: Expr;
    try {
      e = elaborate(surface, { decls, convention: false });
    } catch {
      continue;
    }
    if (inRoot.has(e) && !names.has(e) && e.kind !== 'var') names.set(e, name);
  }
  return { root, names, ...(output !== undefined ? { output } : {}) };
}

/** A program from source text, or an expression already built (no names). */
export function programOf(expr: string | Expr, vars: Declarations = {}): Program {
  return typeof expr === 'string' ? parseProgram(expr, readDeclarations(vars)) : { root: expr, names: new Map() };
}

/** Replaces names bound by earlier statements by their (shared) syntax trees; records every name used. */
function inline(s: Surface, bound: ReadonlyMap<string, Surface>, used: Set<string>): Surface {
  switch (s.t) {
    case 'num': return s;
    case 'name': {
      const hit = bound.get(s.name);
      if (hit !== undefined) return hit;
      used.add(s.name);
      return s;
    }
    case 'op': return { t: 'op', op: s.op, args: s.args.map((a) => inline(a, bound, used)) };
    case 'call': return { t: 'call', fn: s.fn, args: s.args.map((a) => inline(a, bound, used)) };
  }
}
