/**
 * Walks over the IR DAG. Every walk visits each node once (nodes are shared, so a naive recursion
 * would be exponential on deep sharing) and is iterative, so deep expressions cannot overflow the
 * call stack.
 */
import { dimFactors, tensorDims } from '../shape/shape.js';
import { type Expr, type Var, children } from './expr.js';

/** Every node reachable from `e`, children before parents (a topological order of the DAG). */
export function postorder(e: Expr): Expr[] {
  const out: Expr[] = [];
  const seen = new Set<Expr>([e]);
  // Each stack entry is a node and the index of the next child to visit.
  const stack: Array<{ node: Expr; next: number }> = [{ node: e, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const kids = children(top.node);
    if (top.next < kids.length) {
      const kid = kids[top.next++]!;
      if (!seen.has(kid)) {
        seen.add(kid);
        stack.push({ node: kid, next: 0 });
      }
    } else {
      stack.pop();
      out.push(top.node);
    }
  }
  return out;
}

/** The nodes of `e` that depend on any of `leaves` (the leaves included), children before parents. */
export function dependentsOf(e: Expr, leaves: ReadonlySet<Expr>): Expr[] {
  const dep = new Set<Expr>();
  return postorder(e).filter((n) => {
    if (!leaves.has(n) && !children(n).some((k) => dep.has(k))) return false;
    dep.add(n);
    return true;
  });
}

/**
 * The variables of `e`, sorted by name (ties by node id) and deduplicated by node. Two entries
 * with one name can only come from inconsistent declarations (the same name with two shapes or
 * property sets); callers that bind values by name should treat that as an error.
 */
export function varsOf(e: Expr): Var[] {
  const vars = postorder(e).filter((n): n is Var => n.kind === 'var');
  return vars.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
}

/** The variables of several expressions, one per name (the first met), in the order met. */
export function allVarsOf(...es: Expr[]): Var[] {
  const byName = new Map<string, Var>();
  for (const e of es) for (const v of varsOf(e)) if (!byName.has(v.name)) byName.set(v.name, v);
  return [...byName.values()];
}

/** The symbolic dimension names (factors of product dims included) used anywhere in `e`, sorted. */
export function dimNamesOf(e: Expr): string[] {
  const names = new Set<string>();
  for (const node of postorder(e)) {
    for (const d of tensorDims(node.shape)) {
      for (const f of dimFactors(d)) if (typeof f === 'string') names.add(f);
    }
  }
  return [...names].sort();
}
