/**
 * Declared properties are assumptions about the point, never about what is differentiated
 * (docs/conventions.md). A variable declared symmetric still has n² free entries, and every
 * derivative matcalc gives is the entrywise (unconstrained) one, evaluated at a point where the
 * declaration holds.
 *
 * The simplifier does use declarations (S' → S when S is symmetric), which is right for a printed
 * result but wrong for anything differentiated again: d(S')/dS is the commutation tensor, d(S)/dS
 * the identity — they agree only on symmetric directions. So the engine differentiates f over
 * *plain* variables (the same names and shapes, no properties), and only a result meant for the
 * reader is put back over the declared variables and simplified under their properties.
 */
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { varsOf } from '../ir/walk.js';
import { simplify } from '../simplify/simplify.js';

export interface Unconstrained {
  /** f over plain variables. */
  readonly f: Expr;
  /** The plain twin of a variable of f (the variable itself when it declares nothing). */
  plain(v: Var): Var;
  /** An expression over plain variables put back over the declared ones and simplified under their properties: for printing only. */
  declared(e: Expr): Expr;
}

/** f over plain variables; `also` names variables beyond f's (a wrt that f does not contain). */
export function unconstrained(f: Expr, also: readonly Var[] = []): Unconstrained {
  const toPlain = new Map<Expr, Expr>(),
    toDeclared = new Map<Expr, Expr>();
  for (const v of [...varsOf(f), ...also]) {
    if (v.props.length === 0) continue;
    const p = b.variable(v.name, v.shape);
    toPlain.set(v, p);
    toDeclared.set(p, v);
  }
  return {
    f: substitute(f, toPlain),
    plain: (v) => (toPlain.get(v) as Var | undefined) ?? v,
    declared: (e) => (toDeclared.size === 0 ? e : simplify(substitute(e, toDeclared))),
  };
}
