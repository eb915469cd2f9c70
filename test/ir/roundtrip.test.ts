/**
 * The IR (issue 3, §3; issue 4, "Size and speed"):
 *  - round trip: random well-shaped IR → toText → parse with the same declarations → the very same
 *    node (=== thanks to hash-consing), a fast-check property seeded by propertyParams (the seed is
 *    printed on failure; MATCALC_PROPERTY_RUNS scales it, MATCALC_PROPERTY_SEED replays it);
 *  - hash-consing: the same subtree built twice is one object; shape and properties are part of a
 *    node's identity;
 *  - structural sharing survives differentiation: the derivative of an L-layer network's loss with
 *    respect to its first layer has a DAG whose size grows linearly in L (each derivative checked by
 *    finite differences too).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import * as b from '../../src/ir/build.js';
import { type Expr, type Var, children } from '../../src/ir/expr.js';
import { postorder } from '../../src/ir/walk.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { toText } from '../../src/print/text.js';
import { type Dim, SCALAR, matrixShape, tensorDims, vectorShape } from '../../src/shape/shape.js';
import { arbExpr, assertProperty, generatorVars, propertyParams } from '../helpers/generators.js';

const declsOf = (vars: readonly Var[]): Record<string, VarDecl> =>
  Object.fromEntries(vars.map((v) => [v.name, { dims: tensorDims(v.shape), props: v.props }]));

/** The property: printing and re-parsing gives back the identical node. */
function roundTrips(decls: Record<string, VarDecl>) {
  return (e: Expr): void => {
    const text = toText(e);
    let back: Expr;
    try {
      back = parse(text, { vars: decls });
    } catch (err) {
      throw new Error(`${text} does not re-parse: ${(err as Error).message}`);
    }
    if (back !== e) throw new Error(`${text} re-parses as ${toText(back)}, a different tree`);
  };
}

/** Counterexamples print as their text, not as the (unreadable) IR objects. */
const printable = (arb: fc.Arbitrary<Expr>) => arb.map((e) => ({ e, [fc.toStringMethod]: () => toText(e) }));

describe('round trip: toText then parse gives back the same node', () => {
  const { numRuns } = propertyParams(300);

  it('over random expressions with symbolic dimensions (n, m)', () => {
    const v = generatorVars();
    const decls = declsOf(Object.values(v));
    assertProperty(
      fc.property(printable(arbExpr({ depth: 4 })), ({ e }) => roundTrips(decls)(e)),
      { numRuns },
    );
  });

  it('over random expressions with numeric dimensions (3, 2)', () => {
    const dims = { n: 3, m: 2 };
    const decls = declsOf(Object.values(generatorVars(dims)));
    assertProperty(
      fc.property(printable(arbExpr({ depth: 3, dims })), ({ e }) => roundTrips(decls)(e)),
      { numRuns: Math.ceil(numRuns / 3) },
    );
  });

  it('over expressions whose printing needs care: signs, powers, transposes, constants', () => {
    const { a, x, y, A, W } = generatorVars();
    const decls = declsOf([a, x, y, A, W]);
    const cases: Expr[] = [
      b.neg(b.pow(a, b.num(2))), // -a^2
      b.pow(b.neg(a), b.num(2)), // (-a)^2
      b.pow(b.pow(a, b.num(2)), b.num(3)), // (a^2)^3: ^ is right-associative
      b.pow(a, b.pow(a, b.num(2))), // a^a^2
      b.pow(a, b.num(-1)),
      b.mul(a, b.num(-1.5)),
      b.sub(a, b.num(-2)),
      b.sub(a, b.neg(a)),
      b.add(b.num(-1), a),
      b.transpose(b.neg(A)),
      b.neg(b.transpose(A)),
      b.transpose(b.mul(A, A)),
      b.mul(A, b.mul(A, x)), // A*(A*x) is not (A*A)*x as a tree
      b.mul(b.mul(b.transpose(x), y), x), // (x'*y)*x
      b.mul(b.transpose(x), b.mul(y, b.transpose(x))),
      b.div(a, b.div(a, a)),
      b.ediv(b.num(2), x), // 2./x: not the number "2." divided by x
      b.epow(b.num(2), x),
      b.epow(x, b.num(-1)),
      b.mul(b.num(1e21), x),
      b.mul(b.num(1 / 3), x),
      b.mul(b.num(1e-7), x),
      b.sub(x, b.sub(x, y)),
      b.call('leaky_relu', [x, b.num(0.2)]),
      b.emul(b.transpose(x), b.transpose(y)), // x'.*y'
      b.add(b.mul(W, x), b.ones(vectorShape('m'))),
      b.add(A, b.eye('n')),
      b.mul(b.transpose(b.ones(vectorShape('n'))), x),
      b.call('step', [b.sub(x, y)]),
    ];
    for (const e of cases) roundTrips(decls)(e);
  });

  it('properties are part of the declaration that re-parses to the same variable', () => {
    const S = b.variable('S', matrixShape('n', 'n'), ['spd']);
    const x = b.variable('x', vectorShape('n'), ['positive']);
    const e = b.add(b.mul(b.transpose(x), b.mul(S, x)), b.call('logdet', [S]));
    roundTrips(declsOf([S, x]))(e);
  });
});

