/**
 * Programs: the input language's statements, read into one IR DAG with the user's names kept.
 *
 *   z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2
 *   x: vector(n); W: matrix(k,n)
 *   diag(s) - s*s' where s = softmax(z)
 *
 * Statements are separated by `;` or line breaks (outside parentheses). Each is a declaration
 * `name: SHAPE` (as --var reads it), a definition `name = expression`, or — for the function only —
 * a bare expression. The function is the last statement that is not a declaration, or the statement
 * just before a `where`: definitions after `where` (separated by `;`, `,` or line breaks) may come in
 * any order, as in a textbook; before it, a name must be defined before it is used.
 *
 * Every definition is inlined as a shared syntax tree and the function is elaborated once, so shapes
 * are inferred jointly exactly as for the inlined expression, and by hash-consing each definition is
 * then found as a node of the result DAG and named (`names`; the first name wins on equal nodes).
 *
 * Errors are ParseErrors that say which statement and where: a name defined twice, used before its
 * definition, defined in terms of itself (a cycle), not defined at all (only when the caller knows
 * the inputs, e.g. from given values), or a syntax error inside a statement. A definition the function
 * does not use is a warning, returned with the program.
 *
 * Splitting and reading each statement is statements.ts; this module relates them, in the phases of
 * readProgram: the function, the names, the references (order, cycles, unknown names), one joint
 * elaboration, and each definition found in the result.
 */

