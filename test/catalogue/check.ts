/**
 * Running one catalogue entry: derive it, and compare the printed result with the textbook answer —
 * numerically at random points from the variables' domains, and by operation count. Shared by
 * catalogue.test.ts and scripts/gen-catalogue.ts.
 */
import { type Derivative, derivative } from '../../src/api/derivative.js';
import { DomainError } from '../../src/errors.js';
import type { Expr } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { type Env, bindDims, evaluator } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { tensorDims } from '../../src/shape/shape.js';
import { opCount } from '../../src/simplify/measure.js';
import type { CatalogueEntry } from './catalogue.js';

export interface EntryResult {
  readonly entry: CatalogueEntry;
  readonly d: Derivative;
  /** Our result, re-parsed from its printed text (what a reader gets). */
  readonly ours: Expr;
  readonly textbook: Expr;
  readonly oursOps: number;
  readonly textbookOps: number;
}

/** ours / textbook operation counts (1 when both are 0). */
export const sizeRatio = (r: EntryResult): number =>
  r.textbookOps === 0 ? (r.oursOps === 0 ? 1 : Infinity) : r.oursOps / r.textbookOps;

export function runEntry(entry: CatalogueEntry): EntryResult {
  const opts = entry.vars ? { vars: entry.vars } : {};
  const d = derivative(entry.expr, entry.wrt, {
    ...opts,
    ...(entry.order ? { order: entry.order } : {}),
    ...(entry.vec ? { vec: entry.vec } : {}),
  });
  // Both answers are read with the shapes the expression gave its variables, so that a dimension
  // named in an answer (eye(n)) is the expression's n.
  const vars: Record<string, VarDecl> = {};
  for (const v of varsOf(d.f)) vars[v.name] = { dims: tensorDims(v.shape), props: v.props };
  const ours = parse(d.toString(), { vars });
  const textbook = parse(entry.textbook, { vars });
  return { entry, d, ours, textbook, oursOps: opCount(ours), textbookOps: opCount(textbook) };
}

export interface Agreement {
  readonly ok: boolean;
  readonly maxError: number;
  readonly points: number;
  readonly seed: number;
}

/**
 * Evaluates our result and the textbook answer at `points` random points (dimension sizes and
 * values drawn from the declared domains, seeded) and compares them entrywise.
 */
export function agreeNumerically(r: EntryResult, points = 3, seed = 4_2026): Agreement {
  const f = r.d.f;
  const vars = varsOf(f);
  const runOurs = evaluator(r.ours),
    runTextbook = evaluator(r.textbook);
  let worst = 0,
    checked = 0;
  for (let attempt = 0; checked < points && attempt < points + 10; attempt++) {
    const s = seed + 7919 * attempt;
    const sizes = defaultDims(f, s);
    const at: Env = randomPoint(vars, sizes, s);
    const given = bindDims(vars, at);
    let a: Tensor, b: Tensor;
    try {
      a = runOurs(at, given);
      b = runTextbook(at, given);
    } catch (err) {
      if (err instanceof DomainError) continue;
      throw err;
    }
    const cmp = compareTensors(a, b, { rtol: 1e-9, atol: 1e-10 });
    checked++;
    worst = Math.max(worst, cmp.maxError);
    if (!cmp.ok) return { ok: false, maxError: worst, points: checked, seed };
  }
  return { ok: checked > 0, maxError: worst, points: checked, seed };
}
