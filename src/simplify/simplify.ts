/**
 * The simplifier: bottom-up rewriting to a fixpoint, towards the compact form a textbook prints.
 *
 *   simplify(e) = present(normal(e)), repeated until nothing changes
 *
 * normal(e) rewrites every node, children first, until nothing applies:
 *   - local rewrite rules, written as data in rules/simplify/ ("(A*B)' -> B'*A'"), tried in order;
 *   - the product pass (products.ts): coefficients, scalar factors, signs, cancellation;
 *   - the sum pass (sums.ts): like terms and common factors;
 *   - the elementwise pass (elementwise.ts): .* ./ expressions expanded and collected, when shorter.
 * present (present.ts) then pulls transposes back out of sums and long products where that is
 * shorter.
 *
 * Invariants: every step preserves shape (the constructors check it) and value wherever the input
 * is defined (test/simplify/rules.test.ts checks each rule, and property tests check whole
 * simplifications, numerically); simplify is idempotent; no step swaps two non-scalar factors.
 * Results are cached per node; nodes are hash-consed, so the cache is exact.
 */
import * as b from '../ir/build.js';
import { type Expr, children } from '../ir/expr.js';
import { type Dim, mulDim, shapeEquals } from '../shape/shape.js';
import { elaborate } from '../parse/elaborate.js';
import { type Surface, parseSurface } from '../parse/surface.js';
import { ShapeError } from '../errors.js';
import { ALL_REWRITE_RULES, type RewriteRule } from '../../rules/simplify/algebra.js';
import { type Bindings, boundDim, match } from './match.js';
import { compileCondition } from './predicates.js';
import { normaliseProduct } from './products.js';
import { negateSum, normaliseSum } from './sums.js';
import { normaliseElementwise } from './elementwise.js';
import { clearPresentCache, present } from './present.js';

export interface CompiledRule {
  readonly lhs: Surface;
  readonly rhs: Surface;
  readonly tests: readonly ((b: ReadonlyMap<string, Expr>) => boolean)[];
  readonly source: RewriteRule;
}

let compiled: CompiledRule[] | undefined;

/** The rules of rules/simplify, parsed (once). */
export function compiledRules(): readonly CompiledRule[] {
  compiled ??= ALL_REWRITE_RULES.map((r) => {
    const [lhs, rhs] = r.rule.split('->').map((s) => parseSurface(s.trim())) as [Surface, Surface];
    return { lhs, rhs, source: r, tests: (r.if ?? []).map(compileCondition) };
  });
  return compiled;
}

/**
 * Instantiates a rule's replacement. `onesLike(A)` is the all-ones tensor of A's shape and
 * `eyeLike(A)` the identity of A's size: they are bound as names before elaboration, since the
 * language's own vector(1), matrix(1) and eye take their size from context, which a replacement
 * standing alone does not have.
 */
export function instantiateRhs(rhs: Surface, bind: Bindings): Expr {
  const exprs = new Map(bind);
  const replace = (s: Surface): Surface => {
    if (s.t === 'call' && (s.fn === 'onesLike' || s.fn === 'eyeLike')) {
      const arg = s.args[0];
      const bound = arg?.t === 'name' ? bind.get(arg.name) : undefined;
      if (bound === undefined) throw new Error(`internal: ${s.fn} needs a bound wildcard`);
      const name = `${s.fn}_${(arg as { name: string }).name}`;
      exprs.set(name, s.fn === 'onesLike' ? b.ones(bound.shape) : b.eye((bound.shape as { m: Dim }).m));
      return { t: 'name', name };
    }
    // eye(m*n), commutation(n, m): sizes named by the size wildcards of the pattern (see match.ts).
    if (s.t === 'call' && (s.fn === 'eye' || s.fn === 'commutation') && s.args.length > 0) {
      const [m, n] = s.args.map((a) => sizeIn(a, bind));
      const name = `${s.fn}_${exprs.size}`;
      exprs.set(name, s.fn === 'eye' ? b.eye(m!) : b.commutation(m!, n!));
      return { t: 'name', name };
    }
    if (s.t === 'call' || s.t === 'op') return { ...s, args: s.args.map(replace) };
    return s;
  };
  return elaborate(replace(rhs), { exprs, convention: false });
}

/** A size in a replacement: a number, a size wildcard bound by the pattern, or a product of them. */
function sizeIn(s: Surface, bind: Bindings): Dim {
  if (s.t === 'num') return s.value;
  if (s.t === 'op' && s.op === 'mul') return mulDim(sizeIn(s.args[0]!, bind), sizeIn(s.args[1]!, bind));
  const carrier = s.t === 'name' ? bind.get(s.name) : undefined;
  if (carrier === undefined) throw new Error('internal: a size in a replacement names no size wildcard of its pattern');
  return boundDim(carrier);
}

/** One rule rewrite at the root of e, or undefined. */
export function applyRule(r: CompiledRule, e: Expr): Expr | undefined {
  const bind: Bindings = new Map();
  if (!match(r.lhs, e, bind)) return undefined;
  if (!r.tests.every((t) => t(bind))) return undefined;
  try {
    const out = instantiateRhs(r.rhs, bind);
    // A rewrite keeps the shape, always: a rule that would change it (a wildcard bound more widely
    // than its author meant) is refused here rather than trusted.
    return out === e || !shapeEquals(out.shape, e.shape) ? undefined : out;
  } catch (err) {
    // A pattern that matched but whose replacement does not fit these shapes (kron mixed products).
    if (err instanceof ShapeError) return undefined;
    throw err;
  }
}