import { LimitError, MatcalcError, ParseError, RequestError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import { postorder, varsOf } from '../ir/walk.js';
import { tensorDims } from '../shape/shape.js';
import { type VarDecl, elaborate } from './elaborate.js';
import {
  type Def,
  type Fail,
  type Statement,
  failIn,
  isLanguageName,
  lineColumn,
  readStatement,
  splitStatements,
  wordOffset,
} from './statements.js';
import type { Surface } from './surface.js';
import { type Warning, conventionBroadcasts, namesIn, reductionMeanings, unusedDeclarations } from './warnings.js';

export { isProgramText } from './statements.js';

/** One definition of the program, found as a node of the function's DAG. */
export interface Definition {
  readonly name: string;
  readonly expr: Expr;
  /** 1-based statement number. */
  readonly statement: number;
}

/** Something the reader accepted but the user probably did not mean. */
export interface ProgramWarning {
  readonly kind: 'unused';
  readonly statement: number;
  /** 1-based column of the statement in its line. */
  readonly column: number;
  readonly message: string;
}

export interface Program {
  /** The function, every definition inlined. */
  readonly root: Expr;
  /** User names of nodes of root. */
  readonly names: ReadonlyMap<Expr, string>;
  /** The definitions found in root, each after those it uses. */
  readonly definitions: readonly Definition[];
  /** The function's name, when its statement binds one. */
  readonly output?: string;
  /** Declarations: the caller's and the program's own. */
  readonly vars: Readonly<Record<string, VarDecl>>;
  /** Every variable the text names, including those simplification removed from root (0*x) and `also`. */
  readonly seen: ReadonlyMap<string, Var>;
  /** Unused definitions, and (with the naming convention) unused declarations and broadcasts it decided (parse/warnings.ts). */
  readonly warnings: readonly Warning[];
}

export interface ProgramOptions {
  /** Declared variables (the program may declare more). */
  readonly vars?: Readonly<Record<string, VarDecl>>;
  /** Names already bound to IR (a question's intermediates when reading an answer). */
  readonly bound?: ReadonlyMap<string, Expr>;
  /** When given, the only free names allowed besides declared and bound ones: others are "not defined". */
  readonly inputs?: ReadonlySet<string>;
  /** Whether undeclared names follow the a–g / h–z / A–Z convention (default true). */
  readonly convention?: boolean;
  /** A rewrite of each statement's tree before anything else (the checker reads I as eye). */
  readonly transform?: (s: Surface) => Surface;
  /** Declared names to build as variables although the text may not use them (a wrt f does not depend on). */
  readonly also?: readonly string[];
}

export function readProgram(src: string, opts: ProgramOptions = {}): Program {
  if (typeof src !== 'string') throw new ParseError('the expression must be a string');
  const statements = splitStatements(src);
  if (statements.length === 0) throw new ParseError('the expression is empty', 1);
  const fail = failIn(src, statements);

  // 1. Each statement on its own.
  const vars: Record<string, VarDecl> = { ...(opts.vars ?? {}) };
  const parsed = statements.map((st) => readStatement(st, vars, statements.length > 1, fail, opts.transform));
  const defs = parsed.filter((p): p is Def => p.t === 'def');
  if (defs.length === 0) throw new RequestError('the program has declarations but no expression to work on');

  // 2. Which statement is the function: the one before the first `where`, else the last.
  const firstWhere = defs.findIndex((d) => d.st.where);
  if (firstWhere === 0) fail('a where needs the expression it explains before it', defs[0]!.st, defs[0]!.st.offset);
  const fn = defs[firstWhere > 0 ? firstWhere - 1 : defs.length - 1]!;
  const orderFree = (d: Def): boolean => firstWhere > 0 && defs.indexOf(d) >= firstWhere;

  // 3. Names: each defined once, not a variable or a name of the language.
  const byName = definedNames(defs, fn, vars, opts, fail);

  // 4. References: before use (outside where), no cycle, every free name known.
  const refs: References = { defs, byName, fail };
  checkOrderOfUse(refs, orderFree);
  if (opts.inputs !== undefined) checkKnown(refs, vars, opts);
  const { used, inlined } = inlineDefinitions(refs, fn);
  const fnSurface = inlined.get(fn)!;
  const warnings: Warning[] = defs
    .filter((d) => !used.has(d))
    .map(
      (d): ProgramWarning => ({
        kind: 'unused',
        statement: d.st.index,
        column: lineColumn(src, d.st.offset).column,
        message: `${d.name} is defined but not used (statement ${d.st.index}: ${d.st.text})`,
      }),
    );

  // 5. Elaborate once; then find each definition in the DAG.
  const scope = { decls: vars, convention: opts.convention ?? true, ...(opts.bound ? { exprs: opts.bound } : {}) };
  const seen = new Map<string, Var>();
  let root: Expr;
  try {
    root = elaborate(fnSurface, {
      ...scope,
      seen,
      also: (opts.also ?? []).filter((name) => Object.hasOwn(vars, name)),
    });
  } catch (err) {
    // LIMITS.maxDepth keeps elaboration inside the stack; this is the backstop if it ever does not.
    if (err instanceof RangeError) throw new LimitError('the expression is nested too deeply');
    throw locateError(
      err,
      defs.filter((d) => used.has(d) && d !== fn).map((d) => ({ d, s: inlined.get(d)! })),
      scope,
      statements.length > 1,
    );
  }
  const { names, definitions } =
    byName.size > 0
      ? namedNodes(root, defs, used, inlined, vars, scope)
      : { names: new Map<Expr, string>(), definitions: [] };
  warnings.push(...reductionMeanings(fnSurface));
  if (opts.convention !== false) {
    // Names typed by the convention (not declared, not bound) are where it can silently mislead.
    const known = new Set([...Object.keys(vars), ...(opts.bound?.keys() ?? [])]);
    warnings.push(
      ...unusedDeclarations(
        Object.keys(vars).filter((name) => !(opts.also ?? []).includes(name)),
        namesIn(fnSurface),
      ),
      ...conventionBroadcasts(root, known),
    );
  }
  return { root, names, definitions, vars, seen, warnings, ...(fn.name !== undefined ? { output: fn.name } : {}) };
}

/** Each definition's name: defined once, not a variable or a name of the language; only the function may be unnamed. */
function definedNames(
  defs: readonly Def[],
  fn: Def,
  vars: Readonly<Record<string, VarDecl>>,
  opts: ProgramOptions,
  fail: Fail,
): Map<string, Def> {
  const byName = new Map<string, Def>();
  for (const d of defs) {
    if (d.name === undefined) {
      if (d !== fn)
        fail(
          `"${d.st.text}" is not the function, so it must name its result: write name = ${d.st.text}`,
          d.st,
          d.st.offset,
        );
      continue;
    }
    if (isLanguageName(d.name))
      fail(`${d.name} is a function or constant of the language and cannot be a step's name`, d.st, d.st.offset);
    const before = byName.get(d.name);
    if (before !== undefined)
      fail(`${d.name} is defined twice (statements ${before.st.index} and ${d.st.index})`, d.st, d.st.offset);
    if (Object.hasOwn(vars, d.name))
      fail(`${d.name} is declared as a variable and also defined as a step`, d.st, d.st.offset);
    if (opts.bound?.has(d.name) === true) fail(`${d.name} is already defined by the question`, d.st, d.st.offset);
    byName.set(d.name, d);
  }
  return byName;
}

/** The definitions and how to refer to them, for the reference checks. */
interface References {
  readonly defs: readonly Def[];
  readonly byName: ReadonlyMap<string, Def>;
  readonly fail: Fail;
}

/** Where `name` is used in d's body, as an offset of the whole text. */
const offsetIn = (d: Def, name: string): number =>
  d.bodyOffset + wordOffset(d.st.text.slice(d.bodyOffset - d.st.offset), name);

/** Whether `from` reaches `to` through definitions (a forward reference closing a cycle). */
function wouldCycle(byName: ReadonlyMap<string, Def>, from: Def, to: Def): boolean {
  const seen = new Set<Def>();
  const stack = [from];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x === to) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const n of x.free) {
      const t = byName.get(n);
      if (t !== undefined) stack.push(t);
    }
  }
  return false;
}

