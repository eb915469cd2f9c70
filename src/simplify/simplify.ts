/**
 * The simplifier: bottom-up rewriting to a fixpoint, towards the compact form a textbook prints.
 *
 * Two kinds of steps:
 *  - local rewrite rules, written as data in rules/simplify/ ('(A*B)\' -> B\'*A\''), tried in order
 *    at every node until none applies;
 *  - two passes over whole sums that patterns cannot express: collecting like terms
 *    (A*x + 2*A*x → 3*A*x) and factoring a shared first or last factor out of products
 *    (A*x + A'*x → (A + A')*x). Factors are only ever pulled out on their own side: products do not
 *    commute.
 * Every step preserves shape (the constructors check it) and value (test/simplify.*.test.ts checks
 * it numerically). Results are cached per node; nodes are hash-consed, so the cache is exact.
 */
import * as b from '../ir/build.js';
import { type Expr, children } from '../ir/expr.js';
import { elaborate } from '../parse/elaborate.js';
import { type Surface, parseSurface } from '../parse/surface.js';
import { ShapeError } from '../errors.js';
import { ALL_REWRITE_RULES, type RewriteRule } from '../../rules/simplify/algebra.js';
import { type Bindings, match } from './match.js';
import { PREDICATES } from './predicates.js';

interface CompiledRule {
  readonly lhs: Surface;
  readonly rhs: Surface;
  readonly test?: (b: Bindings) => boolean;
  readonly source: RewriteRule;
}

let compiled: CompiledRule[] | undefined;

function rules(): CompiledRule[] {
  return (compiled ??= ALL_REWRITE_RULES.map((r) => {
    const [lhs, rhs] = r.rule.split('->').map((s) => parseSurface(s.trim())) as [Surface, Surface];
    return { lhs, rhs, source: r, ...(r.if ? { test: PREDICATES[r.if] } : {}) };
  }));
}

const cache = new WeakMap<Expr, Expr>();
const MAX_STEPS = 200;

const inProgress = new Set<Expr>();

export function simplify(e: Expr): Expr {
  const hit = cache.get(e);
  if (hit !== undefined) return hit;
  // A rule cycle (A → B → A) stops here instead of recursing forever.
  if (inProgress.has(e)) return e;
  inProgress.add(e);
  try {
    return simplifyNode(e);
  } finally {
    inProgress.delete(e);
  }
}

function simplifyNode(e: Expr): Expr {
  const kids = children(e);
  let cur = kids.length === 0 ? e : b.rebuild(e, kids.map(simplify));
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = rewriteOnce(cur);
    if (next === cur) break;
    cur = next === undefined ? cur : simplify(next);
    if (cache.has(cur)) break;
  }
  cache.set(e, cur);
  cache.set(cur, cur);
  return cur;
}

/** One rewrite at the root of e (its children are already simple), or e itself. */
function rewriteOnce(e: Expr): Expr {
  for (const r of rules()) {
    const bind: Bindings = new Map();
    if (!match(r.lhs, e, bind)) continue;
    if (r.test && !r.test(bind)) continue;
    try {
      const out = elaborate(r.rhs, { exprs: bind, convention: false });
      if (out !== e) return out;
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
    }
  }
  if (e.kind === 'add') {
    const out = factor(collect(e));
    if (out !== e) return out;
  }
  return e;
}

// ---- sums as lists of (coefficient, term) ---------------------------------------------------

interface Term { coef: number; term: Expr }

/** Factors of a left-nested product chain; a leading constant is the coefficient. */
function chain(e: Expr): Expr[] {
  if (e.kind !== 'mul') return [e];
  // A scalar-valued product on the left (x'*y) scales what follows; it is one factor, not a chain
  // to split, since (x'*y)*z cannot be re-bracketed as x'*(y*z).
  const left = e.a.kind === 'mul' && e.a.shape.kind !== 'scalar' ? chain(e.a) : [e.a];
  return [...left, e.b];
}

const product = (factors: readonly Expr[]): Expr => factors.reduce((acc, f) => b.mul(acc, f));

function terms(e: Expr, sign: number, out: Term[]): void {
  if (e.kind === 'add' && e.shape.kind === e.a.shape.kind && e.shape.kind === e.b.shape.kind) {
    terms(e.a, sign, out);
    terms(e.b, sign, out);
  } else if (e.kind === 'neg') {
    terms(e.x, -sign, out);
  } else {
    const fs = chain(e);
    if (fs.length > 1 && fs[0]!.kind === 'const') out.push({ coef: sign * (fs[0] as { value: number }).value, term: product(fs.slice(1)) });
    else if (e.kind === 'const') out.push({ coef: sign * e.value, term: b.num(1) });
    else out.push({ coef: sign, term: e });
  }
}

function rebuildSum(ts: readonly Term[], shapeOf: Expr): Expr {
  let acc: Expr | undefined;
  for (const { coef, term } of ts) {
    if (coef === 0) continue;
    const positive = Math.abs(coef) === 1 ? term : b.mul(b.num(Math.abs(coef)), term);
    acc = acc === undefined ? (coef < 0 ? b.neg(positive) : positive) : coef < 0 ? b.sub(acc, positive) : b.add(acc, positive);
  }
  return acc ?? b.zero(shapeOf.shape);
}

/** Like terms: x + x → 2*x, A*x - A*x → 0. */
function collect(e: Expr): Expr {
  const ts: Term[] = [];
  terms(e, 1, ts);
  const merged: Term[] = [];
  for (const t of ts) {
    const same = merged.find((m) => m.term === t.term);
    if (same) same.coef += t.coef;
    else merged.push({ ...t });
  }
  if (merged.length === ts.length) return e;
  return rebuildSum(merged, e);
}

/** Shared last (then first) factors: A*x + B*x → (A + B)*x; x'*A + x'*B → x'*(A + B). */
function factor(e: Expr): Expr {
  if (e.kind !== 'add') return e;
  const ts: Term[] = [];
  terms(e, 1, ts);
  if (ts.length < 2) return e;
  for (const side of ['last', 'first'] as const) {
    const pick = (fs: Expr[]) => (side === 'last' ? fs[fs.length - 1]! : fs[0]!);
    const rest = (fs: Expr[]) => (side === 'last' ? fs.slice(0, -1) : fs.slice(1));
    const info = ts.map((t) => ({ t, fs: chain(t.term) }));
    for (let i = 0; i < info.length; i++) {
      const fi = info[i]!;
      if (fi.fs.length < 2 || pick(fi.fs).shape.kind === 'scalar') continue;
      const f = pick(fi.fs);
      try {
        const group = info.filter((x) => x.fs.length >= 2 && pick(x.fs) === f && product(rest(x.fs)).shape.kind === product(rest(fi.fs)).shape.kind);
        if (group.length < 2) continue;
        // Untransposed before transposed: (A + A')*x, as textbooks write it.
        const parts = group.map((g) => ({ coef: g.t.coef, term: product(rest(g.fs)) }));
        parts.sort((p, q) => Number(p.term.kind === 'transpose') - Number(q.term.kind === 'transpose'));
        const inner = rebuildSum(parts, product(rest(fi.fs)));
        const combined = side === 'last' ? b.mul(inner, f) : b.mul(f, inner);
        const others = info.filter((x) => !group.includes(x)).map((x) => x.t);
        return rebuildSum([{ coef: 1, term: combined }, ...others], e);
      } catch (err) {
        if (!(err instanceof ShapeError)) throw err;
      }
    }
  }
  return e;
}
