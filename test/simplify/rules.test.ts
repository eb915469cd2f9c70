/**
 * Every rewrite rule of rules/simplify, checked numerically (the mathjs habit: a rule that changes a
 * value must not survive). For each row an instance is built from the pattern itself: every
 * wildcard becomes a variable of a shape its letter allows (A–Z a matrix or a vector, s/t a scalar,
 * u/v/w any of the three, c/k a number), dimensions are inferred, and the row's conditions are met
 * by declaration (symmetric(A) declares A symmetric). Every combination that is well-shaped and that
 * the rule rewrites is an instance; a row with none fails the test (give it one in HAND_WRITTEN).
 * Both sides of each instance are evaluated at seeded random points and must agree.
 */
import { describe, expect, it } from 'vitest';
import { DomainError, ShapeError } from '../../src/errors.js';
import type { Expr, Var } from '../../src/ir/expr.js';
import { varsOf } from '../../src/ir/walk.js';
import { bindDims, evaluate } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { elaborate } from '../../src/parse/elaborate.js';
import type { Surface } from '../../src/parse/surface.js';
import { toText } from '../../src/print/text.js';
import { shapeEquals } from '../../src/shape/shape.js';
import { type CompiledRule, applyRule, compiledRules } from '../../src/simplify/simplify.js';
import { ALL_REWRITE_RULES } from '../../rules/simplify/algebra.js';

/** Instances for rows the automatic construction cannot build: Kronecker and commutation shapes need products of dimensions. */
const HAND_WRITTEN: Readonly<Record<string, { readonly expr: string; readonly vars?: Record<string, VarDecl> }>> = {
  'tr(kron(A, B)) -> tr(A)*tr(B)': {
    expr: 'tr(kron(A, B))',
    vars: { A: { dims: ['n', 'n'] }, B: { dims: ['m', 'm'] } },
  },
  'commutation(m, n)*commutation(n, m) -> eye(m*n)': { expr: 'commutation(2, 3)*commutation(3, 2)' },
  "vec(eye)'*kron(A, eye) -> vec(A')'": { expr: "vec(eye(n))'*kron(A, eye(n))", vars: { A: { dims: ['n', 'm'] } } },
  "vec(eye)'*kron(eye, A) -> vec(A)'": { expr: "vec(eye(n))'*kron(eye(n), A)", vars: { A: { dims: ['n', 'm'] } } },
  'kron(A, B)*kron(C, D) -> kron(A*C, B*D)': {
    expr: 'kron(A, B)*kron(C, D)',
    vars: { A: { dims: ['n', 'k'] }, B: { dims: ['m', 'p'] }, C: { dims: ['k', 'q'] }, D: { dims: ['p', 'r'] } },
  },
  // Sums along a dim: the row sums (dim 1, a vector) and the column sums (dim 0, a row).
  'sum(-A, c) -> -sum(A, c)': { expr: 'sum(-A, 1)', vars: { A: { dims: ['m', 'n'] } } },
  'sum(s*A, c) -> s*sum(A, c)': { expr: 'sum(a*A, 0)', vars: { A: { dims: ['m', 'n'] }, a: { dims: [] } } },
};

type Kind = 'matrix' | 'vector' | 'scalar' | 'const';

function wildcards(p: Surface, out = new Set<string>()): Set<string> {
  if (p.t === 'name' && p.name !== 'eye') out.add(p.name);
  if (p.t === 'op' || (p.t === 'call' && p.fn !== 'vector' && p.fn !== 'matrix'))
    for (const a of p.args) wildcards(a, out);
  return out;
}

function kindsFor(name: string, conditions: readonly string[]): Kind[] {
  const says = (pred: string) => conditions.includes(`${pred}(${name})`);
  if (says('vector')) return ['vector'];
  if (says('matrix') || says('square') || says('symmetric')) return ['matrix'];
  const c = name[0]!;
  if (c === 'c' || c === 'k') return ['const'];
  if (c === 's' || c === 't') return ['scalar'];
  if (c >= 'A' && c <= 'Z') return ['matrix', 'vector'];
  return ['matrix', 'vector', 'scalar'];
}

/** A variable name of the convention's kind, distinct per wildcard. */
const varName = (w: string, kind: Kind): string =>
  kind === 'matrix' ? `M_${w}` : kind === 'vector' ? `x_${w}` : `a_${w}`;

function substitute(p: Surface, names: ReadonlyMap<string, Surface>): Surface {
  if (p.t === 'name') return names.get(p.name) ?? p;
  if (p.t === 'op' || p.t === 'call') return { ...p, args: p.args.map((a) => substitute(a, names)) };
  return p;
}

