/**
 * backprop(): the computational graph of an expression at a point, as the course notes draw it —
 * forward value per node, local gradient per edge, upstream gradient per node, and the gradient of
 * the output with respect to every input.
 *
 * Algorithm (reverse-mode accumulation on the graph of symbolic.ts):
 *   1. forward: each node's formula evaluated on its inputs' values, in topological order;
 *   2. backward: the output's upstream is 1 (a scalar loss) or the given ∂L/∂output; in reverse
 *      topological order, each edge's adjoint rule (a symbolic VJP such as A'*G or G .* σ(z).*(1-σ(z)))
 *      is evaluated with G = the node's upstream, and the contributions are summed into the input's
 *      upstream — the sum over paths of the chain rule.
 *   3. local gradients: per edge, the engine's derivative of the node's formula with respect to the
 *      input (the Jacobian ∂node/∂input in its compact form: z, diag(step(z)), diag(s) - s*s',
 *      kron(eye(k), x')) and its value, in the tensor layout dims(node) + dims(input).
 * Every number shown is a symbolic expression evaluated numerically; verify.ts checks each upstream
 * gradient against finite differences of the output with that node set free.
 *
 * Every variable needs a value, and a variable not declared in `vars` takes the shape of its value (a
 * number is a scalar, a list a vector, a list of rows a matrix): backprop("(x + y)*z", {x: -2, y: 5,
 * z: -4}) is the course notes' scalar example, whatever the naming convention says of x, y, z. A name
 * with no value is reported as such (program.ts) before any shape is inferred.
 *
 * A non-scalar output has no gradient: backprop then needs the upstream gradient ∂L/∂output
 * (option `upstream`), and walks back L = ⟨upstream, output⟩; without it, a ShapeError says to wrap
 * the output in sum(...) or a loss.
 */
import { LimitError, RequestError, ShapeError, UnknownError, UnsupportedError } from '../errors.js';
import { num } from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { varsOf } from '../ir/walk.js';
import { type Declarations, readDeclarations } from '../parse/parse.js';
import type { ResultKind } from '../api/derivative.js';
import { type Values, declsFromValues, toEnv } from '../api/values.js';
import { type DimSizes, type Env, bindDims, evaluator, resolveDim } from '../numeric/evaluate.js';
import { type Nested, type Tensor, fromNested, reshape, sizeOf, tensor } from '../numeric/tensor.js';
import { toText } from '../print/text.js';
import { formatShape, tensorDims } from '../shape/shape.js';
import { programOf } from './program.js';
import { substitute } from '../ir/substitute.js';
import { type SymEdge, type SymGraph, type SymNode, buildGraph, downstream, inlineUpstreams, localDerivative } from './symbolic.js';

export interface LayerSpec {
  /** A heading, e.g. "layer 2". */
  readonly name: string;
  /** Id of the node the layer reads (x, h1, …). */
  readonly input: string;
  /** Id of the node the layer produces (h2, s, …). */
  readonly output: string;
  /** Ids of the layer's parameters (W2, b2, …). */
  readonly params: readonly string[];
}

export interface BackpropOptions {
  /** Declared shapes (objects or text such as 'matrix(n,n) symmetric'); a variable not declared here takes the shape of its value (scalar, vector, matrix). */
  readonly vars?: Declarations;
  /** Inputs whose gradients are reported (default: every variable). */
  readonly wrt?: readonly string[];
  /** ∂L/∂output for a non-scalar output (JSON values); the walk is then of L = ⟨upstream, output⟩. */
  readonly upstream?: Nested;
  /** Name of the output when the expression does not name it (default f; L for mlp losses). */
  readonly output?: string;
  /** Groups of nodes to show layer by layer (see mlp()). */
  readonly layers?: readonly LayerSpec[];
}

/** ∂node/∂input: the engine's derivative of the node's formula. */
export interface Local {
  /** derivative (scalar input), gradient (scalar node), jacobian / vec-jacobian, or differential when no matrix form exists. */
  readonly kind: ResultKind;
  /** In the inputs' ids (and, for softmax, the node's own id: diag(s) - s*s'). */
  readonly expr: Expr;
  /** dims(node) + dims(input); null when larger than LOCAL_VALUE_LIMIT entries. */
  readonly value: Tensor | null;
}

