/**
 * The elementwise pass. Built from same-shaped tensors with + - .* ./ and integer .^ (and scalars,
 * which broadcast), an expression is a Laurent polynomial in commuting "atoms" — the maximal
 * subexpressions outside that algebra: x, sigmoid(z), X*w, …. The pass expands it, collects like
 * monomials (x .* (1./x) → 1, (1-y).*s - y.*(1-s) → s - y) and keeps the result if it is shorter
 * than the original and, when it multiplied out a sum, something cancelled exactly: it never undoes
 * a factored form such as s.*(1 - s).
 *
 * The Hadamard product commutes, so atoms may be reordered here — unlike the factors of a matrix
 * product, which the other passes never swap. Division is kept exact: x./x cancels, which is the
 * original's value wherever the original is defined. Expansion stops beyond LIMIT monomials.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import type { Shape } from '../shape/shape.js';
import { type Coef, ONE, addCoef, divCoef, fromNumber, isZeroCoef, mulCoef, negCoef } from './coef.js';
import { opCount } from './measure.js';
import { chainProduct, compose, decompose, isUnit } from './products.js';

interface Mono {
  readonly coef: Coef;
  /** Atoms with integer powers, in order of first appearance. */
  readonly atoms: ReadonlyMap<Expr, number>;
}

type Poly = Mono[];

const LIMIT = 32;
const MAX_EXPAND_POWER = 4;

const atom = (e: Expr, k = 1): Poly => [{ coef: ONE, atoms: new Map([[e, k]]) }];
const constant = (c: Coef): Poly => (isZeroCoef(c) ? [] : [{ coef: c, atoms: new Map() }]);

const keyOf = (m: Mono): string =>
  [...m.atoms]
    .map(([e, k]) => `${e.id}^${k}`)
    .sort()
    .join(',');

/**
 * Whether the current run cancelled something exactly (a power met its reciprocal, x.*(1./x), or
 * terms summed to zero), and whether it multiplied out a sum. A result with sums multiplied out is
 * kept only if something cancelled: expansion alone, even when shorter, can trade a factored form
 * such as σ.*(1 - σ).^2 for σ - 2σ² + σ³, which cancels catastrophically where σ ≈ 1.
 */
let cancelled = false;
let expanded = false;

function collect(ms: readonly Mono[]): Poly {
  const byKey = new Map<string, { coef: Coef; atoms: ReadonlyMap<Expr, number> }>();
  for (const m of ms) {
    const key = keyOf(m);
    const same = byKey.get(key);
    byKey.set(key, same ? { coef: addCoef(same.coef, m.coef), atoms: same.atoms } : { coef: m.coef, atoms: m.atoms });
  }
  const out = [...byKey.values()].filter((m) => !isZeroCoef(m.coef));
  if (out.length < byKey.size) cancelled = true;
  return out;
}

/** Product of monomials; a sum is kept whole as an atom (see poly), so this never expands. */
function times(p: Poly, q: Poly): Poly | undefined {
  if (p.length > 1) p = sumAtom(p);
  if (q.length > 1) q = sumAtom(q);
  const out: Mono[] = [];
  for (const m of p) {
    for (const n of q) {
      const atoms = new Map(m.atoms);
      for (const [e, k] of n.atoms) {
        const before = atoms.get(e) ?? 0;
        if (Math.sign(before) === -Math.sign(k)) cancelled = true;
        if (before + k === 0) atoms.delete(e);
        else atoms.set(e, before + k);
      }
      out.push({ coef: mulCoef(m.coef, n.coef), atoms });
    }
  }
  const r = collect(out);
  return r.length > LIMIT ? undefined : r;
}

/** A sum kept whole as one atom, in a canonical form: 1 - s and vector(1) - s are one atom. */
const sumAtom = (p: Poly): Poly => (p.length === 1 ? p : atom(polyExpr(p, undefined)));

