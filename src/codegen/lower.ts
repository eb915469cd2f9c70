/**
 * Lowering: IR nodes to code of one target, keeping identity, diagonal and Kronecker matrices
 * symbolic until something needs their entries.
 *
 * matcalc's derivatives are matrix forms whose values, reshaped row-major, are the tensor layout
 * dims(f) + dims(X) (docs/conventions.md): d(W*x)/dW is kron(eye(k), x'), a Hessian may be
 * diag(s)*kron(A, B). Forming those matrices and multiplying them costs O(n⁴) where the answer
 * needs O(n²), so a lowered value is one of
 *   - dense: an array of the node's tensor dims (scalar, 1-d for vectors and rows, 2-d);
 *   - eye: s·I (s a scalar, or 1);
 *   - diag: diag(v);
 *   - kron: A ⊗ B, A and B held as 2-d arrays;
 * and products, sums, transposes and scalings of these follow the identities of the structure
 * (diag(v)*M = v[:, None]*M, (A ⊗ B) vec(U) = vec(A U Bᵀ) with row-major vec, (A ⊗ B)(C ⊗ D) =
 * AC ⊗ BD, tr(A ⊗ B) = tr A · tr B). Anything else materialises the structure — a Kronecker
 * product by an einsum (an outer product, broadcast), never by a kron call — and then proceeds on
 * dense arrays. A structured value that is the result itself is materialised straight into the
 * result's layout.
 *
 * Every spelling comes from the target's dialect (dialect.ts): the operator and function tables keyed
 * by the operator table's kinds, and the structural pieces. Matrix products of 1-d arrays follow the
 * array libraries' rules (1-d @ 1-d is the inner product), so a column times a row is an outer
 * product and a matrix times a row takes a 2-d view.
 */
import { RequestError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import { dimOf } from '../ir/build.js';
import { type FnName, defaultParam, takesDim, tensorArity } from '../ir/functions.js';
import { type Dim, type Shape, colsOf, dimFactors, rowsOf, tensorDims } from '../shape/shape.js';
import { CODE, type Code, type Dialect, atom, fill, operator, uses } from './dialect.js';

interface Dense {
  readonly tag: 'dense';
  readonly code: Code;
  readonly shape: Shape;
}
interface Eye {
  readonly tag: 'eye';
  readonly n: Dim;
  readonly scale?: Code;
}
interface Diag {
  readonly tag: 'diag';
  readonly v: Code;
  readonly n: Dim;
}
/** A ⊗ B with A ra×ca and B rb×cb, both 2-d arrays. */
interface Kron {
  readonly tag: 'kron';
  readonly a: Code;
  readonly b: Code;
  readonly ra: Dim;
  readonly ca: Dim;
  readonly rb: Dim;
  readonly cb: Dim;
}
/** The commutation matrix K_{m,n}: K vec(A) = vec(A') for A m×n (row-major vec), a permutation of entries. */
interface Commutation {
  readonly tag: 'commutation';
  readonly m: Dim;
  readonly n: Dim;
}
export type Value = Dense | Eye | Diag | Kron | Commutation;

export const dense = (code: Code, shape: Shape): Value => ({ tag: 'dense', code, shape });

/** The context a lowering runs in: the target, names of variables, and where statements go. */
export interface Scope {
  readonly d: Dialect;
  /** The value of a variable (a parameter, or a binding already lowered). */
  readonly lookup: (name: string) => Value;
  /** Code for a dimension (records that the dimension is used). */
  readonly dim: (d: Dim) => string;
  /** Emits `name = code` before the statement being lowered and returns the name, as code. */
  readonly temp: (code: Code) => Code;
  /** Records a module-level helper a template calls. */
  readonly helper: (name: string) => void;
}

const isName = (c: Code): boolean =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.text) || (/^-?\d/.test(c.text) && c.prec === CODE.atom);

/** Lowers `e` (memoised per node, so a DAG lowers in linear time). */
export function lower(e: Expr, s: Scope): Value {
  const memo = new Map<Expr, Value>();
  const go = (x: Expr): Value => {
    let v = memo.get(x);
    if (v === undefined) {
      v = node(x, go, s);
      memo.set(x, v);
    }
    return v;
  };
  return go(e);
}

