/**
 * Programs out: a result DAG as a result expression plus the definitions it uses, so that what is
 * shared is printed once (matrixcalculus.org's "where T0 = …").
 *
 * A pass over the hash-consed IR (equal subtrees are one node), before any printer runs:
 *   1. count each node's parents in the DAG (an edge per operand): with every shared node named,
 *      a node is printed exactly as many times as it has parents;
 *   2. name, children first, every non-trivial node that carries a user's name (z1, h1, yhat, kept
 *      from the input program) or that has two or more parents and prints to more than a few
 *      characters; fresh names t1, t2, … avoid every name in sight;
 *   3. rebuild each named node over its children, the named ones replaced by variables of the same
 *      shape; the bindings come out in dependency order.
 * The bindings are ordinary expressions, printed by the ordinary printers (text, LaTeX); a program
 * in the input syntax (`t1 = …; result`) parses back to the same DAG. The printed size of a result
 * whose DAG grows linearly (an L-layer network's gradient) then grows linearly too.
 */
import * as b from '../ir/build.js';
import { type Expr, children } from '../ir/expr.js';
import { postorder, varsOf } from '../ir/walk.js';
import { type LatexOptions, latexName, toLatex } from './latex.js';
import { toText } from './text.js';

export interface Binding {
  readonly name: string;
  /** The definition, in the names of earlier bindings. */
  readonly expr: Expr;
  /** Whether the name is the user's own (from the input program) rather than a fresh one. */
  readonly user: boolean;
}

export interface ProgramForm {
  /** The result, in the names of the bindings. */
  readonly result: Expr;
  /** Definitions in dependency order; empty when nothing is shared or named. */
  readonly bindings: readonly Binding[];
}

export interface ProgramFormOptions {
  /** User names of nodes (the input program's definitions). */
  readonly names?: ReadonlyMap<Expr, string>;
  /** Names the fresh ones must avoid besides the variables of the result (e.g. the function's variables). */
  readonly taken?: Iterable<string>;
  /** A shared node is named when it prints to at least this many characters (default 12). */
  readonly minLength?: number;
}

const DEFAULT_MIN_LENGTH = 12;

/** Leaves, and their transposes and negations, read as fast as a name. */
function trivial(e: Expr): boolean {
  switch (e.kind) {
    case 'var':
    case 'const':
    case 'zero':
    case 'ones':
    case 'eye':
      return true;
    case 'transpose':
    case 'neg':
      return trivial(e.x);
    default:
      return false;
  }
}

export function programForm(e: Expr, opts: ProgramFormOptions = {}): ProgramForm {
  // The result itself is never a binding, even when it is a named node.
  const names = opts.names?.has(e) === true ? new Map([...opts.names].filter(([n]) => n !== e)) : opts.names;
  const {
    results: [result],
    bindings,
  } = programFormOf([e], { ...opts, ...(names ? { names } : {}) });
  return { result: result!, bindings };
}

/**
 * Several results over one set of bindings (an intermediate's definition beside a derivative in its
 * name). A result carrying a user's name is bound (and reads as that name).
 */
export function programFormOf(
  roots: readonly Expr[],
  opts: ProgramFormOptions = {},
): { results: Expr[]; bindings: Binding[] } {
  const names = opts.names ?? new Map<Expr, string>();
  const minLength = opts.minLength ?? DEFAULT_MIN_LENGTH;
  const seen = new Set<Expr>();
  const nodes = roots.flatMap((r) => postorder(r).filter((n) => !seen.has(n) && seen.add(n)));
  const parents = new Map<Expr, number>();
  for (const n of nodes) for (const k of children(n)) parents.set(k, (parents.get(k) ?? 0) + 1);
  const isRoot = new Set(roots);

  const taken = new Set<string>([
    ...(opts.taken ?? []),
    ...roots.flatMap((r) => varsOf(r).map((v) => v.name)),
    ...names.values(),
  ]);
  let counter = 0;
  const fresh = (): string => {
    let name: string;
    do name = `t${++counter}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };

  const shown = new Map<Expr, Expr>();
  const bindings: Binding[] = [];
  for (const n of nodes) {
    const kids = children(n);
    const body =
      kids.length === 0
        ? n
        : b.rebuild(
            n,
            kids.map((k) => shown.get(k)!),
          );
    const user = names.get(n);
    const bind =
      !trivial(n) &&
      (user !== undefined || (!isRoot.has(n) && (parents.get(n) ?? 0) >= 2 && toText(body).length >= minLength));
    if (!bind) {
      shown.set(n, body);
      continue;
    }
    const name = user ?? fresh();
    bindings.push({ name, expr: body, user: user !== undefined });
    shown.set(n, b.variable(name, n.shape));
  }
  return { results: roots.map((r) => shown.get(r)!), bindings };
}

/** The program in the input syntax: definitions, then the result, separated by `; `. */
export function programText(p: ProgramForm): string {
  return [...p.bindings.map((x) => `${x.name} = ${toText(x.expr)}`), toText(p.result)].join('; ');
}

/** The program in one line with the result first, as the reader also reads it: `result where t1 = …, t2 = …`. */
export function programWhereText(p: ProgramForm): string {
  const result = toText(p.result);
  return p.bindings.length === 0
    ? result
    : `${result} where ${p.bindings.map((x) => `${x.name} = ${toText(x.expr)}`).join(', ')}`;
}

/** The definitions as text lines `where  t1 = …` / `       t2 = …` (none when there are none). */
export function whereText(bindings: readonly Binding[]): string[] {
  return bindings.map((x, i) => `${i === 0 ? 'where' : '     '}  ${x.name} = ${toText(x.expr)}`);
}

/** The definitions as one LaTeX line: `\text{where}\quad \begin{aligned}[t] t_{1} &= … \end{aligned}`. */
export function whereLatex(bindings: readonly Binding[], opts: LatexOptions = {}): string {
  const rows = bindings.map(
    (x) => `${latexName(x.name, opts.bold === true && x.expr.shape.kind !== 'scalar')} &= ${toLatex(x.expr, opts)}`,
  );
  return `\\text{where}\\quad \\begin{aligned}[t] ${rows.join(' \\\\ ')} \\end{aligned}`;
}
