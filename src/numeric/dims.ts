/**
 * Dimension binding: the sizes of the symbolic dimensions at a point, read off the variables' values.
 *
 * Each dimension name gets its size from the values of the variables that use it (scalar [], vector
 * and row [n], matrix [m, n]); a product dimension 'k·n' is the product of its factors and can also
 * bind its one unknown factor. Disagreements are ShapeErrors that name the variable and the one that
 * bound the dimension first. The evaluator (evaluate.ts) binds before it runs; the API, the checker
 * and backprop bind to size results that no longer mention every dimension.
 */
import { RequestError, ShapeError } from '../errors.js';
import type { Var } from '../ir/expr.js';
import { type Dim, type Shape, dimFactors, formatShape, tensorDims } from '../shape/shape.js';
import { type Tensor, allFinite } from './tensor.js';

/** Values of the variables, by name. */
export type Env = ReadonlyMap<string, Tensor>;

/** Sizes of the symbolic dimensions, by name. */
export type DimSizes = ReadonlyMap<string, number>;

interface Binding {
  readonly size: number;
  /** The variable whose value fixed the size (for messages). */
  readonly by: string;
}

/** The size of a dimension: a number, a name, or a product 'k·n' of factors. */
export function resolveDim(d: Dim, sizes: DimSizes): number {
  let out = 1;
  for (const f of dimFactors(d)) {
    if (typeof f === 'number') {
      out *= f;
      continue;
    }
    const size = sizes.get(f);
    if (size === undefined) throw new RequestError(`no size for the dimension ${f}: no variable's value fixes it`);
    out *= size;
  }
  return out;
}

/** The tensor dims of a shape under concrete sizes. */
export const shapeSizes = (s: Shape, sizes: DimSizes): number[] => tensorDims(s).map((d) => resolveDim(d, sizes));

const describeDecl = (s: Shape): string => {
  switch (s.kind) {
    case 'scalar':
      return 'a scalar';
    case 'vector':
      return `a vector of length ${formatShape(s)}`;
    case 'row':
      return `a row vector (${formatShape(s)})`;
    case 'matrix':
      return `an ${formatShape(s)} matrix`;
  }
};

const describeValue = (dims: readonly number[]): string =>
  dims.length === 0
    ? 'a single number'
    : dims.length === 1
      ? `a list of ${dims[0]} numbers`
      : dims.length === 2
        ? `a ${dims[0]}×${dims[1]} array`
        : `an array with dims [${dims.join(', ')}]`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function axisPhrase(s: Shape, axis: number, size: number): string {
  if (s.kind !== 'matrix') return `length ${size}`;
  return axis === 0 ? plural(size, 'row') : plural(size, 'column');
}

interface Pending {
  readonly v: Var;
  readonly axis: number;
  readonly dim: string;
  readonly size: number;
}

/**
 * Binds every dimension name used by the variables of `vars` to a size, from their values in `at`
 * (and from `given`, which takes precedence and is checked like any other binding).
 */
export function bindDims(vars: readonly Var[], at: Env, given?: DimSizes): Map<string, number> {
  const bound = new Map<string, Binding>();
  for (const [name, size] of given ?? []) if (!name.includes('·')) bound.set(name, { size, by: 'the given sizes' });
  const pending: Pending[] = [];
  for (const v of vars) {
    const t = varValue(v, at);
    const want = tensorDims(v.shape);
    if (t.dims.length !== want.length) {
      throw new ShapeError(
        `${v.name} is declared as ${describeDecl(v.shape)} but its value is ${describeValue(t.dims)}`,
      );
    }
    want.forEach((dim, axis) => {
      const size = t.dims[axis]!;
      const mismatch = (needs: string): ShapeError =>
        new ShapeError(`${v.name} has ${axisPhrase(v.shape, axis, size)} but its declared shape needs ${needs}`);
      if (typeof dim === 'number') {
        if (size !== dim) throw mismatch(String(dim));
      } else if (dim.includes('·')) {
        pending.push({ v, axis, dim, size });
      } else {
        const b = bound.get(dim);
        if (b === undefined) bound.set(dim, { size, by: v.name });
        else if (b.size !== size) throw mismatch(`${dim} = ${b.size} (bound by ${b.by})`);
      }
    });
  }
  bindProducts(pending, bound);
  return new Map([...bound].map(([k, b]) => [k, b.size]));
}

/**
 * Product dimensions: checked once all their factors are bound; one unknown factor (possibly
 * repeated, as in 'n·n') is solved for. Repeats until nothing changes.
 */
function bindProducts(pending: Pending[], bound: Map<string, Binding>): void {
  let todo = pending;
  while (todo.length > 0) {
    const next = todo.filter((p) => !settleProduct(p, bound));
    if (next.length === todo.length) {
      const p = next[0]!;
      throw new RequestError(
        `cannot tell the sizes in ${p.dim} from ${p.v.name} alone: give a value for a variable with a plain ${p.dim
          .split('·')
          .filter((f) => !/^\d+$/.test(f))
          .join(' or ')} dimension`,
      );
    }
    todo = next;
  }
}

/** Checks or solves one product dimension; false if it still has two unknown factors. */
function settleProduct(p: Pending, bound: Map<string, Binding>): boolean {
  let known = 1;
  const unknown = new Map<string, number>();
  const by = new Set<string>();
  for (const f of dimFactors(p.dim)) {
    if (typeof f === 'number') {
      known *= f;
      continue;
    }
    const b = bound.get(f);
    if (b === undefined) unknown.set(f, (unknown.get(f) ?? 0) + 1);
    else {
      known *= b.size;
      by.add(b.by);
    }
  }
  const fail = (): never => {
    throw new ShapeError(
      `${p.v.name} has ${axisPhrase(p.v.shape, p.axis, p.size)} but its declared shape needs ${p.dim} = ${known}` +
        (by.size > 0 ? ` (bound by ${[...by].join(', ')})` : ''),
    );
  };
  if (unknown.size === 0) {
    if (known !== p.size) fail();
    return true;
  }
  if (unknown.size > 1) return false;
  const [[name, power]] = [...unknown] as [[string, number]];
  const root = Math.round((p.size / known) ** (1 / power));
  if (root < 1 || root ** power * known !== p.size) {
    throw new ShapeError(
      `${p.v.name} has ${axisPhrase(p.v.shape, p.axis, p.size)}, which is not a multiple of ${p.dim} for any size of ${name}`,
    );
  }
  bound.set(name, { size: root, by: p.v.name });
  return true;
}

function varValue(v: Var, at: Env): Tensor {
  const t = at.get(v.name);
  if (t === undefined) throw new RequestError(`no value for ${v.name}`);
  if (!allFinite(t.data)) throw new RequestError(`the value of ${v.name} must contain only finite numbers`);
  return t;
}
