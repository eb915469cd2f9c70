/**
 * Declared properties are assumptions about the point (docs/conventions.md, issue 10 item 1): every
 * derivative is the entrywise one evaluated where the declaration holds, whatever the order. Truth
 * here is (a) nested central differences of the ORIGINAL f (numeric/fd-higher.ts, called directly,
 * not through verify) at points that satisfy the declarations, and (b) the same derivative with the
 * declaration left out, at the same points. Before the fix, order 2 with respect to a symmetric S
 * differentiated a result simplified under S' = S and printed 2*eye(n*n) for tr(S*S); these tests
 * fail if that comes back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { check } from '../../src/check/check.js';
import { verifyClaim } from '../../src/api/verify.js';
import { DomainError } from '../../src/errors.js';
import * as b from '../../src/ir/build.js';
import type { Expr, Prop, Var } from '../../src/ir/expr.js';
import { substitute } from '../../src/ir/substitute.js';
import { varsOf } from '../../src/ir/walk.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { compareTensors } from '../../src/numeric/fd.js';
import { fdHigher } from '../../src/numeric/fd-higher.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { parse, type VarDecl } from '../../src/parse/parse.js';
import { toText } from '../../src/print/text.js';
import { arbExpr, assertProperty, propertyParams } from '../helpers/generators.js';
import { inverseGaussJordan } from '../helpers/points.js';

const sym: VarDecl = { dims: ['n', 'n'], props: ['symmetric'] };
const spd: VarDecl = { dims: ['n', 'n'], props: ['spd'] };

/** Points (with sizes) where the declarations of f hold. */
function pointsOf(f: Expr, count = 3): Array<{ at: Map<string, Tensor>; sizes: Map<string, number> }> {
  return Array.from({ length: count }, (_, k) => {
    const sizes = defaultDims(f, 11 + k);
    return { at: randomPoint(varsOf(f), sizes, 11 + k), sizes };
  });
}

/** The declared derivative against k-th differences of f and against the undeclared derivative, at declared points. */
function agreesWithF(src: string, wrt: string, order: number, vars: Record<string, VarDecl>): void {
  const d = derivative(src, wrt, { order, vars });
  const plain = derivative(src, wrt, { order });
  const run = evaluator(d.f);
  for (const { at, sizes } of pointsOf(d.f)) {
    const value = d.evaluate(at, sizes);
    const fd = fdHigher((e) => run(e, sizes), at, wrt, order);
    const tol =
      order === 1 ? { rtol: 1e-5, atol: 1e-7 } : order === 2 ? { rtol: 1e-5, atol: 1e-7 } : { rtol: 1e-4, atol: 1e-6 };
    const cmp = compareTensors(value, fd.value, tol, fd.error.data);
    expect(
      cmp.ok,
      `d${order} ${src}/d${wrt} = ${d.toString()}: max error ${cmp.maxError} against differences of f`,
    ).toBe(true);
    const undeclared = plain.evaluate(at, sizes);
    expect(
      compareTensors(value, undeclared, { rtol: 1e-10, atol: 1e-12 }).ok,
      `${d.toString()} vs undeclared ${plain.toString()}`,
    ).toBe(true);
  }
  expect(d.verify().ok).toBe(true);
}

