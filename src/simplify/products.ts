/**
 * The product pass: every product is brought to one normal form
 *
 *     coefficient · scalar factors (with integer powers) · chain of non-scalar factors
 *
 * and printed back as `c*s1*s2^2*A*B*x/(q*t)`. On the way:
 *   - numeric coefficients multiply (exact rationals, src/simplify/coef.ts) and signs collect into
 *     them: a coefficient is one signed number (-2*x), and -1 is a negation of the whole product,
 *     never `-1*…` (the presentation pass moves that sign onto the first factor: -X'*r);
 *   - scalar factors anywhere in the product (`A*s`, `S/t*x`, `x*(x'*y)`) move to the front, equal
 *     ones merge into powers and cancel against divisions: 2*n/n → 2 (n ≠ 0 wherever the
 *     original is defined, since it divided by n);
 *   - a 1×1 segment inside a chain, such as x'*A*x in x*x'*A*x, is a scalar and moves to the front;
 *   - an inverse cancels with an adjacent factor of its argument: B*inv(A*B) → inv(A),
 *     inv(A*B)*A → inv(B) for square factors (both are then invertible, since A*B is), and the same
 *     with every factor transposed;
 *   - an identity next to another factor disappears.
 * Non-scalar factors keep their order: products do not commute. The pass cannot be written as
 * patterns because it looks at a whole product at once. Every output is its own normal form, so the
 * pass is idempotent.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import type { Shape } from '../shape/shape.js';
import { type Coef, ONE, divCoef, fromNumber, isOne, mulCoef } from './coef.js';
import { isSquare } from './predicates.js';

export interface Product {
  coef: Coef;
  /** Scalar factors with their integer powers (negative: in the denominator), in order of first appearance. */
  readonly scalars: Map<Expr, number>;
  /** Non-scalar factors, in product order. */
  chain: Expr[];
  /** The expression this product was read from, while it is unchanged (rebuilding it may print it differently). */
  source?: Expr;
}

const isScalar = (e: Expr): boolean => e.shape.kind === 'scalar';

function powCoef(c: Coef, k: number): Coef {
  let out = ONE;
  for (let i = 0; i < Math.abs(k); i++) out = k > 0 ? mulCoef(out, c) : divCoef(out, c);
  return out;
}

/** The normal form's parts of e. */
export function decompose(e: Expr): Product {
  const p: Product = { coef: ONE, scalars: new Map(), chain: [] };
  addFactor(p, e, 1, true);
  for (const [k, v] of p.scalars) if (v === 0) p.scalars.delete(k);
  extractScalarSegments(p);
  cancelInverses(p);
  // eye*M = M*eye = M: an identity next to another factor adds nothing (eye*eye is one eye).
  if (p.chain.length > 1) {
    const rest = p.chain.filter((f) => f.kind !== 'eye');
    p.chain = rest.length > 0 ? rest : [p.chain[0]!];
  }
  return p;
}

function addScalar(p: Product, base: Expr, power: number): void {
  p.scalars.set(base, (p.scalars.get(base) ?? 0) + power);
}

/** Multiplies p by e^power (power ≠ 1 only for scalars). */
function addFactor(p: Product, e: Expr, power: number, top: boolean): void {
  switch (e.kind) {
    case 'const':
      if (e.value === 0 && power < 0) {
        addScalar(p, e, power);
        return;
      }
      p.coef = mulCoef(p.coef, powCoef(fromNumber(e.value), power));
      return;
    case 'neg':
      if (power % 2 !== 0) p.coef = mulCoef(p.coef, { p: -1, q: 1 });
      addFactor(p, e.x, power, top);
      return;
    case 'mul': {
      if (isScalar(e.a) && isScalar(e.b)) {
        addFactor(p, e.a, power, false);
        addFactor(p, e.b, power, false);
        return;
      }
      if (!isScalar(e) || (top && power === 1)) {
        // A chain segment (or the 1×1 product being normalised itself): scalars out, the rest in order.
        addFactor(p, e.a, 1, false);
        addFactor(p, e.b, 1, false);
        return;
      }
      // A 1×1 product used as a scalar factor: its own scalars join ours, its chain is one base.
      const q = decompose(e);
      p.coef = mulCoef(p.coef, powCoef(q.coef, power));
      for (const [base, k] of q.scalars) addScalar(p, base, k * power);
      if (q.chain.length > 0) addScalar(p, chainProduct(q.chain), power);
      return;
    }
    case 'div':
      addFactor(p, e.a, power, top && !isScalar(e.a));
      addFactor(p, e.b, -power, false);
      return;
    case 'pow':
      if (isScalar(e) && e.b.kind === 'const' && Number.isInteger(e.b.value) && e.b.value !== 0) {
        addFactor(p, e.a, power * e.b.value, false);
        return;
      }
      break;
    default:
      break;
  }
  if (isScalar(e)) addScalar(p, e, power);
  else p.chain.push(e);
}

export const chainProduct = (chain: readonly Expr[]): Expr => chain.reduce((acc, f) => b.mul(acc, f));

/**
 * A row at position i and the next column vector at j ≥ i enclose a 1×1 segment: a scalar, moved to
 * the front. The factors left on either side are then a column and a row (an outer product), so the
 * chain stays well-shaped.
 */
