/**
 * Numeric kernels of the reductions sum, mean, var, std, max and min: over all entries, or along
 * one axis of a k×n matrix (row-major data), dim 0 down the columns giving n values and dim 1 along
 * each row giving k — the axis conventions of NumPy and PyTorch (docs/conventions.md, Reductions).
 * Variance and standard deviation are the population ones (1/n, NumPy's default ddof = 0), computed
 * in two passes (the mean first), which is exact for constant data and stable otherwise.
 */
import type { Tensor } from './tensor.js';

export type Reduction = 'sum' | 'mean' | 'var' | 'std' | 'max' | 'min';

/** One reduction of the values v[start + i*stride], i < count. */
function reduceStrided(r: Reduction, v: Float64Array, start: number, count: number, stride: number): number {
  const at = (i: number): number => v[start + i * stride]!;
  switch (r) {
    case 'max':
    case 'min': {
      let m = at(0);
      for (let i = 1; i < count; i++) m = r === 'max' ? Math.max(m, at(i)) : Math.min(m, at(i));
      return m;
    }
    default: {
      let s = 0;
      for (let i = 0; i < count; i++) s += at(i);
      if (r === 'sum') return s;
      const mean = s / count;
      if (r === 'mean') return mean;
      let q = 0;
      for (let i = 0; i < count; i++) q += (at(i) - mean) ** 2;
      return r === 'var' ? q / count : Math.sqrt(q / count);
    }
  }
}

/**
 * The reduction of `t` over all its entries (dim undefined), or of a k×n matrix along `dim`: the n
 * column reductions for dim 0, the k row reductions for dim 1.
 */
export function reduce(r: Reduction, t: Tensor, dim: 0 | 1 | undefined): Float64Array {
  const v = t.data;
  if (dim === undefined) return Float64Array.of(reduceStrided(r, v, 0, v.length, 1));
  const [k, n] = [t.dims[0]!, t.dims[1]!];
  return dim === 0
    ? Float64Array.from({ length: n }, (_, j) => reduceStrided(r, v, j, k, n))
    : Float64Array.from({ length: k }, (_, i) => reduceStrided(r, v, i * n, n, 1));
}

/**
 * The gap between the two largest (max) or two smallest (min) entries of each reduced group,
 * relative to the group's scale: zero at a tie, where the derivative through the arg-max jumps.
 */
export function tieGaps(r: 'max' | 'min', t: Tensor, dim: 0 | 1 | undefined): number[] {
  const v = t.data;
  const gap = (start: number, count: number, stride: number): number => {
    if (count < 2) return Infinity;
    const xs = Array.from({ length: count }, (_, i) => v[start + i * stride]!).sort((a, b) =>
      r === 'max' ? b - a : a - b,
    );
    const scale = Math.max(1, ...xs.map(Math.abs));
    return Math.abs(xs[0]! - xs[1]!) / scale;
  };
  if (dim === undefined) return [gap(0, v.length, 1)];
  const [k, n] = [t.dims[0]!, t.dims[1]!];
  return dim === 0
    ? Array.from({ length: n }, (_, j) => gap(j, k, n))
    : Array.from({ length: k }, (_, i) => gap(i * n, n, 1));
}
