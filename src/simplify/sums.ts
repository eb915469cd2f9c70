/**
 * The sum pass: a sum is a list of terms, each a product in normal form (products.ts).
 *
 *  1. Like terms collect: terms with the same scalar factors and the same chain add their
 *     coefficients (A*x + 2*A*x → 3*A*x; x'*x/n - x'*x/n → 0).
 *  2. Common factors are pulled out, greedily, the one that saves the most operations first:
 *       a scalar factor shared by several terms      2*S*x/n - 2*q*x/n^2  → 2*(S*x - q*x/n)/n
 *       a numeric factor                              -inv(S)/2 + P/2      → (P - inv(S))/2
 *       the same chain under different scalars        s*A*x + t*A*x        → (s + t)*A*x
 *       a shared last or first non-scalar factor      A*x + A'*x           → (A + A')*x
 *     Matrix factors are only pulled out on their own side: products do not commute.
 *  3. The sum is rebuilt in its order, led by a positive term.
 * Each step strictly lowers the operation count (src/simplify/measure.ts), so rewriting a sum again
 * and again terminates.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import { ShapeError } from '../errors.js';
import type { Shape } from '../shape/shape.js';
import { ONE, addCoef, commonCoef, divCoef, isOne, isZeroCoef, negCoef, sameCoef } from './coef.js';
import { opCount } from './measure.js';
import { type Product, chainProduct, compose, decompose } from './products.js';

/** Terms of a sum of same-shaped operands (a scalar added to a matrix broadcasts: that is one term). */
function flatten(e: Expr, negate: boolean, out: Product[]): void {
  if (e.kind === 'add' && e.a.shape.kind === e.shape.kind && e.b.shape.kind === e.shape.kind) {
    flatten(e.a, negate, out);
    flatten(e.b, negate, out);
  } else if (e.kind === 'neg' && e.x.kind === 'add') {
    flatten(e.x, !negate, out);
  } else {
    const p = decompose(e);
    if (negate) p.coef = negCoef(p.coef);
    else p.source = e;
    out.push(p);
  }
}

const keyOf = (p: Product): string =>
  [...p.scalars]
    .map(([e, k]) => `${e.id}^${k}`)
    .sort()
    .join(',') +
  '|' +
  p.chain.map((e) => e.id).join(',');

/** The sum pass at an add node; other nodes are returned as they are. */
export function normaliseSum(e: Expr): Expr {
  if (e.kind !== 'add') return e;
  const ts: Product[] = [];
  flatten(e, false, ts);
  const collected = collect(ts);
  const factored = factorOnce(collected, e.shape);
  if (factored !== undefined) return factored;
  return rebuildSum(collected, e.shape);
}

/**
 * -(x - y) → y - x: a negated sum with a negative term is written as the sum of the negated terms,
 * led by a positive one. -(a + b) stays as it is.
 */
export function negateSum(e: Expr): Expr {
  if (e.kind !== 'neg' || e.x.kind !== 'add') return e;
  const ts: Product[] = [];
  flatten(e.x, true, ts);
  return ts.some((t) => t.coef.p > 0) ? rebuildSum(ts, e.shape) : e;
}