function extractScalarSegments(p: Product): void {
  for (let i = 0; i < p.chain.length; i++) {
    if (p.chain[i]!.shape.kind !== 'row') continue;
    let j = i;
    while (j < p.chain.length && p.chain[j]!.shape.kind !== 'vector') j++;
    if (j >= p.chain.length || (i === 0 && j === p.chain.length - 1)) continue;
    const segment = p.chain.slice(i, j + 1);
    p.chain.splice(i, j - i + 1);
    const q = decompose(chainProduct(segment));
    p.coef = mulCoef(p.coef, q.coef);
    for (const [base, k] of q.scalars) addScalar(p, base, k);
    if (q.chain.length > 0) addScalar(p, chainProduct(q.chain), 1);
    i = -1;
  }
  for (const [k, v] of p.scalars) if (v === 0) p.scalars.delete(k);
}

/** The factors of a product of non-scalars, in order ([e] for anything else). */
function factorsOf(e: Expr): Expr[] {
  if (e.kind === 'mul' && !isScalar(e.a) && !isScalar(e.b)) return [...factorsOf(e.a), ...factorsOf(e.b)];
  return [e];
}

const inverseArg = (e: Expr): Expr | undefined => (e.kind === 'call' && e.fn === 'inv' ? e.args[0] : undefined);
const transposedInverseArg = (e: Expr): Expr | undefined => (e.kind === 'transpose' ? inverseArg(e.x) : undefined);

/** inv of a product of factors, or the identity for none. */
function invOf(factors: readonly Expr[], like: Expr): Expr {
  if (factors.length === 0) return b.eye((like.shape as { n: string | number }).n);
  return b.call('inv', [chainProduct(factors)]);
}

/** What L*R becomes when an inverse in it cancels, or undefined. */
function cancelPair(L: Expr, R: Expr): Expr | undefined {
  // Pm * inv(P1*…*Pm)  →  inv(P1*…*Pm-1)
  let arg = inverseArg(R);
  if (arg) {
    const fs = factorsOf(arg);
    if (fs[fs.length - 1] === L && isSquare(L)) return invOf(fs.slice(0, -1), L);
  }
  // inv(P1*…*Pm) * P1  →  inv(P2*…*Pm)
  arg = inverseArg(L);
  if (arg) {
    const fs = factorsOf(arg);
    if (fs[0] === R && isSquare(R)) return invOf(fs.slice(1), R);
  }
  // The same, transposed: inv(P1*…*Pm)' * Pm'  →  inv(P1*…*Pm-1)'
  arg = transposedInverseArg(L);
  if (arg) {
    const fs = factorsOf(arg);
    const last = fs[fs.length - 1]!;
    if (isSquare(last) && b.transpose(last) === R) return b.transpose(invOf(fs.slice(0, -1), last));
  }
  // P1' * inv(P1*…*Pm)'  →  inv(P2*…*Pm)'
  arg = transposedInverseArg(R);
  if (arg) {
    const fs = factorsOf(arg);
    if (isSquare(fs[0]!) && b.transpose(fs[0]!) === L) return b.transpose(invOf(fs.slice(1), fs[0]!));
  }
  return undefined;
}

function cancelInverses(p: Product): void {
  for (let i = 0; i + 1 < p.chain.length; i++) {
    const r = cancelPair(p.chain[i]!, p.chain[i + 1]!);
    if (r === undefined) continue;
    p.chain.splice(i, 2, r);
    i = Math.max(-1, i - 2);
  }
}

/**
 * Rebuilds a product: c*s1*s2^2*A*x/(q*t). A coefficient of -1 is a negation of the whole product
 * in the normal form (so that patterns see the product itself), and of its first factor when
 * presenting (-X'*r rather than -(X'*r)); `shape` is the original's, for a zero result.
 */
export function compose(p: Product, shape: Shape, signOnFirst = false): Expr {
  const { coef } = p;
  if (coef.p === 0) return b.zero(shape);
  const negative = coef.p < 0;
  const num: Expr[] = [];
  const den: Expr[] = [];
  // A coefficient other than ±1 is one signed number: -2*x.
  if (Math.abs(coef.p) !== 1) num.push(b.num(coef.p));
  if (coef.q !== 1) den.push(b.num(coef.q));
  for (const [base, k] of p.scalars) {
    if (k > 0) num.push(k === 1 ? base : b.pow(base, b.num(k)));
    else if (k < 0) den.push(k === -1 ? base : b.pow(base, b.num(-k)));
  }
  num.push(...p.chain);
  const signed = negative && Math.abs(coef.p) === 1;
  if (signed && signOnFirst) {
    if (num.length === 0) num.push(b.num(-1));
    else num[0] = b.neg(num[0]!);
  }
  let out = num.length === 0 ? b.num(1) : chainProduct(num);
  if (den.length > 0) out = b.div(out, chainProduct(den));
  return signed && !signOnFirst ? b.neg(out) : out;
}

/** The product pass at one node (mul, div or neg); other nodes are returned as they are. */
export function normaliseProduct(e: Expr): Expr {
  if (e.kind !== 'mul' && e.kind !== 'div' && e.kind !== 'neg') return e;
  return compose(decompose(e), e.shape);
}

export const isUnit = (p: Product): boolean => isOne(p.coef) && p.scalars.size === 0;
