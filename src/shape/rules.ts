/**
 * Shape rules: the one place that knows how each operation combines shapes.
 *
 * Used twice with different unifiers: shape inference (shape/infer.ts) unifies dimension variables
 * with union-find, while the IR constructors (ir/build.ts) demand that dimensions are already equal.
 * Failures name both operands and their shapes, as a user reads them.
 */
import { ParseError, ShapeError } from '../errors.js';
import type { BinaryKind } from '../ir/expr.js';
import { FUNCTIONS, type FnName } from '../ir/functions.js';
import { OPERATORS } from '../ir/operators.js';
import {
  type Dim,
  type Shape,
  SCALAR,
  colsOf,
  formatDim,
  formatShape,
  matrixShape,
  mulDim,
  rowShape,
  rowsOf,
  vectorShape,
} from './shape.js';

export interface Unifier {
  /** The common dimension, or null when a and b cannot be the same. */
  unify(a: Dim, b: Dim): Dim | null;
  /** A dimension as the user should read it in a message (inference names its unknowns). */
  show?(d: Dim): string;
}

export const strictUnifier: Unifier = { unify: (a, b) => (a === b ? a : null) };

/** An operand as the user sees it: its printed form and its shape. */
export interface Operand {
  readonly shape: Shape;
  readonly label: () => string;
  /** The shape as the user should read it (inference shows its unknowns by name). */
  readonly display?: () => string;
  /** The operand's value when it is a number literal (a reduction's dim): the shape can depend on it. */
  readonly value?: number;
}