describe('hash-consing: one node per distinct subtree', () => {
  const x = b.variable('x', vectorShape('n')),
    A = b.variable('A', matrixShape('n', 'n'));

  it('building the same subtree twice gives one object', () => {
    const build = () => b.call('exp', [b.add(b.mul(A, x), b.mul(b.num(2), x))]);
    expect(build()).toBe(build());
    expect(b.variable('x', vectorShape('n'))).toBe(x);
    expect(b.num(-0)).toBe(b.num(0));
  });

  it('parsing the same text twice gives one object, and a repeated subexpression is one node', () => {
    expect(parse("x'*A*x")).toBe(parse("x'*A*x"));
    const e = parse('exp(A*x) + sin(A*x)');
    expect(e.kind).toBe('add');
    const [l, r] = children(e) as [Expr, Expr];
    expect(children(l)[0]).toBe(children(r)[0]);
    // The DAG has one A*x node: var A, var x, A*x, exp, sin, + = 6 nodes.
    expect(postorder(e).length).toBe(6);
  });

  it('shape and properties are part of identity', () => {
    expect(b.variable('x', vectorShape('m'))).not.toBe(x);
    expect(b.variable('x', SCALAR)).not.toBe(x);
    expect(b.variable('A', matrixShape('n', 'n'), ['symmetric'])).not.toBe(A);
    // spd implies symmetric and invertible, so both spellings are one variable.
    expect(b.variable('S', matrixShape('n', 'n'), ['spd'])).toBe(
      b.variable('S', matrixShape('n', 'n'), ['invertible', 'spd', 'symmetric']),
    );
    expect(b.zero(vectorShape('n'))).not.toBe(b.zero(vectorShape('m')));
  });

  it('nodes are immutable', () => {
    const e = b.mul(A, x);
    expect(Object.isFrozen(e)).toBe(true);
    expect(() => {
      (e as { kind: string }).kind = 'add';
    }).toThrow();
  });
});

describe('structural sharing survives differentiation', () => {
  /** loss = norm2(tanh(W_L*…tanh(W_1*x)) - y)^2 with square n×n layers. */
  function mlp(L: number): { src: string; vars: Record<string, VarDecl> } {
    const vars: Record<string, VarDecl> = { x: { dims: ['n'] }, y: { dims: ['n'] } };
    let h = 'x';
    for (let l = 1; l <= L; l++) {
      vars[`W${l}`] = { dims: ['n', 'n'] as Dim[] };
      h = `tanh(W${l}*${h})`;
    }
    return { src: `norm2(${h} - y)^2`, vars };
  }

  /** Nodes of the DAG versus nodes of the same expression written out as a tree. */
  function sizes(e: Expr): { dag: number; tree: number } {
    const tree = new Map<Expr, number>();
    for (const node of postorder(e)) tree.set(node, 1 + children(node).reduce((s, k) => s + tree.get(k)!, 0));
    return { dag: postorder(e).length, tree: tree.get(e)! };
  }

  it('d loss / d W1 of an L-layer network: DAG size linear in L (L = 2, 4, 8), and correct', () => {
    const count = new Map<number, number>();
    for (const L of [2, 4, 8]) {
      const { src, vars } = mlp(L);
      const d = derivative(src, 'W1', { vars });
      expect(d.kind).toBe('gradient');
      const report = d.verify({ points: 1 });
      expect(report.ok, `L = ${L}: ${d.toString()}`).toBe(true);
      count.set(L, sizes(d.expr).dag);
    }
    const [c2, c4, c8] = [count.get(2)!, count.get(4)!, count.get(8)!];
    // Linear growth c(L) = p + q·L gives (c8 - c4) = 2·(c4 - c2); quadratic growth would give 4×.
    expect(c8 - c4).toBeLessThanOrEqual(2.5 * (c4 - c2));
    expect(c8).toBeLessThan(5 * c2);
    expect(c4).toBeGreaterThan(c2); // the count does measure the network
  });

  it('the written-out tree outgrows the DAG: sharing is what keeps the derivative small', () => {
    const ratio = (L: number): number => {
      const { src, vars } = mlp(L);
      const { dag, tree } = sizes(derivative(src, 'W1', { vars }).expr);
      return tree / dag;
    };
    const [r2, r8] = [ratio(2), ratio(8)];
    expect(r8).toBeGreaterThan(2);
    expect(r8).toBeGreaterThan(r2);
  });
});
