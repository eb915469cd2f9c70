/**
 * The published package as a user gets it (slow, about a minute: `npm run test:package`, not part
 * of `npm test`). `npm pack` (its prepack runs the full build, declaration files included) makes
 * the tarball; a fresh project in a temporary directory installs it with `npm ci`, its lockfile
 * pinning matcalc's dependencies to the entries of our own package-lock.json. So the install needs
 * no registry metadata: on a machine that has run `npm ci` here, every tarball is already in npm's
 * cache (`--prefer-offline`), and the test runs offline. Then, from that project: the `matcalc`
 * binary, an ES module import, a CommonJS require, and `tsc` under the strictest common options
 * against the shipped declarations (never matcalc's sources). Every derivative is compared with
 * central finite differences of the original function, computed here from src/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTensors } from '../../src/numeric/fd.js';
import { fromNested, type Nested } from '../../src/numeric/tensor.js';
import { fdOf, ROOT } from '../cli/helpers.js';

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly engines: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly dependencies: Record<string, string>;
}
interface LockEntry {
  readonly dev?: boolean;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');

/** x'*A*x at a point with n = 3, and its gradient by finite differences: (A + A')*x. */
const AT = {
  x: [0.3, -1.2, 0.7],
  A: [
    [1.5, -0.4, 0.2],
    [0.3, 2.1, -0.7],
    [0.9, 0.1, 0.6],
  ],
};
const expectGradient = (value: Nested) =>
  expect(compareTensors(fromNested(value), fdOf("x'*A*x", 'x', AT)).ok, JSON.stringify(value)).toBe(true);

let work = '';
let project = '';
const inProject = (command: string, args: readonly string[]) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'matcalc-package-'));
  project = join(work, 'project');
  execFileSync(npm, ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' }); // a failure's message carries npm's stderr
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`);

  const spec = `file:../${tarball}`;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const runtime = Object.entries(lock.packages).filter(
    ([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true,
  );
  const packages = {
    '': { name: 'consumer', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      engines: pkg.engines,
      bin: pkg.bin,
      dependencies: pkg.dependencies,
    },
    ...Object.fromEntries(runtime),
  };
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [pkg.name]: spec } }),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }),
  );
  inProject(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
}, 600_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('the packed package, installed into a fresh project', () => {
  it('ships the library readable, with a source map, and declarations where `types` points', () => {
    const dist = join(project, 'node_modules', pkg.name, 'dist');
    const library = readFileSync(join(dist, 'index.js'), 'utf8');
    expect(Math.max(...library.split('\n').map((line) => line.length))).toBeLessThan(400);
    expect(library).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(JSON.parse(readFileSync(join(dist, 'index.js.map'), 'utf8'))).toHaveProperty('mappings');
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8')) as {
      types: string;
    };
    expect(readFileSync(join(project, 'node_modules', pkg.name, installed.types), 'utf8')).toContain('export');
  });

  it('the installed `matcalc` prints the version of package.json', () => {
    expect(inProject(join('node_modules', '.bin', 'matcalc'), ['--version']).trim()).toBe(pkg.version);
  });

  it("the installed `matcalc diff`: ∂(x'Ax)/∂x = (A + A')x (Matrix Cookbook §2.4.2), checked", () => {
    const text = inProject(join('node_modules', '.bin', 'matcalc'), ['diff', "x'*A*x", '--wrt', 'x']);
    expect(text.split('\n')[0]).toBe("∂f/∂x = (A + A')*x");
    expect(text).toMatch(/check: +ok: agrees with central finite differences/);
    const json = JSON.parse(
      inProject(join('node_modules', '.bin', 'matcalc'), [
        'diff',
        "x'*A*x",
        '--wrt',
        'x',
        '--format',
        'json',
        '--at',
        JSON.stringify(AT),
      ]),
    ) as { value: Nested };
    expectGradient(json.value);
  });

  it('imports from an ES module', () => {
    const script = `import { derivative } from '${pkg.name}';
      const d = derivative("x'*A*x", 'x');
      console.log(JSON.stringify({ text: d.toString(), value: Array.from(d.evaluate(${JSON.stringify(AT)}).data) }));`;
    const out = JSON.parse(inProject(process.execPath, ['--input-type=module', '-e', script])) as {
      text: string;
      value: number[];
    };
    expect(out.text).toBe("(A + A')*x");
    expectGradient(out.value);
  });

  it('requires from CommonJS (Node ≥ 20.19 loads the ES module through require)', () => {
    const script = `const { derivative, ParseError } = require('${pkg.name}');
      let syntax = '';
      try { derivative('x +', 'x'); } catch (err) { syntax = err instanceof ParseError ? err.kind : 'not a ParseError'; }
      console.log(JSON.stringify({ value: Array.from(derivative("x'*A*x", 'x').evaluate(${JSON.stringify(AT)}).data), syntax }));`;
    const out = JSON.parse(inProject(process.execPath, ['-e', script])) as { value: number[]; syntax: string };
    expectGradient(out.value);
    expect(out.syntax).toBe('syntax');
  });

  it.each([
    ['NodeNext, ES2022', { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022' }],
    ['a bundler, lib ES2020', { module: 'esnext', moduleResolution: 'bundler', target: 'es2020', lib: ['es2020'] }],
  ])(
    'type-checks a user file against the declarations only (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck false; %s)',
    (_, options) => {
      writeFileSync(join(project, 'use.ts'), USER_FILE);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            ...options,
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
            types: [],
          },
          files: ['use.ts'],
        }),
      );
      const files = inProject(process.execPath, [tsc, '-p', '.', '--listFilesOnly']).split('\n');
      expect(files.filter((f) => f.includes(`/node_modules/${pkg.name}/src/`))).toEqual([]);
      expect(files.some((f) => f.endsWith(`/node_modules/${pkg.name}/dist/types/src/index.d.ts`))).toBe(true);
      inProject(process.execPath, [tsc, '-p', '.']); // throws, with tsc's report, on any error
    },
  );
});

/** A user's file: the main entry points with their option objects, values read under noUncheckedIndexedAccess. */
const USER_FILE = `import {
  check, derivative, evaluate, parse, shapeOf, toLatex, toText, verify, backprop, ParseError, MatcalcError,
  type CheckResult, type Derivative, type DerivativeOptions, type Tensor, type VerifyReport,
} from '${pkg.name}';

const options: DerivativeOptions = { order: 1, layout: 'numerator' };
const d: Derivative = derivative("x'*A*x", 'x', options);
const text: string = d.toString() + d.toLatex();
const report: VerifyReport = d.verify();
const value: Tensor = d.evaluate({ x: [1, 2], A: [[1, 2], [3, 4]] });
const first: number | undefined = value.data[0];
const hessian = derivative("x'*A*x", 'x', { order: 2 });
const result: CheckResult = check("x'*A*x", 'x', '2*A*x');
const e = parse('A*x + b');
const printed: string = toText(e) + toLatex(e) + shapeOf('A*x').text;
const f: Tensor = evaluate('sum(x)', { x: [1, 2, 3] });
const standalone: VerifyReport = verify('sum(exp(z))', 'z');
const walk = backprop("sigmoid(w'*x + b)", { w: [1, -1], x: [0.5, 2], b: 0.1 }, { wrt: ['w'] });
let kind = '';
try {
  parse('x +');
} catch (err) {
  if (err instanceof ParseError) kind = err.kind;
  else if (err instanceof MatcalcError) kind = 'other';
}
export const used = [text, report.ok, first, hessian.kind, result.verdict, printed, f.dims, standalone.ok, walk, kind];
`;
