/**
 * The shape of derivative rules. Each rule is a *differential* (JVP form) written in matcalc's own
 * input syntax and parsed when first used:
 *
 *   - operators and structural functions bind their operands to `A`, `B` (or `X` for one operand)
 *     and the operands' differentials to `dA`, `dB` (`dX`), and their literal parameters by name
 *     (`p` of norm);
 *   - elementwise functions give their scalar derivative in `x` (and parameters such as `alpha`);
 *     the engine applies it elementwise: d f(X) = f'(X) .* dX.
 *
 * `ref` names a source a reader can check; `domain` says where test points must be drawn
 * ('open-unit-interval': -1 < x < 1, as asin and acos need; 'above-minus-one': x > -1, as log1p
 * needs — verify() reaches both by its sampling ladder, api/verify.ts).
 */
export type Domain = 'any' | 'positive' | 'invertible' | 'spd' | 'nonzero' | 'open-unit-interval' | 'above-minus-one';

export interface DifferentialRule {
  /** The differential (of the form without a dim, for a reduction: over all entries). */
  readonly d: string;
  /**
   * A reduction's differentials along dim 0 and dim 1 of a matrix (sum(X, 0), sum(X, 1)): templates
   * in X and dX like `d`, each reducing along its own dim (a vector's dim 0 is all of it).
   */
  readonly alongDim?: readonly [string, string];
  readonly ref: string;
  readonly domain?: Domain;
  /** Names of the literal parameters after the tensor argument (p of norm), bound in the templates. */
  readonly params?: readonly string[];
}

export interface ElementwiseRule {
  /** f'(x), applied elementwise. */
  readonly dx: string;
  readonly ref: string;
  readonly domain?: Domain;
  /** Names of scalar parameters after the tensor argument, e.g. ['alpha']. */
  readonly params?: readonly string[];
}