export interface EdgeStep {
  /** The input's id. */
  readonly from: string;
  /** The consuming node's id. */
  readonly to: string;
  readonly local: Local;
  /** Adjoint rule: the contribution to ∂L/∂from, in G_<to> and the ids; null if computed from the local Jacobian instead. */
  readonly vjp: Expr | null;
  /** Its value: upstream of `to` through this edge. */
  readonly contribution: Tensor;
  /** e.g. "∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4". */
  readonly explanation: string;
}

export interface WalkNode {
  readonly id: string;
  readonly op: string;
  readonly expr: Expr;
  /** The operation over its inputs' ids (q*z). */
  readonly formula: Expr;
  readonly inputs: readonly string[];
  readonly consumers: readonly string[];
  readonly depth: number;
  readonly named: boolean;
  readonly value: Tensor;
  /** One per input. */
  readonly edges: readonly EdgeStep[];
  /** ∂L/∂node, the node's shape. */
  readonly upstream: Tensor;
  /** How the upstream was accumulated. */
  readonly explanation: string;
}

/** ∂L/∂node for a named node, with unnamed nodes inlined: the textbook backward pass. */
export interface ChainStep {
  readonly id: string;
  readonly formula: Expr;
  readonly value: Tensor;
}

export interface LayerView {
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly params: readonly string[];
  /** ∂L/∂output, received from the layer above. */
  readonly received: Tensor;
  /** Named nodes inside the layer, then the parameters, then the input: ∂L/∂· from the received gradient. */
  readonly steps: readonly ChainStep[];
}

export interface Walkthrough {
  readonly expr: Expr;
  readonly output: string;
  readonly value: Tensor;
  /** True when the output is not scalar and the walk is of ⟨upstream, output⟩. */
  readonly upstreamGiven: boolean;
  /** Topological order: inputs first, output last. */
  readonly nodes: readonly WalkNode[];
  /** ∂L/∂input for each requested input. */
  readonly gradients: ReadonlyMap<string, Tensor>;
  /** Backward pass over the named nodes (null when an operation has no adjoint rule). */
  readonly chain: readonly ChainStep[] | null;
  readonly layers: readonly LayerView[];
  /** Values of the variables. */
  readonly at: Env;
  /** Sizes of the dimension names, bound from the values. */
  readonly sizes: DimSizes;
  readonly graph: SymGraph;
  node(id: string): WalkNode;
  /** The placeholder names a formula may contain, with what they stand for: id → node, G_id → upstream of node. */
  readonly legend: ReadonlyMap<string, { readonly node: string; readonly upstream: boolean }>;
}

/** Local Jacobians above this many entries are described but not evaluated. */
const LOCAL_VALUE_LIMIT = 4096;
/** Entries allowed when a VJP has to go through an evaluated local Jacobian. */
const HARD_LIMIT = 1_000_000;

