/**
 * The computational graph of a walkthrough as an SVG drawing, as the course notes draw it: a box
 * per node with its forward value (green) and upstream gradient (red), an arrow per edge labelled
 * with its local gradient. Three steps, each usable alone (the web page calls them in a browser):
 *
 *   graphView(w)          the text of every box and label, and the sizes it needs;
 *   layoutGraph(view)     positions, by the layered layout of layout.ts (dagre, loaded lazily);
 *   svgOf(view, layout)   the drawing.
 *
 * Text is measured by a conservative average advance per character (no font metrics are
 * available without a browser), and long text is clipped with an ellipsis, its whole in a tooltip.
 */
import { toText } from '../print/text.js';
import type { Walkthrough } from './graph.js';
import { type GraphLayout, layoutGraph } from './layout.js';
import { shortTensor } from './render.js';

export interface ViewNode {
  readonly id: string;
  readonly kind: 'input' | 'operation' | 'output';
  /** "q = x + y", "x (input)"; clipped, with the whole in `tooltip`. */
  readonly title: string;
  readonly value: string;
  readonly upstream: string;
  readonly tooltip: string;
  readonly width: number;
  readonly height: number;
}

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  /** "∂q/∂x = 1", clipped, with the whole in `tooltip`; absent for a local without a matrix form. */
  readonly text?: string;
  readonly tooltip?: string;
  readonly label?: { readonly width: number; readonly height: number };
}

export interface GraphView {
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
}

/** Advance per character (px) of the 12 px box text and the 10 px label text, a little generous. */
const BOX_CHAR = 7.4,
  LABEL_CHAR = 6.4;
const BOX_PAD = 10,
  BOX_LINE = 18,
  BOX_MIN_W = 96,
  BOX_CHARS = 34,
  LABEL_CHARS = 30,
  LABEL_H = 13;

const clip = (s: string, n: number): string => ([...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);
const len = (s: string): number => [...s].length;

export function graphView(w: Walkthrough): GraphView {
  const L = w.output;
  const nodes = w.nodes.map((n): ViewNode => {
    const full = n.op === 'input' ? `${n.id} (input)` : `${n.id} = ${toText(n.formula)}`;
    const title = clip(full, BOX_CHARS);
    const value = clip(shortTensor(n.value, 3), BOX_CHARS);
    const upstream = clip(`∂${L}/∂${n.id} = ${shortTensor(n.upstream, 3)}`, BOX_CHARS);
    const chars = Math.max(len(title), len(value), len(upstream));
    return {
      id: n.id,
      kind: n.op === 'input' ? 'input' : n.id === L ? 'output' : 'operation',
      title,
      value,
      upstream,
      tooltip: full,
      width: Math.max(BOX_MIN_W, Math.ceil(2 * BOX_PAD + chars * BOX_CHAR)),
      height: 2 * BOX_PAD + 3 * BOX_LINE - 8,
    };
  });
  const edges = w.nodes.flatMap((n) =>
    n.edges.map((e): ViewEdge => {
      if (e.local.kind === 'differential') return { from: e.from, to: n.id };
      const full = `∂${n.id}/∂${e.from} = ${toText(e.local.expr)}`;
      const text = clip(full, LABEL_CHARS);
      return {
        from: e.from,
        to: n.id,
        text,
        tooltip: full,
        label: { width: Math.ceil(len(text) * LABEL_CHAR + 8), height: LABEL_H },
      };
    }),
  );
  return { nodes, edges };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number): string => String(Math.round(v * 10) / 10);

const FILL: Readonly<Record<ViewNode['kind'], string>> = { input: '#eef4ff', operation: '#ffffff', output: '#fff4e0' };

/** The drawing of a laid-out view: edges first, then their labels, then the boxes. */
export function svgOf(view: GraphView, layout: GraphLayout): string {
  const placed = new Map(layout.nodes.map((n) => [n.id, n]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>',
  ];
  view.edges.forEach((e, i) => {
    const p = layout.edges[i]!.points;
    parts.push(
      `<path class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M ${p.map((q) => `${num(q.x)} ${num(q.y)}`).join(' L ')}" fill="none" stroke="#999" stroke-linejoin="round" marker-end="url(#arrow)"/>`,
    );
  });
  view.edges.forEach((e, i) => {
    const r = layout.edges[i]!.label;
    if (r === null || e.text === undefined) return;
    parts.push(
      `<text class="label" x="${num(r.x + r.width / 2)}" y="${num(r.y + r.height - 3)}" text-anchor="middle" font-size="10" fill="#555"><title>${esc(e.tooltip ?? e.text)}</title>${esc(e.text)}</text>`,
    );
  });
  for (const n of view.nodes) {
    const { x, y, width, height } = placed.get(n.id)!;
    parts.push(
      `<g class="node" data-id="${esc(n.id)}"><title>${esc(n.tooltip)}</title>`,
      `<rect x="${num(x)}" y="${num(y)}" width="${width}" height="${height}" rx="6" fill="${FILL[n.kind]}" stroke="#333"/>`,
      `<text x="${num(x + BOX_PAD)}" y="${num(y + BOX_PAD + 12)}" font-weight="bold">${esc(n.title)}</text>`,
      `<text x="${num(x + BOX_PAD)}" y="${num(y + BOX_PAD + 12 + BOX_LINE)}" fill="#1a7f37">${esc(n.value)}</text>`,
      `<text x="${num(x + BOX_PAD)}" y="${num(y + BOX_PAD + 12 + 2 * BOX_LINE)}" fill="#c62828">${esc(n.upstream)}</text>`,
      '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The graph of a walkthrough, laid out (dagre is loaded on first use) and drawn. */
export async function renderSvg(w: Walkthrough): Promise<string> {
  const view = graphView(w);
  return svgOf(view, await layoutGraph(view));
}