describe('issue 10 item 1: declared properties never change what is differentiated next', () => {
  it('tr(S*S), S symmetric, order 2: the commutation tensor 2·δ(a,d)δ(b,c), as undeclared', () => {
    const d = derivative('tr(S*S)', 'S', { order: 2, vars: { S: sym } });
    expect(d.toString()).not.toBe('2*eye(n*n)');
    const S = [
      [1, 2],
      [2, 3],
    ];
    const t = d.evaluate({ S });
    // ∂²tr(S²)/∂S[a,b]∂S[c,d] = 2·δ(a,d)·δ(b,c): the Hessian of Σ S[a,b]·S[b,a].
    const want: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let bb = 0; bb < 2; bb++)
        for (let c = 0; c < 2; c++) for (let e = 0; e < 2; e++) want.push(a === e && bb === c ? 2 : 0);
    expect(Array.from(t.data)).toEqual(want);
    expect(d.toIndexNotation()?.text).toBe(derivative('tr(S*S)', 'S', { order: 2 }).toIndexNotation()?.text);
    agreesWithF('tr(S*S)', 'S', 2, { S: sym });
  });

  it('logdet(S), S spd, order 2 agrees with its index line -inv(S)[b,c]*inv(S)[d,a]', () => {
    const d = derivative('logdet(S)', 'S', { order: 2, vars: { S: spd } });
    expect(d.toIndexNotation()?.text).toBe('d^2 f / d S[a,b] d S[c,d] = -inv(S)[b,c]*inv(S)[d,a]');
    const S = [
      [2, 0.5],
      [0.5, 1],
    ];
    const Si = inverseGaussJordan(S);
    const t = d.evaluate({ S });
    const want: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let bb = 0; bb < 2; bb++)
        for (let c = 0; c < 2; c++) for (let e = 0; e < 2; e++) want.push(-Si[bb]![c]! * Si[e]![a]!);
    Array.from(t.data).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    agreesWithF('logdet(S)', 'S', 2, { S: spd });
  });

  it.each([
    ["x'*S*x", 'x', 2],
    ["x'*S*x", 'x', 3],
    ["x'*S*x", 'S', 2],
    ['tr(S*A*S)', 'S', 2],
    ['tr(S*S*S)', 'S', 3],
    ['logdet(S)', 'S', 3],
    ["x'*inv(S)*x", 'S', 2],
    ['tr(inv(S)*A)', 'S', 2],
    ['sum(exp(S*x))', 'S', 2],
  ] as const)('%s wrt %s, order %i: equal to differences of f and to the undeclared derivative', (src, wrt, order) => {
    const vars = /inv|logdet/.test(src) ? { S: spd } : { S: sym };
    agreesWithF(src, wrt, order, vars);
  });

  it('verify catches the old bug: 2*eye(n*n) claimed as d²tr(S*S)/dS² fails against f', () => {
    const f = parse('tr(S*S)', { vars: { S: sym } });
    const S = varsOf(f)[0] as Var;
    const r = verifyClaim({
      f: evaluator(f),
      order: 2,
      wrt: S,
      vars: [S],
      exprs: [f],
      // 2*eye(n²) reshaped to n×n×n×n: the identity tensor, right only along symmetric directions.
      value: (at) => {
        const n = at.get('S')!.dims[0]!;
        const data = new Float64Array(n ** 4);
        for (let i = 0; i < n * n; i++) data[i * n * n + i] = 2;
        return { dims: [n, n, n, n], data };
      },
    });
    expect(r.ok).toBe(false);
  });

  it('declared symmetric or spd: the same value as undeclared, and equal to differences of f, orders 1–3 (property)', () => {
    const { numRuns } = propertyParams(60);
    const cases = fc.tuple(
      arbExpr({ shape: b.num(0).shape, depth: 2, domainSafe: true, smooth: true }),
      fc.constantFrom(1, 2, 3),
      fc.nat(),
      fc.constantFrom<Prop>('symmetric', 'spd'),
    );
    let checked = 0;
    assertProperty(
      fc.property(cases, ([e, order, k, prop]) => {
        const squares = varsOf(e).filter((v) => v.shape.kind === 'matrix' && v.shape.m === v.shape.n);
        fc.pre(squares.length > 0);
        const S = squares[k % squares.length]!;
        const declared = declare(e, S, prop);
        const wrts = varsOf(declared).filter((v) => v.shape.kind !== 'scalar' || order === 1);
        const wrt = wrts[k % wrts.length]!;
        const n = wrt.shape.kind === 'scalar' ? 1 : wrt.shape.kind === 'vector' ? 3 : 9;
        fc.pre(n ** order <= 81);
        const d = derivative(declared, wrt.name, { order });
        const u = derivative(e, wrt.name, { order });
        const sizes = new Map([
          ['n', 3],
          ['m', 2],
        ]);
        const at = randomPoint(varsOf(declared), sizes, 5 + k);
        const dv = d.evaluate(at, sizes),
          uv = u.evaluate(at, sizes);
        fc.pre(Array.from(uv.data).every((v) => Number.isFinite(v) && Math.abs(v) < 1e6));
        const cmp = compareTensors(dv, uv, { rtol: 1e-8, atol: 1e-10 });
        if (!cmp.ok)
          throw new Error(
            `d${order}/d${wrt.name} of ${toText(declared)} (${S.name} ${prop}) = ${d.toString()} but undeclared ${u.toString()}`,
          );
        // And against nested differences of the original f, at points drawn from the declared domain.
        let r: ReturnType<typeof d.verify>;
        try {
          r = d.verify({ points: 1, seed: 3 + k });
        } catch (err) {
          if (err instanceof DomainError) return; // every point overflowed: nothing to compare
          throw err;
        }
        if (!r.ok)
          throw new Error(
            `d${order}/d${wrt.name} of ${toText(declared)} (${S.name} ${prop}) = ${d.toString()} disagrees with differences of f: ${r.maxError}`,
          );
        checked++;
      }),
      { numRuns },
    );
    expect(checked).toBeGreaterThan(0);
  });
});

/** e with the variable v declared with a property. */
function declare(e: Expr, v: Var, prop: Prop): Expr {
  return substitute(e, new Map([[v, b.variable(v.name, v.shape, [prop])]]));
}

