/**
 * The presentation pass, run after rewriting: transposes, which the rules push down to the
 * leaves (so that factors line up for collecting), are pulled back out where that is shorter.
 *   - a sum whose terms all read better transposed:  X'*B' + B'*X'  →  (B*X + X*B)'
 *     (and an elementwise product or quotient:       G'.*(A'./B')  →  (G.*(A./B))')
 *   - a run of three or more transposed factors:      inv(X)'*A'*B'*inv(X)'  →  (inv(X)*B*A*inv(X))'
 * Row sums spread back along each row read sum(A, 1)*vector(1)', not a product of ones.
 * Two transposed factors stay as they are (A'*B', as the Cookbook writes ∂tr(AXB)/∂X). And a
 * negated product carries its sign on the first factor, -X'*r rather than -(X'*r), as does a
 * negated elementwise product, -y.*(X*w); a negative term of a sum is a subtraction, a - 2*x.
 * Rewriting the result pushes the transposes back down; simplify repeats both until nothing
 * changes, so it is idempotent.
 */
import * as b from '../ir/build.js';
import { type Expr, children } from '../ir/expr.js';
import { negCoef } from './coef.js';
import { opCount } from './measure.js';
import { isSymmetric } from './predicates.js';
import { chainProduct, compose, decompose } from './products.js';

const MIN_RUN = 3;

let cache = new WeakMap<Expr, Expr>();

/** Forgets cached presentations (see clearSimplifyCache). */
export function clearPresentCache(): void {
  cache = new WeakMap();
}

export function present(e: Expr): Expr {
  let out = cache.get(e);
  if (out === undefined) {
    out = presentNode(e);
    cache.set(e, out);
  }
  return out;
}

function presentNode(e: Expr): Expr {
  if (e.kind === 'neg' && e.x.kind === 'emul') return presentElementwise(e);
  // A product is presented whole (its factors one by one), so that a run of transposed factors is
  // seen at once rather than piece by piece along the chain.
  if ((e.kind === 'mul' || e.kind === 'div' || e.kind === 'neg') && e.shape.kind !== 'scalar') return presentProduct(e);
  // a + (-P) and a + (-2)*P print as a - P and a - 2*P: the sign is not moved onto P's first factor.
  const negated = e.kind === 'add' ? negatedTerm(e.b) : undefined;
  const kids = e.kind === 'add' && negated ? [present(e.a), b.neg(present(negated))] : children(e).map(present);
  const node = b.rebuild(e, kids);
  if ((node.kind === 'add' || node.kind === 'emul' || node.kind === 'ediv') && node.shape.kind !== 'scalar') {
    const pulled = b.transpose(untransposed(node));
    return opCount(pulled) < opCount(node) ? pulled : node;
  }
  return node;
}

/** The first factor of a product (its leftmost leaf of the * and / spine). */
function leading(e: Expr): Expr {
  while (e.kind === 'mul' || e.kind === 'div') e = e.a;
  return e;
}

/** P when e is -P or a product with a negative coefficient (then P has the opposite one). */
function negatedTerm(e: Expr): Expr | undefined {
  if (e.kind === 'neg') return e.x;
  const first = leading(e);
  if (first === e || first.kind !== 'const' || first.value >= 0) return undefined;
  const p = decompose(e);
  return p.coef.p < 0 ? compose({ ...p, coef: negCoef(p.coef) }, e.shape) : undefined;
}

/** A negated elementwise product carries its sign on its first factor: -y.*(X*w), not -(y.*(X*w)). */
function presentElementwise(e: Expr): Expr {
  if (e.kind !== 'neg' || e.x.kind !== 'emul') return b.rebuild(e, children(e).map(present));
  let first: Expr = e.x;
  const rest: Expr[] = [];
  for (; first.kind === 'emul'; first = first.a) rest.unshift(present(first.b));
  return rest.reduce((acc, f) => b.emul(acc, f), b.neg(present(first)));
}

/** r with r' = e, built to be short: transposes cancel, products reverse. */
function untransposed(e: Expr): Expr {
  if (e.kind === 'transpose') return e.x;
  if (isSymmetric(e)) return e;
  switch (e.kind) {
    case 'neg':
      return b.neg(untransposed(e.x));
    case 'add':
      return b.add(untransposed(e.a), untransposed(e.b));
    case 'emul':
      return b.emul(untransposed(e.a), untransposed(e.b));
    case 'ediv':
      return b.ediv(untransposed(e.a), untransposed(e.b));
    case 'mul':
    case 'div': {
      if (e.kind === 'div' && e.a.shape.kind === 'scalar') break;
      const p = decompose(e);
      return compose({ ...p, chain: [...p.chain].reverse().map(untransposed) }, b.transpose(e).shape);
    }
    default:
      break;
  }
  return b.transpose(e);
}

/** Factors presented, long runs of transposed factors pulled out, a sign on the first factor: -X'*r. */
function presentProduct(e: Expr): Expr {
  const q = decompose(e);
  const p = {
    coef: q.coef,
    scalars: new Map([...q.scalars].map(([base, k]) => [present(base), k])),
    chain: q.chain.map(present),
  };
  const chain: Expr[] = [];
  for (let i = 0; i < p.chain.length; ) {
    let j = i;
    while (j < p.chain.length && p.chain[j]!.kind === 'transpose') j++;
    if (j - i >= MIN_RUN) {
      const run = p.chain
        .slice(i, j)
        .reverse()
        .map((f) => (f as { x: Expr }).x);
      chain.push(b.transpose(chainProduct(run)));
      i = j;
    } else {
      chain.push(p.chain[i]!);
      i++;
    }
  }
  return compose({ ...p, chain: sumsAlongDims(chain) }, e.shape, true);
}

/**
 * Row sums spread back along each row read as the papers write them: A*vector(1)*vector(1)' is
 * sum(A, 1)*vector(1)', as in softmax's backward pass P.*(G - sum(G.*P, 1)*vector(1)') — the same
 * operation count. (matrix(1)*A and A*matrix(1) stay: as sums they would print longer.)
 */
function sumsAlongDims(chain: readonly Expr[]): Expr[] {
  for (let i = 1; i + 1 < chain.length; i++) {
    const f = chain[i]!,
      next = chain[i + 1]!;
    if (f.kind !== 'ones' || f.shape.kind !== 'vector' || next.kind !== 'ones' || next.shape.kind !== 'row') continue;
    const prefix = chainProduct(chain.slice(0, i));
    if (prefix.shape.kind !== 'matrix') continue;
    // A sign leaves the sum: sum(-A, 1) is -sum(A, 1).
    const summed =
      prefix.kind === 'neg' ? b.neg(b.call('sum', [prefix.x, b.num(1)])) : b.call('sum', [prefix, b.num(1)]);
    return [summed, ...chain.slice(i + 1)];
  }
  return [...chain];
}