export function backprop(expr: string | Expr, at: Values, opts: BackpropOptions = {}): Walkthrough {
  // Malformed values are reported as such before anything else is judged; then the values declare
  // the variables that opts.vars does not (the CLI passes only its --var declarations: one path).
  const env = toEnv(at);
  const program = programOf(expr, declsFromValues(env, readDeclarations(opts.vars)), { hasValue: (name) => env.has(name) });
  const root = program.root;
  const upstreamGiven = opts.upstream !== undefined;
  if (root.shape.kind !== 'scalar' && !upstreamGiven) {
    throw new ShapeError(
      `backprop needs a scalar output, but this expression is ${root.shape.kind === 'matrix' ? 'a matrix' : 'a vector'} (${formatShape(root.shape)}): ` +
      'wrap it in sum(...) or a loss such as norm2(...)^2, or give the upstream gradient ∂L/∂output',
    );
  }
  const output = program.output ?? opts.output;
  const graph = buildGraph(root, { names: program.names, ...(output !== undefined ? { output } : {}) });
  const sizes = bindDims(varsOf(root), env);
  const vals = new Map<string, Tensor>(env);
  const run = (e: Expr): Tensor => evaluator(e)(vals, sizes);

  // 1. Forward.
  for (const n of graph.nodes) if (n.op !== 'input') vals.set(n.id, run(n.formula));
  const valueOfNode = (n: SymNode): Tensor => vals.get(n.id)!;

  // 2. Backward.
  const rootValue = valueOfNode(graph.root);
  let rootUpstream: Tensor;
  if (upstreamGiven) {
    rootUpstream = fromNested(opts.upstream, 'the upstream gradient');
    if (rootUpstream.dims.join() !== rootValue.dims.join()) {
      throw new ShapeError(`the upstream gradient has dims [${rootUpstream.dims.join(', ')}] but the output has dims [${rootValue.dims.join(', ')}]`);
    }
  } else rootUpstream = tensor([], [1]);
  const upstream = new Map<SymNode, Tensor>([[graph.root, rootUpstream]]);
  const computed = new Map<SymEdge, Omit<EdgeStep, 'explanation'>>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    // Every consumer comes later in topological order, so n's upstream is complete here.
    const G = upstream.get(n)!;
    vals.set(n.upstreamVar.name, G);
    for (const edge of n.edges) {
      const input = edge.from;
      const local = localOf(n, input, vals, sizes, edge.vjp === null);
      const contribution = edge.vjp !== null ? run(edge.vjp) : vjpThroughJacobian(local.value!, G, valueOfNode(input).dims);
      const prev = upstream.get(input);
      upstream.set(input, prev === undefined ? contribution : addTensors(prev, contribution));
      computed.set(edge, { from: input.id, to: n.id, local, vjp: edge.vjp, contribution });
    }
  }

  // Explanations need every upstream, so they come last.
  const explain = new Explainer(graph, upstream, upstreamGiven);
  const edgesOf = new Map<SymNode, EdgeStep[]>(graph.nodes.map((n) => [n, n.edges.map((e) => {
    const s = computed.get(e)!;
    return { ...s, explanation: explain.edge(n, e.from, s) };
  })]));
  const nodes: WalkNode[] = graph.nodes.map((n) => ({
    id: n.id, op: n.op, expr: n.expr, formula: n.formula, inputs: n.inputs.map((i) => i.id),
    consumers: n.consumers.map((c) => c.id), depth: n.depth, named: n.named,
    value: valueOfNode(n), edges: edgesOf.get(n)!, upstream: upstream.get(n)!,
    explanation: explain.node(n, edgesOf),
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));

  // Gradients of the requested inputs.
  const inputs = graph.nodes.filter((n) => n.op === 'input');
  const wanted = opts.wrt ?? inputs.map((n) => n.id);
  const gradients = new Map<string, Tensor>();
  for (const name of wanted) {
    const n = graph.byId.get(name);
    if (n === undefined || n.op !== 'input') {
      throw new UnknownError(`the expression has no input ${name}; its inputs are ${inputs.map((x) => x.id).join(', ')}`);
    }
    gradients.set(name, upstream.get(n)!);
  }

  // The named backward pass and the layer view: symbolic formulas, evaluated.
  const rootG = upstreamGiven ? graph.root.upstreamVar : numOne;
  const named = inlineUpstreams(graph, (n) => n.named, rootG);
  // A softmax reads best in its own output: G_z = G_s.*s - G_s'*s*s rather than three softmax(z).
  const softmaxNames = new Map<Expr, Expr>(graph.nodes.filter((n) => n.op === 'softmax' && n.named).map((n) => [n.formula, n.placeholder]));
  // Memoised: the layer view shows the chain's own steps again.
  const steps = new Map<SymNode, ChainStep>();
  const stepOf = (n: SymNode): ChainStep => {
    let s = steps.get(n);
    if (s === undefined) {
      const formula = substitute(named!.get(n)!, softmaxNames);
      s = { id: n.id, formula, value: run(formula) };
      steps.set(n, s);
    }
    return s;
  };
  const chain = named === null ? null
    : [...graph.nodes].reverse().filter((n) => n.named && n !== graph.root).map(stepOf);
  const layers = (opts.layers ?? []).map((spec) => layerView(graph, spec, upstream, named === null ? null : stepOf));

  const legend = new Map<string, { node: string; upstream: boolean }>();
  for (const n of graph.nodes) {
    legend.set(n.placeholder.name, { node: n.id, upstream: false });
    legend.set(n.upstreamVar.name, { node: n.id, upstream: true });
  }
  return {
    expr: root, output: graph.output, value: rootValue, upstreamGiven, nodes, gradients, chain, layers,
    at: env, sizes, graph, legend,
    node: (id) => {
      const n = byId.get(id);
      if (n === undefined) throw new UnknownError(`no node ${id}`);
      return n;
    },
  };
}