/** Before the where, a name is used after its definition (a forward reference that closes a cycle is reported as the cycle). */
function checkOrderOfUse({ defs, byName, fail }: References, orderFree: (d: Def) => boolean): void {
  for (const d of defs) {
    if (orderFree(d)) continue;
    for (const name of d.free) {
      const target = byName.get(name);
      if (
        target === undefined ||
        target === d ||
        orderFree(target) ||
        defs.indexOf(target) < defs.indexOf(d) ||
        wouldCycle(byName, target, d)
      )
        continue;
      fail(
        `${name} is used before it is defined (in statement ${target.st.index}); define it first`,
        d.st,
        offsetIn(d, name),
      );
    }
  }
}

/** Every free name is a definition, a variable, bound by the question, an input or a name of the language. */
function checkKnown(
  { defs, byName, fail }: References,
  vars: Readonly<Record<string, VarDecl>>,
  opts: ProgramOptions,
): void {
  for (const d of defs) {
    for (const name of d.free) {
      if (
        byName.has(name) ||
        Object.hasOwn(vars, name) ||
        opts.bound?.has(name) === true ||
        opts.inputs?.has(name) === true ||
        isLanguageName(name)
      )
        continue;
      fail(`${name} is not defined`, d.st, offsetIn(d, name));
    }
  }
}

/**
 * The function's tree with every definition it uses inlined (shared subtrees: one tree per
 * definition), found depth first from the function; a definition reached again while open is a cycle.
 */
function inlineDefinitions({ byName, fail }: References, fn: Def): { used: Set<Def>; inlined: Map<Def, Surface> } {
  const used = new Set<Def>();
  const state = new Map<Def, 'open' | 'done'>();
  const inlined = new Map<Def, Surface>();
  const visit = (d: Def, path: readonly Def[]): Surface => {
    const done = inlined.get(d);
    if (done !== undefined) return done;
    if (state.get(d) === 'open') {
      const cycle = [...path.slice(path.indexOf(d)), d].map((x) => x.name).join(' → ');
      const last = path[path.length - 1]!;
      fail(
        path.length === path.indexOf(d) + 1
          ? `${d.name} is defined in terms of itself`
          : `the definitions form a cycle: ${cycle}`,
        last.st,
        offsetIn(last, d.name!),
      );
    }
    state.set(d, 'open');
    used.add(d);
    const body = substituteNames(d.body, (name): Surface | undefined => {
      const target = byName.get(name);
      if (target === undefined) return undefined;
      return visit(target, [...path, d]);
    });
    state.set(d, 'done');
    inlined.set(d, body);
    return body;
  };
  visit(fn, []);
  return { used, inlined };
}

