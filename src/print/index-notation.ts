/**
 * Index notation for derivatives that have no matrix form (3rd/4th-order tensors, matrix-by-matrix
 * derivatives through transposes, …) — the display matrixcalculus.org refuses to give.
 *
 * Input: the k-th differential dᵏf(dX₁, …, dXₖ), multilinear in the directions. Each direction dXₜ
 * is replaced by a unit tensor, i.e. (dXₜ)_{ij} becomes δ_{i aₜ} δ_{j bₜ}, where (aₜ, bₜ) index the t-th
 * derivative slot. The differential is expanded into a sum of products of indexed factors
 * (Laue et al.'s tensor calculus, restricted to what differentials contain: products, transposes,
 * elementwise products, traces, sums, diag), deltas are eliminated by contracting their summed
 * indices, and the result is printed with explicit sums (Einstein's convention would be ambiguous
 * for elementwise products, which repeat a free index).
 *
 * Subexpressions free of directions are atoms: exp(z) with index i prints as exp(z)_i.
 */
import { type Expr, type Var, assertNever } from '../ir/expr.js';
import type { FnName } from '../ir/functions.js';
import { type Binding, OPERATORS, TEXT, needsParens } from '../ir/operators.js';
import { dependentsOf } from '../ir/walk.js';
import { dimCount, dimOf } from '../ir/build.js';
import { type Shape, colsOf, numel, rowsOf } from '../shape/shape.js';
import { latexName, latexPart } from './latex.js';
import { textPart } from './text.js';

export interface Factor {
  readonly kind: 'atom' | 'delta';
  /** The atom's expression (absent for deltas). */
  readonly expr?: Expr;
  readonly idx: readonly string[];
  /** Divide by the atom instead of multiplying. */
  readonly reciprocal?: boolean;
}

export interface Term {
  readonly coef: number;
  readonly factors: readonly Factor[];
  readonly summed: readonly string[];
}

export interface IndexForm {
  readonly text: string;
  readonly latex: string;
  /** The sum itself, for evaluation (tests check it against the derivative's value). */
  readonly terms: readonly Term[];
  /** Index labels of f, and of each derivative slot, in layout order. */
  readonly fLabels: readonly string[];
  readonly slotLabels: readonly (readonly string[])[];
}

const MAX_TERMS = 64;

class GiveUp extends Error {}

/** Index labels: free indices of f, then of each derivative slot, then summation indices. */
const F_LABELS = ['i', 'j'];
const SLOT_LABELS = [
  ['a', 'b'],
  ['c', 'd'],
  ['e', 'g'],
  ['p', 'q'],
  ['r', 's'],
  ['t', 'u'],
];
const SUM_LABELS = ['k', 'l', 'm', 'n', 'o', 'v', 'w', 'y', 'z'];

function labelsFor(s: Shape, pool: readonly string[]): string[] {
  switch (s.kind) {
    case 'scalar':
      return [];
    case 'vector':
    case 'row':
      return [pool[0]!];
    case 'matrix':
      return [pool[0]!, pool[1]!];
  }
}

/** Row / column labels of a node given its tensor labels (a vector has only a row, a row only a column). */
function rowCol(s: Shape, labels: readonly string[]): [string | undefined, string | undefined] {
  switch (s.kind) {
    case 'scalar':
      return [undefined, undefined];
    case 'vector':
      return [labels[0], undefined];
    case 'row':
      return [undefined, labels[0]];
    case 'matrix':
      return [labels[0], labels[1]];
  }
}

function fromRowCol(s: Shape, r: string | undefined, c: string | undefined): string[] {
  switch (s.kind) {
    case 'scalar':
      return [];
    case 'vector':
      return [r!];
    case 'row':
      return [c!];
    case 'matrix':
      return [r!, c!];
  }
}

const product = (xs: readonly Term[], ys: readonly Term[]): Term[] => {
  const out: Term[] = [];
  for (const x of xs)
    for (const y of ys)
      out.push({ coef: x.coef * y.coef, factors: [...x.factors, ...y.factors], summed: [...x.summed, ...y.summed] });
  if (out.length > MAX_TERMS) throw new GiveUp();
  return out;
};
const withSum = (ts: readonly Term[], labels: readonly string[]): Term[] =>
  ts.map((t) => ({ ...t, summed: [...t.summed, ...labels] }));

/** What a function's index rule may use: the expansion of a node under given labels, and fresh summation labels. */
interface Expansion {
  go(e: Expr, labels: readonly string[]): Term[];
  fresh(): string;
}
type IndexRule = (x: Expr, labels: readonly string[], c: Expansion, call: Expr & { kind: 'call' }) => Term[];

