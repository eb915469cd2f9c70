/**
 * The differential engine: d(e) in the direction dv of one variable (forward mode, JVP form).
 *
 * Like micrograd, the engine knows nothing about particular functions: every node looks up its rule
 * in rules/ and instantiates it with its operands and their differentials. Operands whose
 * differential is zero make their terms vanish through the constructors' zero folding. The walk is
 * memoised per node, so shared subexpressions are differentiated once and the result stays a DAG —
 * its size grows linearly with the depth of a network, never exponentially.
 *
 * Applying `differential` again with a second direction gives the second differential d²f(dv1, dv2),
 * and so on: every order comes from this one function.
 */
import { LimitError, UnsupportedError } from '../errors.js';

/** Largest |k| for which d(X^k) = Σ Xⁱ dX Xᵏ⁻¹⁻ⁱ is written out. */
const MAX_MATRIX_POWER = 64;
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { defaultParam, tensorArity } from '../ir/functions.js';
import {
  type DifferentialRule,
  FUNCTION_RULES,
  ELEMENTWISE_RULES,
  OPERATOR_RULES,
  isElementwiseRule,
  matrixPower,
} from '../../rules/index.js';
import { instantiate } from './template.js';

export function differential(root: Expr, wrt: Var, dv: Expr): Expr {
  const memo = new Map<Expr, Expr>();
  const d = (e: Expr): Expr => {
    let r = memo.get(e);
    if (r === undefined) {
      r = rule(e, d, wrt, dv);
      memo.set(e, r);
    }
    return r;
  };
  return d(root);
}

function rule(e: Expr, d: (e: Expr) => Expr, wrt: Var, dv: Expr): Expr {
  switch (e.kind) {
    case 'var':
      return e === wrt ? dv : b.zero(e.shape);
    case 'const':
    case 'zero':
    case 'ones':
    case 'eye':
    case 'commutation':
      return b.zero(e.shape);
    case 'neg':
    case 'transpose': {
      const dX = d(e.x);
      if (b.isZero(dX)) return b.zero(e.shape);
      return instantiate(OPERATOR_RULES[e.kind].d, { X: e.x, dX });
    }
    case 'call': {
      const dArgs = e.args.map(d);
      if (dArgs.every(b.isZero)) return b.zero(e.shape);
      if (isElementwiseRule(e.fn)) {
        const r = ELEMENTWISE_RULES[e.fn];
        const params: Record<string, Expr> = {};
        (r.params ?? []).forEach((p, i) => {
          params[p] = e.args[i + 1] ?? b.num(defaultParam(e.fn, i));
        });
        const slope = instantiate(r.dx, { x: e.args[0]!, ...params });
        return b.emul(slope, dArgs[0]!);
      }
      const r: DifferentialRule = FUNCTION_RULES[e.fn];
      if (tensorArity(e.fn) === 2) {
        const [A, B] = e.args as [Expr, Expr];
        return instantiate(r.d, { A, B, dA: dArgs[0]!, dB: dArgs[1]! });
      }
      const dim = b.dimOf(e);
      const template = dim === undefined ? r.d : r.alongDim?.[dim];
      if (template === undefined) throw new UnsupportedError(`internal: ${e.fn} has no rule along a dim`);
      const params: Record<string, Expr> = {};
      (r.params ?? []).forEach((p, i) => {
        params[p] = e.args[i + 1] ?? b.num(defaultParam(e.fn, i));
      });
      return instantiate(template, { X: e.args[0]!, dX: dArgs[0]!, ...params });
    }
    default: {
      const dA = d(e.a),
        dB = d(e.b);
      if (b.isZero(dA) && b.isZero(dB)) return b.zero(e.shape);
      if (e.kind === 'pow' && e.a.shape.kind === 'matrix') {
        if (e.b.kind !== 'const' || !Number.isInteger(e.b.value)) {
          throw new UnsupportedError('only constant integer powers of a matrix can be differentiated');
        }
        if (Math.abs(e.b.value) > MAX_MATRIX_POWER) {
          throw new LimitError(
            `d(X^k) is a sum of |k| terms; matcalc expands it for |k| ≤ ${MAX_MATRIX_POWER}, not k = ${e.b.value}`,
          );
        }
        if (e.b.value > 0) return instantiate(matrixPower(e.b.value), { X: e.a, dX: dA });
        // X^(-k) = inv(X)^k, with d(inv(X)) from the inv rule (X^0 is folded to eye by the constructor).
        const inverse = b.call('inv', [e.a]);
        return instantiate(matrixPower(-e.b.value), { X: inverse, dX: d(inverse) });
      }
      return instantiate(OPERATOR_RULES[e.kind].d, { A: e.a, B: e.b, dA, dB });
    }
  }
}
