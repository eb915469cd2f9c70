/**
 * The sentences of a walkthrough, as the course notes write them: for an edge, how the consuming
 * node's upstream flows back to its input (`∂f/∂x = ∂f/∂q · ∂q/∂x = (-4)(1) = -4`, or the adjoint rule
 * for tensors); for a node, its upstream as the sum over its consumers. They need every upstream, so
 * backprop() writes them after the backward pass.
 */
import { toText } from '../print/text.js';
import type { Tensor } from '../numeric/tensor.js';
import type { SymGraph, SymNode } from './symbolic.js';
import type { EdgeStep } from './walkthrough.js';

/** A number as explanations print it: integers exactly, others to 4 significant digits. */
export function formatValue(v: number): string {
  if (Object.is(v, -0)) return '0';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

export class Explainer {
  constructor(
    private readonly g: SymGraph,
    private readonly upstream: ReadonlyMap<SymNode, Tensor>,
    private readonly given: boolean,
  ) {}

  private d(a: SymNode): string {
    return `∂${this.g.output}/∂${a.id}`;
  }

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
      const G = this.upstream.get(to)!.data[0]!,
        l = s.local.value.data[0]!;
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
