/**
 * The layers of docs/architecture.md, enforced. The layer table is read from that document (the one
 * place the order is written down); every import of every file under src/ and rules/ (static,
 * re-export, type-only and dynamic, found by TypeScript's own pre-processor) must point to the same
 * layer or a lower one. The few imports that go up are listed below by name, each with its reason;
 * an exception that is no longer used fails too, so the list stays true.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DOC = 'docs/architecture.md';

/** Imports that run against the layer order on purpose: importer → imported, and why. */
const ALLOWED_UPWARD: ReadonlyArray<{ from: string; to: string; why: string }> = [
  {
    from: 'src/shape/rules.ts',
    to: 'src/ir/operators.ts',
    why: 'the shape rules are the shape column of the operator table; operators.ts imports nothing from shape/',
  },
  {
    from: 'src/shape/rules.ts',
    to: 'src/ir/functions.ts',
    why: 'the shape rule of each function comes from its row; functions.ts imports nothing from shape/',
  },
  {
    from: 'src/shape/rules.ts',
    to: 'src/ir/expr.ts',
    why: 'a type-only import of the binary kinds the rules are keyed by',
  },
  {
    from: 'src/ir/build.ts',
    to: 'src/print/text.ts',
    why: "a constructor's shape error quotes its operands in the input syntax; text.ts never builds nodes",
  },
];

interface Layer {
  readonly rank: number;
  readonly where: string;
}

/** The rows `| 3 | `src/ir/` | … |` of the "Layers" section of docs/architecture.md, lowest first. */
function layerTable(): Layer[] {
  const doc = readFileSync(join(ROOT, DOC), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Layers'));
  if (section === undefined) throw new Error(`${DOC} has no "## Layers" section`);
  const rows: Layer[] = [];
  for (const m of section.matchAll(/^\| (\d+) \| `([^`]+)` \|/gm)) rows.push({ rank: Number(m[1]), where: m[2]! });
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to paths from the repository root ('.js' → '.ts'). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(ROOT, dirname(file), name)).replace(/\.js$/, '.ts'));
}

const layers = layerTable();
const layerOf = (file: string): Layer | undefined =>
  layers.find((l) => (l.where.endsWith('/') ? file.startsWith(l.where) : file === l.where));
const files = [...sourceFiles('src'), ...sourceFiles('rules')];

describe(`the layers of ${DOC}`, () => {
  it('the table lists each place once, ranks increasing from 1', () => {
    expect(layers.length).toBeGreaterThan(10);
    expect(layers.map((l) => l.rank)).toEqual(layers.map((_, i) => i + 1));
    expect(new Set(layers.map((l) => l.where)).size).toBe(layers.length);
  });

  it('covers every folder and top-level file of src/, and rules/', () => {
    const tops = readdirSync(join(ROOT, 'src')).map((n) =>
      statSync(join(ROOT, 'src', n)).isDirectory() ? `src/${n}/` : `src/${n}`,
    );
    const missing = [...tops, 'rules/'].filter((p) => !layers.some((l) => l.where === p));
    expect(missing, `add these to the table in ${DOC}`).toEqual([]);
    const stale = layers.filter((l) => !tops.includes(l.where) && l.where !== 'rules/').map((l) => l.where);
    expect(stale, `rows of ${DOC} naming nothing`).toEqual([]);
  });

  it('no import runs against the layer order, except the exceptions named here', () => {
    const used = new Set<(typeof ALLOWED_UPWARD)[number]>();
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue; // reported by the coverage test
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === undefined || to.rank <= from.rank) continue; // outside src/ and rules/, or downward
        const allowed = ALLOWED_UPWARD.find((a) => a.from === file && a.to === target);
        if (allowed !== undefined) used.add(allowed);
        else
          upward.push(`${file} (${from.where}, layer ${from.rank}) imports ${target} (${to.where}, layer ${to.rank})`);
      }
    }
    expect(upward, `move the code, or name the import in ALLOWED_UPWARD with its reason`).toEqual([]);
    const unused = ALLOWED_UPWARD.filter((a) => !used.has(a)).map((a) => `${a.from} → ${a.to}`);
    expect(unused, 'exceptions no longer needed: delete them').toEqual([]);
  });
});