const numOne = num(1);

/** The local Jacobian of one edge, from the engine, with its value when small enough (or when needed). */
function localOf(n: SymNode, input: SymNode, vals: Env, sizes: DimSizes, needed: boolean): Local {
  const d = localDerivative(n, input);
  const dims = d.shape.map((x) => resolveDim(x, sizes));
  const size = sizeOf(dims);
  let value: Tensor | null = null;
  if (size <= LOCAL_VALUE_LIMIT || (needed && size <= HARD_LIMIT)) {
    value = d.kind === 'differential'
      ? differentialValue(d.symbolic.differential, d.directions[0]!, input, vals, sizes, dims)
      : reshape(evaluator(d.expr)(vals, sizes), dims);
  } else if (needed) {
    throw new LimitError(`the local Jacobian ∂${n.id}/∂${input.id} has ${size} entries; the limit is ${HARD_LIMIT}: use smaller sizes`);
  }
  // softmax reads best in its own output: diag(s) - s*s'.
  const expr = n.op === 'softmax' ? substitute(d.expr, new Map([[n.formula, n.placeholder]])) : d.expr;
  return { kind: d.kind, expr, value };
}

/** A differential's value read off at every basis direction: dims(node) + dims(input). */
function differentialValue(dn: Expr, dv: Var, input: SymNode, vals: Env, sizes: DimSizes, dims: readonly number[]): Tensor {
  const run = evaluator(dn);
  const inDims = tensorDims(input.placeholder.shape).map((x) => resolveDim(x, sizes));
  const n = sizeOf(inDims), m = sizeOf(dims) / n;
  const out = tensor(dims);
  const env = new Map(vals);
  for (let j = 0; j < n; j++) {
    const basis = tensor(inDims);
    basis.data[j] = 1;
    env.set(dv.name, basis);
    const col = run(env, sizes);
    for (let i = 0; i < m; i++) out.data[i * n + j] = col.data[i]!;
  }
  return out;
}

/** Gᵀ J: contribution[j] = Σ_i G[i] J[i, j], with J in the layout dims(node) + dims(input). */
function vjpThroughJacobian(J: Tensor, G: Tensor, inDims: readonly number[]): Tensor {
  const n = sizeOf(inDims), m = G.data.length;
  const out = tensor(inDims);
  for (let i = 0; i < m; i++) {
    const g = G.data[i]!;
    if (g === 0) continue;
    for (let j = 0; j < n; j++) out.data[j]! += g * J.data[i * n + j]!;
  }
  return out;
}

function addTensors(a: Tensor, b: Tensor): Tensor {
  if (a.data.length !== b.data.length) throw new Error('internal error: upstream contributions of different sizes');
  return { dims: a.dims, data: a.data.map((v, i) => v + b.data[i]!) };
}

function layerView(g: SymGraph, spec: LayerSpec, upstream: ReadonlyMap<SymNode, Tensor>, stepOf: ((n: SymNode) => ChainStep) | null): LayerView {
  const get = (id: string, what: string): SymNode => {
    const n = g.byId.get(id);
    if (n === undefined) throw new RequestError(`${spec.name}: its ${what} ${id} is not a node of the graph`);
    return n;
  };
  const input = get(spec.input, 'input');
  const output = get(spec.output, 'output');
  const params = spec.params.map((p) => get(p, 'parameter'));
  if (stepOf === null) throw new UnsupportedError('the layer view needs an adjoint rule for every operation');
  // Named nodes strictly between the layer's input/parameters and its output, backwards.
  const sources = new Set<SymNode>([input, ...params]);
  const reaches = downstream(g, sources);
  const below = new Set<SymNode>([output]);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (below.has(n)) for (const k of n.inputs) below.add(k);
  }
  const inside = g.nodes.filter((n) => n.named && reaches.has(n) && below.has(n) && n !== output && !sources.has(n)).reverse();
  return {
    name: spec.name, input: input.id, output: output.id, params: params.map((p) => p.id),
    received: upstream.get(output)!,
    steps: [...inside, ...params, input].map(stepOf),
  };
}