/** 1/p: for a monomial, its powers negated; for a sum, the sum as an atom to the power -1. */
function reciprocal(p: Poly): Poly | undefined {
  if (p.length === 0) return undefined;
  const m = sumAtom(p)[0]!;
  return [{ coef: divCoef(ONE, m.coef), atoms: new Map([...m.atoms].map(([e, k]) => [e, -k])) }];
}

const plus = (p: Poly, q: Poly): Poly | undefined => {
  const r = collect([...p, ...q]);
  return r.length > LIMIT ? undefined : r;
};

const negate = (p: Poly): Poly => p.map((m) => ({ coef: negCoef(m.coef), atoms: m.atoms }));

/**
 * e as a polynomial in atoms of e's elementwise shape (or scalars), or undefined when it grows too
 * large. Sums inside products stay whole (as canonical atoms) so that equal ones cancel:
 * (a - b).*(1./(a - b)) → 1; expand() then multiplies out the sums left with positive powers.
 */
function poly(e: Expr, shape: Shape): Poly | undefined {
  const inside = e.shape.kind === 'scalar' || sameShape(e.shape, shape);
  if (!inside) return atom(e);
  switch (e.kind) {
    case 'const':
      return constant(fromNumber(e.value));
    case 'ones':
      return constant(ONE);
    case 'zero':
      return [];
    case 'neg': {
      const p = poly(e.x, shape);
      return p && negate(p);
    }
    case 'add': {
      const p = poly(e.a, shape),
        q = poly(e.b, shape);
      return p && q && plus(p, q);
    }
    case 'emul':
    case 'mul': {
      // A product is in the algebra when it is elementwise, or scales by a scalar.
      if (e.kind === 'mul' && e.a.shape.kind !== 'scalar' && e.b.shape.kind !== 'scalar') return atom(e);
      const p = poly(e.a, shape),
        q = poly(e.b, shape);
      return p && q && times(p, q);
    }
    case 'ediv':
    case 'div': {
      const p = poly(e.a, shape),
        q = poly(e.b, shape);
      const r = q && reciprocal(q);
      return p && r && times(p, r);
    }
    case 'epow':
    case 'pow': {
      if (e.b.kind !== 'const' || !Number.isInteger(e.b.value) || (e.kind === 'pow' && e.a.shape.kind !== 'scalar'))
        return atom(e);
      const k = e.b.value;
      const p = poly(e.a, shape);
      if (!p || p.length === 0) return p;
      const m = sumAtom(p)[0]!;
      let coef = ONE;
      for (let i = 0; i < Math.abs(k); i++) coef = k > 0 ? mulCoef(coef, m.coef) : divCoef(coef, m.coef);
      return [{ coef, atoms: new Map([...m.atoms].map(([x, j]) => [x, j * k])) }];
    }
    default:
      return atom(e);
  }
}

/**
 * Multiplies out the sums kept whole that are left with positive powers (small powers only), one
 * at a time, collecting after each round so that cancellations happen while the other sums are
 * still whole: ((1-t)./(1-s) - t./s).*s.*(1-s) first distributes the quotient, whose (1-s)^-1
 * cancels the (1-s), and only then expands what is left.
 */
function expand(p: Poly, shape: Shape): Poly | undefined {
  let cur = p;
  for (let round = 0; round < 4 * LIMIT; round++) {
    let changed = false;
    let out: Poly = [];
    for (const m of cur) {
      const picked = pickSum(m, shape);
      let next: Poly | undefined = [m];
      if (picked) {
        const [sum, k, inner] = picked;
        const rest: Mono = { coef: m.coef, atoms: new Map([...m.atoms].filter(([e]) => e !== sum)) };
        let factor: Poly | undefined = inner;
        for (let i = 1; i < k && factor; i++) factor = timesExpanded(factor, inner);
        next = factor && timesExpanded([rest], factor);
        changed = true;
        expanded = true;
      }
      const sum = next && plus(out, next);
      if (!sum) return undefined;
      out = sum;
    }
    cur = out;
    if (!changed) return cur;
  }
  return undefined;
}

