/**
 * Renderers of a walkthrough: a text table, a LaTeX array (KaTeX-valid), JSON, and Graphviz dot.
 * (The HTML page, which loads KaTeX, is in html.ts.)
 *
 * Formulas contain placeholders: a node's id stands for its value and G_<id> for its upstream
 * gradient ∂L/∂<id>. Text prints them as they are (with a legend); LaTeX prints G_<id> as
 * \frac{\partial L}{\partial <id>}.
 */
import type { Expr } from '../ir/expr.js';
import { fracHeading, latexName, toLatex } from '../print/latex.js';
import { programForm, whereText } from '../print/program.js';
import { toText } from '../print/text.js';
import type { Shape } from '../shape/shape.js';
import { type Nested, type Tensor, toNested } from '../numeric/tensor.js';
import { formatValue } from './explain.js';
import type { ChainStep, EdgeStep, Walkthrough, WalkNode } from './walkthrough.js';
import type { SymGraph } from './symbolic.js';

// ---------------------------------------------------------------------------------------------
// Values

/** A tensor on one line: 3, [1, 2], [[1, 2], [3, 4]]. */
function formatTensor(t: Tensor): string {
  const go = (v: Nested): string => (typeof v === 'number' ? formatValue(v) : `[${v.map(go).join(', ')}]`);
  return go(toNested(t));
}