/** A label safe to juxtapose with an operator: compound ones get parentheses. */
const atom = (label: string): string => (/^[A-Za-z0-9_.]+'?$/.test(label) ? label : `(${label})`);

const describe = (o: Operand) => `${o.label()} (${o.display?.() ?? formatShape(o.shape)})`;
const showDim = (u: Unifier, d: Dim): string => u.show?.(d) ?? formatDim(d);

/**
 * How to add a vector to every row or column of a batch: matcalc does not broadcast a vector across
 * a matrix (docs/conventions.md, "Bias terms"), so the message spells the outer product with ones.
 */
function biasHint(op: BinaryKind, a: Operand, b: Operand): string {
  if (op !== 'add') return '';
  const [mat, vec] = a.shape.kind === 'matrix' ? [a, b] : [b, a];
  if (mat.shape.kind !== 'matrix' || (vec.shape.kind !== 'vector' && vec.shape.kind !== 'row')) return '';
  const v = atom(vec.label());
  const col = vec.shape.kind === 'row' ? (v.endsWith("'") ? v.slice(0, -1) : `${v}'`) : v;
  const row = vec.shape.kind === 'row' ? v : `${v}'`;
  const toRows = `to add ${vec.label()} to every row, write ${mat.label()} + vector(1)*${row}`;
  const toCols = `to every column, ${mat.label()} + ${col}*vector(1)'`;
  if (vec.shape.n === mat.shape.n && vec.shape.n !== mat.shape.m) return `; ${toRows}`;
  if (vec.shape.n === mat.shape.m && vec.shape.n !== mat.shape.n)
    return `; to add ${vec.label()} to every column, write ${mat.label()} + ${col}*vector(1)'`;
  return `; ${toRows}, or ${toCols}`;
}

function sameShape(op: BinaryKind, a: Operand, b: Operand, u: Unifier): Shape {
  const fail = (): never => {
    const joiner = op === 'add' ? 'and' : op === 'pow' || op === 'epow' ? 'to' : 'by';
    throw new ShapeError(
      `cannot ${OPERATORS[op].verb} ${describe(a)} ${joiner} ${describe(b)}: shapes differ${biasHint(op, a, b)}`,
    );
  };
  const sa = a.shape,
    sb = b.shape;
  if (sa.kind === 'scalar') return sb;
  if (sb.kind === 'scalar') return sa;
  if (sa.kind !== sb.kind) fail();
  if (sa.kind === 'matrix' && sb.kind === 'matrix') {
    const m = u.unify(sa.m, sb.m),
      n = u.unify(sa.n, sb.n);
    if (m === null || n === null) fail();
    return matrixShape(m as Dim, n as Dim);
  }
  const n = u.unify((sa as { n: Dim }).n, (sb as { n: Dim }).n);
  if (n === null) fail();
  return sa.kind === 'row' ? rowShape(n as Dim) : vectorShape(n as Dim);
}

function matmulShape(a: Operand, b: Operand, u: Unifier): Shape {
  const sa = a.shape,
    sb = b.shape;
  if (sa.kind === 'scalar') return sb;
  if (sb.kind === 'scalar') return sa;
  const inner = (x: Dim, y: Dim): Dim => {
    const d = u.unify(x, y);
    if (d === null) {
      throw new ShapeError(
        `cannot multiply ${describe(a)} by ${describe(b)}: inner dimensions ${showDim(u, x)} and ${showDim(u, y)} differ`,
      );
    }
    return d;
  };
  const bad = (hint: string): never => {
    throw new ShapeError(`cannot multiply ${describe(a)} by ${describe(b)}: ${hint}`);
  };
  switch (sa.kind) {
    case 'vector':
      if (sb.kind === 'row') return matrixShape(sa.n, sb.n);
      if (sb.kind === 'vector')
        return bad(
          `a column vector times a column vector is undefined; did you mean ${atom(a.label())}'*${atom(b.label())} or ${atom(a.label())}.*${atom(b.label())}?`,
        );
      return bad('a column vector can only multiply a row vector');
    case 'row':
      if (sb.kind === 'vector') {
        inner(sa.n, sb.n);
        return SCALAR;
      }
      if (sb.kind === 'matrix') {
        inner(sa.n, sb.m);
        return rowShape(sb.n);
      }
      return bad(`a row vector times a row vector is undefined; did you mean ${atom(a.label())}*${atom(b.label())}'?`);
    case 'matrix':
      if (sb.kind === 'vector') {
        inner(sa.n, sb.n);
        return vectorShape(sa.m);
      }
      if (sb.kind === 'matrix') {
        inner(sa.n, sb.m);
        return matrixShape(sa.m, sb.n);
      }
      return bad('a matrix times a row vector is undefined');
  }
}

export function binaryShape(op: BinaryKind, a: Operand, b: Operand, u: Unifier): Shape {
  switch (op) {
    case 'mul':
      return matmulShape(a, b, u);
    case 'div':
      if (b.shape.kind !== 'scalar')
        throw new ShapeError(
          `cannot divide ${describe(a)} by ${describe(b)}: '/' divides by a scalar; use ./ for elementwise division`,
        );
      return a.shape;
    case 'pow':
      if (b.shape.kind !== 'scalar')
        throw new ShapeError(
          `cannot raise ${describe(a)} to ${describe(b)}: the exponent of '^' must be a scalar; use .^ for elementwise powers`,
        );
      if (a.shape.kind === 'scalar') return SCALAR;
      if (a.shape.kind === 'matrix') return squareShape(a, u);
      throw new ShapeError(
        `cannot raise ${describe(a)} to a power: '^' takes a scalar or a square matrix; use .^ for elementwise powers`,
      );
    default:
      return sameShape(op, a, b, u);
  }
}

function squareShape(a: Operand, u: Unifier): Shape {
  const s = a.shape;
  if (s.kind !== 'matrix') throw new ShapeError(`${describe(a)} must be a square matrix`);
  const n = u.unify(s.m, s.n);
  if (n === null)
    throw new ShapeError(
      `${describe(a)} must be a square matrix, but ${showDim(u, s.m)} and ${showDim(u, s.n)} differ`,
    );
  return matrixShape(n, n);
}

/**
 * softmax(x), softmax(X, dim), logsumexp(X, dim): a vector (whose one axis is dim 0), or a matrix
 * with a dim, checked and read as a reduction's (reductionAxis: 0 down each column, 1 along each
 * row, negative from the end). Along the dim the shape stays ('along-dim'), or each column (row)
 * reduces to one entry ('reduce-dim': a 1×n row for dim 0, a k-vector for dim 1, as sum(X, dim)).
 * A matrix without a dim is refused with the spellings that work: which axis is meant is the
 * user's to say (PyTorch requires it too).
 */
function dimShape(fn: FnName, a: Operand, dim: Operand | undefined): Shape {
  const reduce = FUNCTIONS[fn].shape === 'reduce-dim';
  const s = a.shape;
  if (s.kind === 'scalar')
    throw new ShapeError(`${fn}(${a.label()}) needs a vector, or a matrix and a dim, but ${a.label()} is a scalar`);
  const axis = reductionAxis(fn, a, dim);
  if (s.kind !== 'matrix') return reduce ? SCALAR : s;
  if (axis === 'all') {
    throw new ShapeError(
      `${fn}(${a.label()}) needs a vector, but ${a.label()} is ${a.display?.() ?? formatShape(s)}; give a dim: ${fn}(${a.label()}, 1) along each row, ${fn}(${a.label()}, 0) down each column`,
    );
  }
  if (!reduce) return s;
  return axis === 0 ? rowShape(s.n) : vectorShape(s.m);
}

export function callShape(fn: FnName, args: readonly Operand[], u: Unifier): Shape {
  const a = args[0]!;
  const need = (ok: boolean, what: string) => {
    if (!ok)
      throw new ShapeError(
        `${fn}(${a.label()}) needs ${what}, but ${a.label()} is ${a.shape.kind === 'scalar' ? 'a scalar' : (a.display?.() ?? formatShape(a.shape))}`,
      );
  };
  switch (FUNCTIONS[fn].shape) {
    case 'elementwise':
      for (const p of args.slice(1)) {
        if (p.shape.kind !== 'scalar') throw new ShapeError(`the parameter ${p.label()} of ${fn} must be a scalar`);
      }
      return a.shape;
    case 'elementwise2':
      return sameShape('emul', a, args[1]!, u);
    case 'reduce':
      return SCALAR;
    case 'reduce-axis': {
      const axis = reductionAxis(fn, a, args[1], u);
      const s = a.shape as Shape & { kind: 'matrix' };
      return axis === 'all' ? SCALAR : axis === 0 ? rowShape(s.n) : vectorShape(s.m);
    }
    case 'square-to-scalar':
      if (a.shape.kind === 'scalar') return SCALAR; // tr/det of a 1×1 is the number itself
      need(a.shape.kind === 'matrix', 'a square matrix');
      squareShape(a, u);
      return SCALAR;
    case 'square':
      if (a.shape.kind === 'scalar') return SCALAR;
      return squareShape(a, u);
    case 'along-dim':
    case 'reduce-dim':
      return dimShape(fn, a, args[1]);
    case 'diag':
      if (a.shape.kind === 'vector') return matrixShape(a.shape.n, a.shape.n);
      need(a.shape.kind === 'matrix', 'a vector or a square matrix');
      return vectorShape((squareShape(a, u) as { n: Dim }).n);
    case 'vec':
      return a.shape.kind === 'scalar'
        ? SCALAR
        : vectorShape(a.shape.kind === 'matrix' ? mulDim(a.shape.m, a.shape.n) : a.shape.n);
    case 'kron': {
      const b = args[1]!;
      if (a.shape.kind === 'scalar' || b.shape.kind === 'scalar')
        throw new ShapeError(`kron needs two vectors or matrices; use * to scale`);
      const m = mulDim(rowsOf(a.shape), rowsOf(b.shape)),
        n = mulDim(colsOf(a.shape), colsOf(b.shape));
      if (n === 1) return vectorShape(m);
      if (m === 1) return rowShape(n);
      return matrixShape(m, n);
    }
  }
}

/**
 * The axis a reduction runs along (sum, mean, var, std, max, min): 'all' without a dim, or for a
 * vector or row (1-d, as NumPy's arrays: dim 0 is all of it); 0 or 1 for a matrix, where dim 0 runs
 * down the columns (k×n → 1×n row) and dim 1 along each row (k×n → k-vector), the shapes NumPy's
 * keepdims gives. A negative dim counts from the end (-1 is the last). A dim that is not an integer
 * literal is a ParseError, one out of range a ShapeError naming the dims there are.
 */
export function reductionAxis(
  fn: FnName,
  x: Operand,
  dim: Operand | undefined,
  u: Unifier = strictUnifier,
): 0 | 1 | 'all' {
  const s = x.shape;
  const call = `${fn}(${x.label()}${dim === undefined ? '' : `, ${dim.label()}`})`;
  if (dim === undefined) {
    if (s.kind === 'scalar' && (fn === 'var' || fn === 'std')) {
      throw new ShapeError(
        `${call} needs a vector or a matrix: the ${fn === 'var' ? 'variance' : 'standard deviation'} of one number is 0`,
      );
    }
    return 'all';
  }
  const d = dim.value;
  if (d === undefined || !Number.isInteger(d)) {
    // (max and min with such an argument are the elementwise maximum and minimum: parse/elaborate.ts.)
    throw new ParseError(
      `the dim of ${call} must be an integer literal (0 or 1 for a matrix, 0 for a vector), not ${dim.label()}`,
    );
  }
  const hint =
    fn === 'max' || fn === 'min' ? `; for the elementwise ${fn}imum write ${fn}imum(${x.label()}, ${dim.label()})` : '';
  if (
    FUNCTIONS[fn].shape === 'along-dim' &&
    (s.kind === 'matrix' ? ![0, 1, -1, -2].includes(d) : d !== 0 && d !== -1)
  ) {
    throw new ShapeError(
      s.kind === 'matrix'
        ? `${call}: ${x.label()} is ${x.display?.() ?? formatShape(s)} and has dim 0 (down each column) and dim 1 (along each row), not dim ${d}`
        : `${call}: ${x.label()} is a vector (${x.display?.() ?? formatShape(s)}), whose one axis is dim 0; write ${fn}(${x.label()})`,
    );
  }
  switch (s.kind) {
    case 'scalar':
      throw new ShapeError(
        `${call}: ${x.label()} is a scalar and has no dim to reduce; write ${fn}(${x.label()})${hint}`,
      );
    case 'vector':
    case 'row':
      if (d === 0 || d === -1) return 'all';
      throw new ShapeError(
        `${call}: ${x.label()} is ${s.kind === 'vector' ? 'a vector' : 'a row vector'} (${x.display?.() ?? formatShape(s)}), ` +
          `which has only dim 0 (${fn}(${x.label()}, 0) is ${fn}(${x.label()})), not dim ${d}${hint}`,
      );
    case 'matrix':
      if (d === 0 || d === -2) return 0;
      if (d === 1 || d === -1) return 1;
      throw new ShapeError(
        `${call}: ${x.label()} is ${x.display?.() ?? formatShape(s)} and has dim 0 (down its ${showDim(u, s.m)} rows, giving a 1×${showDim(u, s.n)} row) ` +
          `and dim 1 (along each row, giving a vector of length ${showDim(u, s.m)}), not dim ${d}${hint}`,
      );
  }
}
