/**
 * The layered layout of computational graphs (layout.ts, by dagre) and its drawing (svg.ts), checked
 * geometrically — the issue was long edges drawn straight through other nodes (W2 appearing to feed
 * v1). On the walkthroughs of the docs, on networks of several depths and on seeded random DAGs
 * with long edges: no edge segment passes through a box other than its own two, no label overlaps a
 * box, another label or another edge, edges leave their source's right side and enter their
 * target's left side, and everything lies inside the drawing.
 */
import dagre from '@dagrejs/dagre';
import { describe, expect, it } from 'vitest';
import { backprop, mlp, renderHtml, type Walkthrough } from '../../src/backprop/index.js';
import {
  type GraphLayout,
  type GraphSpec,
  type Rect,
  layoutGraph,
  layoutWith,
  rectsOverlap,
  segmentCrossesRect,
} from '../../src/backprop/layout.js';
import { graphView, svgOf } from '../../src/backprop/svg.js';
import { mulberry32 } from '../../src/numeric/random.js';

/** Every way the layout can be unreadable, as messages (empty when it is fine). */
function violations(spec: GraphSpec, lay: GraphLayout): string[] {
  const out: string[] = [];
  const box = new Map(lay.nodes.map((n) => [n.id, n]));
  const inside = (r: Rect, what: string): void => {
    if (r.x < 0 || r.y < 0 || r.x + r.width > lay.width + 0.5 || r.y + r.height > lay.height + 0.5)
      out.push(`${what} lies outside the drawing`);
  };
  expect(lay.nodes.map((n) => n.id)).toEqual(spec.nodes.map((n) => n.id));
  for (const [i, a] of lay.nodes.entries()) {
    inside(a, `box ${a.id}`);
    for (const b of lay.nodes.slice(i + 1)) if (rectsOverlap(a, b)) out.push(`boxes ${a.id} and ${b.id} overlap`);
  }
  const labels = lay.edges.flatMap((e) => (e.label === null ? [] : [{ e, r: e.label }]));
  for (const [i, { e, r }] of labels.entries()) {
    inside(r, `label of ${e.from}→${e.to}`);
    for (const n of lay.nodes) if (rectsOverlap(r, n)) out.push(`label of ${e.from}→${e.to} overlaps box ${n.id}`);
    for (const o of labels.slice(i + 1))
      if (rectsOverlap(r, o.r)) out.push(`labels of ${e.from}→${e.to} and ${o.e.from}→${o.e.to} overlap`);
  }
  for (const e of lay.edges) {
    const src = box.get(e.from)!,
      dst = box.get(e.to)!;
    const first = e.points[0]!,
      last = e.points[e.points.length - 1]!;
    if (Math.abs(first.x - (src.x + src.width)) > 1e-6 || first.y <= src.y || first.y >= src.y + src.height)
      out.push(`${e.from}→${e.to} does not leave ${e.from}'s right side`);
    if (Math.abs(last.x - dst.x) > 1e-6 || last.y <= dst.y || last.y >= dst.y + dst.height)
      out.push(`${e.from}→${e.to} does not enter ${e.to}'s left side`);
    for (let i = 0; i + 1 < e.points.length; i++) {
      const a = e.points[i]!,
        b = e.points[i + 1]!;
      inside(
        { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) },
        `a segment of ${e.from}→${e.to}`,
      );
      for (const n of lay.nodes) {
        if (n.id !== e.from && n.id !== e.to && segmentCrossesRect(a, b, n))
          out.push(`${e.from}→${e.to} passes through box ${n.id}`);
      }
      for (const o of labels)
        if (o.e !== e && segmentCrossesRect(a, b, o.r))
          out.push(`${e.from}→${e.to} passes through the label of ${o.e.from}→${o.e.to}`);
    }
  }
  return out;
}

async function expectReadable(w: Walkthrough): Promise<GraphLayout> {
  const view = graphView(w);
  const lay = await layoutGraph(view);
  expect(violations(view, lay)).toEqual([]);
  expect(lay.edges.length).toBe(w.nodes.reduce((k, n) => k + n.edges.length, 0));
  return lay;
}

/** A seeded generator, so that a failure names its seed and can be replayed. */
const rng = mulberry32;

/** A random DAG: each node after the first few reads one to three earlier nodes, often distant ones. */
function randomDag(seed: number): GraphSpec {
  const r = rng(seed);
  const n = 3 + Math.floor(r() * 28);
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    width: 60 + Math.floor(r() * 240),
    height: 30 + Math.floor(r() * 50),
  }));
  const edges: Array<{ from: string; to: string; label?: { width: number; height: number } }> = [];
  for (let i = 2; i < n; i++) {
    const k = 1 + Math.floor(r() * 3);
    const from = new Set<number>();
    for (let j = 0; j < k; j++) from.add(Math.floor(r() * i));
    for (const f of from)
      edges.push({
        from: `n${f}`,
        to: `n${i}`,
        ...(r() < 0.8 ? { label: { width: 20 + Math.floor(r() * 180), height: 13 } } : {}),
      });
  }
  return { nodes, edges };
}