/** The sum atom of m to expand next: one with a quotient inside first (its division may cancel). */
function pickSum(m: Mono, shape: Shape): [Expr, number, Poly] | undefined {
  let best: [Expr, number, Poly] | undefined;
  for (const [e, k] of m.atoms) {
    if (e.kind !== 'add' || k < 1 || k > MAX_EXPAND_POWER) continue;
    const inner = poly(e, shape);
    if (!inner || inner.length < 2) continue;
    const divides = inner.some((n) => [...n.atoms.values()].some((j) => j < 0));
    if (divides) return [e, k, inner];
    best ??= [e, k, inner];
  }
  return best;
}

/** Full product of two polynomials, term by term. */
function timesExpanded(p: Poly, q: Poly): Poly | undefined {
  if (p.length * q.length > LIMIT * 4) return undefined;
  let out: Poly = [];
  for (const m of p) {
    for (const n of q) {
      const part = times([m], [n]);
      const sum = part && plus(out, part);
      if (!sum) return undefined;
      out = sum;
    }
  }
  return out;
}

function sameShape(a: Shape, c: Shape): boolean {
  if (a.kind !== c.kind) return false;
  if (a.kind === 'matrix' && c.kind === 'matrix') return a.m === c.m && a.n === c.n;
  return (a as { n: unknown }).n === (c as { n: unknown }).n;
}

/** One monomial: c * scalars * (tensor atoms with positive powers) ./ (those with negative powers). */
function monoExpr(m: Mono): Expr {
  const scalars = new Map<Expr, number>();
  const up: Expr[] = [],
    down: Expr[] = [];
  for (const [e, k] of m.atoms) {
    if (e.shape.kind === 'scalar') scalars.set(e, k);
    else if (k > 0) up.push(k === 1 ? e : b.epow(e, b.num(k)));
    else down.push(k === -1 ? e : b.epow(e, b.num(-k)));
  }
  const emulAll = (es: Expr[]): Expr => es.reduce((acc, x) => b.emul(acc, x));
  if (up.length === 0 && down.length > 0 && scalars.size === 0 && m.coef.q === 1) {
    // c./x: the coefficient is the numerator.
    return b.ediv(b.num(m.coef.p), emulAll(down));
  }
  let tensor: Expr | undefined = up.length > 0 ? emulAll(up) : undefined;
  if (down.length > 0) tensor = b.ediv(tensor ?? b.num(1), emulAll(down));
  return compose({ coef: m.coef, scalars, chain: tensor ? [tensor] : [] }, tensor?.shape ?? { kind: 'scalar' });
}

/** A tensor atom that every monomial of a sum has as a factor, the first one met (P in P.*G - P.*Q). */
function commonAtom(p: Poly): Expr | undefined {
  if (p.length < 2) return undefined;
  for (const [e, k] of p[0]!.atoms) {
    if (e.shape.kind !== 'scalar' && k > 0 && p.every((m) => (m.atoms.get(e) ?? 0) > 0)) return e;
  }
  return undefined;
}

/**
 * The sum of the monomials, led by a positive one; `shape` (when given) for a result with no tensor
 * left. A factor common to every term is taken out, as a textbook writes it: P.*G - P.*Q is P.*(G - Q)
 * (the Hadamard product distributes over sums).
 */
function polyExpr(p: Poly, shape: Shape | undefined): Expr {
  const common = commonAtom(p);
  if (common !== undefined) {
    const rest = p.map((m) => {
      const atoms = new Map(m.atoms);
      const k = atoms.get(common)! - 1;
      if (k === 0) atoms.delete(common);
      else atoms.set(common, k);
      return { coef: m.coef, atoms };
    });
    return b.emul(common, polyExpr(rest, shape));
  }
  const order = [...p];
  const firstPositive = order.findIndex((m) => m.coef.p > 0);
  if (firstPositive > 0) order.unshift(...order.splice(firstPositive, 1));
  let acc: Expr | undefined;
  for (const m of order) {
    if (acc === undefined) {
      acc = monoExpr(m);
      continue;
    }
    acc = m.coef.p < 0 ? b.sub(acc, monoExpr({ coef: negCoef(m.coef), atoms: m.atoms })) : b.add(acc, monoExpr(m));
  }
  if (acc === undefined) return shape ? b.zero(shape) : b.num(0);
  // Only scalars left (x./x → 1): the constant tensor of the original's shape.
  return shape && acc.shape.kind === 'scalar' ? b.mul(acc, b.ones(shape)) : acc;
}

