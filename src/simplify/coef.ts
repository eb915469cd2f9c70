/**
 * Numeric coefficients as exact rationals p/q (q ≥ 1, in lowest terms), so that 1/2 + 1/2 is 1 and
 * a coefficient prints as `x/2` rather than `0.5*x`. A number with no small exact denominator
 * (0.01 is 1/100; π has none) is kept as a float with q = 1.
 */
export interface Coef {
  readonly p: number;
  readonly q: number;
}

export const ONE: Coef = { p: 1, q: 1 };
export const ZERO: Coef = { p: 0, q: 1 };

const MAX_DENOMINATOR = 1000;
const SAFE = 2 ** 40;

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

const exact = (c: Coef): boolean => Number.isInteger(c.p) && Math.abs(c.p) < SAFE && c.q < SAFE;

function reduce(p: number, q: number): Coef {
  if (p === 0) return ZERO;
  if (!Number.isInteger(p) || !Number.isInteger(q) || Math.abs(p) >= SAFE || q >= SAFE) return fromNumber(p / q);
  const g = gcd(p, q);
  return q / g < 0 ? { p: -p / g, q: -q / g } : { p: p / g, q: q / g };
}

/** The rational with the smallest denominator (up to 1000) equal to v exactly, else v itself. */
export function fromNumber(v: number): Coef {
  if (Object.is(v, -0) || v === 0) return ZERO;
  for (let q = 1; q <= MAX_DENOMINATOR; q++) {
    const p = v * q;
    if (Number.isInteger(p) && Math.abs(p) < SAFE) {
      const g = gcd(p, q);
      return { p: p / g, q: q / g };
    }
  }
  return { p: v, q: 1 };
}

export const mulCoef = (a: Coef, b: Coef): Coef =>
  exact(a) && exact(b) ? reduce(a.p * b.p, a.q * b.q) : fromNumber((a.p / a.q) * (b.p / b.q));
export const divCoef = (a: Coef, b: Coef): Coef =>
  exact(a) && exact(b) ? reduce(a.p * b.q, a.q * b.p) : fromNumber(a.p / a.q / (b.p / b.q));
export const addCoef = (a: Coef, b: Coef): Coef =>
  exact(a) && exact(b) ? reduce(a.p * b.q + b.p * a.q, a.q * b.q) : fromNumber(a.p / a.q + b.p / b.q);
export const negCoef = (a: Coef): Coef => ({ p: -a.p, q: a.q });
export const isOne = (a: Coef): boolean => a.p === 1 && a.q === 1;
export const isZeroCoef = (a: Coef): boolean => a.p === 0;
export const sameCoef = (a: Coef, b: Coef): boolean => a.p === b.p && a.q === b.q;

/**
 * The largest coefficient dividing all of cs exactly (gcd of numerators over lcm of denominators),
 * positive; ONE when some coefficient is a float.
 */
export function commonCoef(cs: readonly Coef[]): Coef {
  if (cs.length === 0 || !cs.every(exact)) return ONE;
  let p = 0,
    q = 1;
  for (const c of cs) {
    p = gcd(p, c.p);
    q = (q / gcd(q, c.q)) * c.q;
    if (q >= SAFE) return ONE;
  }
  return p === 0 ? ONE : reduce(p, q);
}
