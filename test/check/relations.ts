/**
 * The test side's ground truth for the checker: what an answer numerically *is* relative to our
 * derivative — equal, its transpose, a multiple, equal only for symmetric matrices, the derivative
 * minus or plus a given term — established by evaluating both at seeded random points. It does not
 * call the checker; the checker's verdicts are then compared with what these relations imply.
 *
 * The derivative itself is first verified against finite differences (Derivative.verify()).
 */
import { derivative, type Derivative } from '../../src/api/derivative.js';
import { DomainError } from '../../src/errors.js';
import type { Expr, Prop, Var } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { parse } from '../../src/parse/parse.js';
import { parseLatex } from '../../src/parse/latex.js';
import { bindDims, evaluate } from '../../src/numeric/evaluate.js';
import { shapeSizes } from '../../src/numeric/dims.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { type Shape, tensorDims, transposeShape as transposeShapeOf } from '../../src/shape/shape.js';

export interface Question {
  readonly expr: string;
  readonly wrt: string;
  readonly vars?: Readonly<Record<string, VarDecl>>;
  readonly order?: number;
}

export interface Setting {
  readonly q: Question;
  readonly d: Derivative;
  /** Our derivative, the reference every answer is compared with. */
  readonly E: Expr;
  readonly vars: readonly Var[];
  readonly decls: Readonly<Record<string, VarDecl>>;
  readonly fdOk: boolean;
}

const settings = new Map<string, Setting>();

/** The question's derivative, verified by finite differences (cached per question). */
export function settingOf(q: Question): Setting {
  const key = JSON.stringify(q);
  let s = settings.get(key);
  if (s === undefined) {
    const d = derivative(q.expr, q.wrt, {
      ...(q.vars ? { vars: q.vars } : {}),
      ...(q.order ? { order: q.order } : {}),
    });
    const vars = varsOf(d.f);
    const decls: Record<string, VarDecl> = {};
    for (const v of vars) decls[v.name] = { dims: tensorDims(v.shape), props: v.props };
    s = { q, d, E: d.expr, vars, decls, fdOk: d.verify({ points: 2 }).ok };
    settings.set(key, s);
  }
  return s;
}

/** Reads an answer as the test's reference does: the plain parser, or the LaTeX reader, with the question's declarations. */
export function answerExpr(s: Setting, text: string, syntax: 'input' | 'latex'): Expr {
  return syntax === 'latex' ? parseLatex(text, { vars: s.decls }) : parse(text, { vars: s.decls });
}

