/**
 * Scalar special functions the elementwise kernels need and Math lacks: erf, erfc and the normal
 * CDF Φ (for gelu). Finite-difference checks at a relative step of ~6e-6 need values accurate to
 * near machine precision (a 1e-7 approximation such as Abramowitz–Stegun 7.1.26 would make the
 * difference quotient of erf wrong in its second digit), so:
 *
 *   - |x| < 3: the Maclaurin series in the form erf x = (2/√π) e^(−x²) Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
 *     (DLMF 7.6.2), whose terms are all positive, so there is no cancellation; ≤ 60 terms;
 *   - |x| ≥ 3: erfc by its continued fraction (DLMF 7.9.2), evaluated backwards with 60 levels,
 *     erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), and erf = 1 − erfc.
 *
 * Both agree with reference values to ~1e-16 relative (test/numeric/special.test.ts).
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SERIES_BELOW = 3;

/** erf for 0 ≤ x < 3 by the positive series. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x,
    sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc for x ≥ 3 by the continued fraction. */
function erfcFraction(x: number): number {
  let t = x;
  for (let k = 60; k >= 1; k--) t = x + k / 2 / t;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
}

/** The error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const v = a < SERIES_BELOW ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -v : v;
}

/** The complementary error function 1 − erf(x), accurate in the tail (x ≫ 0) too. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < SERIES_BELOW ? 1 - erfSeries(x) : erfcFraction(x);
}

/** The standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate for large negative x. */
export const normalCdf = (x: number): number => erfc(-x / Math.SQRT2) / 2;