/** sum(X) over all entries, or sum(X, dim) over the rows (dim 0) or the columns (dim 1) of a matrix. */
const sumRule: IndexRule = (x, labels, c, call) => {
  const dim = dimOf(call);
  if (dim === undefined) {
    const ks = labelsFor(x.shape, [c.fresh(), c.fresh()]);
    return withSum(c.go(x, ks), ks);
  }
  const k = c.fresh();
  return withSum(c.go(x, dim === 0 ? [k, labels[0]!] : [labels[0]!, k]), [k]);
};

/** mean: the sum's terms times 1/n, n the number of entries summed. */
const meanRule: IndexRule = (x, labels, c, call) => {
  const dim = dimOf(call);
  const n = dim === undefined ? numel(x.shape) : dim === 0 ? rowsOf(x.shape) : colsOf(x.shape);
  const scale: Term =
    typeof n === 'number'
      ? { coef: 1 / n, factors: [], summed: [] }
      : { coef: 1, factors: [{ kind: 'atom', expr: dimCount(n), idx: [], reciprocal: true }], summed: [] };
  return product(sumRule(x, labels, c, call), [scale]);
};

/**
 * The index-notation view of the function vocabulary: how a call whose argument holds a direction
 * expands. Differentials are multilinear in their directions and the engine writes d f(X) as
 * f'(X) .* dX, so a direction only ever reaches a linear function; the others are 'nonlinear'.
 * 'none' marks a linear function without an index form here (the printer gives up, and the
 * derivative is shown as its differential). A new function is a compile error until it is listed.
 */
const CALLS: { readonly [F in FnName]: IndexRule | 'nonlinear' | 'none' } = {
  tr: (x, _, c) => {
    if (x.shape.kind === 'scalar') return c.go(x, []);
    const k = c.fresh();
    return withSum(c.go(x, [k, k]), [k]);
  },
  sum: sumRule,
  mean: meanRule,
  diag: (x, labels, c) => {
    if (x.shape.kind === 'vector')
      return product(c.go(x, [labels[0]!]), [
        { coef: 1, factors: [{ kind: 'delta', idx: [labels[0]!, labels[1]!] }], summed: [] },
      ]);
    return c.go(x, [labels[0]!, labels[0]!]);
  },
  kron: 'none',
  vec: 'none',
  exp: 'nonlinear',
  log: 'nonlinear',
  sqrt: 'nonlinear',
  sin: 'nonlinear',
  cos: 'nonlinear',
  tan: 'nonlinear',
  tanh: 'nonlinear',
  sinh: 'nonlinear',
  cosh: 'nonlinear',
  asin: 'nonlinear',
  acos: 'nonlinear',
  atan: 'nonlinear',
  erf: 'nonlinear',
  gelu: 'nonlinear',
  silu: 'nonlinear',
  softsign: 'nonlinear',
  log1p: 'nonlinear',
  expm1: 'nonlinear',
  abs: 'nonlinear',
  sign: 'nonlinear',
  sigmoid: 'nonlinear',
  relu: 'nonlinear',
  softplus: 'nonlinear',
  step: 'nonlinear',
  leaky_relu: 'nonlinear',
  elu: 'nonlinear',
  maximum: 'nonlinear',
  minimum: 'nonlinear',
  var: 'nonlinear',
  std: 'nonlinear',
  max: 'nonlinear',
  min: 'nonlinear',
  norm1: 'nonlinear',
  norm2: 'nonlinear',
  det: 'nonlinear',
  logdet: 'nonlinear',
  logsumexp: 'nonlinear',
  inv: 'nonlinear',
  softmax: 'nonlinear',
  log_softmax: 'nonlinear',
  norm: 'nonlinear',
};

/**
 * ∂ᵏf / ∂X… in index notation, from the k-th differential in `directions`; undefined when the
 * differential uses an operation this printer does not expand (kron, vec).
 */
