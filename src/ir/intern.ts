/**
 * Hash-consing. Each node is keyed by its kind, shape and the ids of its children; the table holds
 * weak references, so nodes no longer used anywhere are collected and a long batch run does not
 * grow the table without bound.
 */
import { shapeKey } from '../shape/shape.js';
import type { Expr } from './expr.js';

const table = new Map<string, WeakRef<Expr>>();
const registry = new FinalizationRegistry<string>((key) => {
  const ref = table.get(key);
  if (ref !== undefined && ref.deref() === undefined) table.delete(key);
});
let nextId = 1;

type Unbuilt<E> = E extends Expr ? Omit<E, 'id'> : never;

function keyOf(n: Unbuilt<Expr>): string {
  const s = shapeKey(n.shape);
  switch (n.kind) {
    case 'var':
      return `var|${s}|${n.name}|${n.props.join(',')}`;
    case 'const':
      return `const|${Object.is(n.value, -0) ? 0 : n.value}`;
    case 'zero':
    case 'ones':
    case 'eye':
      return `${n.kind}|${s}`;
    case 'commutation':
      return `commutation|${n.m}|${n.n}`;
    case 'neg':
    case 'transpose':
      return `${n.kind}|${s}|${n.x.id}`;
    case 'call':
      return `call|${s}|${n.fn}|${n.args.map((a) => a.id).join(',')}`;
    default:
      return `${n.kind}|${s}|${n.a.id}|${n.b.id}`;
  }
}

/** The unique node equal to `n`. */
export function intern<E extends Expr>(n: Unbuilt<E>): E {
  const key = keyOf(n);
  const hit = table.get(key)?.deref();
  if (hit !== undefined) return hit as E;
  const node = Object.freeze({ ...n, id: nextId++ }) as unknown as E;
  table.set(key, new WeakRef(node));
  registry.register(node, key);
  return node;
}

/** Live entries in the table (for leak tests and benchmarks). */
export const internTableSize = (): number => table.size;