function* combinations(ws: readonly string[], kinds: ReadonlyMap<string, Kind[]>): Generator<Map<string, Kind>> {
  if (ws.length === 0) {
    yield new Map();
    return;
  }
  const [first, ...rest] = ws as [string, ...string[]];
  for (const k of kinds.get(first)!) for (const tail of combinations(rest, kinds)) yield new Map([[first, k], ...tail]);
}

interface Instance {
  readonly before: Expr;
  readonly after: Expr;
}

/** Every well-shaped instance of the rule's pattern (one per choice of wildcard kinds) that the rule rewrites. */
function instancesOf(r: CompiledRule): Instance[] {
  const hand = HAND_WRITTEN[r.source.rule];
  if (hand) {
    const before = parse(hand.expr, hand.vars ? { vars: hand.vars } : {});
    const after = applyRule(r, before);
    return after ? [{ before, after }] : [];
  }
  const out: Instance[] = [];
  const conditions = r.source.if ?? [];
  const ws = [...wildcards(r.lhs)];
  const kinds = new Map(ws.map((w) => [w, kindsFor(w, conditions)]));
  for (const combo of combinations(ws, kinds)) {
    const names = new Map<string, Surface>();
    const decls: Record<string, VarDecl> = {};
    let constant = 2;
    for (const [w, kind] of combo) {
      if (kind === 'const') {
        names.set(w, { t: 'num', value: constant++ });
        continue;
      }
      const name = varName(w, kind);
      names.set(w, { t: 'name', name });
      if (conditions.includes(`symmetric(${w})`)) decls[name] = { dims: ['n', 'n'], props: ['symmetric'] };
      else if (conditions.includes(`square(${w})`)) decls[name] = { dims: ['n', 'n'] };
    }
    let before: Expr;
    try {
      before = elaborate(substitute(r.lhs, names), { decls, convention: true });
    } catch (err) {
      if (err instanceof ShapeError) continue;
      throw err;
    }
    const after = applyRule(r, before);
    if (after !== undefined) out.push({ before, after });
  }
  return out;
}

/** Values for every variable: matrices well conditioned, and all entries positive if a function needs it. */
function pointFor(vars: readonly Var[], e: Expr, seed: number, positive: boolean): Map<string, Tensor> {
  const withDomain = vars.map((v) => ({
    ...v,
    props: [
      ...v.props,
      ...(v.shape.kind === 'matrix' ? ['invertible' as const] : []),
      ...(positive ? ['positive' as const] : []),
    ],
  }));
  return randomPoint(withDomain, defaultDims(e, seed), seed);
}

function agree(before: Expr, after: Expr): { ok: boolean; detail: string } {
  const vars = varsOf(before);
  let checked = 0;
  for (let attempt = 0; attempt < 6 && checked < 3; attempt++) {
    const seed = 1000 + 31 * attempt;
    const at = pointFor(vars, before, seed, attempt >= 3);
    let x: Tensor;
    try {
      x = evaluate(before, at);
    } catch (err) {
      if (err instanceof DomainError) continue;
      throw err;
    }
    // The rewrite may drop a variable that fixed a dimension (x./x → vector(1)): size it from before's.
    const y = evaluate(after, at, bindDims(vars, at));
    const cmp = compareTensors(y, x, { rtol: 1e-9, atol: 1e-11 });
    if (!cmp.ok)
      return {
        ok: false,
        detail: `seed ${seed}: ${toText(before)} = ${Array.from(x.data).join(', ')} but ${toText(after)} = ${Array.from(y.data).join(', ')}`,
      };
    checked++;
  }
  return { ok: checked > 0, detail: checked > 0 ? '' : 'no point in the domain' };
}

describe('rewrite rules preserve value', () => {
  it('every row parses', () => {
    expect(compiledRules().length).toBe(ALL_REWRITE_RULES.length);
  });

  for (const r of compiledRules()) {
    it(`${r.source.rule}${r.source.if ? ` if ${r.source.if.join(', ')}` : ''} (${r.source.why})`, () => {
      const instances = instancesOf(r);
      expect(instances.length, `no instance of ${r.source.rule}: add one to HAND_WRITTEN`).toBeGreaterThan(0);
      for (const { before, after } of instances) {
        expect(shapeEquals(after.shape, before.shape), `${toText(before)} → ${toText(after)} changes the shape`).toBe(
          true,
        );
        const { ok, detail } = agree(before, after);
        expect(ok, detail).toBe(true);
      }
    });
  }
});