describe("the symmetric gradient (G + G')/2 on request, and the checker's conventions (issue 10 item 1)", () => {
  /** ⟨M, B⟩ for n×n row-major arrays. */
  const inner = (m: ArrayLike<number>, bb: ArrayLike<number>): number =>
    Array.from(m).reduce((s, v, i) => s + v * bb[i]!, 0);

  it.each([
    ['tr(A*S)', { S: sym }],
    ["x'*S*y", { S: sym }],
    ['tr(S*A*S*B)', { S: sym }],
    ['logdet(S)', { S: spd }],
    ["x'*inv(S)*x", { S: spd }],
  ] as const)('%s: symmetric, and ⟨sym(G), B⟩ is the difference quotient of f along every symmetric B', (src, vars) => {
    const d = derivative(src, 'S', { vars, symmetricGradient: true });
    expect(d.convention).toMatch(/^symmetric gradient \(G \+ G'\)\/2/);
    expect(d.verify().ok).toBe(true);
    const entrywise = derivative(src, 'S', { vars });
    const run = evaluator(d.f);
    for (const { at, sizes } of pointsOf(d.f, 2)) {
      const g = d.evaluate(at, sizes),
        G = entrywise.evaluate(at, sizes);
      const n = g.dims[0]!;
      // Truth by hand: (G + G')/2 from the entrywise G, itself compared with differences of f by verify().
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          expect(g.data[i * n + j]).toBeCloseTo((G.data[i * n + j]! + G.data[j * n + i]!) / 2, 10);
      // And against f directly, along a random symmetric direction B.
      const B = Array.from({ length: n * n }, () => 0);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) B[i * n + j] = B[j * n + i] = Math.sin(3 * i + 7 * j + 1);
      const h = 1e-6,
        S0 = at.get('S')!;
      const move = (t: number) => new Map(at).set('S', { dims: S0.dims, data: S0.data.map((v, k) => v + t * B[k]!) });
      const quotient = (run(move(h), sizes).data[0]! - run(move(-h), sizes).data[0]!) / (2 * h);
      expect(Math.abs(inner(g.data, B) - quotient)).toBeLessThan(1e-6 * Math.max(1, Math.abs(quotient)));
    }
  });

  it('the entrywise G claimed as the symmetric gradient fails its check (it is not symmetric)', () => {
    const f = parse('tr(A*S)', { vars: { S: sym } });
    const S = varsOf(f).find((v) => v.name === 'S')!;
    const G = evaluator(b.transpose(varsOf(f).find((v) => v.name === 'A')!));
    const r = verifyClaim({
      f: evaluator(f),
      order: 1,
      value: G,
      wrt: S,
      vars: varsOf(f),
      exprs: [f],
      projection: 'symmetric',
    });
    expect(r.ok).toBe(false);
    expect(r.method).toBe('symmetric');
  });

  it('refused where it has no meaning: order 2, a non-scalar f, a matrix not declared symmetric', () => {
    expect(() => derivative('logdet(S)', 'S', { vars: { S: spd }, order: 2, symmetricGradient: true })).toThrow(
      /first derivative/,
    );
    expect(() => derivative('S*x', 'S', { vars: { S: sym }, symmetricGradient: true })).toThrow(/scalar/);
    expect(() => derivative('tr(A*X)', 'X', { symmetricGradient: true })).toThrow(/declared a symmetric/);
  });

  it.each([
    ['tr(A*S)', "A'", 'correct', undefined],
    ['tr(A*S)', "(A + A')/2", 'transposed', 'symmetric'],
    ['tr(A*S)', "A + A' - diag(diag(A))", 'transposed', 'cookbook'],
    ["x'*S*y", "(x*y' + y*x')/2", 'transposed', 'symmetric'],
    ["x'*S*y", "x*y' + y*x' - diag(x.*y)", 'transposed', 'cookbook'],
    ['logdet(S)', 'inv(S)', 'correct', undefined],
    ['logdet(S)', '2*inv(S) - diag(diag(inv(S)))', 'transposed', 'cookbook'],
    ['tr(A*S)', "A + A'", 'incorrect', undefined],
  ] as const)('check %s wrt S (declared symmetric), answer %s: %s %s', (src, answer, verdict, convention) => {
    const vars = src === 'logdet(S)' ? { S: 'matrix(n,n) spd' } : { S: 'matrix(n,n) symmetric' };
    const r = check(src, 'S', answer, { vars });
    expect(r.verdict).toBe(verdict);
    expect(r.convention).toBe(convention);
    if (convention !== undefined) {
      expect(r.diagnosis).toBe('convention');
      expect(r.explanation).toContain(convention === 'symmetric' ? "(G + G')/2" : "G + G' - diag(diag(G))");
    }
  });
});