describe('the segment test the layout tests rely on', () => {
  const box = { x: 10, y: 10, width: 20, height: 10 };
  it.each([
    [{ x: 0, y: 15 }, { x: 40, y: 15 }, true], // straight through
    [{ x: 0, y: 0 }, { x: 40, y: 30 }, true], // diagonally through
    [{ x: 0, y: 9 }, { x: 40, y: 9 }, false], // above
    [{ x: 0, y: 10 }, { x: 40, y: 10 }, false], // along the top border
    [{ x: 0, y: 15 }, { x: 10, y: 15 }, false], // ends on the left border
    [{ x: 15, y: 12 }, { x: 16, y: 13 }, true], // wholly inside
    [{ x: 0, y: 30 }, { x: 10, y: 0 }, false], // passes by the corner
  ])('%o → %o crosses: %s', (a, b, want) => {
    expect(segmentCrossesRect(a, b, box)).toBe(want);
  });
});

describe('layout of walkthrough graphs', () => {
  it("the course notes' graph: x, y → q → f ← z, one rank per step", async () => {
    const lay = await expectReadable(backprop('q = x + y; f = q*z', { x: -2, y: 5, z: -4 }));
    const at = new Map(lay.nodes.map((n) => [n.id, n]));
    expect(at.get('x')!.x).toBe(at.get('y')!.x);
    expect(at.get('q')!.x).toBeGreaterThan(at.get('x')!.x + at.get('x')!.width);
    expect(at.get('f')!.x).toBeGreaterThan(at.get('q')!.x + at.get('q')!.width);
  });

  it('fan-out and a long edge past a whole chain: q = a*b; f = q*a + x', async () => {
    await expectReadable(backprop('q = a*b; v = sin(q)*exp(q); f = v*a + x', { a: 2, b: 3, x: 1 }));
  });

  it.each([
    [2, 'sigmoid', 'softmax-ce'],
    [3, 'relu', 'hinge'],
    [2, 'maxout', 'squared'],
    [4, 'tanh', 'bce'],
  ] as const)('an MLP of depth %i (%s, %s): W2 no longer appears to feed v1', async (depth, activation, loss) => {
    const m = mlp({ depth, activation, loss });
    await expectReadable(backprop(m.expr, m.sample(3), { vars: m.vars }));
  });

  it('a batched layer, rows as examples', async () => {
    const m = mlp({ depth: 2, loss: 'squared', batched: true });
    await expectReadable(backprop(m.expr, m.sample(5), { vars: m.vars }));
  });

  it("synchronous layout with a dagre the caller loaded (the browser's way) gives the same positions", async () => {
    const view = graphView(backprop('q = a*b; f = q*a + x', { a: 2, b: 3, x: 1 }));
    expect(layoutWith(dagre, view)).toEqual(await layoutGraph(view));
  });
});

describe('random DAGs with long edges and labels of every width (seeded)', () => {
  it.each(Array.from({ length: 40 }, (_, i) => [1000 + i]))('seed %i', async (seed) => {
    const spec = randomDag(seed);
    expect(violations(spec, await layoutGraph(spec)), `seed ${seed}`).toEqual([]);
  });
});

describe('the drawing and the page', () => {
  const w = backprop('q = a*b; f = q*a + x', { a: 2, b: 3, x: 1 });

  it('one box per node and one arrow per edge, at the laid-out positions; labels are the local gradients', async () => {
    const view = graphView(w);
    const lay = await layoutGraph(view);
    const svg = svgOf(view, lay);
    expect((svg.match(/<rect /g) ?? []).length).toBe(w.nodes.length);
    expect((svg.match(/marker-end=/g) ?? []).length).toBe(lay.edges.length);
    for (const n of lay.nodes)
      expect(svg).toContain(`<rect x="${Math.round(n.x * 10) / 10}" y="${Math.round(n.y * 10) / 10}"`);
    expect(svg).toContain('>∂q/∂a = b</text>');
    expect(svg).toContain('>∂v1/∂a = q</text>');
  });

  it('the HTML page is standalone: no script, stylesheet link or external resource', async () => {
    const html = await renderHtml(w);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]);
    expect([...new Set(urls)].sort()).toEqual(['http://www.w3.org/1998/Math/MathML', 'http://www.w3.org/2000/svg']);
    expect(html).toContain('<div class="graph"><svg');
  });
});
