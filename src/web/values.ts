/**
 * Values for the backprop tab: the ones the user gave, and defaults for the inputs without one.
 *
 * Sizes of dimension names are read first off the given values (a given x = [1, 2, 3] makes n = 3),
 * then the remaining names take 3, 2, 4, … in order of appearance, so that different names usually
 * get different sizes and a mix-up shows. Defaults lie inside every domain matcalc knows: numbers are
 * positive (log, sqrt, relu away from its kink), square matrices are symmetric and diagonally
 * dominant (so symmetric, spd and invertible hold), and a matrix declared diagonal is diagonal.
 */
import type { Nested } from '../index.js';
import type { VarInfo } from './protocol.js';

const DEFAULT_SIZES = [3, 2, 4];

const rankOf = (v: Nested): number => (typeof v === 'number' ? 0 : 1 + (v.length > 0 ? rankOf(v[0]!) : 0));
const sizesOf = (v: Nested): number[] =>
  typeof v === 'number' ? [] : [v.length, ...(v.length > 0 ? sizesOf(v[0]!) : [])];
const round = (x: number): number => Math.round(x * 100) / 100;

/** The size of every dimension of every variable: from the given values, else a default. */
function bindSizes(vars: readonly VarInfo[], given: Readonly<Record<string, Nested>>): (d: string | number) => number {
  const sizes = new Map<string, number>();
  for (const v of vars) {
    const value = given[v.name];
    if (value === undefined || rankOf(value) !== v.dims.length) continue;
    sizesOf(value).forEach((n, i) => {
      const d = v.dims[i]!;
      if (typeof d === 'string' && !sizes.has(d)) sizes.set(d, n);
    });
  }
  let next = 0;
  const size = (d: string | number): number => {
    if (typeof d === 'number') return d;
    if (d.includes('·')) return d.split('·').reduce((p, f) => p * size(f), 1);
    const bound = sizes.get(d);
    if (bound !== undefined) return bound;
    const n = DEFAULT_SIZES[next++ % DEFAULT_SIZES.length]!;
    sizes.set(d, n);
    return n;
  };
  return size;
}

/** A default value for the k-th variable of the given sizes. */
export function defaultValue(dims: readonly number[], k: number, diagonal = false): Nested {
  if (dims.length === 0) return 0.5 + 0.25 * (k % 4);
  if (dims.length === 1) return Array.from({ length: dims[0]! }, (_, i) => (((i + 2 * k) % 5) + 1) * 0.5);
  const [m, n] = [dims[0]!, dims[1]!];
  const scale = 1 + 0.25 * (k % 3);
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (__, j) => {
      if (m !== n) return round((((i * n + j + k) % 5) + 1) * 0.25);
      if (i === j) return round(scale * (n / 2 + 1.5));
      return diagonal ? 0 : round((scale * 0.5) / (1 + Math.abs(i - j)));
    }),
  );
}

/** The given values, completed with a default for every variable that has none. */
export function defaultValues(
  vars: readonly VarInfo[],
  given: Readonly<Record<string, Nested>>,
): Record<string, Nested> {
  const size = bindSizes(vars, given);
  const out: Record<string, Nested> = {};
  vars.forEach((v, k) => {
    out[v.name] = given[v.name] ?? defaultValue(v.dims.map(size), k, v.props.includes('diagonal'));
  });
  return out;
}
