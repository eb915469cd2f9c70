/**
 * Generated NumPy, PyTorch and JAX code, run with python3 over the whole catalogue (issue 13): for
 * every entry, at a random point of its domain, the generated value and derivatives are compared
 * with matcalc's own evaluation (the same formula, tightly), with central differences of the
 * original f, and — for PyTorch and JAX — with the library's automatic differentiation of the
 * generated value (torch.func.jacrev / hessian, jax.jacobian / hessian).
 *
 * `npm run test:codegen`. A missing runtime is skipped with a message, or fails under CI=true.
 */
import { describe, expect, it } from 'vitest';
import { codegen } from '../../src/codegen/codegen.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { fromNested, transposeMatrix } from '../../src/numeric/tensor.js';
import { CATALOGUE_REQUESTS, TIGHT, type Truth, againstDifferences, asTensor, truthOf } from './cases.js';
import { type PyResult, type PythonTarget, requireRuntime, runPython } from './python.js';

const truths: Truth[] = CATALOGUE_REQUESTS.map((r) => truthOf(r));

function runTarget(target: PythonTarget): { results: PyResult[]; modules: string[] } {
  const gens = truths.map((t) => {
    const r = t.request;
    return codegen(r.expr, r.wrt, {
      target,
      ...(r.order ? { order: r.order } : {}),
      ...(r.layout ? { layout: r.layout } : {}),
      ...(r.vars ? { vars: r.vars } : {}),
    });
  });
  const results = runPython(
    target,
    truths.map((t, i) => {
      const g = gens[i]!;
      return {
        code: g.code,
        function: g.function,
        single: typeof t.request.wrt === 'string',
        order: t.order,
        inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, v]) => [g.parameters[k] ?? k, v])),
        wrt: t.wrt.map((w) => g.parameters[w] ?? w),
        autograd: target !== 'numpy',
      };
    }),
  );
  return { results, modules: gens.map((g) => g.code) };
}

for (const target of ['numpy', 'torch', 'jax'] as const) {
  describe(`generated ${target} code, run with python3`, () => {
    const available = requireRuntime(target);
    const run = available ? runTarget(target) : undefined;
    truths.forEach((t, i) => {
      it.skipIf(!available)(
        `${t.request.name}: d${t.order > 1 ? `^${t.order}` : ''}(${t.request.expr})/d${t.wrt.join(',')}`,
        () => {
          const r = run!.results[i]!;
          const where = `\n--- generated module ---\n${run!.modules[i]}`;
          if (r.error !== undefined) expect.fail(`${r.error}${where}`);
          const value = compareTensors(asTensor(r.value, t.value), t.value, TIGHT);
          expect(value.ok, `value differs from matcalc's (error ${value.maxError})${where}`).toBe(true);
          t.wrt.forEach((w, k) => {
            const got = asTensor(r.derivatives[k]!, t.derivatives[k]!);
            const same = compareTensors(got, t.derivatives[k]!, TIGHT);
            expect(same.ok, `d/d${w} differs from matcalc's value (error ${same.maxError})${where}`).toBe(true);
            const fd = againstDifferences(got, t.fd[k]!, t.order);
            expect(fd.ok, `d/d${w} differs from central differences of f (error ${fd.maxError})${where}`).toBe(true);
            if (r.autograd !== undefined) {
              // autograd gives the numerator layout.
              const flipped =
                t.request.layout === 'denominator'
                  ? transposeMatrix(fromNested(r.autograd[k]!))
                  : asTensor(r.autograd[k]!, t.derivatives[k]!);
              const ad = compareTensors(got, flipped, TIGHT);
              expect(ad.ok, `d/d${w} differs from ${target}'s autograd (error ${ad.maxError})${where}`).toBe(true);
            }
          });
        },
      );
    });
  });
}
