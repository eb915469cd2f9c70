/**
 * Diagnoses that need more than one comparison: a symmetry the answer assumed (it is right when the
 * non-symmetric square matrices are sampled symmetric, and for which single matrix), and one term
 * missing or one extra (terms.ts expands both sides into signed terms; each term is evaluated, and a
 * decomposition is trusted only once its terms add up to the whole).
 */
import { DomainError, MatcalcError } from '../errors.js';
import { evaluator } from '../numeric/evaluate.js';
import type { Tensor } from '../numeric/tensor.js';
import { toText } from '../print/text.js';
import { type Pair, type Reading, type View, align, allNear, answerSizes, near, pairsFor } from './compare.js';
import { type Point, POINTS, type Question, samplePoints } from './question.js';
import { type Term, termExpr } from './terms.js';
import { layoutNote } from './wording.js';

export function assumedSymmetric(q: Question, r: Reading): string | undefined {
  const candidates = q.vars
    .filter((v) => v.shape.kind === 'matrix' && v.shape.m === v.shape.n && !v.props.includes('symmetric'))
    .map((v) => v.name);
  if (candidates.length === 0) return undefined;
  const holds = (names: readonly string[]): View | undefined => {
    let points: Point[];
    try {
      points = samplePoints(q, POINTS, new Set(names));
    } catch (err) {
      if (err instanceof DomainError) return undefined;
      throw err;
    }
    for (const view of ['same', 'transposed'] as const) {
      if (!r.views.has(view)) continue;
      try {
        if (allNear(pairsFor(q, r, view, points))) return view;
      } catch (err) {
        if (!(err instanceof MatcalcError)) throw err;
      }
    }
    return undefined;
  };
  const all = holds(candidates);
  if (all === undefined) return undefined;
  const single = candidates.find((c) => holds([c]) !== undefined);
  const names = single !== undefined ? [single] : candidates;
  const list = names.join(' and ');
  const verb = names.length === 1 ? 'it is' : 'they are';
  const also = all === 'transposed' ? ' (and it is written transposed)' : '';
  return `correct only if ${list} ${names.length === 1 ? 'is' : 'are'} symmetric, which ${verb} not declared to be${also}; for a general ${list} the derivative is ${toText(q.expected)}`;
}

export function missingOrExtra(
  q: Question,
  r: Reading,
  byView: ReadonlyMap<View, Pair[]>,
  points: readonly Point[],
  eTerms: readonly Term[] | undefined,
  aTerms: readonly Term[] | undefined,
): { diagnosis: 'missing-term' | 'extra-term'; explanation: string } | undefined {
  const expected = toText(q.expected);
  const views = [...byView].filter(([v]) => v !== 'broadcast');
  if (eTerms && eTerms.length >= 2) {
    const values = termValues(eTerms, (run, p) => run(p.env, p.sizes), points);
    // The decomposition must add up to the derivative before a term is named.
    if (values && points.every((p, k) => near(sum(values.map((v) => v[k]!.data)), p.e.data))) {
      for (const [i, t] of eTerms.entries()) {
        for (const [view, pairs] of views) {
          if (allNear(pairs, (pr, k) => [pr.a.data, subtract(pr.e, align(view, values[i]![k]!, q, pr.p.sizes))])) {
            return {
              diagnosis: 'missing-term',
              explanation: `a term is missing: ${toText(termExpr(t))} (the derivative is ${expected})${view === 'transposed' ? `, and the answer is transposed (${layoutNote(q, r.expr)})` : ''}`,
            };
          }
        }
      }
    }
  }
  if (aTerms && aTerms.length >= 2) {
    for (const [view, pairs] of views) {
      const values = termValues(aTerms, (run, p) => run(p.env, answerSizes(r, view, p)), points);
      if (!values || !pairs.every((pr, k) => near(sum(values.map((v) => v[k]!.data)), pr.a.data))) continue;
      for (const [j, t] of aTerms.entries()) {
        if (allNear(pairs, (pr, k) => [subtract(pr.a.data, values[j]![k]!.data), pr.e])) {
          return {
            diagnosis: 'extra-term',
            explanation: `the term ${toText(termExpr(t))} is extra: without it the answer is ${view === 'transposed' ? 'the transpose of ' : ''}the derivative ${expected}`,
          };
        }
      }
    }
  }
  return undefined;
}

/** Each term's value at each point, or undefined when one cannot be evaluated. */
function termValues(
  terms: readonly Term[],
  at: (run: ReturnType<typeof evaluator>, p: Point) => Tensor,
  points: readonly Point[],
): Tensor[][] | undefined {
  try {
    return terms.map((t) => {
      const run = evaluator(termExpr(t));
      return points.map((p) => at(run, p));
    });
  } catch (err) {
    if (err instanceof MatcalcError) return undefined;
    throw err;
  }
}

function sum(xs: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(xs[0]!.length);
  for (const x of xs) {
    if (x.length !== out.length) return new Float64Array(0);
    for (let i = 0; i < x.length; i++) out[i]! += x[i]!;
  }
  return out;
}

function subtract(x: Float64Array, y: Float64Array): Float64Array {
  if (x.length !== y.length) return new Float64Array(0);
  return x.map((v, i) => v - y[i]!);
}
