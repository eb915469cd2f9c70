/**
 * A multilinear map's tensor, read off at basis directions: given a value that is linear in each of
 * k direction variables (a k-th differential d^k f[dX₁, …, dX_k]), evaluate it with every tuple of
 * basis tensors E_{i₁}, …, E_{i_k} of the directions' dims and lay the results out as
 * dims(value) + k·dims(direction), row-major — the tensor layout of a k-th derivative. This is how a
 * derivative with no matrix form still has a value: the API's differential results and backprop's
 * local Jacobians both read theirs here. It costs |direction|^k evaluations; callers bound that.
 */
import type { Env } from './dims.js';
import { type Tensor, sizeOf, tensor } from './tensor.js';

/** The tensor of `run` (of dims `valueDims`, linear in each of `directions`, each of dims `dirDims`) at `at`. */
export function atBasisDirections(
  run: (env: Env) => Tensor,
  at: Env,
  directions: readonly string[],
  dirDims: readonly number[],
  valueDims: readonly number[],
): Tensor {
  const n = sizeOf(dirDims),
    m = sizeOf(valueDims),
    k = directions.length,
    slices = n ** k;
  const out = tensor([...valueDims, ...Array.from({ length: k }, () => dirDims).flat()]);
  const env = new Map(at);
  const basis = (i: number): Tensor => {
    const t = tensor(dirDims);
    t.data[i] = 1;
    return t;
  };
  const idx = new Array<number>(k).fill(0);
  for (let flat = 0; flat < slices; flat++) {
    let r = flat;
    for (let j = k - 1; j >= 0; j--) {
      idx[j] = r % n;
      r = Math.floor(r / n);
    }
    directions.forEach((name, j) => env.set(name, basis(idx[j]!)));
    const val = run(env);
    for (let p = 0; p < m; p++) out.data[p * slices + flat] = val.data[p]!;
  }
  return out;
}
