/**
 * Property test (issue 13): random programs (test/helpers/generators.ts, domain-safe and smooth) ×
 * every Python target. For each, the derivative with respect to one of its variables (order 1, or 2
 * for a scalar function), generated and run by python3 at a random point, must agree with matcalc's
 * own evaluation of f and of the derivative. The seed is printed on failure
 * (MATCALC_PROPERTY_SEED replays it, MATCALC_PROPERTY_RUNS scales it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { codegen } from '../../src/codegen/codegen.js';
import { MatcalcError } from '../../src/errors.js';
import { varsOf } from '../../src/ir/walk.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { type Tensor, toNested } from '../../src/numeric/tensor.js';
import { randomPoint } from '../../src/numeric/random.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { arbProgram, propertyParams } from '../helpers/generators.js';
import { TIGHT, asTensor } from './cases.js';
import { type PythonTarget, requireRuntime, runPython } from './python.js';

const VARS: Record<string, VarDecl> = { a: { dims: [] }, b: { dims: [] }, x: { dims: ['n'] }, y: { dims: ['n'] }, A: { dims: ['n', 'n'] }, B: { dims: ['n', 'n'] }, W: { dims: ['m', 'n'] } };
const SIZES = new Map([['n', 3], ['m', 2]]);

interface Sample { readonly text: string; readonly wrt: string; readonly order: number; readonly inputs: Record<string, ReturnType<typeof toNested>>; readonly value: Tensor; readonly derivative: Tensor }

const { seed, numRuns } = propertyParams(40);

/** Random programs with a variable to differentiate by, and matcalc's values at a random point; cases matcalc itself refuses are left out. */
function samples(): Sample[] {
  const arb = fc.tuple(arbProgram({ depth: 3, domainSafe: true, smooth: true }), fc.nat(), fc.boolean());
  const out: Sample[] = [];
  fc.sample(arb, { seed, numRuns }).forEach(([p, pick, second], i) => {
    const vars = varsOf(p.expr);
    if (vars.length === 0) return;
    const wrt = vars[pick % vars.length]!.name;
    const order = second && p.expr.shape.kind === 'scalar' ? 2 : 1;
    try {
      const d = derivative(p.text, wrt, { order, vars: VARS });
      if (d.kind === 'differential') return;
      const at = randomPoint(varsOf(p.expr), SIZES, seed + i);
      const value = evaluator(p.expr)(at, SIZES);
      out.push({ text: p.text, wrt, order, inputs: Object.fromEntries([...at].map(([k, t]) => [k, toNested(t)])), value, derivative: d.evaluate(at, SIZES) });
    } catch (err) {
      if (err instanceof MatcalcError) return; // a domain error at this point, a limit: not a codegen case
      throw err;
    }
  });
  return out;
}

const cases = samples();

for (const target of ['numpy', 'torch', 'jax'] as PythonTarget[]) {
  describe(`random programs × ${target} (seed ${seed}, ${cases.length} programs)`, () => {
    const available = requireRuntime(target);
    it.skipIf(!available)('generated value and derivative agree with matcalc\'s evaluation', () => {
      expect(cases.length).toBeGreaterThan(numRuns / 2);
      const gens = cases.map((c) => codegen(c.text, c.wrt, { target, order: c.order, vars: VARS }));
      const results = runPython(target, cases.map((c, i) => ({
        code: gens[i]!.code, function: gens[i]!.function, inputs: c.inputs, wrt: [c.wrt], single: true, order: c.order,
      })));
      cases.forEach((c, i) => {
        const r = results[i]!;
        const where = `(seed ${seed}; replay: MATCALC_PROPERTY_SEED=${seed}) d${c.order > 1 ? '^2' : ''}/d${c.wrt} of ${c.text}\n${gens[i]!.code}`;
        if (r.error !== undefined) expect.fail(`${r.error} ${where}`);
        const v = compareTensors(asTensor(r.value, c.value), c.value, TIGHT);
        expect(v.ok, `value (error ${v.maxError}) ${where}`).toBe(true);
        const dv = compareTensors(asTensor(r.derivatives[0]!, c.derivative), c.derivative, TIGHT);
        expect(dv.ok, `derivative (error ${dv.maxError}) ${where}`).toBe(true);
      });
    });
  });
}
