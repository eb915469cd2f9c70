/**
 * Pattern matching of rewrite rules (Surface patterns from rules/simplify) against IR.
 * See rules/simplify/algebra.ts for what each wildcard letter matches. A fill pattern matches its
 * own kind of tensor only: vector(1) a column or row of ones, matrix(1) a matrix of ones.
 */
import * as b from '../ir/build.js';
import type { Expr } from '../ir/expr.js';
import type { Dim } from '../shape/shape.js';
import type { Surface } from '../parse/surface.js';

export type Bindings = Map<string, Expr>;

/**
 * A size wildcard (the m, n of commutation(m, n)) is bound to eye(m), which carries the dimension and
 * is hash-consed, so a repeated name matches the same dimension; a number matches itself.
 */
function matchDim(p: Surface, d: Dim, bind: Bindings): boolean {
  if (p.t === 'num') return d === p.value;
  if (p.t !== 'name') return false;
  const carrier = b.eye(d);
  const bound = bind.get(p.name);
  if (bound !== undefined) return bound === carrier;
  bind.set(p.name, carrier);
  return true;
}

/** The dimension a size wildcard was bound to by matchDim. */
export const boundDim = (carrier: Expr): Dim => (carrier.shape as { n: Dim }).n;

function wildcardAccepts(name: string, e: Expr): boolean {
  const c = name[0]!;
  if (c >= 'A' && c <= 'Z') return e.shape.kind !== 'scalar';
  if (c === 's' || c === 't') return e.shape.kind === 'scalar';
  if (c === 'c' || c === 'k') return e.kind === 'const';
  return true;
}

const BINARY_KIND = {
  add: 'add',
  mul: 'mul',
  div: 'div',
  emul: 'emul',
  ediv: 'ediv',
  pow: 'pow',
  epow: 'epow',
} as const;

const isFill = (p: Surface): boolean => p.t === 'call' && (p.fn === 'vector' || p.fn === 'matrix');

export function match(p: Surface, e: Expr, bind: Bindings): boolean {
  switch (p.t) {
    case 'num':
      return e.kind === 'const' && e.value === p.value;
    case 'name': {
      if (p.name === 'eye') return e.kind === 'eye';
      const bound = bind.get(p.name);
      if (bound !== undefined) return bound === e;
      if (!wildcardAccepts(p.name, e)) return false;
      bind.set(p.name, e);
      return true;
    }
    case 'call':
      if (p.fn === 'commutation')
        return e.kind === 'commutation' && matchDim(p.args[0]!, e.m, bind) && matchDim(p.args[1]!, e.n, bind);
      if (p.fn === 'vector' || p.fn === 'matrix') {
        // vector(c) is a column or row of c's (of any length), matrix(c) a matrix of them.
        const v = (p.args[0] as { value: number }).value;
        const kindOk =
          p.fn === 'matrix' ? e.shape.kind === 'matrix' : e.shape.kind === 'vector' || e.shape.kind === 'row';
        return kindOk && (v === 0 ? e.kind === 'zero' : v === 1 ? e.kind === 'ones' : false);
      }
      return (
        e.kind === 'call' &&
        e.fn === p.fn &&
        e.args.length === p.args.length &&
        p.args.every((a, i) => match(a, e.args[i]!, bind))
      );
    case 'op':
      switch (p.op) {
        case 'neg':
          return e.kind === 'neg' && match(p.args[0]!, e.x, bind);
        // vector(1)' is a row of ones: the constructors fold the transpose into the constant.
        case 'transpose':
          return e.kind === 'transpose'
            ? match(p.args[0]!, e.x, bind)
            : isFill(p.args[0]!) && match(p.args[0]!, e, bind);
        case 'sub':
          return (
            e.kind === 'add' && e.b.kind === 'neg' && match(p.args[0]!, e.a, bind) && match(p.args[1]!, e.b.x, bind)
          );
        case 'gt':
          return false;
        default: {
          const kind = BINARY_KIND[p.op];
          return e.kind === kind && match(p.args[0]!, e.a, bind) && match(p.args[1]!, e.b, bind);
        }
      }
  }
}
