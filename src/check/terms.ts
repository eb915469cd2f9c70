/**
 * Sums of products: an expression expanded into signed terms, each a coefficient, scalar factors
 * (which commute) and matrix factors (which do not, kept in order). The checker uses it to name the
 * term an answer misses or adds, and to see factors written in the wrong order.
 *
 *   (A + A')*x      → 1·[A, x] + 1·[A', x]
 *   -2*(B*A)'*y     → -2·[A', B', y]          transposes pushed to the leaves, order reversed
 *   x'*y/2 * A*z    → 0.5·{x'*y}·[A, z]       a scalar-valued product is one commuting factor
 *
 * Expansion distributes products over sums (both sides), pushes transposes and negations to the
 * leaves and folds numeric coefficients; everything else (calls, elementwise products, powers) is a
 * leaf. It stops (returns undefined) beyond `limit` terms: a diagnosis names one term, and a sum of
 * dozens is no help to a student. Every term rebuilds (termExpr) to an expression of the sum's
 * shape, and the terms add up to the original value (the checker confirms this numerically before
 * it relies on a decomposition).
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';

export interface Term {
  readonly coef: number;
  /** Scalar-valued factors, in no particular order. */
  readonly scalars: readonly Expr[];
  /** Non-scalar factors, in product order. */
  readonly factors: readonly Expr[];
}

const ONE: Term = { coef: 1, scalars: [], factors: [] };

/** The terms of `e`, or undefined when there are more than `limit`. */
export function expandTerms(e: Expr, limit = 12): Term[] | undefined {
  const go = (x: Expr): Term[] | undefined => {
    const out = expand(x, go);
    return out !== undefined && out.length <= limit ? out : undefined;
  };
  return go(e);
}

function expand(x: Expr, go: (x: Expr) => Term[] | undefined): Term[] | undefined {
  switch (x.kind) {
    case 'const':
      return [{ ...ONE, coef: x.value }];
    case 'add': {
      // A scalar broadcast over a tensor (x + 1) is not a sum of like-shaped terms: keep it whole.
      if (x.a.shape.kind !== x.shape.kind || x.b.shape.kind !== x.shape.kind) return [leaf(x)];
      const a = go(x.a),
        c = go(x.b);
      return a && c ? [...a, ...c] : undefined;
    }
    case 'neg':
      return go(x.x)?.map((t) => ({ ...t, coef: -t.coef }));
    case 'transpose':
      return go(x.x)?.map(transposeTerm);
    case 'mul': {
      const a = factorTerms(x.a, go),
        c = factorTerms(x.b, go);
      if (!a || !c) return undefined;
      return a.flatMap((s) =>
        c.map((t) => ({
          coef: s.coef * t.coef,
          scalars: [...s.scalars, ...t.scalars],
          factors: [...s.factors, ...t.factors],
        })),
      );
    }
    case 'div': {
      if (x.b.kind === 'const' && x.b.value !== 0)
        return go(x.a)?.map((t) => ({ ...t, coef: t.coef / (x.b as { value: number }).value }));
      const recip = b.div(b.num(1), x.b);
      return go(x.a)?.map((t) => ({ ...t, scalars: [...t.scalars, recip] }));
    }
    default:
      return [leaf(x)];
  }
}

/** A factor of a product: a constant folds into the coefficient, any other scalar commutes whole. */
function factorTerms(x: Expr, go: (x: Expr) => Term[] | undefined): Term[] | undefined {
  if (x.kind === 'const') return [{ ...ONE, coef: x.value }];
  if (x.shape.kind === 'scalar') return [{ ...ONE, scalars: [x] }];
  return go(x);
}

const leaf = (x: Expr): Term => (x.shape.kind === 'scalar' ? { ...ONE, scalars: [x] } : { ...ONE, factors: [x] });

function transposeTerm(t: Term): Term {
  return { ...t, factors: [...t.factors].reverse().map((f) => b.transpose(f)) };
}

/** The term as an expression: coefficient, then scalar factors, then the product of the matrix factors. */
export function termExpr(t: Term): Expr {
  const all = [...t.scalars, ...t.factors];
  const body = all.length > 0 ? all.reduce((acc, f) => b.mul(acc, f)) : b.num(1);
  const scaled = Math.abs(t.coef) === 1 ? body : b.mul(b.num(Math.abs(t.coef)), body);
  return t.coef < 0 ? b.neg(scaled) : scaled;
}

/** The factor under any transpose: A' → A. */
const base = (f: Expr): Expr => (f.kind === 'transpose' ? f.x : f);

const sameMultiset = (xs: readonly Expr[], ys: readonly Expr[]): boolean => {
  if (xs.length !== ys.length) return false;
  const rest = [...ys];
  for (const x of xs) {
    const i = rest.indexOf(x);
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
};

const close = (a: number, c: number): boolean => Math.abs(a - c) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(c));

/**
 * Whether `answer` is `expected` with the factors of some term in another order: the terms pair up
 * with equal coefficients, equal scalar factors and the same matrix factors up to transposition, and
 * in at least one pair the factors (transposes aside) come in a different order. Returns that pair.
 */
export function reorderedTerm(
  expected: readonly Term[],
  answer: readonly Term[],
): { readonly expected: Term; readonly answer: Term } | undefined {
  if (expected.length !== answer.length) return undefined;
  const unused = [...expected];
  let witness: { expected: Term; answer: Term } | undefined;
  for (const a of answer) {
    const i = unused.findIndex(
      (e) =>
        close(e.coef, a.coef) &&
        sameMultiset(e.scalars, a.scalars) &&
        sameMultiset(e.factors.map(base), a.factors.map(base)),
    );
    if (i < 0) return undefined;
    const e = unused.splice(i, 1)[0]!;
    if (witness === undefined && e.factors.some((f, k) => base(f) !== base(a.factors[k]!)))
      witness = { expected: e, answer: a };
  }
  return witness;
}
