/**
 * What backprop() returns, and what it is asked: the walkthrough of a computational graph — per node
 * its forward value, per edge its local Jacobian, adjoint rule and contribution, per node its
 * upstream gradient with how it accumulated — plus the named backward pass and the layer view. The
 * renderers (render.ts, html.ts, svg.ts) and the check (verify.ts) read only these types.
 */
import type { ResultKind } from '../api/derivative.js';
import type { Expr } from '../ir/expr.js';
import type { DimSizes, Env } from '../numeric/evaluate.js';
import type { Nested, Tensor } from '../numeric/tensor.js';
import type { Declarations } from '../parse/parse.js';
import type { SymGraph } from './symbolic.js';

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
