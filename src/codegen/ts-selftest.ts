/**
 * The TypeScript module's self-test (`matcalc codegen --target ts --check`), the counterpart of the
 * Python targets' `if __name__ == "__main__"` block: run as a script (`npx tsx module.ts`), the module
 * draws inputs in each variable's domain at three seeds, compares every derivative it returns with
 * nested central differences of its own value, prints one line per derivative and sets the exit code.
 * Imported, it does nothing. It uses only the runtime the module carries.
 */
import { concrete, selfTestPlan, sizesFor } from './python-module.js';
import { tensorDims } from '../shape/shape.js';
import type { Plan } from './plan.js';

export function typescriptSelfTest(p: Plan, fn: string): string[] {
  const sizes = sizesFor(p.parameters);
  const { step, tol, checked } = selfTestPlan(p);
  const sample = p.parameters.map(
    (q) =>
      `      ${JSON.stringify(q.name)}: sample([${tensorDims(q.shape)
        .map((x) => concrete(x, sizes))
        .join(', ')}], ${JSON.stringify(q.props)}),`,
  );
  const wrts = checked.map((c) => JSON.stringify(c.name));
  const flips = checked.map((c) => String(c.flip));
  return [
    '',
    '// ---- self-test (matcalc codegen --check): npx tsx this_file.ts',
    'function selfTest(): boolean {',
    '  let seed = 0;',
    '  const uniform = (): number => {',
    '    seed = (seed + 0x6d2b79f5) | 0;',
    '    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);',
    '    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;',
    '    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;',
    '  };',
    '  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());',
    '  const sample = (dims: readonly number[], props: readonly string[]): T => {',
    '    const x = make(dims, Float64Array.from({ length: size(dims) }, normal));',
    '    const n = dims[0] ?? 1;',
    "    if (props.includes('spd')) return add(matmul(x, transpose(x)), mul(n, eye(n)));",
    "    if (props.includes('invertible')) return add(x, mul(n, eye(n)));",
    "    if (props.includes('symmetric')) return mul(0.5, add(x, transpose(x)));",
    "    if (props.includes('diagonal')) return diagMatrix(diagOf(x));",
    "    if (props.includes('positive')) return map(x, Math.exp);",
    '    return x;',
    '  };',
    '  // The order-th derivative by nested central differences, in the layout dims(f) + order*dims(x).',
    '  const differences = (fun: (x: T) => T, x: T, order: number, h: number): T => {',
    '    if (order === 0) return fun(x);',
    '    const columns: T[] = [];',
    '    for (let i = 0; i < x.data.length; i++) {',
    '      const s = h * Math.max(1, Math.abs(x.data[i] as number));',
    '      const moved = (by: number): T => {',
    '        const d = Float64Array.from(x.data);',
    '        d[i] = (d[i] as number) + by;',
    '        return make(x.dims, d);',
    '      };',
    '      const a = differences(fun, moved(s), order - 1, h);',
    '      const b = differences(fun, moved(-s), order - 1, h);',
    '      columns.push(make(a.dims, a.data.map((v, k) => (v - (b.data[k] as number)) / (2 * s))));',
    '    }',
    '    const m = columns[0]?.data.length ?? 1;',
    '    const n = x.data.length;',
    '    const data = new Float64Array(m * n);',
    '    columns.forEach((c, i) => c.data.forEach((v, k) => { data[k * n + i] = v; }));',
    '    return make([...(columns[0]?.dims ?? []), ...x.dims], data);',
    '  };',
    '  // dims(f) + dims(x) → dims(x) + dims(f): a transpose of the flattened (|f|, |x|) matrix.',
    '  const flip = (e: T, x: T): T => {',
    '    const b = x.data.length;',
    '    const a = e.data.length / b;',
    '    const data = new Float64Array(e.data.length);',
    '    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) data[j * a + i] = e.data[i * b + j] as number;',
    '    return make([...x.dims, ...e.dims.slice(0, e.dims.length - x.dims.length)], data);',
    '  };',
    '  let failed = false;',
    '  for (let run = 0; run < 3; run++) {',
    '    seed = run + 1;',
    '    const inputs: Record<string, T> = {',
    ...sample,
    '    };',
    `    type Args = Parameters<typeof ${fn}>[0];`,
    '    const args = (name?: string, x?: T): Args =>',
    '      Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toNested(k === name && x ? x : v)])) as unknown as Args;',
    `    const [, returned] = ${fn}(args());`,
    `    const derivatives: Nested[] = ${p.single ? '[returned]' : 'returned'};`,
    `    const flips = [${flips.join(', ')}];`,
    `    [${wrts.join(', ')}].forEach((name, i) => {`,
    `      const f = (x: T): T => fromNested(${fn}(args(name, x))[0]);`,
    `      const raw = differences(f, inputs[name] as T, ${p.order}, ${step});`,
    '      const expected = flips[i] ? flip(raw, inputs[name] as T) : raw;',
    '      const got = fromNested(derivatives[i] as Nested);',
    '      let error = got.data.length === expected.data.length ? 0 : Number.NaN;',
    '      let scale = 1;',
    '      expected.data.forEach((v, k) => {',
    '        error = Math.max(error, Math.abs((got.data[k] as number) - v));',
    '        scale = Math.max(scale, Math.abs(v));',
    '      });',
    `      const ok = Number.isFinite(error / scale) && error / scale <= ${tol};`,
    '      failed = failed || !ok;',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the generated module
    "      console.log(`${ok ? 'ok' : 'FAILED'}: d${name} (seed ${run}) against central differences: relative error ${(error / scale).toExponential(1)}`);",
    '    });',
    '  }',
    '  return !failed;',
    '}',
    '',
    '// Run as a script (not when imported): the self-test, with its verdict as the exit code.',
    'const runner = (globalThis as { process?: { argv?: string[]; exitCode?: number } }).process;',
    'if (runner?.argv?.[1] !== undefined && decodeURIComponent(new URL(import.meta.url).pathname) === runner.argv[1]) {',
    '  if (!selfTest()) runner.exitCode = 1;',
    '}',
  ];
}
