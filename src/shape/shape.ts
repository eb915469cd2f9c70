/**
 * Shapes and symbolic dimensions.
 *
 * A dimension is a number (concrete) or a name such as `n`. A product of dimensions (the length of
 * vec(X) for an m×n X) is written canonically as its factors joined by '·', numbers first then names
 * sorted, so that structural equality of dims is string equality. Concrete numbers bind to names only
 * at evaluation (see bindDims in numeric/dims.ts).
 *
 * Shapes: scalar, (column) vector, row vector (a transposed vector) and matrix. A row vector exists so
 * that x'*A*x types as a scalar; its numeric layout is the same 1-d array as a vector.
 */
export type Dim = number | string;

export type Shape =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'vector'; readonly n: Dim }
  | { readonly kind: 'row'; readonly n: Dim }
  | { readonly kind: 'matrix'; readonly m: Dim; readonly n: Dim };

export const SCALAR: Shape = Object.freeze({ kind: 'scalar' });
export const vectorShape = (n: Dim): Shape => ({ kind: 'vector', n });
export const rowShape = (n: Dim): Shape => ({ kind: 'row', n });
export const matrixShape = (m: Dim, n: Dim): Shape => ({ kind: 'matrix', m, n });

/** Rows and columns of a shape seen as a matrix: a vector is n×1, a row 1×n, a scalar 1×1. */
export const rowsOf = (s: Shape): Dim => (s.kind === 'matrix' ? s.m : s.kind === 'vector' ? s.n : 1);
export const colsOf = (s: Shape): Dim => (s.kind === 'matrix' || s.kind === 'row' ? s.n : 1);

/** Canonical product of dimensions. */
export function mulDim(a: Dim, b: Dim): Dim {
  const factors = [...dimFactors(a), ...dimFactors(b)];
  let num = 1;
  const names: string[] = [];
  for (const f of factors) {
    if (typeof f === 'number') num *= f;
    else names.push(f);
  }
  if (names.length === 0) return num;
  names.sort();
  return num === 1 ? names.join('·') : `${num}·${names.join('·')}`;
}

const factorCache = new Map<string, readonly Dim[]>();

/** The factors of a (product) dimension; cached, since evaluation asks for them at every node. */
export function dimFactors(d: Dim): readonly Dim[] {
  if (typeof d === 'number') return [d];
  let fs = factorCache.get(d);
  if (fs === undefined) {
    fs = Object.freeze(d.split('·').map((f) => (/^\d+$/.test(f) ? Number(f) : f)));
    if (factorCache.size < 10_000) factorCache.set(d, fs);
  }
  return fs;
}

/** The dims of the numeric value, in the tensor layout (scalar [], vector and row [n], matrix [m, n]). */
export function tensorDims(s: Shape): Dim[] {
  switch (s.kind) {
    case 'scalar':
      return [];
    case 'vector':
    case 'row':
      return [s.n];
    case 'matrix':
      return [s.m, s.n];
  }
}

/** Number of entries, as a dimension. */
export function numel(s: Shape): Dim {
  return tensorDims(s).reduce<Dim>((acc, d) => mulDim(acc, d), 1);
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'scalar':
      return true;
    case 'vector':
    case 'row':
      return a.n === (b as { n: Dim }).n;
    case 'matrix':
      return a.m === (b as { m: Dim }).m && a.n === (b as { n: Dim }).n;
  }
}

export function transposeShape(s: Shape): Shape {
  switch (s.kind) {
    case 'scalar':
      return s;
    case 'vector':
      return rowShape(s.n);
    case 'row':
      return vectorShape(s.n);
    case 'matrix':
      return matrixShape(s.n, s.m);
  }
}

export function formatDim(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.includes('·') ? `(${d})` : d;
}

/** Human form used in messages and output: "scalar", "n", "1×n", "k×n". */
export function formatShape(s: Shape): string {
  switch (s.kind) {
    case 'scalar':
      return 'scalar';
    case 'vector':
      return formatDim(s.n);
    case 'row':
      return `1×${formatDim(s.n)}`;
    case 'matrix':
      return `${formatDim(s.m)}×${formatDim(s.n)}`;
  }
}

/** A key for hash-consing. */
export function shapeKey(s: Shape): string {
  switch (s.kind) {
    case 'scalar':
      return 's';
    case 'vector':
      return `v${s.n}`;
    case 'row':
      return `r${s.n}`;
    case 'matrix':
      return `m${s.m},${s.n}`;
  }
}

/** Rewrite every dimension of a shape (used to resolve inference variables). */
export function mapDims(s: Shape, f: (d: Dim) => Dim): Shape {
  switch (s.kind) {
    case 'scalar':
      return s;
    case 'vector':
      return vectorShape(f(s.n));
    case 'row':
      return rowShape(f(s.n));
    case 'matrix':
      return matrixShape(f(s.m), f(s.n));
  }
}