function node(x: Expr, go: (x: Expr) => Value, s: Scope): Value {
  const { d } = s;
  const D = (e: Expr): Code => materialise(go(e), s);
  const op = (name: Parameters<typeof operator>[1], ...args: Code[]): Code => operator(d, name, args);
  switch (x.kind) {
    case 'var':
      return s.lookup(x.name);
    case 'const':
      return dense(d.number(x.value), x.shape);
    case 'zero':
      return dense(x.shape.kind === 'scalar' ? d.number(0) : d.zeros(tensorDims(x.shape).map(s.dim)), x.shape);
    case 'ones':
      return dense(x.shape.kind === 'scalar' ? d.number(1) : d.ones(tensorDims(x.shape).map(s.dim)), x.shape);
    case 'eye':
      return { tag: 'eye', n: rowsOf(x.shape) };
    case 'commutation':
      return { tag: 'commutation', m: x.m, n: x.n };
    case 'neg': {
      const v = go(x.x);
      return v.tag === 'dense' ? dense(op('neg', v.code), x.shape) : scale(v, d.number(-1), s);
    }
    case 'transpose':
      return transposeValue(go(x.x), x.x.shape, s);
    case 'add':
      return addValues(x.a, x.b, go, s);
    case 'mul':
      return mulValues(x.a, x.b, go, s, x.shape);
    case 'div': {
      const v = go(x.a);
      if (v.tag !== 'dense') return scale(v, op('ediv', d.number(1), D(x.b)), s);
      return dense(op('div', v.code, D(x.b)), x.shape);
    }
    case 'emul':
      return dense(op('emul', D(x.a), D(x.b)), x.shape);
    case 'ediv':
      return dense(op('ediv', D(x.a), D(x.b)), x.shape);
    case 'epow':
      return dense(op('epow', D(x.a), D(x.b)), x.shape);
    case 'pow':
      if (x.a.shape.kind === 'scalar') return dense(op('pow', D(x.a), D(x.b)), x.shape);
      return dense(d.matrixPower(D(x.a), D(x.b)), x.shape);
    case 'call':
      return callValue(x, go, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Materialising structure

/** A value as a dense array of its tensor dims. */
export function materialise(v: Value, s: Scope): Code {
  const { d } = s;
  switch (v.tag) {
    case 'dense':
      return v.code;
    case 'eye':
      return v.scale === undefined ? d.eye(s.dim(v.n)) : operator(d, 'emul', [v.scale, d.eye(s.dim(v.n))]);
    case 'diag':
      return d.diagMatrix(v.v);
    case 'kron':
      return d.reshape(kronTensor(v, s), [s.dim(mulDims(v.ra, v.rb)), s.dim(mulDims(v.ca, v.cb))]);
    case 'commutation': {
      // K[j·m + i, i·n + j] = 1: the outer product of two identities, axes permuted.
      const mn = s.dim(mulDims(v.m, v.n));
      return d.reshape(d.einsum('ik,jl->jikl', [d.eye(s.dim(v.m)), d.eye(s.dim(v.n))]), [mn, mn]);
    }
  }
}

/** A value reshaped to `dims` (the result's layout); a Kronecker product goes straight there from its outer product. */
export function materialiseTo(v: Value, from: readonly Dim[], dims: readonly Dim[], s: Scope): Code {
  const same = from.length === dims.length && from.every((x, i) => x === dims[i]);
  if (same) return materialise(v, s);
  const code = v.tag === 'kron' ? kronTensor(v, s) : materialise(v, s);
  return s.d.reshape(code, dims.map(s.dim));
}

/** A ⊗ B as the 4-d outer product [ra, rb, ca, cb] (row-major, the matrix's entries in order). */
const kronTensor = (v: Kron, s: Scope): Code => s.d.einsum('ij,kl->ikjl', [v.a, v.b]);

const mulDims = (a: Dim, b: Dim): Dim => {
  const fs = [...dimFactors(a), ...dimFactors(b)];
  const num = fs.filter((f): f is number => typeof f === 'number').reduce((p, q) => p * q, 1);
  const names = fs.filter((f): f is string => typeof f === 'string').sort();
  return names.length === 0 ? num : [...(num === 1 ? [] : [String(num)]), ...names].join('·');
};

/** A dense value as a 2-d array (vector n×1, row 1×n, scalar 1×1). */
function as2d(code: Code, shape: Shape, s: Scope): Code {
  switch (shape.kind) {
    case 'matrix':
      return code;
    case 'vector':
      return s.d.column(code);
    case 'row':
      return s.d.row(code);
    case 'scalar':
      return s.d.scalarMatrix(code);
  }
}

/** s·v for a scalar s. */
function scale(v: Value, k: Code, s: Scope): Value {
  const times = (c: Code): Code => operator(s.d, 'emul', [k, c]);
  switch (v.tag) {
    case 'dense':
      return dense(times(v.code), v.shape);
    case 'eye':
      return { ...v, scale: v.scale === undefined ? k : times(v.scale) };
    case 'diag':
      return { ...v, v: times(v.v) };
    case 'kron':
      return { ...v, a: times(v.a) };
    case 'commutation':
      return dense(times(materialise(v, s)), { kind: 'matrix', m: mulDims(v.m, v.n), n: mulDims(v.m, v.n) });
  }
}

function transposeValue(v: Value, shape: Shape, s: Scope): Value {
  switch (v.tag) {
    case 'dense':
      if (shape.kind !== 'matrix')
        return dense(
          v.code,
          shape.kind === 'vector'
            ? { kind: 'row', n: shape.n }
            : shape.kind === 'row'
              ? { kind: 'vector', n: shape.n }
              : shape,
        );
      return dense(operator(s.d, 'transpose', [v.code]), { kind: 'matrix', m: shape.n, n: shape.m });
    case 'eye':
    case 'diag':
      return v;
    case 'kron':
      return {
        tag: 'kron',
        a: operator(s.d, 'transpose', [v.a]),
        b: operator(s.d, 'transpose', [v.b]),
        ra: v.ca,
        ca: v.ra,
        rb: v.cb,
        cb: v.rb,
      };
    case 'commutation':
      return { tag: 'commutation', m: v.n, n: v.m };
  }
}

// ---------------------------------------------------------------------------------------------
// Sums and products

function addValues(a: Expr, b: Expr, go: (x: Expr) => Value, s: Scope): Value {
  const { d } = s;
  const va = go(a);
  // a + (-b) prints as a subtraction, as in the text printer.
  const negated = b.kind === 'neg' ? go(b.x) : undefined;
  const vb = negated ?? go(b);
  const plus = (p: Code, q: Code): Code => operator(d, negated !== undefined ? 'sub' : 'add', [p, q]);
  const diagonalOf = (v: Eye | Diag): Code => (v.tag === 'diag' ? v.v : (v.scale ?? d.number(1)));
  if ((va.tag === 'diag' || va.tag === 'eye') && (vb.tag === 'diag' || vb.tag === 'eye')) {
    if (va.tag === 'eye' && vb.tag === 'eye')
      return { tag: 'eye', n: va.n, scale: plus(va.scale ?? d.number(1), vb.scale ?? d.number(1)) };
    return { tag: 'diag', n: va.n, v: plus(diagonalOf(va), diagonalOf(vb)) };
  }
  return dense(plus(materialise(va, s), materialise(vb, s)), a.shape.kind === 'scalar' ? b.shape : a.shape);
}

function mulValues(a: Expr, b: Expr, go: (x: Expr) => Value, s: Scope, shape: Shape): Value {
  const { d } = s;
  const va = go(a),
    vb = go(b);
  const mm = (p: Code, q: Code): Code => operator(d, 'mul', [p, q]);
  const times = (p: Code, q: Code): Code => operator(d, 'emul', [p, q]);
  if (a.shape.kind === 'scalar')
    return va.tag === 'dense' ? scale(vb, va.code, s) : dense(times(materialise(va, s), materialise(vb, s)), shape);
  if (b.shape.kind === 'scalar')
    return vb.tag === 'dense' ? scale(va, vb.code, s) : dense(times(materialise(va, s), materialise(vb, s)), shape);
  // Identity and diagonal factors.
  if (va.tag === 'eye') return va.scale === undefined ? vb : scale(vb, va.scale, s);
  if (vb.tag === 'eye') return vb.scale === undefined ? va : scale(va, vb.scale, s);
  if (va.tag === 'diag' && vb.tag === 'diag') return { tag: 'diag', n: va.n, v: times(va.v, vb.v) };
  if (va.tag === 'diag') {
    if (b.shape.kind === 'vector') return dense(times(va.v, materialise(vb, s)), shape);
    return dense(times(d.column(va.v), materialise(vb, s)), shape);
  }
  if (vb.tag === 'diag') return dense(times(materialise(va, s), vb.v), shape); // broadcasts along the last axis
  // Kronecker factors.
  if (va.tag === 'kron' && vb.tag === 'kron' && va.ca === vb.ra && va.cb === vb.rb) {
    return { tag: 'kron', a: mm(va.a, vb.a), b: mm(va.b, vb.b), ra: va.ra, ca: vb.ca, rb: va.rb, cb: vb.cb };
  }
  if (va.tag === 'commutation') return commutationTimes(va, materialise(vb, s), b.shape, s, shape);
  if (vb.tag === 'commutation') return timesCommutation(materialise(va, s), a.shape, vb, s, shape);
  if (va.tag === 'kron') return kronTimes(va, materialise(vb, s), b.shape, s, shape);
  if (vb.tag === 'kron') return timesKron(materialise(va, s), a.shape, vb, s, shape);
  return dense(matmul(va.code, a.shape, (vb as Dense).code, b.shape, s), shape);
}

/** A matrix product of dense arrays, by the array libraries' rules for 1-d operands. */
function matmul(p: Code, sa: Shape, q: Code, sb: Shape, s: Scope): Code {
  const { d } = s;
  const mm = (x: Code, y: Code): Code => operator(d, 'mul', [x, y]);
  if (sa.kind === 'vector') return sb.kind === 'row' ? d.outer(p, q) : mm(d.column(p), q); // n×1 times 1×c
  if (sa.kind === 'matrix' && sb.kind === 'row') return mm(p, d.row(q)); // r×1 times 1×c
  return mm(p, q);
}

/** (A ⊗ B)·M, M with ca·cb rows: a vector by vec(A U Bᵀ), a matrix by one einsum. */
function kronTimes(k: Kron, m: Code, shape: Shape, s: Scope, out: Shape): Value {
  const { d } = s;
  const mm = (x: Code, y: Code): Code => operator(d, 'mul', [x, y]);
  if (shape.kind === 'vector') {
    const u = d.reshape(m, [s.dim(k.ca), s.dim(k.cb)]);
    return dense(d.reshape(mm(mm(k.a, u), operator(d, 'transpose', [k.b])), ['-1']), out);
  }
  const c = colsOf(shape);
  const t = d.einsum('ij,kl,jlc->ikc', [k.a, k.b, d.reshape(as2d(m, shape, s), [s.dim(k.ca), s.dim(k.cb), s.dim(c)])]);
  return dense(
    out.kind === 'matrix' ? d.reshape(t, [s.dim(mulDims(k.ra, k.rb)), s.dim(c)]) : d.reshape(t, ['-1']),
    out,
  );
}

/** M·(A ⊗ B), M with ra·rb columns: a row by vec(Aᵀ U B), a matrix by one einsum. */
function timesKron(m: Code, shape: Shape, k: Kron, s: Scope, out: Shape): Value {
  const { d } = s;
  const mm = (x: Code, y: Code): Code => operator(d, 'mul', [x, y]);
  if (shape.kind === 'row') {
    const u = d.reshape(m, [s.dim(k.ra), s.dim(k.rb)]);
    return dense(d.reshape(mm(mm(operator(d, 'transpose', [k.a]), u), k.b), ['-1']), out);
  }
  const r = rowsOf(shape);
  const t = d.einsum('cik,ij,kl->cjl', [d.reshape(as2d(m, shape, s), [s.dim(r), s.dim(k.ra), s.dim(k.rb)]), k.a, k.b]);
  return dense(
    out.kind === 'matrix' ? d.reshape(t, [s.dim(r), s.dim(mulDims(k.ca, k.cb))]) : d.reshape(t, ['-1']),
    out,
  );
}

/** K_{m,n}·M, M with mn rows: row i·n + j of M moves to row j·m + i (an axis swap, never K itself). */
function commutationTimes(k: Commutation, m: Code, shape: Shape, s: Scope, out: Shape): Value {
  const { d } = s;
  if (shape.kind === 'vector')
    return dense(d.reshape(d.einsum('ij->ji', [d.reshape(m, [s.dim(k.m), s.dim(k.n)])]), ['-1']), out);
  const c = colsOf(shape);
  const t = d.einsum('ijc->jic', [d.reshape(as2d(m, shape, s), [s.dim(k.m), s.dim(k.n), s.dim(c)])]);
  return dense(out.kind === 'matrix' ? d.reshape(t, [s.dim(mulDims(k.m, k.n)), s.dim(c)]) : d.reshape(t, ['-1']), out);
}

/** M·K_{m,n}, M with mn columns: column j·m + i of M moves to column i·n + j. */
function timesCommutation(m: Code, shape: Shape, k: Commutation, s: Scope, out: Shape): Value {
  const { d } = s;
  if (shape.kind === 'row')
    return dense(d.reshape(d.einsum('ji->ij', [d.reshape(m, [s.dim(k.n), s.dim(k.m)])]), ['-1']), out);
  const r = rowsOf(shape);
  const t = d.einsum('rji->rij', [d.reshape(as2d(m, shape, s), [s.dim(r), s.dim(k.n), s.dim(k.m)])]);
  return dense(out.kind === 'matrix' ? d.reshape(t, [s.dim(r), s.dim(mulDims(k.m, k.n))]) : d.reshape(t, ['-1']), out);
}

// ---------------------------------------------------------------------------------------------
// Calls

function callValue(x: Expr & { kind: 'call' }, go: (x: Expr) => Value, s: Scope): Value {
  const { d } = s;
  const arg = x.args[0]!,
    v = go(arg);
  const D = (e: Expr): Code => materialise(go(e), s);
  const scalarArg = arg.shape.kind === 'scalar';
  switch (x.fn) {
    case 'kron': {
      const b = x.args[1]!;
      const twoD = (e: Expr): Code => as2d(D(e), e.shape, s);
      return {
        tag: 'kron',
        a: twoD(arg),
        b: twoD(b),
        ra: rowsOf(arg.shape),
        ca: colsOf(arg.shape),
        rb: rowsOf(b.shape),
        cb: colsOf(b.shape),
      };
    }
    case 'vec':
      return dense(
        arg.shape.kind === 'vector' || arg.shape.kind === 'row'
          ? D(arg)
          : d.reshape(v.tag === 'kron' ? kronTensor(v, s) : D(arg), ['-1']),
        x.shape,
      );
    case 'diag':
      if (arg.shape.kind !== 'matrix') return { tag: 'diag', v: D(arg), n: rowsOf(x.shape) };
      if (v.tag === 'diag') return dense(v.v, x.shape);
      break;
    case 'tr':
      if (scalarArg) return dense(D(arg), x.shape);
      if (v.tag === 'diag') return call(s, 'sum', [v.v], x.shape);
      if (v.tag === 'eye')
        return dense(
          v.scale === undefined ? atom(s.dim(v.n)) : operator(d, 'emul', [v.scale, atom(s.dim(v.n))]),
          x.shape,
        );
      if (v.tag === 'kron')
        return dense(
          operator(d, 'emul', [call(s, 'tr', [v.a], x.shape).code, call(s, 'tr', [v.b], x.shape).code]),
          x.shape,
        );
      break;
    case 'det':
      if (scalarArg) return dense(D(arg), x.shape);
      break;
    case 'logdet':
      if (scalarArg) return call(s, 'log', [D(arg)], x.shape);
      break;
    case 'inv':
      if (scalarArg) return dense(operator(d, 'ediv', [d.number(1), D(arg)]), x.shape);
      if (v.tag === 'diag') return { ...v, v: operator(d, 'ediv', [d.number(1), v.v]) };
      break;
    default:
      break;
  }
  const tensors = x.args.slice(0, tensorArity(x.fn)).map(D);
  if (takesDim(x.fn)) {
    const axis = dimOf(x);
    return call(s, x.fn, tensors, x.shape, undefined, axis === undefined ? undefined : atom(String(axis)));
  }
  const param = x.args.length > tensors.length ? D(x.args[tensors.length]!) : d.number(defaultParam(x.fn, 0));
  return call(s, x.fn, tensors, x.shape, param);
}

/** A function's template filled (its `axis` form along a dim); an argument the template uses twice is first put in a name. */
function call(s: Scope, fn: FnName, args: readonly Code[], shape: Shape, param?: Code, axis?: Code): Dense {
  const spelling = s.d.fns[fn];
  if (spelling === 'structural') throw new RequestError(`internal error: ${fn} has no template`);
  const template = axis === undefined ? spelling.template : spelling.axis;
  if (template === undefined) throw new RequestError(`internal error: ${fn} has no template along a dim`);
  for (const h of spelling.helpers ?? []) s.helper(h);
  const named = (c: Code, key: '1' | '2' | 'p'): Code => (uses(template, key) > 1 && !isName(c) ? s.temp(c) : c);
  const filled: Record<string, Code> = {};
  // A number as a function's argument is an array of the target (torch.sinh(3) is a type error).
  const array = (c: Code): Code =>
    /^-?[\d.]/.test(c.text) && !/[A-Za-z_(]/.test(c.text.replace(/e-?\d+$/, '')) ? s.d.scalarArray(c) : c;
  args.forEach((c, i) => {
    filled[String(i + 1)] = named(array(c), String(i + 1) as '1' | '2');
  });
  if (param !== undefined) filled.p = named(param, 'p');
  if (axis !== undefined) filled.d = axis;
  return { tag: 'dense', code: fill(template, filled, spelling.prec), shape };
}
