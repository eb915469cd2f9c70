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
 * The walkthrough's types are walkthrough.ts; each edge's local Jacobian is local.ts; the sentences
 * are explain.ts.
 *
 * A non-scalar output has no gradient: backprop then needs the upstream gradient ∂L/∂output
 * (option `upstream`), and walks back L = ⟨upstream, output⟩; without it, a ShapeError says to wrap
 * the output in sum(...) or a loss.
 */
import { RequestError, ShapeError, UnknownError, UnsupportedError } from '../errors.js';
import { num } from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { varsOf } from '../ir/walk.js';
import { readDeclarations } from '../parse/parse.js';
import { type Values, declsFromValues, toEnv } from '../api/values.js';
import { type DimSizes, bindDims, evaluator } from '../numeric/evaluate.js';
import { type Nested, type Tensor, addTensors, fromNested, tensor } from '../numeric/tensor.js';
import { formatShape } from '../shape/shape.js';
import { Explainer } from './explain.js';
import { localOf, vjpThroughJacobian } from './local.js';
import { programOf } from './program.js';
import { type SymEdge, type SymGraph, type SymNode, buildGraph, downstream, inlineUpstreams } from './symbolic.js';
import type {
  BackpropOptions,
  ChainStep,
  EdgeStep,
  LayerSpec,
  LayerView,
  WalkNode,
  Walkthrough,
} from './walkthrough.js';

export type {
  BackpropOptions,
  ChainStep,
  EdgeStep,
  LayerSpec,
  LayerView,
  Local,
  WalkNode,
  Walkthrough,
} from './walkthrough.js';

export function backprop(expr: string | Expr, at: Values, opts: BackpropOptions = {}): Walkthrough {
  // Malformed values are reported as such before anything else is judged; then the values declare
  // the variables that opts.vars does not (the CLI passes only its --var declarations: one path).
  const env = toEnv(at);
  const program = programOf(expr, declsFromValues(env, readDeclarations(opts.vars)), {
    hasValue: (name) => env.has(name),
  });
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
  const rootValue = vals.get(graph.root.id)!;
  // 2. Backward.
  const { upstream, computed } = backward(graph, vals, sizes, rootUpstreamOf(opts.upstream, rootValue), run);
  // Explanations need every upstream, so they come last.
  const nodes = walkNodes(graph, vals, upstream, computed, upstreamGiven);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // The named backward pass and the layer view: symbolic formulas, evaluated.
  const { chain, stepOf } = namedPass(graph, upstreamGiven, run);
  const layers = (opts.layers ?? []).map((spec) => layerView(graph, spec, upstream, stepOf));
  return {
    expr: root,
    output: graph.output,
    value: rootValue,
    upstreamGiven,
    nodes,
    gradients: gradientsOf(graph, upstream, opts.wrt),
    chain,
    layers,
    at: env,
    sizes,
    graph,
    legend: legendOf(graph),
    node: (id) => {
      const n = byId.get(id);
      if (n === undefined) throw new UnknownError(`no node ${id}`);
      return n;
    },
  };
}

/** ∂L/∂output: 1 for a scalar loss, else the given upstream, which must have the output's dims. */
function rootUpstreamOf(given: Nested | undefined, rootValue: Tensor): Tensor {
  if (given === undefined) return tensor([], [1]);
  const G = fromNested(given, 'the upstream gradient');
  if (G.dims.join() !== rootValue.dims.join()) {
    throw new ShapeError(
      `the upstream gradient has dims [${G.dims.join(', ')}] but the output has dims [${rootValue.dims.join(', ')}]`,
    );
  }
  return G;
}

/**
 * The backward pass: in reverse topological order, each edge's adjoint rule evaluated with G = the
 * node's upstream (or Gᵀ J through the local Jacobian), summed into its input's upstream.
 */
function backward(
  graph: SymGraph,
  vals: Map<string, Tensor>,
  sizes: DimSizes,
  rootUpstream: Tensor,
  run: (e: Expr) => Tensor,
): { upstream: Map<SymNode, Tensor>; computed: Map<SymEdge, Omit<EdgeStep, 'explanation'>> } {
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
      const contribution =
        edge.vjp !== null ? run(edge.vjp) : vjpThroughJacobian(local.value!, G, vals.get(input.id)!.dims);
      const prev = upstream.get(input);
      upstream.set(input, prev === undefined ? contribution : addTensors(prev, contribution));
      computed.set(edge, { from: input.id, to: n.id, local, vjp: edge.vjp, contribution });
    }
  }
  return { upstream, computed };
}

