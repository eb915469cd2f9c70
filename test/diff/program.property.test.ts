/**
 * Random programs (test/helpers/generators.ts arbProgram): each is read, differentiated, and three
 * results are compared with central finite differences of the ORIGINAL program at a random point:
 *   1. the program-form result (`t1 = …; result`, the user's names kept), parsed back and evaluated;
 *   2. its --inline form (one expression), parsed back and evaluated;
 *   3. the derivative of the inlined input (the program written as one expression).
 * Scalar functions (gradients) and vector functions (Jacobians) with respect to vectors and matrices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { DomainError } from '../../src/errors.js';
import type { Expr } from '../../src/ir/expr.js';
import { dimNamesOf, varsOf } from '../../src/ir/walk.js';
import { bindDims, evaluator } from '../../src/numeric/evaluate.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { readProgram } from '../../src/parse/program.js';
import { toText } from '../../src/print/text.js';
import { SCALAR, tensorDims, vectorShape } from '../../src/shape/shape.js';
import { arbProgram, assertProperty, propertyParams } from '../helpers/generators.js';

const RUNS = Math.max(20, Math.round(propertyParams().numRuns / 2));
const TOLERANCE = 1e-5;

const declsOf = (e: Expr): Record<string, VarDecl> =>
  Object.fromEntries(varsOf(e).map((v) => [v.name, { dims: tensorDims(v.shape), props: v.props }]));

const relErr = (a: Tensor, b: Tensor): number => {
  if (a.data.length !== b.data.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++)
    worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!)));
  return worst;
};

describe('random programs: program form, --inline form and the inlined input agree with finite differences', () => {
  it(`${RUNS} programs`, () => {
    let checked = 0;
    const programs = fc
      .tuple(
        fc.oneof(
          arbProgram({ shape: SCALAR, depth: 3, domainSafe: true, smooth: true }),
          arbProgram({ shape: vectorShape('n'), depth: 2, domainSafe: true, smooth: true }),
        ),
        fc.nat(),
      )
      .map(([p, k]) => ({ p, k, [fc.toStringMethod]: () => JSON.stringify(p.text) }));
    const property = fc.property(programs, ({ p, k }) => {
      const decls = declsOf(p.expr);
      const f = readProgram(p.text, { vars: decls }).root;
      const candidates = varsOf(f).filter(
        (v) => v.shape.kind === 'vector' || (v.shape.kind === 'matrix' && f.shape.kind === 'scalar'),
      );
      // Every dimension is fixed by a variable (eye(n) alone leaves n unknown).
      const fixed = new Set(varsOf(f).flatMap((x) => tensorDims(x.shape)));
      fc.pre(candidates.length > 0 && dimNamesOf(f).every((n) => fixed.has(n)));
      const v = candidates[k % candidates.length]!;
      const seed = 20261125 + k;
      const at = randomPoint(varsOf(f), defaultDims(f, seed), seed);
      const sizes = bindDims(varsOf(f), at);
      let fd: Tensor;
      try {
        const run = evaluator(f);
        const value = run(at, sizes);
        fc.pre(value.data.every((x) => Number.isFinite(x) && Math.abs(x) <= 1e4));
        fd = fdJacobian((e) => run(e, sizes), at, v.name);
      } catch (err) {
        if (err instanceof DomainError) {
          fc.pre(false);
        }
        throw err;
      }
      const d = derivative(p.text, v.name, { vars: decls });
      fc.pre(d.kind === 'gradient' || d.kind === 'jacobian');
      /**
       * A printed result, read back with f's declarations and evaluated. A constant such as
       * 2*vector(1) whose size no variable fixes reads with a fresh dimension: it takes sizes
       * (among f's) that give the result the derivative's number of entries. Such a fresh dimension
       * is never named like one of f's (a zero Jacobian's matrix(0) read back as n×m would take f's
       * sizes), so f's dimensions keep f's sizes.
       */
      const readBack = (src: string): Tensor => {
        const e = readProgram(src, { vars: decls }).root;
        const bound = bindDims(varsOf(e), at, sizes);
        const free = dimNamesOf(e).filter((n) => !bound.has(n));
        const options = [...new Set(sizes.values())];
        let tries: Map<string, number>[] = [bound];
        for (const n of free) tries = tries.flatMap((t) => options.map((size) => new Map([...t, [n, size]])));
        const values = tries.map((t) => evaluator(e)(at, t));
        return (
          values.find((x) => x.data.length === fd.data.length && x.dims.join() === fd.dims.join()) ??
          values.find((x) => x.data.length === fd.data.length) ??
          values[0]!
        );
      };
      const what = `d/d${v.name} of ${JSON.stringify(p.text)}`;
      const programText = d.toProgramText();
      expect(relErr(readBack(programText), fd), `${what}: program form ${JSON.stringify(programText)}`).toBeLessThan(
        TOLERANCE,
      );
      expect(relErr(readBack(d.toString()), fd), `${what}: inline form ${d.toString()}`).toBeLessThan(TOLERANCE);
      const ofInlined = derivative(toText(p.expr), v.name, { vars: decls });
      expect(relErr(ofInlined.evaluate(at, sizes), fd), `${what}: derivative of the inlined input`).toBeLessThan(
        TOLERANCE,
      );
      // The program reads back to the very DAG of the expression it spells.
      expect(f).toBe(p.expr);
      checked++;
    });
    assertProperty(property, { numRuns: RUNS });
    expect(checked).toBeGreaterThanOrEqual(Math.floor(0.6 * RUNS));
  });
});
