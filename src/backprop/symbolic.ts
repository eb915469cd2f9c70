/**
 * The computational graph of an expression, symbolically: one node per IR operation (hash-consed
 * nodes are shared, so a common subexpression is one node with several consumers), each with
 *
 *   - a placeholder variable named by its id, standing for its value in formulas;
 *   - its formula: the operation applied to its inputs' placeholders (q*z, W1*x, sigmoid(z1));
 *   - per input, the vector–Jacobian product (adjoint rule) of the operation: the contribution of
 *     the node's upstream gradient G = ∂L/∂node to ∂L/∂input, e.g. Y = A*X gives A'*G, Y = X*B gives
 *     G*B', an elementwise f gives G .* f'(Z). It is computed by the engine, not tabulated: the
 *     differential of the formula (diff/differential.ts) paired with G is brought to the form
 *     ⟨G_in, d input⟩ by gradientOf (diff/linear.ts), then simplified.
 *
 * Constants (numbers, ones, eye, and any subtree without variables) are not nodes: they stay literal
 * inside formulas. The scalar parameter of leaky_relu/elu must be such a constant.
 *
 * Reverse accumulation (upstream = sum over consumers of their VJPs) is done by the callers:
 * numerically in graph.ts, symbolically in inlineUpstreams below (used by the named chain of
 * backprop and by the chain-rule route of steps/steps.ts).
 */
import { UnsupportedError } from '../errors.js';
import * as b from '../ir/build.js';
import { type Expr, type Var, children } from '../ir/expr.js';
import { FUNCTIONS } from '../ir/functions.js';
import { postorder, varsOf } from '../ir/walk.js';
import { differential } from '../diff/differential.js';
import { gradientOf, inner } from '../diff/linear.js';
import { simplify } from '../simplify/simplify.js';
import { type Derivative, derivative } from '../api/derivative.js';
import { substitute } from '../ir/substitute.js';

export interface SymNode {
  readonly id: string;
  readonly expr: Expr;
  /** 'input' for a variable, the IR kind for an operator (add, mul, emul, …), the function name for a call. */
  readonly op: string;
  /** A variable, a node named by the program, or the output. */
  readonly named: boolean;
  /** Stands for the node's value in formulas (the variable itself for an input). */
  readonly placeholder: Var;
  /** Stands for the node's upstream gradient ∂L/∂node, named G_<id>. */
  readonly upstreamVar: Var;
  /** The operation over its inputs' placeholders (the variable itself for an input). */
  readonly formula: Expr;
  /** Distinct non-constant children, in argument order. */
  readonly inputs: readonly SymNode[];
  /** One edge per input. */
  readonly edges: readonly SymEdge[];
  /** Nodes that use this one, in topological order. */
  readonly consumers: readonly SymNode[];
  /** 0 for inputs, else 1 + the largest depth of an input. */
  readonly depth: number;
}

export interface SymEdge {
  /** The input. */
  readonly from: SymNode;
  /** The consuming node. */
  readonly to: SymNode;
  /** The input's share of ∂L/∂input: a formula in to.upstreamVar and to's inputs' placeholders; null when the engine has no adjoint for the operation. */
  readonly vjp: Expr | null;
}

export interface SymGraph {
  readonly root: SymNode;
  /** Topological order: inputs before the nodes that use them. */
  readonly nodes: readonly SymNode[];
  readonly byId: ReadonlyMap<string, SymNode>;
  readonly byExpr: ReadonlyMap<Expr, SymNode>;
  /** The output's name (f by default). */
  readonly output: string;
}

export interface GraphOptions {
  /** Names for nodes (from a program's `name = …` steps). */
  readonly names?: ReadonlyMap<Expr, string>;
  /** The output's name, unless the program or a variable names it. */
  readonly output?: string;
}

/** Whether each node of e is constant (has no variable below it). */
function constantNodes(e: Expr): Set<Expr> {
  const out = new Set<Expr>();
  for (const n of postorder(e)) {
    if (n.kind === 'var') continue;
    if (children(n).every((k) => out.has(k))) out.add(n);
  }
  return out;
}