/** Values of [E, ...exprs] at `count` seeded points (matrices in `symmetric` sampled symmetric). */
export function valuesAt(
  s: Setting,
  exprs: readonly Expr[],
  opts: { symmetric?: readonly string[]; count?: number; seed?: number } = {},
): Tensor[][] {
  const out: Tensor[][] = [];
  const count = opts.count ?? 3;
  for (let k = 0; out.length < count && k < count + 20; k++) {
    const seed = (opts.seed ?? 4242) + 101 * k;
    const dims = defaultDims(s.d.f, seed);
    const vars = s.vars.map((v) =>
      opts.symmetric?.includes(v.name) ? { ...v, props: [...v.props, 'symmetric' as Prop] } : v,
    );
    const env = randomPoint(vars, dims, seed);
    const sizes = bindDims(s.vars, env, dims);
    try {
      out.push([s.E, ...exprs].map((e) => evaluate(e, env, sizedLikeE(s, e, sizes))));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }
  if (out.length < count) throw new Error(`only ${out.length} points inside the domain`);
  return out;
}

const scaleOf = (a: Float64Array, e: Float64Array): number =>
  Math.max(1e-300, ...Array.from(a, Math.abs), ...Array.from(e, Math.abs));

export function near(a: Float64Array, e: Float64Array, tol = 1e-9): boolean {
  if (a.length !== e.length) return false;
  const s = scaleOf(a, e);
  return a.every((v, i) => Math.abs(v - e[i]!) <= tol * s);
}

/** The transpose of a tensor's data (a vector's data is its own transpose). */
export function transposed(t: Tensor): Float64Array {
  if (t.dims.length < 2) return t.data;
  const [m, n] = t.dims as [number, number];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = t.data[i * n + j]!;
  return out;
}

/** The constant c with a = c·e at every point, if any. */
export function factorOf(pairs: ReadonlyArray<readonly [Float64Array, Float64Array]>): number | undefined {
  let ae = 0,
    ee = 0;
  for (const [a, e] of pairs) {
    if (a.length !== e.length) return undefined;
    a.forEach((v, i) => {
      ae += v * e[i]!;
      ee += e[i]! ** 2;
    });
  }
  if (ee === 0) return undefined;
  const c = ae / ee;
  return pairs.every(([a, e]) =>
    near(
      a,
      e.map((v) => c * v),
      1e-8,
    ),
  )
    ? c
    : undefined;
}

/** Everything the test needs to know about an answer A against E. */
export interface Facts {
  readonly sameShape: boolean;
  readonly transposeShape: boolean;
  readonly equal: boolean;
  readonly equalToTranspose: boolean;
  /** c with A = c·E (c ≠ 1), or A = c·E'. */
  readonly factor?: number;
}

/**
 * A size no variable of the question fixes (eye's in \mathbf{I}, vector(1)'s) is free: read in the
 * question's declarations it never takes the name of one of the question's dimensions, and it stands
 * for the size of E's dimension at its place.
 */
const isFree = (s: Setting, d: unknown): boolean =>
  typeof d === 'string' && !s.vars.some((v) => tensorDims(v.shape).includes(d));

/** Whether A's shape is `target` where the sizes A's variables fix are concerned. */
function fitsShape(s: Setting, a: Shape, target: Shape): boolean {
  const ad = tensorDims(a),
    td = tensorDims(target);
  return a.kind === target.kind && ad.every((d, i) => d === td[i] || isFree(s, d));
}

/** The sizes for evaluating e: the question's, and each free dim of e sized as E's dim at its place. */
function sizedLikeE(s: Setting, e: Expr, sizes: Map<string, number>): Map<string, number> {
  const out = new Map(sizes);
  const ed = tensorDims(e.shape),
    Ed = shapeSizes(s.E.shape, sizes);
  ed.forEach((d, i) => {
    if (typeof d === 'string' && !out.has(d) && isFree(s, d) && Ed[i] !== undefined) out.set(d, Ed[i]!);
  });
  return out;
}

export function factsOf(s: Setting, A: Expr): Facts {
  const sameShape = fitsShape(s, A.shape, s.E.shape);
  const transposeShape = s.E.shape.kind !== 'scalar' && fitsShape(s, A.shape, transposeShapeOf(s.E.shape));
  if (!sameShape && !transposeShape) return { sameShape, transposeShape, equal: false, equalToTranspose: false };
  const pts = valuesAt(s, [A]);
  const equal = sameShape && pts.every(([e, a]) => near(a!.data, e!.data));
  const equalToTranspose = transposeShape && pts.every(([e, a]) => near(a!.data, transposed(e!)));
  const direct = sameShape ? factorOf(pts.map(([e, a]) => [a!.data, e!.data] as const)) : undefined;
  const viaT = transposeShape ? factorOf(pts.map(([e, a]) => [a!.data, transposed(e!)] as const)) : undefined;
  const factor = [direct, viaT].find((c) => c !== undefined && Math.abs(c - 1) > 1e-9 && Math.abs(c) > 1e-9);
  return { sameShape, transposeShape, equal, equalToTranspose, ...(factor !== undefined ? { factor } : {}) };
}

/** Whether A equals E (or E') when the named matrices are sampled symmetric. */
export function equalWhenSymmetric(s: Setting, A: Expr, matrices: readonly string[]): boolean {
  const pts = valuesAt(s, [A], { symmetric: matrices });
  return pts.every(([e, a]) => near(a!.data, e!.data)) || pts.every(([e, a]) => near(a!.data, transposed(e!)));
}

/** Whether A = E + sign·T at every point. */
export function differsByTerm(s: Setting, A: Expr, T: Expr, sign: 1 | -1): boolean {
  const pts = valuesAt(s, [A, T]);
  return (
    pts.every(([e, a, t]) =>
      near(
        a!.data,
        e!.data.map((v, i) => v + sign * t!.data[i]!),
      ),
    ) && pts.some(([, , t]) => t!.data.some((v) => Math.abs(v) > 1e-6))
  );
}