/** A number in LaTeX: 4 significant digits, m \times 10^{e} when tiny or huge. */
function texNumber(v: number): string {
  const s = formatValue(v);
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

/** A value in LaTeX: a number, a column or row bmatrix, a matrix; higher ranks as nested rows. */
export function texTensor(t: Tensor, shape?: Shape): string {
  if (t.dims.length === 0) return texNumber(t.data[0]!);
  if (t.dims.length === 1) {
    const items = [...t.data].map(texNumber);
    return `\\begin{bmatrix} ${items.join(shape?.kind === 'row' ? ' & ' : ' \\\\ ')} \\end{bmatrix}`;
  }
  const [m, n] = [t.dims[0]!, t.data.length / t.dims[0]!];
  if (t.dims.length === 2) {
    const rows = Array.from({ length: m }, (_, i) => [...t.data.slice(i * n, (i + 1) * n)].map(texNumber).join(' & '));
    return `\\begin{bmatrix} ${rows.join(' \\\\ ')} \\end{bmatrix}`;
  }
  // dims(node) + dims(input) of a local Jacobian: blocks along the first axis.
  const blocks = Array.from({ length: m }, (_, i) =>
    texTensor({ dims: t.dims.slice(1), data: t.data.slice(i * n, (i + 1) * n) }),
  );
  return `\\begin{bmatrix} ${blocks.join(' & ')} \\end{bmatrix}`;
}

// ---------------------------------------------------------------------------------------------
// Formulas

/** ∂top/∂id, in LaTeX. */
export const texPartial = (top: string, id: string): string => fracHeading(latexName(top), latexName(id));

/**
 * One path of the chain rule from n to the output: ∂out/∂c ∂c/∂n through a consumer c; through the
 * output itself (c = out) its local derivative `direct`, in LaTeX — never ∂out/∂n, which is the
 * total the paths add up to (a sum containing it would be circular).
 */
export const texChainTerm = (out: string, c: string, n: string, direct?: string): string =>
  direct !== undefined ? direct : `${texPartial(out, c)}\\,${texPartial(c, n)}`;

/** The share of ∂out/∂n that flows through consumer c, named by it: ∂out/∂n |_{via c}. */
export const texBranch = (out: string, n: string, c: string): string =>
  `\\left.${texPartial(out, n)}\\right|_{\\text{via } ${latexName(c)}}`;

/** A local derivative as a term of a sum: parenthesised unless it is a name or a number. */
export const texDirectTerm = (local: Expr, names: ReadonlyMap<string, string> = new Map()): string => {
  const tex = texWith(local, names);
  return local.kind === 'var' || local.kind === 'const' ? tex : `\\left(${tex}\\right)`;
};

/** toLatex, with some variables printed differently: name → LaTeX (a direction dX as \mathrm{d}X, G_v as ∂L/∂v). */
export function texWith(e: Expr, names: ReadonlyMap<string, string>): string {
  let s = toLatex(e);
  for (const [name, tex] of names) {
    const token = latexName(name);
    if (s.includes(token)) s = s.split(token).join(tex);
  }
  return s;
}

/** Each upstream placeholder G_<id> of the graph, printed as ∂L/∂<id>. */
export const upstreamTex = (g: SymGraph): Map<string, string> =>
  new Map(g.nodes.map((n) => [n.upstreamVar.name, `{${texPartial(g.output, n.id)}}`]));

/** An expression in LaTeX, upstream placeholders G_<id> printed as ∂L/∂<id>. */
export const texFormula = (e: Expr, w: Walkthrough): string => texWith(e, upstreamTex(w.graph));

const texText = (s: string): string =>
  `\\text{${s.replace(/[\\{}_$&#%^~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '^' || c === '~' ? ' ' : `\\${c}`))}}`;

// ---------------------------------------------------------------------------------------------
// Text

const localText = (n: WalkNode, e: EdgeStep): string => {
  const head = `∂${n.id}/∂${e.from}`;
  if (e.local.kind === 'differential') return `d${n.id} = ${toText(e.local.expr)} (no matrix form)`;
  const v = e.local.value;
  const sym = toText(e.local.expr);
  return v !== null && v.data.length === 1 && formatValue(v.data[0]!) !== sym
    ? `${head} = ${sym} = ${formatValue(v.data[0]!)}`
    : `${head} = ${sym}`;
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...r[j]!].length)));
  return rows
    .map((r) =>
      r
        .map((c, j) => (j === r.length - 1 ? c : c + ' '.repeat(widths[j]! - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderText(w: Walkthrough): string {
  const L = w.output;
  const out: string[] = [];
  // The function as the program reads: in the names the program gave its steps.
  const names = new Map(w.nodes.filter((n) => n.named && n.op !== 'input').map((n) => [n.expr, n.id]));
  const form = programForm(w.expr, { names });
  out.push(`${L} = ${toText(form.result)}`, ...whereText(form.bindings).map((l) => `  ${l}`));
  out.push(`at ${[...w.at].map(([k, v]) => `${k} = ${formatTensor(v)}`).join(', ')}`);
  out.push(`value: ${L} = ${formatTensor(w.value)}`);
  if (w.upstreamGiven)
    out.push(
      `the output is not scalar: backpropagating the given upstream ∂L/∂${L} = ${formatTensor(w.node(L).upstream)}`,
    );
  out.push('', 'Computational graph (forward values; local gradients; upstream gradients):');
  const rows = [['node', 'op', 'formula', 'value', 'local', `upstream ∂${L}/∂node`]];
  for (const n of w.nodes) {
    rows.push([
      n.id,
      n.op,
      n.op === 'input' ? '' : toText(n.formula),
      formatTensor(n.value),
      n.edges.map((e) => localText(n, e)).join('; '),
      formatTensor(n.upstream),
    ]);
  }
  out.push(table(rows));
  out.push('', 'Backward pass (upstream × local, summed over paths):');
  for (const n of [...w.nodes].reverse()) out.push(`  ${n.explanation}`);
  out.push('', 'Gradients:');
  for (const [name, g] of w.gradients) out.push(`  ∂${L}/∂${name} = ${formatTensor(g)}`);
  if (w.chain !== null && w.nodes.some((n) => !n.named)) {
    out.push('', `Backward pass over the named nodes (G_v = ∂${L}/∂v):`);
    for (const s of w.chain) out.push(`  ∂${L}/∂${s.id} = ${toText(s.formula)} = ${formatTensor(s.value)}`);
  }
  for (const layer of w.layers) {
    out.push(
      '',
      `${layer.name}: ${layer.input} → ${layer.output}, receives ∂${L}/∂${layer.output} = ${formatTensor(layer.received)}`,
    );
    for (const s of layer.steps) out.push(`  ∂${L}/∂${s.id} = ${toText(s.formula)} = ${formatTensor(s.value)}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// LaTeX

const texLocal = (n: WalkNode, e: EdgeStep, w: Walkthrough): string => {
  if (e.local.kind === 'differential') return `\\mathrm{d}${latexName(n.id)} = ${toLatex(e.local.expr)}`;
  const v = e.local.value;
  const sym = texFormula(e.local.expr, w);
  const val = v !== null && v.data.length === 1 && texNumber(v.data[0]!) !== sym ? ` = ${texNumber(v.data[0]!)}` : '';
  return `${texPartial(n.id, e.from)} = ${sym}${val}`;
};

/**
 * One line of the backward pass: ∂L/∂n = Σ_c ∂L/∂c ∂c/∂n (when its consumers are named) = the formula
 * = the numbers (scalars) = the value.
 */
function texChainLine(w: Walkthrough, s: ChainStep): string {
  const L = w.output;
  const n = w.node(s.id);
  const consumers = n.consumers.map((c) => w.node(c));
  const fromRoot = (c: WalkNode): boolean => c.id === L && !w.upstreamGiven;
  const parts: string[] = [];
  const edgeOf = (c: WalkNode) => c.edges.find((e) => e.from === n.id)!;
  // ∂L/∂out ∂out/∂n would be circular for the output itself: its path is written as its own term.
  const viaOutput = (c: WalkNode): boolean => c.id === L;
  const paths = consumers.every((c) => c.named) && !(consumers.length === 1 && viaOutput(consumers[0]!));
  if (paths) {
    // The path through the output: its local derivative, or with a given upstream its adjoint rule
    // (in ∂L/∂out); the branches are named first (texBranch).
    const direct = (c: WalkNode): string | undefined => {
      if (!viaOutput(c)) return undefined;
      const e = edgeOf(c);
      if (w.upstreamGiven)
        return e.vjp === null ? texBranch(L, n.id, c.id) : texDirectTerm(e.vjp, upstreamTex(w.graph));
      return e.local.kind === 'differential'
        ? texBranch(L, n.id, c.id)
        : texDirectTerm(e.local.expr, upstreamTex(w.graph));
    };
    if (consumers.some(viaOutput)) parts.push(consumers.map((c) => texBranch(L, n.id, c.id)).join(' + '));
    parts.push(consumers.map((c) => texChainTerm(L, c.id, n.id, direct(c))).join(' + '));
  }
  const bare = s.formula.kind === 'var' && w.legend.get(s.formula.name)?.upstream === true;
  if (!bare) parts.push(texFormula(s.formula, w));
  const scalar = n.expr.shape.kind === 'scalar' && consumers.every((c) => c.expr.shape.kind === 'scalar');
  if (scalar && paths) {
    const factors = consumers.map((c) => {
      const local = edgeOf(c).local.value;
      if (local === null) return null;
      const l = `\\left(${texNumber(local.data[0]!)}\\right)`;
      return fromRoot(c) ? l : `\\left(${texNumber(c.upstream.data[0]!)}\\right)${l}`;
    });
    if (factors.every((f) => f !== null)) parts.push(factors.join(' + '));
  }
  parts.push(texTensor(s.value, n.expr.shape));
  const unique = parts.filter((p, i) => i === 0 || p !== parts[i - 1]);
  return `${texPartial(L, s.id)} &= ${unique.join(' = ')}`;
}

/** The walkthrough as one KaTeX-valid display: the graph table, then the backward pass and gradients. */
export function renderLatex(w: Walkthrough): string {
  const L = w.output;
  const head = [
    '\\text{node}',
    '\\text{op}',
    '\\text{value}',
    '\\text{local gradients}',
    `\\text{upstream } ${fracHeading(latexName(L), '\\cdot')}`,
  ];
  const rows = w.nodes.map((n) => {
    const name = n.op === 'input' ? latexName(n.id) : `${latexName(n.id)} = ${toLatex(n.formula)}`;
    const shape = n.expr.shape;
    const locals = n.edges.map((e) => texLocal(n, e, w)).join(',\\; ');
    return [name, texText(n.op), texTensor(n.value, shape), locals, texTensor(n.upstream, shape)].join(' & ');
  });
  const tableTex = `\\begin{array}{lllll}\n${head.join(' & ')} \\\\ \\hline\n${rows.join(' \\\\\n')}\n\\end{array}`;
  const lines = (w.chain ?? []).map((s) => texChainLine(w, s));
  const back = lines.length === 0 ? '' : `\\\\[1em]\n\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`;
  return `\\begin{gathered}\n${tableTex}${back}\n\\end{gathered}`;
}

// ---------------------------------------------------------------------------------------------
// JSON

export interface WalkthroughJson {
  readonly value: Nested;
  readonly gradients: Record<string, Nested>;
  readonly nodes: ReadonlyArray<{
    readonly id: string;
    readonly op: string;
    readonly inputs: readonly string[];
    readonly value: Nested;
    /** Per input id: the local Jacobian ∂node/∂input (text and value), the adjoint rule and the contribution. */
    readonly local: Record<
      string,
      {
        readonly kind: string;
        readonly expr: string;
        readonly value: Nested | null;
        readonly vjp: string | null;
        readonly contribution: Nested;
        readonly explanation: string;
      }
    >;
    readonly upstream: Nested;
  }>;
}

export function toJson(w: Walkthrough): WalkthroughJson {
  return {
    value: toNested(w.value),
    gradients: Object.fromEntries([...w.gradients].map(([k, g]) => [k, toNested(g)])),
    nodes: w.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      inputs: n.inputs,
      value: toNested(n.value),
      local: Object.fromEntries(
        n.edges.map((e) => [
          e.from,
          {
            kind: e.local.kind,
            expr: toText(e.local.expr),
            value: e.local.value === null ? null : toNested(e.local.value),
            vjp: e.vjp === null ? null : toText(e.vjp),
            contribution: toNested(e.contribution),
            explanation: e.explanation,
          },
        ]),
      ),
      upstream: toNested(n.upstream),
    })),
  };
}

export const renderJson = (w: Walkthrough): string => JSON.stringify(toJson(w), null, 2);

// ---------------------------------------------------------------------------------------------
// Graphviz

const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** A value for a label: in full when small, else its dims and first entries. */
export function shortTensor(t: Tensor, max = 6): string {
  if (t.data.length <= max) return formatTensor(t);
  return `${t.dims.join('×')} [${[...t.data.slice(0, 3)].map(formatValue).join(', ')}, …]`;
}

export function renderDot(w: Walkthrough): string {
  const L = w.output;
  const out = [
    'digraph backprop {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of w.nodes) {
    const title = n.op === 'input' ? `${n.id} (input)` : `${n.id} = ${toText(n.formula)}`;
    const color =
      n.op === 'input'
        ? ', style=filled, fillcolor="#eef4ff"'
        : n.id === L
          ? ', style=filled, fillcolor="#fff4e0"'
          : '';
    out.push(
      `  ${dotString(n.id)} [label=${dotString(`${title}\nvalue: ${shortTensor(n.value)}\n∂${L}/∂${n.id}: ${shortTensor(n.upstream)}`)}${color}];`,
    );
  }
  for (const n of w.nodes) {
    for (const e of n.edges) {
      const label =
        e.local.kind === 'differential'
          ? `d${n.id} = ${toText(e.local.expr)}`
          : `∂${n.id}/∂${e.from} = ${toText(e.local.expr)}`;
      out.push(`  ${dotString(e.from)} -> ${dotString(n.id)} [label=${dotString(label)}];`);
    }
  }
  out.push('}');
  return out.join('\n');
}