function collect(ts: readonly Product[]): Product[] {
  const byKey = new Map<string, Product>();
  const out: Product[] = [];
  for (const t of ts) {
    const key = keyOf(t);
    const same = byKey.get(key);
    if (same) {
      same.coef = addCoef(same.coef, t.coef);
      delete same.source;
    } else {
      const copy: Product = {
        coef: t.coef,
        scalars: new Map(t.scalars),
        chain: [...t.chain],
        ...(t.source ? { source: t.source } : {}),
      };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out.filter((t) => !isZeroCoef(t.coef));
}

const termExpr = (t: Product, shape: Shape): Expr =>
  t.source ?? compose(t, t.chain.length === 0 ? { kind: 'scalar' } : shape);

/**
 * Rebuilds a sum in order, led by a positive term when there is one. Every term is added in its own
 * normal form (a + (-2)*x, a + -x); the presentation pass prints these as subtractions.
 */
export function rebuildSum(ts: readonly Product[], shape: Shape): Expr {
  const order = [...ts];
  const firstPositive = order.findIndex((t) => t.coef.p > 0);
  if (firstPositive > 0) order.unshift(...order.splice(firstPositive, 1));
  let acc: Expr | undefined;
  for (const t of order) {
    const x = termExpr(t, shape);
    acc = acc === undefined ? x : b.add(acc, x);
  }
  return acc ?? b.zero(shape);
}

interface Candidate {
  readonly saving: number;
  readonly group: readonly Product[];
  readonly build: () => Expr;
}

/** Applies the common-factor extraction that saves most, or returns undefined. */
function factorOnce(ts: readonly Product[], shape: Shape): Expr | undefined {
  if (ts.length < 2) return undefined;
  const candidates: Candidate[] = [
    ...scalarFactorCandidates(ts, shape),
    ...sameChainCandidates(ts),
    ...sideFactorCandidates(ts, 'last'),
    ...sideFactorCandidates(ts, 'first'),
    ...numericCandidates(ts, shape),
  ];
  // Best saving first; ties keep the order above (scalar factors before matrix factors).
  const ranked = candidates.filter((c) => c.saving > 0).sort((p, q) => q.saving - p.saving);
  for (const c of ranked) {
    let combined: Expr;
    try {
      combined = c.build();
    } catch (err) {
      if (err instanceof ShapeError) continue;
      throw err;
    }
    // The combined term takes the place of the group's first member.
    const at = ts.indexOf(c.group[0]!);
    const rest = ts.filter((t) => !c.group.includes(t));
    const replaced = decompose(combined);
    rest.splice(Math.min(at, rest.length), 0, replaced);
    const out = rebuildSum(rest, shape);
    // Only a real saving counts: rebuilding may print differently from the estimate.
    if (opCount(out) < opCount(rebuildSum(ts, shape))) return out;
  }
  return undefined;
}

const unitProduct = (): Product => ({ coef: ONE, scalars: new Map(), chain: [] });

/** base^k for a scalar base, as printed. */
const powerCost = (base: Expr, k: number): number => opCount(base) + (Math.abs(k) > 1 ? 1 : 0);

/** Pull a scalar factor s^k shared (with the same sign of k) by several terms. */
function scalarFactorCandidates(ts: readonly Product[], shape: Shape): Candidate[] {
  const out: Candidate[] = [];
  const bases = new Set<Expr>();
  for (const t of ts) for (const base of t.scalars.keys()) bases.add(base);
  for (const base of bases) {
    for (const sign of [1, -1]) {
      const group = ts.filter((t) => Math.sign(t.scalars.get(base) ?? 0) === sign);
      if (group.length < 2) continue;
      const k = sign * Math.min(...group.map((t) => Math.abs(t.scalars.get(base)!)));
      out.push({
        saving: (group.length - 1) * (powerCost(base, k) + 1),
        group,
        build: () => {
          const inner = group.map((t) => {
            const scalars = new Map(t.scalars);
            scalars.set(base, scalars.get(base)! - k);
            if (scalars.get(base) === 0) scalars.delete(base);
            return { coef: t.coef, scalars, chain: t.chain };
          });
          const outer = unitProduct();
          outer.scalars.set(base, k);
          return withInner(outer, inner, shape);
        },
      });
    }
  }
  return out;
}

/** outer * (sum of inner), as a term. */
function withInner(outer: Product, inner: readonly Product[], shape: Shape): Expr {
  return signed(inner, (ts) =>
    b.mul(
      compose(outer, { kind: 'scalar' }),
      rebuildSum(ts, ts.some((t) => t.chain.length > 0) ? shape : { kind: 'scalar' }),
    ),
  );
}

/** build(inner), or -build(-inner) when every inner term is negative: -(A + A')*x, not (-A - A')*x. */
function signed(inner: readonly Product[], build: (ts: readonly Product[]) => Expr): Expr {
  if (!inner.every((t) => t.coef.p < 0)) return build(inner);
  return b.neg(build(inner.map((t) => ({ coef: negCoef(t.coef), scalars: t.scalars, chain: t.chain }))));
}

/** Pull a numeric factor: a common denominator or numerator of several coefficients. */
function numericCandidates(ts: readonly Product[], shape: Shape): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const t of ts) {
    for (const c of [commonCoef(ts.map((x) => x.coef)), { p: Math.abs(t.coef.p), q: t.coef.q }]) {
      if (isOne(c) || seen.has(`${c.p}/${c.q}`)) continue;
      seen.add(`${c.p}/${c.q}`);
      const group = ts.filter((x) => {
        const r = divCoef(x.coef, c);
        return Number.isInteger(r.p) && r.q === 1;
      });
      if (group.length < 2) continue;
      const allNegative = group.every((x) => x.coef.p < 0);
      const g = allNegative ? negCoef(c) : c;
      const exact = group.filter((x) => sameCoef(x.coef, c) || sameCoef(x.coef, negCoef(c))).length;
      out.push({
        saving: exact - 1,
        group,
        build: () => {
          const inner = group.map((x) => ({ coef: divCoef(x.coef, g), scalars: x.scalars, chain: x.chain }));
          return withInner({ coef: g, scalars: new Map(), chain: [] }, inner, shape);
        },
      });
    }
  }
  return out;
}

