/**
 * The chain-rule route (backpropagation, scalar f only): the forward definitions of the
 * computational graph (backprop/symbolic.ts), then for every node from the output back to the
 * variable its upstream gradient as the sum over consumers of upstream × local (a vector–Jacobian
 * product), ending in the gradient. Names given with `q = x + y; f = q*z` label the nodes.
 */
import { UnsupportedError } from '../errors.js';
import * as b from '../ir/build.js';
import type { Expr, Var } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { latexName, toLatex } from '../print/latex.js';
import { toText } from '../print/text.js';
import { simplify } from '../simplify/simplify.js';
import { texBranch, texChainTerm, texDirectTerm, texPartial, texWith, upstreamTex } from '../backprop/render.js';
import {
  type SymGraph,
  type SymNode,
  buildGraph,
  consumerSum,
  downstream,
  inlineUpstreams,
  localDerivative,
} from '../backprop/symbolic.js';
import { type Step, programLine } from './claims.js';

export function chainSteps(f: Expr, X: Var, name: string, names: ReadonlyMap<Expr, string>): Step[] {
  const g = buildGraph(f, { names, output: name });
  const out = g.output;
  const xNode = g.byExpr.get(X)!;
  const relevant = downstream(g, [xNode]);
  const one = b.num(1);
  const expanded = inlineUpstreams(g, () => false, one);
  if (expanded === null)
    throw new UnsupportedError(
      'an operation on the way from the variable to the output has no adjoint rule; use the differential route',
    );
  const tex = upstreamTex(g);
  const T = (e: Expr): string => texWith(e, tex);
  const steps: Step[] = [];
  // Every definition, not only those on the way from the variable: they are read by the others.
  const defs = g.nodes.filter((n) => n.op !== 'input');
  steps.push({
    title: 'forward pass',
    rule: 'the computational graph: one node per operation',
    latex: `\\begin{aligned} ${defs.map((n) => `${latexName(n.id)} &= ${toLatex(n.formula)}`).join(' \\\\ ')} \\end{aligned}`,
    text: defs.map((n) => `${n.id} = ${toText(n.formula)}`).join('; '),
    claim: { kind: 'value', expr: substituteAll(g, g.root.formula), of: f },
  });
  for (const n of [...g.nodes].reverse()) {
    if (n === g.root || !relevant.has(n)) continue;
    // Upstream × local summed over the consumers, each consumer's upstream left as its placeholder.
    const formula = simplify(consumerSum(n, (c) => (c === g.root ? one : c.upstreamVar))!);
    // Through the output itself a path is the output's local derivative, and the branches are named
    // first: ∂f/∂a written inside its own sum would be circular.
    const directTerm = (c: SymNode): string | undefined => {
      if (c !== g.root) return undefined;
      const d = localDerivative(c, n);
      return d.kind === 'differential' ? texBranch(out, n.id, c.id) : texDirectTerm(d.expr, tex);
    };
    const products = n.consumers.map((c) => texChainTerm(out, c.id, n.id, directTerm(c))).join(' + ');
    const paths =
      n.consumers.length > 1 && n.consumers.includes(g.root)
        ? `${n.consumers.map((c) => texBranch(out, n.id, c.id)).join(' + ')} = ${products}`
        : products;
    const direct = n.consumers.length === 1 && n.consumers[0] === g.root;
    const head = texPartial(out, n.id);
    const isX = n === xNode;
    const vectorial = n.expr.shape.kind !== 'scalar' || n.consumers.some((c) => c.expr.shape.kind !== 'scalar');
    steps.push({
      title: isX ? 'gradient (upstream × local)' : 'upstream × local',
      rule: direct
        ? `${out} = ${toText(g.root.formula)} gives ∂${out}/∂${n.id} directly`
        : `${n.consumers.map((c) => `upstream ∂${out}/∂${c.id} times local ∂${c.id}/∂${n.id} = ${localText(c, n)}`).join(', plus ')}${vectorial ? ' (a vector–Jacobian product)' : ''}`,
      latex: direct ? `${head} = ${T(formula)}` : `${head} = ${paths} = ${T(formula)}`,
      text: `∂${out}/∂${n.id} = ${toText(formula)}`,
      claim: isX
        ? { kind: 'derivative', expr: expanded.get(n)!, of: f, wrt: X }
        : { kind: 'adjoint', expr: expanded.get(n)!, of: f, node: n.expr },
    });
  }
  const result = expanded.get(xNode)!;
  steps.push({
    title: 'gradient',
    rule: "the upstream of the variable, with every node written out in the program's names",
    ...programLine(`∂${out}/∂${X.name}`, texPartial(out, X.name), result, names),
    claim: { kind: 'derivative', expr: result, of: f, wrt: X },
  });
  return steps;
}

/** The local derivative ∂c/∂n of a consumer's formula, in its compact form. */
function localText(c: SymNode, n: SymNode): string {
  const d = localDerivative(c, n);
  return d.kind === 'differential' ? `(differential) ${toText(d.expr)}` : toText(d.expr);
}

/** A node's formula with every placeholder replaced by its node: the expression itself. */
function substituteAll(g: SymGraph, e: Expr): Expr {
  return substitute(e, new Map(g.nodes.filter((n) => n.op !== 'input').map((n) => [n.placeholder as Expr, n.expr])));
}
