/**
 * The checker's sentences: what a transposed answer is in layout terms, what a wrong shape is, a
 * constant factor written as a short fraction (1/2, -3/2) with a hint, and values printed inline.
 * Each names the convention so that a student can see why matcalc's form differs from theirs.
 */
import type { Expr } from '../ir/expr.js';
import type { Nested } from '../numeric/tensor.js';
import { type Shape, formatShape } from '../shape/shape.js';
import type { Question } from './question.js';

export function layoutNote(q: Question, a: Expr): string {
  const x = q.d.wrt;
  const es = formatShape(q.expected.shape),
    as = formatShape(a.shape);
  switch (q.d.kind) {
    case 'gradient':
      if (x.shape.kind === 'vector') {
        return `the answer is a row vector (${as}), the numerator-layout ∂f/∂${x.name}; matcalc's gradient is a column, the shape of ${x.name} (${es})`;
      }
      return `the answer is the transpose of the gradient, the numerator-layout ∂f/∂${x.name} (${as}); matcalc's gradient has the shape of ${x.name} (${es}), so that df = tr(G'*d${x.name})`;
    case 'jacobian':
      return `the answer is the Jacobian in denominator layout (rows index ${x.name}: ${as}); matcalc uses numerator layout (rows index the outputs: ${es})`;
    default:
      return `the answer (${as}) is the transpose of the ${q.d.kind === 'hessian' ? 'Hessian' : 'derivative'} (${es}); ${q.d.convention}`;
  }
}

export function wrongShape(q: Question, a: Expr): string {
  const shown = (s: Shape): string => (s.kind === 'scalar' ? 'a scalar' : `${describeShape(s)} (${formatShape(s)})`);
  return `wrong shape: the answer is ${shown(a.shape)} but the derivative is ${shown(q.expected.shape)}: ${q.d.convention}`;
}

function describeShape(s: Shape): string {
  switch (s.kind) {
    case 'scalar':
      return 'a scalar';
    case 'vector':
      return 'a column vector';
    case 'row':
      return 'a row vector';
    case 'matrix':
      return 'a matrix';
  }
}

/** The fraction num/den (den ≤ 12, the smallest that fits; num ≠ 0) within `tol` of c, if any. */
function fractionNear(c: number, tol: number): { num: number; den: number } | undefined {
  for (let den = 1; den <= 12; den++) {
    const num = Math.round(c * den);
    if (num !== 0 && Math.abs(c - num / den) < tol) return { num, den };
  }
  return undefined;
}

/** A factor snapped to a short fraction when it is one (1/2, -3/2), else rounded. */
export function niceNumber(c: number): number {
  const f = fractionNear(c, 1e-7 * Math.max(1, Math.abs(c)));
  return f !== undefined ? f.num / f.den : Number(c.toPrecision(6));
}

/** A factor as written: 3, 1/2, -3/2, 0.123457. */
export function formatFactor(c: number): string {
  const f = Number.isInteger(c) ? undefined : fractionNear(c, 1e-12);
  return f !== undefined && f.den > 1 ? `${f.num}/${f.den}` : String(c);
}

export function factorHint(c: number): string {
  if (Number.isInteger(1 / c) && Math.abs(1 / c) > 1) return ` (a factor ${Math.abs(1 / c)} is missing)`;
  if (Number.isInteger(c) && Math.abs(c) > 1) return ` (an extra factor ${Math.abs(c)})`;
  return '';
}

export function formatNested(v: Nested): string {
  return Array.isArray(v) ? `[${v.map(formatNested).join(', ')}]` : String(v);
}

export const formatAt = (at: Record<string, Nested>): string =>
  Object.entries(at)
    .map(([k, v]) => `${k} = ${formatNested(v)}`)
    .join(', ');
