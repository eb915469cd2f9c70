/**
 * A standalone HTML page for a walkthrough: the graph drawn as inline SVG (svg.ts: forward values in
 * green, upstream gradients in red, local gradients on the edges, as in the course notes' figures,
 * laid out by dagre so that edges route around the boxes) and the table and backward pass with
 * formulas rendered by KaTeX.
 *
 * KaTeX and dagre are imported only when a page is rendered. KaTeX renders to MathML, which browsers
 * display natively: the page needs no stylesheet, font or script.
 */
import { KATEX_OPTIONS } from '../print/latex.js';
import { toText } from '../print/text.js';
import type { Walkthrough } from './graph.js';
import { renderLatex, texFormula, texPartial, texTensor } from './render.js';
import { renderSvg } from './svg.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface HtmlOptions {
  readonly title?: string;
}

/** A standalone page: the SVG graph, the LaTeX table and backward pass rendered by KaTeX, and the gradients. */
export async function renderHtml(w: Walkthrough, opts: HtmlOptions = {}): Promise<string> {
  const katex = (await import('katex')).default;
  const math = (tex: string, display = false): string =>
    katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode: display, output: 'mathml' });
  const L = w.output;
  const title = opts.title ?? `Backpropagation through ${L} = ${toText(w.expr)}`;
  const grads = [...w.gradients].map(([name, g]) => {
    const n = w.node(name);
    return `<li>${math(`${texPartial(L, name)} = ${texTensor(g, n.expr.shape)}`)}</li>`;
  });
  const steps = w.nodes
    .slice()
    .reverse()
    .map((n) => `<li>${esc(n.explanation)}</li>`);
  const layers = w.layers.map((layer) => {
    const items = layer.steps.map((s) => `<li>${math(`${texPartial(L, s.id)} = ${texFormula(s.formula, w)}`)}</li>`);
    return `<h3>${esc(layer.name)}: ${esc(layer.input)} → ${esc(layer.output)}</h3><ul>${items.join('')}</ul>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;max-width:1200px}svg{border:1px solid #ddd;background:#fcfcfc}.graph{overflow-x:auto}.table{overflow-x:auto}li{margin:.3em 0}</style>',
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<p>Forward values in <span style="color:#1a7f37">green</span>, upstream gradients ∂${esc(L)}/∂node in <span style="color:#c62828">red</span>; each edge carries its local gradient.</p>`,
    `<div class="graph">${await renderSvg(w)}</div>`,
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
