/**
 * The typed IR: a closed discriminated union of immutable nodes, each carrying its shape.
 *
 * Nodes are hash-consed (see intern): building the same subtree twice returns the same object, so
 * structural equality is `===`, a common subexpression is one node, and memo tables keyed by node
 * (or `id`) make every tree walk linear in the size of the DAG. Nodes are created only through the
 * constructors in ir/build.ts, which check shapes.
 */
import type { Dim, Shape } from '../shape/shape.js';
import type { FnName } from './functions.js';

/** Properties a variable can be declared with; they drive sampling and simplification. */
export type Prop = 'symmetric' | 'spd' | 'invertible' | 'diagonal' | 'positive';
export const PROPS: readonly Prop[] = ['symmetric', 'spd', 'invertible', 'diagonal', 'positive'];

interface Node {
  readonly id: number;
  readonly shape: Shape;
}

export type BinaryKind = 'add' | 'mul' | 'emul' | 'ediv' | 'div' | 'pow' | 'epow';

export type Var = Node & { readonly kind: 'var'; readonly name: string; readonly props: readonly Prop[] };
export type Const = Node & { readonly kind: 'const'; readonly value: number };
export type Binary = Node & { readonly kind: BinaryKind; readonly a: Expr; readonly b: Expr };
export type Call = Node & { readonly kind: 'call'; readonly fn: FnName; readonly args: readonly Expr[] };

export type Expr =
  | Var
  | Const
  /** The zero tensor of its shape (scalar zero is const 0). */
  | (Node & { readonly kind: 'zero' })
  /** The all-ones tensor of its shape: `vector(1)`, `matrix(1)`. */
  | (Node & { readonly kind: 'ones' })
  /** The identity matrix of its (square) shape. */
  | (Node & { readonly kind: 'eye' })
  /**
   * The commutation matrix K_{m,n} (mn×mn): K vec(A) = vec(A') for every m×n A, with vec stacking
   * rows (the language's vec). A permutation, so K_{m,n}' = K_{n,m} = K_{m,n}⁻¹.
   */
  | (Node & { readonly kind: 'commutation'; readonly m: Dim; readonly n: Dim })
  | (Node & { readonly kind: 'neg'; readonly x: Expr })
  | (Node & { readonly kind: 'transpose'; readonly x: Expr })
  /**
   * add: a + b (a scalar broadcasts); mul: matrix product, or scaling when a side is scalar;
   * emul/ediv/epow: elementwise .* ./ .^; div: division by a scalar; pow: scalar power or integer
   * power of a square matrix.
   */
  | Binary
  | Call;

export type Kind = Expr['kind'];

export function assertNever(x: never): never {
  throw new Error(`internal error: unhandled case ${JSON.stringify(x)}`);
}

/** The direct children of a node, in order. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'var':
    case 'const':
    case 'zero':
    case 'ones':
    case 'eye':
    case 'commutation':
      return [];
    case 'neg':
    case 'transpose':
      return [e.x];
    case 'call':
      return e.args;
    case 'add':
    case 'mul':
    case 'emul':
    case 'ediv':
    case 'div':
    case 'pow':
    case 'epow':
      return [e.a, e.b];
    default:
      return assertNever(e);
  }
}
