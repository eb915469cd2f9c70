/**
 * The TypeScript target (issue 13), run in-process: for every catalogue entry (and the multi-variable
 * and denominator-layout requests of cases.ts), the generated ES module is compiled (tsc's transpiler),
 * imported, and called at a random point of the domain; its value and derivatives are compared with
 * matcalc's own evaluation and with central differences of the original f. One module is also
 * type-checked under `strict` and `noUncheckedIndexedAccess`, as a user's project would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codegen } from '../../src/codegen/codegen.js';
import { compareTensors } from '../../src/numeric/fd.js';
import type { Nested } from '../../src/numeric/tensor.js';
import { propertyParams } from '../helpers/generators.js';
import { CATALOGUE_REQUESTS, TIGHT, againstDifferences, asTensor, truthOf } from './cases.js';
import { VARS, samples } from './random.js';

const dir = mkdtempSync(join(tmpdir(), 'matcalc-codegen-ts-'));

type Generated = (args: Record<string, Nested>) => [Nested, Nested | Nested[]];

async function load(code: string, name: string, fn: string): Promise<Generated> {
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, Generated>;
  return mod[fn]!;
}

describe('generated TypeScript, imported and run', () => {
  CATALOGUE_REQUESTS.forEach((r, i) => {
    it(`${r.name}: d${r.order && r.order > 1 ? `^${r.order}` : ''}(${r.expr})/d${[r.wrt].flat().join(',')}`, async () => {
      const t = truthOf(r);
      const g = codegen(r.expr, r.wrt, {
        target: 'ts',
        ...(r.order ? { order: r.order } : {}),
        ...(r.layout ? { layout: r.layout } : {}),
        ...(r.vars ? { vars: r.vars } : {}),
      });
      const fn = await load(g.code, `m${i}`, g.function);
      const [value, ds] = fn(Object.fromEntries(Object.entries(t.inputs).map(([k, v]) => [g.parameters[k] ?? k, v])));
      const where = `\n--- generated module ---\n${g.code.split('// ---- runtime')[0]}`;
      const v = compareTensors(asTensor(value, t.value), t.value, TIGHT);
      expect(v.ok, `value (error ${v.maxError})${where}`).toBe(true);
      const list = typeof r.wrt === 'string' ? [ds as Nested] : (ds as Nested[]);
      t.wrt.forEach((w, k) => {
        const got = asTensor(list[k]!, t.derivatives[k]!);
        const same = compareTensors(got, t.derivatives[k]!, TIGHT);
        expect(same.ok, `d/d${w} differs from matcalc's value (error ${same.maxError})${where}`).toBe(true);
        const fd = againstDifferences(got, t.fd[k]!, t.order);
        expect(fd.ok, `d/d${w} differs from central differences of f (error ${fd.maxError})${where}`).toBe(true);
      });
    });
  });

  it('a generated module, with its --check self-test, type-checks under strict options', () => {
    const g = codegen(
      'z1 = W1*x + b1; h1 = tanh(z1); L = norm2(W2*h1 - y)^2/2 + lambda*sum(max(W1, 0))',
      ['W1', 'b1', 'W2', 'lambda'],
      { target: 'ts', vars: { lambda: 'scalar' }, check: true },
    );
    expect(g.parameters.lambda).toBe('lambda');
    expect(g.function).toBe('valueAndDerivatives');
    const file = join(dir, 'typed.ts');
    writeFileSync(file, g.code);
    const program = ts.createProgram([file], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('--check: run as a script (tsx) the module tests itself against central differences; a wrong derivative fails it; imported it stays quiet', () => {
    const script = (name: string, code: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, code);
      return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
    };
    for (const [name, expr, wrt, options] of [
      ['check-hessian', "sum(softplus(X*w)) - y'*X*w", 'w', { order: 2 }],
      ['check-denominator', 'tanh(A*x)', 'x', { layout: 'denominator' as const }],
      ['check-spd', 'logdet(S) + tr(inv(S)*C)', 'S', { vars: { S: 'matrix(n,n) spd' } }],
      ['check-two', 'sigmoid(W*x + h)', ['W', 'x'], { vars: { W: 'matrix(k,n)' } }],
    ] as const) {
      const g = codegen(expr, wrt as string | string[], { target: 'ts', check: true, ...options });
      const r = script(name, g.code);
      expect(r.status, `${expr}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^ok: /m);
      expect(r.stdout).not.toMatch(/FAILED/);
    }
    const good = codegen("x'*A*x", 'x', { target: 'ts', check: true }).code;
    const bad = good.replace('matmul(add(A, transpose(A)), x)', 'matmul(A, x)');
    expect(bad).not.toBe(good);
    const r = script('check-wrong', bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: dx/m);
    writeFileSync(join(dir, 'check-good.ts'), good);
    const imported = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(join(dir, 'check-good.ts')).href)})`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toBe('');
  });
});

describe('random programs × TypeScript (property; MATCALC_PROPERTY_SEED replays)', () => {
  const { seed, numRuns } = propertyParams(40);
  it(`generated value and derivative agree with matcalc's evaluation (seed ${seed})`, async () => {
    const cases = samples(seed, numRuns);
    expect(cases.length).toBeGreaterThan(numRuns / 2);
    for (const [i, c] of cases.entries()) {
      const g = codegen(c.text, c.wrt, { target: 'ts', order: c.order, vars: VARS });
      const fn = await load(g.code, `p${i}`, g.function);
      const [value, d] = fn(c.inputs);
      const where = `(seed ${seed}; replay: MATCALC_PROPERTY_SEED=${seed}) d${c.order > 1 ? '^2' : ''}/d${c.wrt} of ${c.text}\n${g.code.split('// ---- runtime')[0]}`;
      const v = compareTensors(asTensor(value, c.value), c.value, TIGHT);
      expect(v.ok, `value (error ${v.maxError}) ${where}`).toBe(true);
      const dv = compareTensors(asTensor(d as Nested, c.derivative), c.derivative, TIGHT);
      expect(dv.ok, `derivative (error ${dv.maxError}) ${where}`).toBe(true);
    }
  });
});
