/**
 * The course notes' computational graph (week 4.1, "Scalar example with computational graph"):
 * q = x + y, f = q*z at x = -2, y = 5, z = -4 gives f = -12, df/dz = 3, df/dq = -4,
 * df/dx = df/dy = -4, with df/dx = upstream df/dq times local dq/dx. The numbers are asserted
 * exactly and checked by finite differences; every renderer's output is checked for form (KaTeX
 * renders the LaTeX, the dot text is parsed for balance and edges, the JSON has exactly its keys).
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { ShapeError, UnknownError, UnsupportedError, ParseError } from '../../src/errors.js';
import {
  backprop,
  checkWalkthrough,
  renderDot,
  renderHtml,
  renderJson,
  renderLatex,
  renderText,
  toJson,
} from '../../src/backprop/index.js';
import { toText } from '../../src/print/text.js';
import { evaluate } from '../../src/api/basic.js';
import { fdJacobian } from '../../src/numeric/fd.js';
import { parse } from '../../src/parse/parse.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { fromNested } from '../../src/numeric/tensor.js';

const S = { dims: [] as const };
const scalars = { x: S, y: S, z: S };
const at = { x: -2, y: 5, z: -4 };

function rendered(s: string): string {
  katex.renderToString(s, { throwOnError: true });
  return s;
}

/** Basic well-formedness of a dot graph: header, balanced braces and quotes, declared endpoints. */
function checkDot(dot: string, ids: readonly string[], edges: number): void {
  expect(dot.startsWith('digraph backprop {')).toBe(true);
  expect(dot.trimEnd().endsWith('}')).toBe(true);
  const unescaped = dot.replace(/\\./g, '');
  expect((unescaped.match(/"/g) ?? []).length % 2).toBe(0);
  const outside = unescaped.replace(/"[^"]*"/g, '');
  expect((outside.match(/\{/g) ?? []).length).toBe((outside.match(/\}/g) ?? []).length);
  const declared = [...dot.matchAll(/^\s*"([^"]+)" \[label=/gm)].map((m) => m[1]);
  expect(declared.sort()).toEqual([...ids].sort());
  const arrows = [...dot.matchAll(/^\s*"([^"]+)" -> "([^"]+)" \[label=/gm)];
  expect(arrows.length).toBe(edges);
  for (const [, a, b] of arrows) {
    expect(ids).toContain(a);
    expect(ids).toContain(b);
  }
}

describe('course notes: q = x + y, f = q*z at x = -2, y = 5, z = -4', () => {
  const w = backprop('q = x + y; f = q*z', at, { vars: scalars });
  const num = (id: string) => w.node(id).upstream.data[0];

  it('reproduces the notes exactly: f = -12, df/dz = 3, df/dq = -4, df/dx = df/dy = -4', () => {
    expect(w.output).toBe('f');
    expect(w.value.data[0]).toBe(-12);
    expect(w.node('q').value.data[0]).toBe(3);
    expect(num('f')).toBe(1);
    expect(num('z')).toBe(3);
    expect(num('q')).toBe(-4);
    expect(num('x')).toBe(-4);
    expect(num('y')).toBe(-4);
    expect([...w.gradients].map(([k, g]) => [k, g.data[0]])).toEqual([
      ['x', -4],
      ['y', -4],
      ['z', 3],
    ]);
  });

  it('has one node per operation, with the local gradients of the notes', () => {
    expect(w.nodes.map((n) => [n.id, n.op, n.inputs.join(',')])).toEqual([
      ['x', 'input', ''],
      ['y', 'input', ''],
      ['q', 'add', 'x,y'],
      ['z', 'input', ''],
      ['f', 'mul', 'q,z'],
    ]);
    const f = w.node('f'),
      q = w.node('q');
    // df/dq = z, df/dz = q: "df/dz can be directly calculated from f = q*z"
    expect(f.edges.map((e) => [e.from, toText(e.local.expr), e.local.value!.data[0]])).toEqual([
      ['q', 'z', -4],
      ['z', 'q', 3],
    ]);
    expect(q.edges.map((e) => [e.from, toText(e.local.expr), e.local.value!.data[0]])).toEqual([
      ['x', '1', 1],
      ['y', '1', 1],
    ]);
  });

  it('explains df/dx as upstream df/dq times local dq/dx', () => {
    expect(w.node('q').edges[0]!.explanation).toBe('∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4');
    expect(w.node('x').explanation).toBe('∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4');
    expect(w.node('y').explanation).toBe('∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4');
    expect(w.node('z').explanation).toBe('∂f/∂z = q = 3, directly from f = q*z');
    expect(w.node('q').explanation).toBe('∂f/∂q = z = -4, directly from f = q*z');
  });

  it('every upstream and local gradient agrees with finite differences', () => {
    const c = checkWalkthrough(w);
    expect(c.kink).toBe(false);
    expect(c.results.filter((r) => !r.ok)).toEqual([]);
    expect(c.results.length).toBe(5 + 4);
    // and independently of the walkthrough: central differences of f itself
    const f = parse('(x + y)*z', { vars: scalars });
    const run = evaluator(f);
    for (const v of ['x', 'y', 'z']) {
      const fd = fdJacobian((e) => run(e), new Map(Object.entries(at).map(([k, x]) => [k, fromNested(x)])), v);
      expect(fd.data[0]).toBeCloseTo(w.gradients.get(v)!.data[0]!, 8);
    }
  });

  it('the backward pass over named nodes is the same chain, as formulas', () => {
    expect(w.chain!.map((s) => [s.id, toText(s.formula), s.value.data[0]])).toEqual([
      ['z', 'q', 3],
      ['q', 'z', -4],
      ['y', 'G_q', -4],
      ['x', 'G_q', -4],
    ]);
  });

  it('JSON: exactly {value, gradients, nodes[{id, op, inputs, value, local, upstream}]}', () => {
    const j = JSON.parse(renderJson(w));
    expect(Object.keys(j)).toEqual(['value', 'gradients', 'nodes']);
    expect(j.value).toBe(-12);
    expect(j.gradients).toEqual({ x: -4, y: -4, z: 3 });
    for (const n of j.nodes) expect(Object.keys(n)).toEqual(['id', 'op', 'inputs', 'value', 'local', 'upstream']);
    const q = j.nodes.find((n: { id: string }) => n.id === 'q');
    expect(q).toMatchObject({ op: 'add', inputs: ['x', 'y'], value: 3, upstream: -4 });
    expect(q.local.x).toMatchObject({
      expr: '1',
      value: 1,
      contribution: -4,
      explanation: '∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4',
    });
    expect(toJson(w)).toEqual(j);
  });

  it('text table: node, op, formula, value, local, upstream', () => {
    const t = renderText(w);
    expect(t).toContain('value: f = -12');
    const rows = t.split('\n');
    const header = rows.findIndex((r) => r.startsWith('node'));
    expect(rows[header]).toMatch(/^node\s+op\s+formula\s+value\s+local\s+upstream ∂f\/∂node$/);
    expect(rows[header + 3]).toMatch(/^q\s+add\s+x \+ y\s+3\s+∂q\/∂x = 1; ∂q\/∂y = 1\s+-4$/);
    expect(rows[header + 5]).toMatch(/^f\s+mul\s+q\*z\s+-12\s+∂f\/∂q = z = -4; ∂f\/∂z = q = 3\s+1$/);
    expect(t).toContain('  ∂f/∂x = -4');
  });

  it('LaTeX renders with KaTeX', () => {
    const tex = rendered(renderLatex(w));
    expect(tex).toContain(
      String.raw`q = x + y & \text{add} & 3 & \frac{\partial q}{\partial x} = 1,\; \frac{\partial q}{\partial y} = 1 & -4`,
    );
    // df/dx = upstream df/dq times local dq/dx
    expect(tex).toContain(
      String.raw`\frac{\partial f}{\partial x} &= \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial x} = \left(-4\right)\left(1\right) = -4`,
    );
    expect(tex).toContain(String.raw`\frac{\partial f}{\partial z} &= q = 3`);
  });

  it('dot is a well-formed digraph with one edge per local gradient', () => {
    checkDot(renderDot(w), ['x', 'y', 'q', 'z', 'f'], 4);
  });

  it('HTML: a standalone page with the graph in SVG and KaTeX (MathML) formulas', async () => {
    const html = await renderHtml(w);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect((html.match(/<rect /g) ?? []).length).toBe(5);
    expect((html.match(/marker-end=/g) ?? []).length).toBe(4);
    expect(html).toContain('<math');
    expect(html).not.toMatch(/<script|<link/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
});

describe('graphs with shared nodes, vectors and matrices', () => {
  it('a node with two consumers sums over paths: f = (x + y)*z + x*x', () => {
    const w = backprop('(x + y)*z + x*x', at, { vars: scalars });
    expect(w.gradients.get('x')!.data[0]).toBe(-4 + 2 * -2);
    expect(w.node('x').explanation).toBe('∂f/∂x = ∂f/∂v1 · ∂v1/∂x + ∂f/∂v3 · ∂v3/∂x = (-4)(1) + (1)(-4) = -8');
    expect(checkWalkthrough(w).ok).toBe(true);
  });

  it('a shared subexpression is one node: sigmoid(W*x) used twice', () => {
    const w = backprop("sum(sigmoid(W*x)) + sigmoid(W*x)'*sigmoid(W*x)", {
      W: [
        [1, 2],
        [0.5, -1],
        [0, 1],
      ],
      x: [0.3, -0.7],
    });
    expect(w.nodes.filter((n) => n.op === 'sigmoid').length).toBe(1);
    expect(w.nodes.filter((n) => n.op === 'mul' && toText(n.formula) === 'W*x').length).toBe(1);
    const c = checkWalkthrough(w);
    expect(c.results.filter((r) => !r.ok)).toEqual([]);
    const fd = fdJacobian((e) => evaluate(w.expr, e), w.at, 'W');
    expect([...fd.data].map((v, i) => Math.abs(v - w.gradients.get('W')!.data[i]!) < 1e-7).every(Boolean)).toBe(true);
  });

  it('a non-scalar output needs a loss or an upstream gradient', () => {
    expect(() => backprop('W*x', { W: [[1, 2]], x: [1, 1] })).toThrow(ShapeError);
    expect(() => backprop('W*x', { W: [[1, 2]], x: [1, 1] })).toThrow(
      // W is 1×2 by its value (shapes come from the values, as in the CLI), so W*x has 1 entry.
      'backprop needs a scalar output, but this expression is a vector (1): wrap it in sum(...) or a loss such as norm2(...)^2, or give the upstream gradient ∂L/∂output',
    );
    const w = backprop(
      'W*x',
      {
        W: [
          [1, 2],
          [3, 4],
        ],
        x: [1, -1],
      },
      { upstream: [2, -1] },
    );
    expect(w.upstreamGiven).toBe(true);
    // L = g'*(W*x): dL/dW = g*x', dL/dx = W'*g
    expect([...w.gradients.get('W')!.data]).toEqual([2, -2, -1, 1]);
    expect([...w.gradients.get('x')!.data]).toEqual([2 * 1 + -1 * 3, 2 * 2 + -1 * 4]);
    expect(toText(w.node('f').edges.find((e) => e.from === 'W')!.vjp!)).toBe("G_f*x'");
    expect(checkWalkthrough(w).ok).toBe(true);
    expect(() =>
      backprop(
        'W*x',
        {
          W: [
            [1, 2],
            [3, 4],
          ],
          x: [1, -1],
        },
        { upstream: [1, 2, 3] },
      ),
    ).toThrow(ShapeError);
  });

  it('wrt picks the reported gradients; unknown inputs are errors', () => {
    const w = backprop('q = x + y; f = q*z', at, { vars: scalars, wrt: ['z'] });
    expect([...w.gradients.keys()]).toEqual(['z']);
    expect(() => backprop('q = x + y; f = q*z', at, { vars: scalars, wrt: ['w'] })).toThrow(UnknownError);
    expect(() => backprop('q = x + y; f = q*z', at, { vars: scalars, wrt: ['q'] })).toThrow(
      'the expression has no input q; its inputs are x, y, z',
    );
  });

  it('programs: names must be defined once, before use, and not be variables', () => {
    expect(() => backprop('q = x + y; q = q*z', at, { vars: scalars })).toThrow(ParseError);
    expect(() => backprop('f = q*z; q = x + y', at, { vars: scalars })).toThrow('q is used before it is defined');
    expect(() => backprop('x + y; f = z', at, { vars: scalars })).toThrow(ParseError);
    expect(() => backprop('x = y + z; f = x', at, { vars: scalars })).toThrow(
      'x is declared as a variable and also defined as a step',
    );
    expect(() => backprop('3 + 4', {})).toThrow(UnsupportedError);
  });

  it('a leaky_relu slope must be a number (the engine has no derivative in it)', () => {
    expect(() => backprop('sum(leaky_relu(x, a))', { x: [1, -1], a: 0.1 })).toThrow(/must be a number/);
  });
});