/**
 * Each definition the function uses, elaborated again with every variable declared as it was
 * inferred: by hash-consing it is the very node inside root (one whose shape depends on later
 * context may not be), named there (the first name wins on equal nodes), in the DAG's order.
 */
function namedNodes(
  root: Expr,
  defs: readonly Def[],
  used: ReadonlySet<Def>,
  inlined: ReadonlyMap<Def, Surface>,
  vars: Readonly<Record<string, VarDecl>>,
  scope: Parameters<typeof elaborate>[1],
): { names: Map<Expr, string>; definitions: Definition[] } {
  const names = new Map<Expr, string>();
  const definitions: Definition[] = [];
  const decls: Record<string, VarDecl> = { ...vars };
  for (const v of varsOf(root)) decls[v.name] = { dims: tensorDims(v.shape), props: v.props };
  const inRoot = new Set(postorder(root));
  for (const d of defs) {
    if (d.name === undefined || !used.has(d)) continue;
    let e: Expr;
    try {
      e = elaborate(inlined.get(d)!, { ...scope, decls, convention: false });
    } catch {
      continue;
    }
    if (!inRoot.has(e)) continue;
    if (!names.has(e) && e.kind !== 'var') names.set(e, d.name);
    definitions.push({ name: d.name, expr: e, statement: d.st.index });
  }
  const rank = new Map(postorder(root).map((n, i) => [n, i]));
  definitions.sort((a, b) => rank.get(a.expr)! - rank.get(b.expr)!);
  return { names, definitions };
}

/** An expression already built, as a program without definitions. */
export const exprProgram = (root: Expr, vars: Readonly<Record<string, VarDecl>> = {}): Program => ({
  root,
  names: new Map(),
  definitions: [],
  vars,
  seen: new Map(varsOf(root).map((v) => [v.name, v])),
  warnings: [],
});

/** A program from source text, or an expression already built. */
export const programOf = (e: string | Expr, opts: ProgramOptions = {}): Program =>
  typeof e === 'string' ? readProgram(e, opts) : exprProgram(e, opts.vars);

/** Replaces names by the trees `lookup` gives (undefined keeps the name). */
function substituteNames(s: Surface, lookup: (name: string) => Surface | undefined): Surface {
  switch (s.t) {
    case 'num':
      return s;
    case 'name':
      return lookup(s.name) ?? s;
    case 'op':
      return { t: 'op', op: s.op, args: s.args.map((a) => substituteNames(a, lookup)) };
    case 'call':
      return { t: 'call', fn: s.fn, args: s.args.map((a) => substituteNames(a, lookup)) };
  }
}

/**
 * An error of the joint elaboration, said of the first definition that fails on its own (a shape
 * mismatch inside `h1 = W2*z1` names statement 2); unchanged when none does.
 */
function locateError(
  err: unknown,
  defs: ReadonlyArray<{ d: { st: Statement; name: string | undefined }; s: Surface }>,
  scope: Parameters<typeof elaborate>[1],
  several: boolean,
): unknown {
  if (!several || !(err instanceof MatcalcError) || err instanceof ParseError) return err;
  for (const { d, s } of [...defs].sort((a, b) => a.d.st.index - b.d.st.index)) {
    try {
      elaborate(s, scope);
    } catch (inner) {
      if (inner instanceof MatcalcError && inner.kind === err.kind) {
        const Ctor = inner.constructor as new (message: string) => MatcalcError;
        const located = new Ctor(`${inner.message} (in statement ${d.st.index}: ${d.st.text})`);
        return located.kind === err.kind ? located : err;
      }
      return err;
    }
  }
  return err;
}