/** Terms with the same non-empty chain under different scalar parts: (s + t)*chain. */
function sameChainCandidates(ts: readonly Product[]): Candidate[] {
  const byChain = new Map<string, Product[]>();
  for (const t of ts) {
    if (t.chain.length === 0) continue;
    const key = t.chain.map((x) => x.id).join(',');
    byChain.set(key, [...(byChain.get(key) ?? []), t]);
  }
  const out: Candidate[] = [];
  for (const group of byChain.values()) {
    if (group.length < 2) continue;
    const chain = group[0]!.chain;
    out.push({
      saving: (group.length - 1) * (opCount(chainProduct(chain)) + 1),
      group,
      build: () => {
        const inner = group.map((t) => ({ coef: t.coef, scalars: t.scalars, chain: [] }));
        return signed(inner, (ts) => b.mul(rebuildSum(ts, { kind: 'scalar' }), chainProduct(chain)));
      },
    });
  }
  return out;
}

/** Terms sharing their last (or first) non-scalar factor, each with at least one more: (A + B)*x. */
function sideFactorCandidates(ts: readonly Product[], side: 'first' | 'last'): Candidate[] {
  const pick = (t: Product): Expr => (side === 'last' ? t.chain[t.chain.length - 1]! : t.chain[0]!);
  const rest = (t: Product): Expr[] => (side === 'last' ? t.chain.slice(0, -1) : t.chain.slice(1));
  const out: Candidate[] = [];
  const seen = new Set<Expr>();
  for (const t of ts) {
    if (t.chain.length < 2) continue;
    const f = pick(t);
    if (seen.has(f)) continue;
    seen.add(f);
    const restShape = chainProduct(rest(t)).shape;
    const group = ts.filter(
      (x) => x.chain.length >= 2 && pick(x) === f && sameShape(chainProduct(rest(x)).shape, restShape),
    );
    if (group.length < 2) continue;
    out.push({
      saving: (group.length - 1) * (opCount(f) + 1),
      group,
      build: () => {
        // Untransposed before transposed: (A + A')*x, as textbooks write it.
        const inner = group.map((x) => ({ coef: x.coef, scalars: x.scalars, chain: rest(x) }));
        const sorted = [...inner].sort((p, q) => transposedFirst(p) - transposedFirst(q));
        return signed(sorted, (ts) => {
          const sum = rebuildSum(ts, restShape);
          return side === 'last' ? b.mul(sum, f) : b.mul(f, sum);
        });
      },
    });
  }
  return out;
}

const transposedFirst = (t: Product): number => Number(t.chain.length === 1 && t.chain[0]!.kind === 'transpose');

function sameShape(a: Shape, c: Shape): boolean {
  return JSON.stringify(a) === JSON.stringify(c);
}