/**
 * Two atoms of one monomial that a rewrite rule turns into something shorter merge into one:
 * exp(u) and (1 + exp(u))^-1 become sigmoid(u) by the rule 'exp(u)./(vector(1) + exp(u)) -> sigmoid(u)'.
 */
function mergeAtoms(m: Mono, shape: Shape, rewrite: (e: Expr) => Expr): Mono {
  const tensors = [...m.atoms].filter(([e, k]) => e.shape.kind !== 'scalar' && Math.abs(k) === 1);
  for (const [p, kp] of tensors) {
    for (const [q, kq] of tensors) {
      if (p === q || kp < 0 || (kq > 0 && p.id > q.id)) continue;
      const pair = kq > 0 ? b.emul(p, q) : b.ediv(p, q);
      const r = rewrite(pair);
      if (r === pair || opCount(r) >= opCount(pair)) continue;
      const rp = poly(r, shape);
      if (rp?.length !== 1) continue;
      const atoms = new Map(m.atoms);
      atoms.delete(p);
      atoms.delete(q);
      const merged = times([{ coef: m.coef, atoms }], rp)![0]!;
      return mergeAtoms(merged, shape, rewrite);
    }
  }
  return m;
}

/**
 * Scalar factors and signs leave elementwise products and quotients, wherever they sit in the
 * operands' chains: (2*V'*r).*t → 2*((V'*r).*t), A./(s*B) → (A./B)/s, (-A).*B → -(A.*B).
 */
function scalarsOut(e: Expr): Expr {
  if ((e.kind !== 'emul' && e.kind !== 'ediv') || e.a.shape.kind === 'scalar' || e.b.shape.kind === 'scalar') return e;
  const pa = decompose(e.a),
    pb = decompose(e.b);
  if (pa.chain.length === 0 || pb.chain.length === 0) return e;
  if (isUnit(pa) && isUnit(pb)) return e;
  const coef = e.kind === 'emul' ? mulCoef(pa.coef, pb.coef) : divCoef(pa.coef, pb.coef);
  const scalars = new Map(pa.scalars);
  for (const [base, k] of pb.scalars) scalars.set(base, (scalars.get(base) ?? 0) + (e.kind === 'emul' ? k : -k));
  for (const [base, k] of scalars) if (k === 0) scalars.delete(base);
  const inner = (e.kind === 'emul' ? b.emul : b.ediv)(chainProduct(pa.chain), chainProduct(pb.chain));
  return compose({ coef, scalars, chain: [inner] }, e.shape);
}

/**
 * The elementwise pass at one node: scalars out of elementwise products, then an expanded,
 * collected form if it is shorter. `rewrite` applies the rewrite rules at the root of an
 * expression (for mergeAtoms).
 */
export function normaliseElementwise(e: Expr, rewrite: (e: Expr) => Expr): Expr {
  if (e.shape.kind === 'scalar' || (e.kind !== 'emul' && e.kind !== 'ediv' && e.kind !== 'add' && e.kind !== 'epow'))
    return e;
  const out = scalarsOut(e);
  if (out !== e) return out;
  cancelled = false;
  expanded = false;
  const p = poly(e, e.shape);
  const full = p && expand(p, e.shape);
  if (!full) return e;
  const merged = collect(full.map((m) => mergeAtoms(m, e.shape, rewrite)));
  const polished = polyExpr(merged, e.shape);
  return (cancelled || !expanded) && opCount(polished) < opCount(e) ? polished : e;
}
