/**
 * Properties of simplify over random well-shaped expressions (test/helpers/generators.ts), seeded;
 * a failure prints the seed (MATCALC_PROPERTY_SEED replays it, MATCALC_PROPERTY_RUNS scales it):
 *   - it preserves shape, and value wherever the input is defined (checked at a random point), on
 *     random expressions and on what the engine builds from them (differentials and gradients,
 *     with their vector(1), matrix(1), eye, diag and kron);
 *   - it is idempotent, with its cache cleared in between so that the second run really rewrites;
 *   - it is deterministic: simplifying again from scratch gives the same node.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differential } from '../../src/diff/differential.js';
import { gradientOf } from '../../src/diff/linear.js';
import { DomainError, UnsupportedError } from '../../src/errors.js';
import * as b from '../../src/ir/build.js';
import type { Expr } from '../../src/ir/expr.js';
import { postorder, varsOf } from '../../src/ir/walk.js';
import { type Env, bindDims, evaluate } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { toText } from '../../src/print/text.js';
import { shapeEquals } from '../../src/shape/shape.js';
import { clearSimplifyCache, simplify } from '../../src/simplify/simplify.js';
import { arbExpr, assertProperty, propertyParams } from '../helpers/generators.js';

const { numRuns } = propertyParams(150);
/** Every operation, and (deeper) mostly the algebra the simplifier rewrites. */
const ALGEBRA = [
  'add',
  'sub',
  'neg',
  'scale',
  'mul',
  'emul',
  'ediv',
  'div',
  'pow',
  'epow',
  'transpose',
  'const',
  'tr',
  'sum',
  'inv',
  'diag',
  'det',
  'exp',
  'log',
  'norm2',
  'sigmoid',
  'kron',
  'vec',
] as const;
const exprs = fc.oneof(arbExpr({ depth: 3, domainSafe: true }), arbExpr({ depth: 4, domainSafe: true, ops: ALGEBRA }));

/** The largest entry of any subexpression: the scale of rounding errors in the value. */
function magnitude(e: Expr, at: Env, sizes: ReadonlyMap<string, number>): number {
  let m = 1;
  for (const node of postorder(e)) {
    const t = evaluate(node, at, sizes);
    for (const v of t.data) m = Math.max(m, Math.abs(v));
  }
  return m;
}

function valueAt(e: Expr, at: Env, sizes: ReadonlyMap<string, number>): Tensor | undefined {
  try {
    return evaluate(e, at, sizes);
  } catch (err) {
    if (err instanceof DomainError) return undefined;
    throw err;
  }
}

/** simplify(e) has e's shape and, at a random point where e is defined, e's value. */
function checkPreserves(e: Expr, seed: number): void {
  const s = simplify(e);
  expect(shapeEquals(s.shape, e.shape), `${toText(e)} → ${toText(s)} changes the shape`).toBe(true);
  const vars = varsOf(e);
  const at = randomPoint(vars, defaultDims(e, seed), seed);
  const sizes = bindDims(vars, at, defaultDims(e, seed));
  const x = valueAt(e, at, sizes);
  if (x === undefined || !x.data.every(Number.isFinite)) return; // outside the domain: nothing to preserve
  const y = evaluate(s, at, sizes);
  const scale = Math.max(magnitude(e, at, sizes), magnitude(s, at, sizes));
  const cmp = compareTensors(y, x, { rtol: 1e-7, atol: 1e-9 * scale });
  expect(cmp.ok, `${toText(e)} → ${toText(s)} changes the value at seed ${seed} (error ${cmp.maxError})`).toBe(true);
}

/** The engine's differential of e in a direction dv of its first variable, and the gradient when e is a scalar. */
function engineOutputs(e: Expr): Expr[] {
  const v = varsOf(e)[0];
  if (v === undefined) return [];
  const dv = b.variable(`d${v.name}`, v.shape);
  const L = differential(e, v, dv);
  const out = [L];
  if (e.shape.kind === 'scalar') {
    try {
      out.push(gradientOf(simplify(L), dv));
    } catch (err) {
      if (!(err instanceof UnsupportedError)) throw err;
    }
  }
  return out;
}

describe('simplify, on random expressions', () => {
  it('preserves shape and value', () => {
    assertProperty(
      fc.property(exprs, fc.integer({ min: 1, max: 2 ** 30 }), (e, seed) => checkPreserves(e, seed)),
      { numRuns },
    );
  });

  it('preserves shape and value on differentials and gradients', () => {
    assertProperty(
      fc.property(exprs, fc.integer({ min: 1, max: 2 ** 30 }), (e, seed) => {
        for (const x of engineOutputs(e)) checkPreserves(x, seed);
      }),
      { numRuns },
    );
  });

  it('is idempotent', () => {
    assertProperty(
      fc.property(exprs, (e) => {
        const s = simplify(e);
        clearSimplifyCache();
        const again = simplify(s);
        expect(toText(again), `simplify(${toText(e)}) = ${toText(s)}, simplified again`).toBe(toText(s));
        expect(again).toBe(s);
      }),
      { numRuns },
    );
  });

  it('is deterministic (the cache changes nothing)', () => {
    assertProperty(
      fc.property(exprs, (e) => {
        const s = simplify(e);
        clearSimplifyCache();
        expect(simplify(e)).toBe(s);
      }),
      { numRuns },
    );
  });
});