/** The nodes of the walkthrough, with their edges and explanations. */
function walkNodes(
  graph: SymGraph,
  vals: ReadonlyMap<string, Tensor>,
  upstream: ReadonlyMap<SymNode, Tensor>,
  computed: ReadonlyMap<SymEdge, Omit<EdgeStep, 'explanation'>>,
  upstreamGiven: boolean,
): WalkNode[] {
  const explain = new Explainer(graph, upstream, upstreamGiven);
  const edgesOf = new Map<SymNode, EdgeStep[]>(
    graph.nodes.map((n) => [
      n,
      n.edges.map((e) => {
        const s = computed.get(e)!;
        return { ...s, explanation: explain.edge(n, e.from, s) };
      }),
    ]),
  );
  return graph.nodes.map((n) => ({
    id: n.id,
    op: n.op,
    expr: n.expr,
    formula: n.formula,
    inputs: n.inputs.map((i) => i.id),
    consumers: n.consumers.map((c) => c.id),
    depth: n.depth,
    named: n.named,
    value: vals.get(n.id)!,
    edges: edgesOf.get(n)!,
    upstream: upstream.get(n)!,
    explanation: explain.node(n, edgesOf),
  }));
}

/** ∂L/∂input for each requested input (default: every input). */
function gradientsOf(
  graph: SymGraph,
  upstream: ReadonlyMap<SymNode, Tensor>,
  wrt: readonly string[] | undefined,
): Map<string, Tensor> {
  const inputs = graph.nodes.filter((n) => n.op === 'input');
  const gradients = new Map<string, Tensor>();
  for (const name of wrt ?? inputs.map((n) => n.id)) {
    const n = graph.byId.get(name);
    if (n === undefined || n.op !== 'input') {
      throw new UnknownError(
        `the expression has no input ${name}; its inputs are ${inputs.map((x) => x.id).join(', ')}`,
      );
    }
    gradients.set(name, upstream.get(n)!);
  }
  return gradients;
}

const numOne = num(1);

/** The backward pass over the named nodes (null when an operation has no adjoint rule), and its steps for the layer view. */
function namedPass(
  graph: SymGraph,
  upstreamGiven: boolean,
  run: (e: Expr) => Tensor,
): { chain: ChainStep[] | null; stepOf: ((n: SymNode) => ChainStep) | null } {
  const rootG = upstreamGiven ? graph.root.upstreamVar : numOne;
  const named = inlineUpstreams(graph, (n) => n.named, rootG);
  if (named === null) return { chain: null, stepOf: null };
  // A softmax reads best in its own output: G_z = G_s.*s - G_s'*s*s rather than three softmax(z).
  const softmaxNames = new Map<Expr, Expr>(
    graph.nodes.filter((n) => n.op === 'softmax' && n.named).map((n) => [n.formula, n.placeholder]),
  );
  // Memoised: the layer view shows the chain's own steps again.
  const steps = new Map<SymNode, ChainStep>();
  const stepOf = (n: SymNode): ChainStep => {
    let s = steps.get(n);
    if (s === undefined) {
      const formula = substitute(named.get(n)!, softmaxNames);
      s = { id: n.id, formula, value: run(formula) };
      steps.set(n, s);
    }
    return s;
  };
  return {
    chain: [...graph.nodes]
      .reverse()
      .filter((n) => n.named && n !== graph.root)
      .map(stepOf),
    stepOf,
  };
}

/** The placeholder names a formula may contain, with what they stand for: id → node, G_id → upstream of node. */
function legendOf(graph: SymGraph): Map<string, { node: string; upstream: boolean }> {
  const legend = new Map<string, { node: string; upstream: boolean }>();
  for (const n of graph.nodes) {
    legend.set(n.placeholder.name, { node: n.id, upstream: false });
    legend.set(n.upstreamVar.name, { node: n.id, upstream: true });
  }
  return legend;
}

function layerView(
  g: SymGraph,
  spec: LayerSpec,
  upstream: ReadonlyMap<SymNode, Tensor>,
  stepOf: ((n: SymNode) => ChainStep) | null,
): LayerView {
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
  const inside = g.nodes
    .filter((n) => n.named && reaches.has(n) && below.has(n) && n !== output && !sources.has(n))
    .reverse();
  return {
    name: spec.name,
    input: input.id,
    output: output.id,
    params: params.map((p) => p.id),
    received: upstream.get(output)!,
    steps: [...inside, ...params, input].map(stepOf),
  };
}