// ---------------------------------------------------------------------------------------------
// Explanations

/** A number as explanations print it: integers exactly, others to 4 significant digits. */
export function formatValue(v: number): string {
  if (Object.is(v, -0)) return '0';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

class Explainer {
  constructor(private readonly g: SymGraph, private readonly upstream: ReadonlyMap<SymNode, Tensor>, private readonly given: boolean) {}

  private d(a: SymNode): string { return `∂${this.g.output}/∂${a.id}`; }

  /** One edge: how `to`'s upstream flows to `from`. */
  edge(to: SymNode, from: SymNode, s: Omit<EdgeStep, 'explanation'>): string {
    const head = from.consumers.length > 1 ? `${this.d(from)} (via ${to.id})` : this.d(from);
    const scalarEdge = to.expr.shape.kind === 'scalar' && from.expr.shape.kind === 'scalar';
    const localText = s.local.kind === 'differential' ? null : toText(s.local.expr);
    if (to === this.g.root && !this.given) {
      // The output's own local gradient is the answer: "df/dz can be directly calculated from f = q*z".
      const sym = localText ?? toText(s.vjp ?? s.local.expr);
      const num = scalarEdge ? formatValue(s.contribution.data[0]!) : sym;
      return `${head} = ${sym}${num === sym ? '' : ` = ${num}`}, directly from ${to.id} = ${toText(to.formula)}`;
    }
    if (scalarEdge && s.local.value !== null) {
      const G = this.upstream.get(to)!.data[0]!, l = s.local.value.data[0]!;
      return `${head} = ${this.d(to)} · ∂${to.id}/∂${from.id} = (${formatValue(G)})(${formatValue(l)}) = ${formatValue(s.contribution.data[0]!)}`;
    }
    const rule = s.vjp === null ? `${to.upstreamVar.name} through the local Jacobian` : toText(s.vjp);
    const local = localText === null ? '' : ` = ${localText}`;
    return `${head} = ${rule}  (upstream ${to.upstreamVar.name} = ${this.d(to)}, local ∂${to.id}/∂${from.id}${local})`;
  }

  /** One node: its upstream as the sum over its consumers. */
  node(n: SymNode, edgesOf: ReadonlyMap<SymNode, readonly EdgeStep[]>): string {
    const G = this.upstream.get(n)!;
    if (n === this.g.root) return this.given ? `${this.d(n)} is the given upstream gradient` : `${this.d(n)} = 1`;
    /** The edge into each consumer, in consumer order. */
    const via = n.consumers.map((c) => edgesOf.get(c)!.find((e) => e.from === n.id)!);
    if (via.length === 1) return via[0]!.explanation;
    const scalar = n.expr.shape.kind === 'scalar' && n.consumers.every((c) => c.expr.shape.kind === 'scalar');
    if (scalar && via.every((e) => e.local.value !== null && e.local.kind !== 'differential')) {
      // The path through the output itself is the output's local derivative, written as its formula:
      // writing it ∂f/∂n would make the sum circular (∂f/∂n = ∂f/∂b · ∂b/∂n + ∂f/∂n). The branches
      // are then named by their consumers first.
      let direct = false;
      const factors = n.consumers.map((c, i) => {
        const local = via[i]!.local;
        const l = `(${formatValue(local.value!.data[0]!)})`;
        if (c === this.g.root && !this.given) {
          direct = true;
          const text = toText(local.expr);
          return { sym: local.expr.kind === 'var' || local.expr.kind === 'const' ? text : `(${text})`, num: l };
        }
        return { sym: `${this.d(c)} · ∂${c.id}/∂${n.id}`, num: `(${formatValue(this.upstream.get(c)!.data[0]!)})${l}` };
      });
      const branches = direct ? `${n.consumers.map((c) => `${this.d(n)} (via ${c.id})`).join(' + ')} = ` : '';
      return `${this.d(n)} = ${branches}${factors.map((f) => f.sym).join(' + ')} = ${factors.map((f) => f.num).join(' + ')} = ${formatValue(G.data[0]!)}`;
    }
    const terms = via.map((e) => `(via ${e.to}) ${e.vjp !== null ? toText(e.vjp) : '…'}`);
    return `${this.d(n)} = ${terms.join(' + ')}: the sum over its ${n.consumers.length} consumers`;
  }
}
