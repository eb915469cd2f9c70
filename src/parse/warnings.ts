/**
 * Warnings: things matcalc did as asked that are probably not what was meant. They are returned to
 * the caller as data (Program.warnings, Derivative.warnings, CheckResult.warnings), never printed by
 * library code; the CLI writes them to stderr and the JSON outputs carry them as `"warnings"`.
 *
 * `Warning` is one discriminated union: the program reader's `unused` (a definition the function
 * does not use, parse/program.ts), `max-reduction` (max(x, 0) now reduces along dim 0; below) and
 * the two naming kinds made here, both about the naming convention (undeclared names: a–g scalars, h–z vectors, A–Z
 * matrices), which is convenient and silently wrong when a name does not follow it:
 *   - `unused-declaration`: a declared name (`--var z=vector(n)`) that the expression never uses —
 *     usually a typo, and the name the expression does use was then typed by the convention.
 *   - `convention-broadcast`: a scalar broadcast against a vector or matrix because of the
 *     convention: `tanh(W*x + b)` adds the scalar b to every entry (b is a scalar as a–g names are),
 *     and ridge's `lambda*norm2(w)^2` is a vector (lambda starts with l, so it is a vector). Flagged
 *     are a conventional scalar name added to (or multiplying entrywise, or dividing) a vector or
 *     matrix, and a Greek-letter name (`lambda`, `mu`, `theta`, …; Greek letters usually name
 *     scalars) that the convention makes a vector or matrix and that meets a scalar.
 */
import type { Expr, Var } from '../ir/expr.js';
import { GREEK_LETTERS } from '../ir/operators.js';
import type { ProgramWarning } from './program.js';
import { postorder } from '../ir/walk.js';
import { formatShape } from '../shape/shape.js';
import { toText } from '../print/text.js';
import { type Surface, surfaceText } from './surface.js';
import { functionCalled } from './elaborate.js';

/** A warning about names: an unused declaration, or a broadcast the naming convention decided. */
export interface NamingWarning {
  readonly kind: 'unused-declaration' | 'convention-broadcast';
  /** The variable the warning is about. */
  readonly name: string;
  readonly message: string;
}

/**
 * `max-reduction`: `max(x, 0)` (or min) with an integer literal second argument, which before
 * reductions existed meant the elementwise maximum and now reduces along that dim, as in NumPy.
 */
export interface ReductionWarning {
  readonly kind: 'max-reduction';
  /** The call as written. */
  readonly call: string;
  readonly message: string;
}

export type Warning = ProgramWarning | NamingWarning | ReductionWarning;
export type WarningKind = Warning['kind'];

/**
 * Greek letters spelt out, as names (`alpha`, …) that usually denote scalars: the lowercase letters,
 * without the variant forms (`varphi`) and pi (a constant).
 */
const GREEK_NAMES: ReadonlySet<string> = new Set(
  GREEK_LETTERS.filter((g) => g === g.toLowerCase() && !g.startsWith('var') && g !== 'pi'),
);

/** Every name the source uses (variables and functions alike), before any folding removes one. */
export function namesIn(s: Surface, out = new Set<string>()): Set<string> {
  switch (s.t) {
    case 'num':
      break;
    case 'name':
      out.add(s.name);
      break;
    case 'op':
    case 'call':
      for (const a of s.args) namesIn(a, out);
      break;
  }
  return out;
}

/** Calls max(X, k) and min(X, k) with an integer literal k: now reductions along dim k, once the elementwise maximum. */
export function reductionMeanings(
  s: Surface,
  out: ReductionWarning[] = [],
  seen = new Set<string>(),
): ReductionWarning[] {
  if (s.t === 'op' || s.t === 'call') for (const a of s.args) reductionMeanings(a, out, seen);
  if (s.t === 'call' && (s.fn === 'max' || s.fn === 'min') && s.args.length === 2 && functionCalled(s) === s.fn) {
    const call = surfaceText(s);
    const [x, k] = s.args.map(surfaceText) as [string, string];
    if (!seen.has(call)) {
      seen.add(call);
      out.push({
        kind: 'max-reduction',
        call,
        message: `${call} is the ${s.fn}imum over dim ${k} of ${x} (a reduction, as in NumPy); for the elementwise ${s.fn}imum write ${s.fn}imum(${x}, ${k})`,
      });
    }
  }
  return out;
}

/** Declared names that the source never uses (`except`: names asked about anyway, such as the wrt). */
export function unusedDeclarations(
  declared: readonly string[],
  used: ReadonlySet<string>,
  except: readonly string[] = [],
): NamingWarning[] {
  return declared
    .filter((n) => !used.has(n) && !except.includes(n))
    .map((name) => ({
      kind: 'unused-declaration',
      name,
      message: `${name} is declared but does not occur in the expression`,
    }));
}

/** The variable an operand is, through a sign or a transpose. */
function bareVar(e: Expr): Var | undefined {
  while (e.kind === 'neg' || e.kind === 'transpose') e = e.x;
  return e.kind === 'var' ? e : undefined;
}

const isGreekName = (name: string): boolean => GREEK_NAMES.has(name.replace(/_?\d+$/, '').toLowerCase());

/** Broadcasts between a scalar and a vector or matrix that the naming convention decided (`declared` names are exempt). */
export function conventionBroadcasts(e: Expr, declared: ReadonlySet<string>): NamingWarning[] {
  const out: NamingWarning[] = [];
  const seen = new Set<string>();
  const warn = (name: string, message: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ kind: 'convention-broadcast', name, message });
  };
  for (const n of postorder(e)) {
    if (n.kind !== 'add' && n.kind !== 'emul' && n.kind !== 'ediv' && n.kind !== 'mul') continue;
    const [a, b] = [n.a, n.b];
    if ((a.shape.kind === 'scalar') === (b.shape.kind === 'scalar')) continue;
    const [scalar, other] = a.shape.kind === 'scalar' ? [a, b] : [b, a];
    const s = bareVar(scalar),
      o = bareVar(other);
    if (s && !declared.has(s.name) && n.kind !== 'mul') {
      warn(
        s.name,
        `${s.name} is a scalar by the naming convention (names a–g are scalars), so it is broadcast against ` +
          `${toText(other)} (${formatShape(other.shape)}): declare ${s.name} (e.g. ${s.name}=${declHint(other)}) if it is not a scalar`,
      );
    }
    if (o && !declared.has(o.name) && isGreekName(o.name)) {
      warn(
        o.name,
        `${o.name} is a ${o.shape.kind === 'matrix' ? 'matrix (names A–Z are matrices)' : 'vector by the naming convention (names h–z are vectors)'}, ` +
          `so ${toText(n)} is ${o.shape.kind === 'matrix' ? 'a matrix' : 'a vector'} (${formatShape(n.shape)}): declare ${o.name}=scalar if it is a scalar`,
      );
    }
  }
  return out;
}

/** A declaration with the shape of `e`, for the message. */
function declHint(e: Expr): string {
  switch (e.shape.kind) {
    case 'scalar':
      return 'scalar';
    case 'vector':
      return `vector(${e.shape.n})`;
    case 'row':
      return `vector(${e.shape.n})`;
    case 'matrix':
      return `matrix(${e.shape.m},${e.shape.n})`;
  }
}