/** A name allocator that avoids every name already taken. */
export class Names {
  private readonly taken: Set<string>;
  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }
  has(name: string): boolean {
    return this.taken.has(name);
  }
  take(name: string): string {
    this.taken.add(name);
    return name;
  }
  /** base, or base with a suffix, whichever is free. */
  fresh(base: string, numbered = false): string {
    if (!numbered && !this.taken.has(base)) return this.take(base);
    for (let i = numbered ? 1 : 2; ; i++) {
      const name = numbered ? `${base}${i}` : `${base}_${i}`;
      if (!this.taken.has(name)) return this.take(name);
    }
  }
}

function opOf(e: Expr): string {
  if (e.kind === 'var') return 'input';
  if (e.kind === 'call') return e.fn;
  return e.kind;
}

export function buildGraph(root: Expr, opts: GraphOptions = {}): SymGraph {
  const consts = constantNodes(root);
  if (consts.has(root))
    throw new UnsupportedError('the expression has no variables, so there is nothing to differentiate');
  const order = postorder(root).filter((n) => !consts.has(n));
  const programNames = opts.names ?? new Map<Expr, string>();
  const names = new Names([...varsOf(root).map((v) => v.name), ...programNames.values()]);
  let output = root.kind === 'var' ? root.name : programNames.get(root);
  if (output === undefined) {
    output = opts.output ?? 'f';
    if (names.has(output)) output = names.fresh(opts.output === undefined ? 'L' : output);
    else names.take(output);
  }
  // Ids: variables and named nodes keep their names; the others are v1, v2, … in topological order.
  const ids = new Map<Expr, string>();
  for (const n of order) {
    if (n.kind === 'var') ids.set(n, n.name);
    else if (n === root) ids.set(n, output);
    else ids.set(n, programNames.get(n) ?? names.fresh('v', true));
  }
  const direction = names.fresh('dv');
  const byExpr = new Map<Expr, SymNode>();
  const nodes: SymNode[] = [];
  for (const n of order) {
    const id = ids.get(n)!;
    const kids = children(n);
    if (n.kind === 'call' && kids.slice(1).some((k) => !consts.has(k)) && FUNCTIONS[n.fn].params.length > 0) {
      throw new UnsupportedError(`the parameter of ${n.fn} must be a number, not an expression of the variables`);
    }
    const inputs = [...new Set(kids.filter((k) => !consts.has(k)))].map((k) => byExpr.get(k)!);
    const placeholder = n.kind === 'var' ? n : b.variable(id, n.shape);
    const formula =
      n.kind === 'var'
        ? n
        : b.rebuild(
            n,
            kids.map((k) => (consts.has(k) ? k : byExpr.get(k)!.placeholder)),
          );
    const upstreamVar = b.variable(names.fresh(`G_${id}`), n.shape);
    const edges: SymEdge[] = [];
    const node: SymNode = {
      id,
      expr: n,
      op: opOf(n),
      named: n.kind === 'var' || n === root || programNames.has(n),
      placeholder,
      upstreamVar,
      formula,
      inputs,
      edges,
      consumers: [],
      depth: inputs.length === 0 ? 0 : 1 + Math.max(...inputs.map((i) => i.depth)),
    };
    for (const input of inputs) {
      edges.push({ from: input, to: node, vjp: edgeVjp(node, input, direction) });
      (input.consumers as SymNode[]).push(node);
    }
    byExpr.set(n, node);
    nodes.push(node);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { root: byExpr.get(root)!, nodes, byId, byExpr, output };
}

/**
 * Memo of derivations keyed by node ids (never reused, so a key cannot alias): the same layer in
 * networks of different depths has the same formula over the same placeholders, and is derived once.
 */
class DerivationCache<T> {
  private readonly table = new Map<string, T>();
  constructor(private readonly limit = 20_000) {}
  get(key: string, make: () => T): T {
    let hit = this.table.get(key);
    if (hit === undefined && !this.table.has(key)) {
      hit = make();
      if (this.table.size >= this.limit) this.table.clear();
      this.table.set(key, hit);
    }
    return hit as T;
  }
}

const vjpCache = new DerivationCache<Expr | null>();
const localCache = new DerivationCache<Derivative>();

/** The local derivative ∂node/∂input: the engine's derivative of the node's formula in the input's placeholder. */
export function localDerivative(node: SymNode, input: SymNode): Derivative {
  return localCache.get(`${node.formula.id}|${input.placeholder.id}`, () =>
    derivative(node.formula, input.placeholder.name),
  );
}

/** The adjoint rule of one edge: ∂L/∂input's share, from G = ∂L/∂node, by the engine (null if it has none). */
function edgeVjp(node: SymNode, input: SymNode, directionName: string): Expr | null {
  const dv = b.variable(directionName, input.placeholder.shape);
  return vjpCache.get(`${node.formula.id}|${input.placeholder.id}|${node.upstreamVar.id}|${dv.id}`, () => {
    try {
      const L = inner(node.upstreamVar, differential(node.formula, input.placeholder, dv));
      return simplify(gradientOf(simplify(L), dv));
    } catch (err) {
      if (err instanceof UnsupportedError) return null;
      throw err;
    }
  });
}

/** The nodes computed from `sources` (the sources included), in a set. */
export function downstream(g: SymGraph, sources: Iterable<SymNode>): Set<SymNode> {
  const out = new Set<SymNode>(sources);
  for (const n of g.nodes) if (n.inputs.some((i) => out.has(i))) out.add(n);
  return out;
}

/**
 * Σ over n's consumers c of vjp(c → n), unsimplified, with each consumer's G_c replaced by gOf(c)
 * and, when `fwd` is given, each input placeholder by its entry there. Null when an edge has no
 * adjoint rule or n has no consumers (the output).
 */
export function consumerSum(n: SymNode, gOf: (c: SymNode) => Expr, fwd?: ReadonlyMap<SymNode, Expr>): Expr | null {
  let acc: Expr | undefined;
  for (const c of n.consumers) {
    const vjp = c.edges.find((e) => e.from === n)!.vjp;
    if (vjp === null) return null;
    const map = new Map<Expr, Expr>();
    if (gOf(c) !== c.upstreamVar) map.set(c.upstreamVar, gOf(c));
    if (fwd !== undefined) {
      for (const i of c.inputs) {
        const v = fwd.get(i)!;
        if (v !== i.placeholder) map.set(i.placeholder, v);
      }
    }
    const term = substitute(vjp, map);
    acc = acc === undefined ? term : b.add(acc, term);
  }
  return acc ?? null;
}

/**
 * Upstream gradients as formulas, by reverse accumulation over the graph: for every node,
 * ∂L/∂node = Σ over its consumers c of vjp(c → node), with G_c the consumer's upstream.
 *
 * `keep` chooses the nodes that stay named: a kept consumer contributes through its placeholder G_c,
 * a kept input appears as its placeholder; every other node is inlined (its upstream formula for G_c,
 * its forward formula for its value). keep = named nodes gives the textbook chain
 * (G_z1 = G_h1 .* sigmoid(z1).*(1 - sigmoid(z1)), G_W1 = G_z1*x'); keep = nothing gives each
 * upstream as an expression of the variables alone. `rootUpstream` is 1 for a scalar loss.
 * Returns null when an edge has no adjoint rule. Results are simplified.
 */
export function inlineUpstreams(
  g: SymGraph,
  keep: (n: SymNode) => boolean,
  rootUpstream: Expr,
): Map<SymNode, Expr> | null {
  if (g.nodes.some((n) => n.edges.some((e) => e.vjp === null))) return null;
  const fwd = new Map<SymNode, Expr>();
  for (const n of g.nodes) {
    if (n.op === 'input' || keep(n)) {
      fwd.set(n, n.placeholder);
      continue;
    }
    const map = new Map<Expr, Expr>(n.inputs.map((i) => [i.placeholder, fwd.get(i)!]));
    fwd.set(n, substitute(n.formula, map));
  }
  const up = new Map<SymNode, Expr>();
  /** What a consumer's G stands for in its edges' VJPs. */
  const gOf = (n: SymNode): Expr => (n === g.root ? rootUpstream : keep(n) ? n.upstreamVar : up.get(n)!);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    up.set(n, n === g.root ? rootUpstream : simplify(consumerSum(n, gOf, fwd)!));
  }
  return up;
}