let normalCache = new WeakMap<Expr, Expr>();
let finalCache = new WeakMap<Expr, Expr>();
const inProgress = new Set<Expr>();

/**
 * Forgets every cached result, so that the next call rewrites from scratch: for tests (idempotence
 * must hold without the cache's help) and benchmarks (cold timings).
 */
export function clearSimplifyCache(): void {
  normalCache = new WeakMap();
  finalCache = new WeakMap();
  clearPresentCache();
}

/**
 * Rounds of present ∘ normal at most. Pulling a transpose out can expose a pattern (x'*diag(u) read
 * as (diag(u)*x)'), so one round is not always a fixpoint; iterating to one makes simplify
 * idempotent by construction.
 */
const MAX_ROUNDS = 4;

export function simplify(e: Expr): Expr {
  let out = finalCache.get(e);
  if (out === undefined) {
    out = present(normal(e));
    for (let round = 1; round < MAX_ROUNDS; round++) {
      const again = present(normal(out));
      if (again === out) break;
      out = again;
    }
    finalCache.set(e, out);
    finalCache.set(out, out);
  }
  return out;
}

/** The rewriting fixpoint of e (without the presentation pass). */
export function normal(e: Expr): Expr {
  const hit = normalCache.get(e);
  if (hit !== undefined) return hit;
  // A rule cycle (A → B → A) stops here instead of recursing forever.
  if (inProgress.has(e)) return e;
  inProgress.add(e);
  try {
    const rebuilt = b.rebuild(e, children(e).map(normal));
    const out = rebuilt !== e ? normal(rebuilt) : rewriteRoot(e);
    normalCache.set(e, out);
    normalCache.set(out, out);
    return out;
  } finally {
    inProgress.delete(e);
  }
}

/** e with normal children: rewrite at the root until nothing applies. */
function rewriteRoot(e: Expr): Expr {
  const next = rewriteOnce(e);
  return next === e ? e : normal(next);
}

/** The node kinds a pattern's root can match ('*' for a bare wildcard). */
function rootKeys(p: Surface): string[] {
  switch (p.t) {
    case 'num':
      return ['const'];
    case 'name':
      return p.name === 'eye' ? ['eye'] : ['*'];
    case 'call':
      return p.fn === 'vector' || p.fn === 'matrix'
        ? ['ones', 'zero']
        : p.fn === 'commutation'
          ? ['commutation']
          : [`call:${p.fn}`];
    case 'op':
      if (p.op === 'sub') return ['add'];
      if (p.op === 'gt') return [];
      // vector(1)' matches a row of ones (see match.ts).
      if (p.op === 'transpose') return p.args[0]!.t === 'call' ? ['transpose', 'ones', 'zero'] : ['transpose'];
      return [p.op];
  }
}

const nodeKey = (e: Expr): string => (e.kind === 'call' ? `call:${e.fn}` : e.kind);

let index: Map<string, CompiledRule[]> | undefined;

/** The rules that can match at a node of this kind, in their order in rules/simplify. */
function rulesFor(e: Expr): readonly CompiledRule[] {
  if (index === undefined) {
    const idx = new Map<string, CompiledRule[]>();
    const wild: CompiledRule[] = [];
    for (const r of compiledRules()) {
      for (const k of rootKeys(r.lhs)) {
        if (k === '*') wild.push(r);
        else idx.set(k, [...(idx.get(k) ?? []), r]);
      }
    }
    if (wild.length > 0)
      for (const [k, rs] of idx)
        idx.set(
          k,
          compiledRules().filter((r) => rs.includes(r) || wild.includes(r)),
        );
    idx.set('*', wild);
    index = idx;
  }
  return index.get(nodeKey(e)) ?? index.get('*')!;
}

/** The first rule that applies at the root of e, or e. */
function rewriteByRules(e: Expr): Expr {
  for (const r of rulesFor(e)) {
    const out = applyRule(r, e);
    if (out !== undefined) return out;
  }
  // Products are associative, so a pattern for two factors also applies to the last two factors
  // of a longer chain: (u*X)*Y with X*Y → R gives u*R (likewise for .*). Chains are left-nested and
  // rewriting runs children first, so every adjacent pair of a chain is tried as the chain grows.
  if (
    (e.kind === 'mul' || e.kind === 'emul') &&
    e.a.kind === e.kind &&
    e.a.shape.kind !== 'scalar' &&
    e.b.shape.kind !== 'scalar'
  ) {
    // (u*X)*Y well-shaped with u*X not 1×1 makes X*Y and then u*(X*Y) well-shaped too.
    const join = e.kind === 'mul' ? b.mul : b.emul;
    const u = e.a.a,
      pair = join(e.a.b, e.b);
    for (const r of rulesFor(pair)) {
      const out = applyRule(r, pair);
      if (out !== undefined) return join(u, out);
    }
  }
  return e;
}

function rewriteOnce(e: Expr): Expr {
  const ruled = rewriteByRules(e);
  if (ruled !== e) return ruled;
  if (e.kind === 'add' || e.kind === 'neg') {
    const out = e.kind === 'add' ? normaliseSum(e) : negateSum(e);
    if (out !== e) return out;
  }
  const elementwise = normaliseElementwise(e, rewriteByRules);
  if (elementwise !== e) return elementwise;
  return normaliseProduct(e);
}
