/**
 * Dense tensors: Float64Array data in row-major order with integer dims. A scalar has dims [],
 * a vector (or row vector) [n], a matrix [m, n]; derivative values have higher ranks, in the layout
 * shape(f) + shape(wrt) (+ shape(wrt) for each further order), like jax.jacobian.
 */
import { LimitError, RequestError } from '../errors.js';

export interface Tensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export type Nested = number | Nested[];

export const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Whether every entry is a finite number. */
export function allFinite(data: Float64Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

/** Entries one value may have (2²⁴ doubles, 128 MB): beyond it a LimitError, not an out-of-memory crash. */
export const MAX_ENTRIES = 2 ** 24;

/** The number of entries of dims, or a LimitError when a value that large should not be built. */
export function checkedSize(dims: readonly number[]): number {
  const n = sizeOf(dims);
  if (!(n <= MAX_ENTRIES)) {
    throw new LimitError(
      `a value of size ${dims.join('×')} has ${n} entries; the limit is ${MAX_ENTRIES}: use smaller sizes`,
    );
  }
  return n;
}

export function tensor(dims: readonly number[], data?: ArrayLike<number>): Tensor {
  const n = checkedSize(dims);
  const out = new Float64Array(n);
  if (data !== undefined) {
    if (data.length !== n) throw new Error(`internal error: ${data.length} values for dims [${dims.join(',')}]`);
    out.set(data);
  }
  return { dims: [...dims], data: out };
}

export const scalarTensor = (v: number): Tensor => tensor([], [v]);

/** Reads a JSON value (number, list, list of rows, …) as a tensor; ragged or non-numeric input is a RequestError. */
export function fromNested(v: unknown, what = 'value'): Tensor {
  const dims: number[] = [];
  let probe: unknown = v;
  while (Array.isArray(probe)) {
    if (probe.length === 0) throw new RequestError(`${what} has an empty list`);
    dims.push(probe.length);
    probe = probe[0];
  }
  const data: number[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth === dims.length) {
      if (typeof x !== 'number' || !Number.isFinite(x))
        throw new RequestError(
          `${what} must contain only finite numbers, found ${typeof x === 'number' ? String(x) : JSON.stringify(x)}`,
        );
      data.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== dims[depth])
      throw new RequestError(`${what} is ragged: every row must have the same length`);
    for (const y of x) walk(y, depth + 1);
  };
  walk(v, 0);
  return tensor(dims, data);
}

/** The tensor as nested arrays (a number for a scalar). */
export function toNested(t: Tensor): Nested {
  const build = (offset: number, depth: number): Nested => {
    if (depth === t.dims.length) return t.data[offset]!;
    const stride = sizeOf(t.dims.slice(depth + 1));
    const out: Nested[] = [];
    for (let i = 0; i < t.dims[depth]!; i++) out.push(build(offset + i * stride, depth + 1));
    return out;
  };
  return build(0, 0);
}

/** Same data, new dims (row-major reshape). */
export function reshape(t: Tensor, dims: readonly number[]): Tensor {
  if (sizeOf(dims) !== t.data.length)
    throw new Error(`internal error: cannot reshape [${t.dims.join(',')}] to [${dims.join(',')}]`);
  return { dims: [...dims], data: t.data };
}

/** Largest |a-b| / max(1, |b|) over entries; Infinity if dims differ. */
export function maxRelDiff(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** The transpose of a matrix (a 2-d tensor). */
export function transposeMatrix(t: Tensor): Tensor {
  const [m, n] = t.dims as [number, number];
  const out = tensor([n, m]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[j * m + i] = t.data[i * n + j]!;
  return out;
}

/** a + b entrywise (same number of entries; a's dims). */
export function addTensors(a: Tensor, b: Tensor): Tensor {
  if (a.data.length !== b.data.length) throw new Error('internal error: adding tensors of different sizes');
  return { dims: a.dims, data: a.data.map((v, i) => v + b.data[i]!) };
}
