/**
 * A standalone HTML page for a walkthrough: the graph drawn as inline SVG (forward values in green,
 * upstream gradients in red, local gradients on the edges, as in the course notes' figures) and
 * the table and backward pass with formulas rendered by KaTeX.
 *
 * Layout (no layout library): nodes in columns by depth (inputs at depth 0, the output last), in
 * topological order down each column; edges are cubic curves from an input's right side to its
 * consumer's left side. KaTeX is imported only when a page is rendered, and renders to MathML,
 * which browsers display natively: the page needs no stylesheet, font or script.
 */
import { toText } from '../print/text.js';
import type { Walkthrough } from './graph.js';
import { renderLatex, shortTensor, texFormula, texPartial, texTensor } from './render.js';

const BOX_W = 190, BOX_H = 64, COL_GAP = 90, ROW_GAP = 26, PAD = 20;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clip = (s: string, n: number): string => ([...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);

/** The graph as an SVG element. */
export function renderSvg(w: Walkthrough): string {
  const L = w.output;
  const columns = new Map<number, string[]>();
  for (const n of w.nodes) columns.set(n.depth, [...(columns.get(n.depth) ?? []), n.id]);
  const pos = new Map<string, { x: number; y: number }>();
  let rows = 0;
  for (const [depth, ids] of columns) {
    ids.forEach((id, i) => pos.set(id, { x: PAD + depth * (BOX_W + COL_GAP), y: PAD + i * (BOX_H + ROW_GAP) }));
    rows = Math.max(rows, ids.length);
  }
  const width = PAD * 2 + columns.size * (BOX_W + COL_GAP) - COL_GAP;
  const height = PAD * 2 + rows * (BOX_H + ROW_GAP) - ROW_GAP;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>',
  ];
  for (const n of w.nodes) {
    const to = pos.get(n.id)!;
    for (const e of n.edges) {
      const from = pos.get(e.from)!;
      const x1 = from.x + BOX_W, y1 = from.y + BOX_H / 2, x2 = to.x, y2 = to.y + BOX_H / 2;
      const mx = (x1 + x2) / 2;
      parts.push(`<path d="M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}" fill="none" stroke="#999" marker-end="url(#arrow)"/>`);
      const label = e.local.kind === 'differential' ? '' : `∂${n.id}/∂${e.from} = ${toText(e.local.expr)}`;
      parts.push(`<text x="${mx}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" font-size="10" fill="#555"><title>${esc(label)}</title>${esc(clip(label, 26))}</text>`);
    }
  }
  for (const n of w.nodes) {
    const { x, y } = pos.get(n.id)!;
    const title = n.op === 'input' ? `${n.id} (input)` : `${n.id} = ${toText(n.formula)}`;
    const fill = n.op === 'input' ? '#eef4ff' : n.id === L ? '#fff4e0' : '#ffffff';
    parts.push(
      `<g><title>${esc(title)}</title>`,
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" stroke="#333"/>`,
      `<text x="${x + 8}" y="${y + 18}" font-weight="bold">${esc(clip(title, 28))}</text>`,
      `<text x="${x + 8}" y="${y + 36}" fill="#1a7f37">${esc(clip(shortTensor(n.value, 3), 28))}</text>`,
      `<text x="${x + 8}" y="${y + 54}" fill="#c62828">${esc(clip(`∂${L}/∂${n.id} = ${shortTensor(n.upstream, 3)}`, 28))}</text>`,
      '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export interface HtmlOptions {
  readonly title?: string;
}

/** A standalone page: the SVG graph, the LaTeX table and backward pass rendered by KaTeX, and the gradients. */
export async function renderHtml(w: Walkthrough, opts: HtmlOptions = {}): Promise<string> {
  const katex = (await import('katex')).default;
  const math = (tex: string, display = false): string => katex.renderToString(tex, { throwOnError: true, displayMode: display, output: 'mathml' });
  const L = w.output;
  const title = opts.title ?? `Backpropagation through ${L} = ${toText(w.expr)}`;
  const grads = [...w.gradients].map(([name, g]) => {
    const n = w.node(name);
    return `<li>${math(`${texPartial(L, name)} = ${texTensor(g, n.expr.shape)}`)}</li>`;
  });
  const steps = w.nodes.slice().reverse().map((n) => `<li>${esc(n.explanation)}</li>`);
  const layers = w.layers.map((layer) => {
    const items = layer.steps.map((s) => `<li>${math(`${texPartial(L, s.id)} = ${texFormula(s.formula, w)}`)}</li>`);
    return `<h3>${esc(layer.name)}: ${esc(layer.input)} → ${esc(layer.output)}</h3><ul>${items.join('')}</ul>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;max-width:1200px}svg{border:1px solid #ddd;background:#fcfcfc}.table{overflow-x:auto}li{margin:.3em 0}</style>',
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<p>Forward values in <span style="color:#1a7f37">green</span>, upstream gradients ∂${esc(L)}/∂node in <span style="color:#c62828">red</span>; each edge carries its local gradient.</p>`,
    renderSvg(w),
    '<h2>Graph, step by step</h2>',
    `<div class="table">${math(renderLatex(w), true)}</div>`,
    '<h2>Backward pass</h2>',
    `<ol>${steps.join('')}</ol>`,
    ...(layers.length > 0 ? ['<h2>Layer by layer</h2>', ...layers] : []),
    '<h2>Gradients</h2>',
    `<ul>${grads.join('')}</ul>`,
    '</body></html>',
  ].join('\n');
}