export function indexNotation(
  f: Expr,
  differential: Expr,
  wrt: Var,
  directions: readonly Var[],
): IndexForm | undefined {
  let fresh = 0;
  const freshLabel = (): string => {
    const base = SUM_LABELS[fresh % SUM_LABELS.length]!;
    const round = Math.floor(fresh++ / SUM_LABELS.length);
    return round === 0 ? base : `${base}${round}`;
  };
  const slots = new Map(directions.map((d, t) => [d, labelsFor(wrt.shape, SLOT_LABELS[t]!)]));
  const dependent = new Set(dependentsOf(differential, new Set<Expr>(directions)));
  const depends = (e: Expr): boolean => dependent.has(e);

  const atom = (e: Expr, idx: readonly string[], reciprocal = false): Term[] => [
    { coef: 1, factors: [{ kind: 'atom', expr: e, idx, ...(reciprocal ? { reciprocal } : {}) }], summed: [] },
  ];
  /** The reciprocal of a direction-free divisor, as an atom. */
  const reciprocalOf = (e: Expr, labels: readonly string[]): Term[] => {
    if (depends(e)) throw new GiveUp();
    return atom(e, e.shape.kind === 'scalar' ? [] : labels, true);
  };

  const go = (e: Expr, labels: readonly string[]): Term[] => {
    // A sign, and a transpose (its indices swapped), whether or not the operand holds a direction.
    if (e.kind === 'neg') return go(e.x, labels).map((t) => ({ ...t, coef: -t.coef }));
    if (e.kind === 'transpose') {
      const [r, c] = rowCol(e.shape, labels);
      return go(e.x, fromRowCol(e.x.shape, c, r));
    }
    // A zero contributes no term (an identically zero derivative reads `= 0`, not `vector(0)[i]`).
    if (!depends(e))
      return e.kind === 'zero' || (e.kind === 'const' && e.value === 0)
        ? []
        : e.kind === 'const'
          ? [{ coef: e.value, factors: [], summed: [] }]
          : atom(e, labels);
    switch (e.kind) {
      case 'var': {
        const slot = slots.get(e)!;
        return [
          { coef: 1, factors: labels.map((l, t) => ({ kind: 'delta' as const, idx: [l, slot[t]!] })), summed: [] },
        ];
      }
      case 'add':
        return [
          ...go(e.a, e.a.shape.kind === 'scalar' ? [] : labels),
          ...go(e.b, e.b.shape.kind === 'scalar' ? [] : labels),
        ];
      case 'emul':
        return product(go(e.a, labels), go(e.b, labels));
      case 'ediv':
      case 'div':
        return product(go(e.a, e.a.shape.kind === 'scalar' ? [] : labels), reciprocalOf(e.b, labels));
      case 'mul': {
        if (e.a.shape.kind === 'scalar') return product(go(e.a, []), go(e.b, labels));
        if (e.b.shape.kind === 'scalar') return product(go(e.a, labels), go(e.b, []));
        const [r, c] = rowCol(e.shape, labels);
        const aHasCol = e.a.shape.kind === 'matrix' || e.a.shape.kind === 'row';
        const k = aHasCol ? freshLabel() : undefined;
        const terms = product(go(e.a, fromRowCol(e.a.shape, r, k)), go(e.b, fromRowCol(e.b.shape, k, c)));
        return k === undefined ? terms : withSum(terms, [k]);
      }
      case 'call': {
        const rule = CALLS[e.fn];
        if (typeof rule !== 'function') throw new GiveUp();
        return rule(e.args[0]!, labels, expansion, e);
      }
      // neg and transpose are handled above; leaves without a direction are atoms; powers of a direction do not occur.
      case 'const':
      case 'zero':
      case 'ones':
      case 'eye':
      case 'commutation':
      case 'pow':
      case 'epow':
        throw new GiveUp();
      default:
        return assertNever(e);
    }
  };
  const expansion: Expansion = { go, fresh: freshLabel };
  try {
    const fLabels = labelsFor(f.shape, F_LABELS);
    const terms = mergeLike(go(differential, fLabels).map(contract));
    const slotLabels = directions.map((d) => slots.get(d)!);
    return { ...render(f, wrt, fLabels, slotLabels, terms), terms, fLabels, slotLabels };
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

/** Sorts each term's factors and adds up terms that are then identical. */
function mergeLike(terms: readonly Term[]): Term[] {
  const out = new Map<string, Term>();
  for (const t of terms) {
    const factors = [...t.factors].sort((x, y) => (factorText(x, false) < factorText(y, false) ? -1 : 1));
    const key = `${[...t.summed].sort().join(',')}|${factors.map((f) => factorText(f, false)).join('*')}`;
    const prev = out.get(key);
    out.set(key, { coef: (prev?.coef ?? 0) + t.coef, factors, summed: t.summed });
  }
  return [...out.values()].filter((t) => t.coef !== 0);
}

/** Eliminates deltas that touch a summed index: Σ_k δ_{ka} X_{k…} = X_{a…}. */
function contract(t: Term): Term {
  let factors = [...t.factors];
  let summed = [...t.summed];
  for (;;) {
    const at = factors.findIndex(
      (f) => f.kind === 'delta' && (summed.includes(f.idx[0]!) || summed.includes(f.idx[1]!) || f.idx[0] === f.idx[1]),
    );
    if (at < 0) break;
    const d = factors[at]!;
    factors.splice(at, 1);
    const [x, y] = d.idx as [string, string];
    if (x === y) continue; // δ_aa inside a product over distinct free indices cannot arise; drop defensively
    const [gone, keep] = summed.includes(x) ? [x, y] : [y, x];
    summed = summed.filter((s) => s !== gone);
    factors = factors.map((f) => ({ ...f, idx: f.idx.map((i) => (i === gone ? keep : i)) }));
  }
  return { coef: t.coef, factors, summed };
}

function render(
  f: Expr,
  wrt: Var,
  fLabels: string[],
  slotLabels: string[][],
  terms: Term[],
): { text: string; latex: string } {
  const fName = f.kind === 'var' ? f.name : 'f';
  const sub = (idx: readonly string[]) => (idx.length === 0 ? '' : `[${idx.join(',')}]`);
  const order = slotLabels.length;
  const lhsText = `d${order > 1 ? `^${order}` : ''} ${fName}${sub(fLabels)} / ${slotLabels.map((s) => `d ${wrt.name}${sub(s)}`).join(' ')}`;
  const lhsTex = `\\frac{\\partial${order > 1 ? `^{${order}}` : ''} ${indexedTex(latexName(fName), fLabels)}}{${slotLabels.map((s) => `\\partial ${indexedTex(latexName(wrt.name), s)}`).join('\\,')}}`;
  if (terms.length === 0) return { text: `${lhsText} = 0`, latex: `${lhsTex} = 0` };
  const termText = (t: Term, tex: boolean): string => {
    const parts = t.factors.map((fa) => factorText(fa, tex));
    const body = parts.length === 0 ? '1' : parts.join(tex ? ' ' : '*');
    const sums = t.summed.length === 0 ? '' : tex ? `\\sum_{${t.summed.join('')}} ` : `sum_${t.summed.join('')} `;
    const mag = Math.abs(t.coef);
    const coef = mag === 1 ? '' : tex ? `${mag} ` : `${mag}*`;
    return `${sums}${coef}${body}`;
  };
  const join = (tex: boolean) =>
    terms
      .map((t, n) => {
        const s = termText(t, tex);
        if (n === 0) return t.coef < 0 ? `-${s}` : s;
        return t.coef < 0 ? ` - ${s}` : ` + ${s}`;
      })
      .join('');
  return { text: `${lhsText} = ${join(false)}`, latex: `${lhsTex} = ${join(true)}` };
}

/**
 * Indexing binds like a superscript: `x[i]`, `x_{i}` sit on an atom, anything else is
 * parenthesised by the shared policy (`(A*x)[i]`, `\left(X^{-1}\right)_{ij}`).
 */
const INDEXED_TEXT: Binding = { prec: TEXT.atom, assoc: 'none', least: { left: TEXT.atom } };
const INDEXED_LATEX: Binding = OPERATORS.pow.latex;

function factorText(f: Factor, tex: boolean): string {
  if (f.kind === 'delta') return tex ? `\\delta_{${f.idx.join('')}}` : `delta(${f.idx.join(',')})`;
  const e = f.expr!;
  let base: string;
  if (tex) {
    const p = latexPart(e);
    base = needsParens(INDEXED_LATEX, p, 'left') ? `\\left(${p.tex}\\right)` : p.tex;
  } else {
    const p = textPart(e);
    base = needsParens(INDEXED_TEXT, p, 'left') ? `(${p.text})` : p.text;
  }
  const indexed = f.idx.length === 0 ? base : tex ? indexedTex(base, f.idx) : `${base}[${f.idx.join(',')}]`;
  if (!f.reciprocal) return indexed;
  return tex ? `\\frac{1}{${indexed}}` : `1/${indexed}`;
}

/**
 * `base` with the indices as a subscript. A base that already ends in a subscript or superscript
 * (`W_{2}` for the name W2, `x_{\mathrm{prev}}`, `A^\top`) is parenthesised first — `(W_{2})_{ia}`
 * — since `W_{2}_{ia}` is a double subscript that LaTeX rejects (docs/conventions.md, index notation).
 */
export function indexedTex(base: string, idx: readonly string[]): string {
  if (idx.length === 0) return base;
  return `${endsWithScript(base) ? `(${base})` : base}_{${idx.join('')}}`;
}

/** Whether LaTeX `tex` ends with a sub- or superscript: `…_{…}`, `…^{…}`, `…_x`, `…^\top`. */
function endsWithScript(tex: string): boolean {
  if (tex.endsWith('}')) {
    let depth = 0;
    for (let i = tex.length - 1; i >= 0; i--) {
      if (tex[i] === '}' && tex[i - 1] !== '\\') depth++;
      else if (tex[i] === '{' && tex[i - 1] !== '\\' && --depth === 0) return tex[i - 1] === '_' || tex[i - 1] === '^';
    }
    return false;
  }
  return /[_^](\\[a-zA-Z]+|[^{}\\])$/.test(tex);
}
