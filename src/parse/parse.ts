/**
 * The input language's front door: text → typed IR, and shape declarations.
 *
 *   parse("x'*A*x")                                → scalar expression, A: n×n, x: n
 *   parse("W*x", { vars: { W: { dims: ['k','n'] } } })
 *   parseVarSpec("matrix(n,n) spd")               → { dims: ['n','n'], props: ['spd', 'symmetric'] }
 */
import { LimitError, ParseError, RequestError } from '../errors.js';
import type { Expr, Prop } from '../ir/expr.js';
import { PROPS } from '../ir/expr.js';
import type { Dim } from '../shape/shape.js';
import { type VarDecl, elaborate, isName } from './elaborate.js';
import { parseSurface } from './surface.js';
import { asciiName } from './unicode.js';

export type { VarDecl } from './elaborate.js';

/**
 * A declaration as the API accepts it: `{ dims: ['n', 'n'], props: ['symmetric'] }`, or the text the
 * CLI's --var, the batch protocol and grade files use, `'matrix(n,n) symmetric'`.
 */
export type Declaration = VarDecl | string;
export type Declarations = Readonly<Record<string, Declaration>>;

export interface ParseOptions {
  /** Declared variables; undeclared ones follow the a–g / h–z / A–Z convention. */
  readonly vars?: Declarations;
}

export function parse(src: string, opts: ParseOptions = {}): Expr {
  const surface = parseSurface(src);
  const decls = readDeclarations(opts.vars);
  try {
    return elaborate(surface, { decls, convention: true });
  } catch (err) {
    // LIMITS.maxDepth keeps elaboration inside the stack; this is the backstop if it ever does not.
    if (err instanceof RangeError) throw new LimitError('the expression is nested too deeply');
    throw err;
  }
}

/**
 * Reads a declaration such as `vector(n)`, `matrix(k,n)`, `scalar`, `[k,n]`, `[]`, optionally with
 * properties: `matrix(n,n) spd`, `symmetric matrix(n,n)`, `vector(n) positive`.
 */
export function parseVarSpec(spec: string): VarDecl {
  const words = spec
    .trim()
    .split(/\s+(?![^()[\]]*[)\]])/)
    .filter((w) => w !== '');
  const props: Prop[] = [];
  let dims: Dim[] | undefined;
  for (const w of words) {
    if ((PROPS as readonly string[]).includes(w)) {
      props.push(w as Prop);
      continue;
    }
    const m = /^(?:(scalar|vector|matrix)\s*(?:\(([^)]*)\))?|\[([^\]]*)\])$/.exec(w);
    if (!m || dims !== undefined)
      throw new ParseError(
        `cannot read the shape "${spec}": write scalar, vector(n), matrix(m,n) or [m,n], optionally followed by ${PROPS.join(', ')}`,
      );
    const list = (m[2] ?? m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const bad = list.find((d) => !/^[1-9]\d*$/.test(d) && !isName(d));
    if (bad !== undefined)
      throw new ParseError(
        `cannot read the shape "${spec}": the dimension ${bad} is neither a name nor a positive integer`,
      );
    dims = list.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
    const want = m[1] === 'scalar' ? 0 : m[1] === 'vector' ? 1 : m[1] === 'matrix' ? 2 : dims.length;
    if (m[1] === 'matrix' && dims.length === 1) dims = [dims[0]!, dims[0]!];
    if (dims.length !== want)
      throw new ParseError(`cannot read the shape "${spec}": ${m[1]} needs ${want} dimension${want === 1 ? '' : 's'}`);
  }
  if (dims === undefined) throw new ParseError(`cannot read the shape "${spec}": it names no shape`);
  if (props.includes('spd') && !props.includes('symmetric')) props.push('symmetric');
  return { dims, props };
}

/**
 * Declarations in either form, as VarDecl objects: text is read by parseVarSpec (a ParseError naming
 * the variable when it cannot be), an object is checked to be { dims: [...], props?: [...] }.
 */
export function readDeclarations(vars: Declarations | undefined): Record<string, VarDecl> {
  const out: Record<string, VarDecl> = {};
  if (vars === undefined) return out;
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) {
    throw new RequestError(
      "vars must be an object of declarations, e.g. { A: 'matrix(n,n) symmetric', x: { dims: ['n'] } }",
    );
  }
  for (const [name, d] of Object.entries(vars)) {
    if (typeof d === 'string') {
      try {
        out[asciiName(name)] = parseVarSpec(d);
      } catch (err) {
        if (err instanceof ParseError) throw new ParseError(`the declaration of ${name}: ${err.message}`);
        throw err;
      }
      continue;
    }
    const ok =
      typeof d === 'object' &&
      d !== null &&
      Array.isArray(d.dims) &&
      (d.props === undefined ||
        (Array.isArray(d.props) && d.props.every((p) => (PROPS as readonly unknown[]).includes(p))));
    if (!ok) {
      throw new RequestError(
        `the declaration of ${name} must be a shape such as 'matrix(n,n) symmetric' or { dims: ['n', 'n'], props: ['symmetric'] } (properties: ${PROPS.join(', ')}), not ${JSON.stringify(d) ?? String(d)}`,
      );
    }
    out[asciiName(name)] = d;
  }
  return out;
}

/** Reads `NAME=SPEC` (the CLI's --var) or `NAME: SPEC`. */
export function parseVarAssignment(text: string): [string, VarDecl] {
  const m = /^\s*([A-Za-z\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*)\s*[:=]\s*(.+)$/.exec(text);
  if (!m)
    throw new ParseError(`cannot read the declaration "${text}": write NAME=SHAPE, e.g. x=vector(n) or W=matrix(k,n)`);
  return [asciiName(m[1]!), parseVarSpec(m[2]!)];
}
