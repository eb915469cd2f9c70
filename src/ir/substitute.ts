/**
 * Substitution on the IR: replace given nodes (usually placeholder variables) by expressions,
 * rebuilding every node above them through the checked constructors. One pass over the DAG in
 * postorder, so shared subexpressions are rebuilt once and the result stays shared.
 */
import { rebuild } from './build.js';
import { type Expr, children } from './expr.js';
import { postorder } from './walk.js';

export function substitute(e: Expr, map: ReadonlyMap<Expr, Expr>): Expr {
  if (map.size === 0) return e;
  const out = new Map<Expr, Expr>();
  for (const node of postorder(e)) {
    const hit = map.get(node);
    if (hit !== undefined) {
      out.set(node, hit);
      continue;
    }
    const kids = children(node);
    out.set(
      node,
      kids.length === 0
        ? node
        : rebuild(
            node,
            kids.map((k) => out.get(k)!),
          ),
    );
  }
  return out.get(e)!;
}
