/**
 * Given values against their declarations: a variable declared symmetric, spd, diagonal, positive or
 * invertible must have a value that is. A declaration is an assumption about the point
 * (docs/conventions.md) that results are simplified under — x'Sx has gradient 2Sx only for a
 * symmetric S — so a value that breaks it would silently get the value of another formula. Such a
 * value is a DomainError naming the variable, the property and the entries that break it.
 *
 * Tolerances: symmetry and diagonality hold to 1e-10 relative to the largest entry (values typed
 * as decimals, or computed, carry rounding); spd is symmetric plus a Cholesky factorisation whose
 * pivots are positive; invertible is an LU factorisation without a negligible pivot.
 */
import { DomainError } from '../errors.js';
import type { Prop, Var } from '../ir/expr.js';
import type { Env } from './dims.js';
import { choleskyPivotsPositive, isSingular } from './linalg.js';
import type { Tensor } from './tensor.js';

const RTOL = 1e-10;

/** Throws a DomainError for the first value in `at` that breaks its variable's declared properties. */
export function checkDeclared(vars: readonly Var[], at: Env): void {
  for (const v of vars) {
    const t = at.get(v.name);
    if (t === undefined || v.props.length === 0) continue;
    for (const p of v.props) {
      const broken = violation(p, t);
      if (broken !== undefined) throw new DomainError(`${v.name} is declared ${p}, but its value is not: ${broken}`);
    }
  }
}

/** Why t breaks the property, or undefined when it holds (or does not apply to t's shape). */
function violation(p: Prop, t: Tensor): string | undefined {
  const square = t.dims.length === 2 && t.dims[0] === t.dims[1];
  const n = t.dims[0] ?? 1;
  const scale = Math.max(...Array.from(t.data, Math.abs), 1e-300);
  const entry = (i: number, j: number): number => t.data[i * n + j]!;
  const at = (i: number, j: number): string => `(${i + 1},${j + 1})`;
  switch (p) {
    case 'positive': {
      const i = t.data.findIndex((x) => !(x > 0));
      return i < 0 ? undefined : `${t.dims.length === 0 ? 'it' : `the entry ${i + 1} (row-major)`} is ${t.data[i]}`;
    }
    case 'symmetric':
    case 'spd': {
      if (t.dims.length === 0) return p === 'spd' && !(t.data[0]! > 0) ? `${t.data[0]} is not positive` : undefined;
      if (!square) return `it is ${t.dims.join('×')}, not square`;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (Math.abs(entry(i, j) - entry(j, i)) > RTOL * scale)
            return `the entries ${at(i, j)} and ${at(j, i)} are ${entry(i, j)} and ${entry(j, i)}`;
        }
      }
      if (p === 'spd' && !choleskyPivotsPositive(t.data, n))
        return 'it is symmetric but not positive definite (its Cholesky factorisation fails)';
      return undefined;
    }
    case 'diagonal': {
      if (!square) return t.dims.length === 2 ? `it is ${t.dims.join('×')}, not square` : undefined;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          if (i !== j && Math.abs(entry(i, j)) > RTOL * scale) return `the entry ${at(i, j)} is ${entry(i, j)}`;
      return undefined;
    }
    case 'invertible':
      if (t.dims.length === 0) return t.data[0] === 0 ? 'it is 0' : undefined;
      if (!square) return t.dims.length === 2 ? `it is ${t.dims.join('×')}, not square` : undefined;
      return isSingular(t.data, n) ? 'it is singular to working precision' : undefined;
  }
}
