/**
 * Property test (issue 13): random programs (test/helpers/generators.ts, domain-safe and smooth) ×
 * every Python target. For each, the derivative with respect to one of its variables (order 1, or 2
 * for a scalar function), generated and run by python3 at a random point, must agree with matcalc's
 * own evaluation of f and of the derivative. The seed is printed on failure
 * (MATCALC_PROPERTY_SEED replays it, MATCALC_PROPERTY_RUNS scales it).
 */
import { describe, expect, it } from 'vitest';
import { codegen } from '../../src/codegen/codegen.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { propertyParams } from '../helpers/generators.js';
import { TIGHT, asTensor } from './cases.js';
import { VARS, samples } from './random.js';
import { type PythonTarget, requireRuntime, runPython } from './python.js';

const { seed, numRuns } = propertyParams(40);
const cases = samples(seed, numRuns);

for (const target of ['numpy', 'torch', 'jax'] as PythonTarget[]) {
  describe(`random programs × ${target} (seed ${seed}, ${cases.length} programs)`, () => {
    const available = requireRuntime(target);
    it.skipIf(!available)("generated value and derivative agree with matcalc's evaluation", () => {
      expect(cases.length).toBeGreaterThan(numRuns / 2);
      const gens = cases.map((c) => codegen(c.text, c.wrt, { target, order: c.order, vars: VARS }));
      const results = runPython(
        target,
        cases.map((c, i) => ({
          code: gens[i]!.code,
          function: gens[i]!.function,
          inputs: c.inputs,
          wrt: [c.wrt],
          single: true,
          order: c.order,
        })),
      );
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
