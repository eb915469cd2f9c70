/**
 * Size of an expression as a reader sees it: the operation count used by the catalogue's
 * "at most 1.2 × the textbook answer" criterion (issue 4) and by the benchmarks.
 *
 * opCount(e) is the number of operations in the printed text of e (print/text.ts), that is the
 * number of non-leaf nodes of the printed *tree*:
 *   - leaves cost 0: variables, numbers (a negative number such as -2 is one leaf), and the
 *     constants vector(0), vector(1), matrix(0), matrix(1), eye(n);
 *   - every other node costs 1: each binary operator (+ * / .* ./ ^ .^), each unary minus, each
 *     transpose mark ', each function call (tr(…), inv(…), kron(…, …) …);
 *   - a subtraction a - b costs 1 (it is printed as one operator, although the IR holds it as
 *     a + (-b));
 *   - a subtree shared in the DAG costs again every time it appears in the text: sharing is an
 *     implementation detail, the reader sees the repetition.
 * The count is computed over the DAG with a memo, so it takes time linear in the DAG even when the
 * printed text is exponentially long; the result may then exceed 2^53 and lose precision, which no
 * caller minds.
 */
import { type Expr, children } from '../ir/expr.js';
import { postorder } from '../ir/walk.js';

export function opCount(e: Expr): number {
  const memo = new Map<Expr, number>();
  // postorder: every child is counted before its parents, without recursion.
  for (const node of postorder(e))
    memo.set(
      node,
      countNode(node, (k) => memo.get(k)!),
    );
  return memo.get(e)!;
}

function countNode(e: Expr, count: (k: Expr) => number): number {
  switch (e.kind) {
    case 'var':
    case 'const':
    case 'zero':
    case 'ones':
    case 'eye':
    case 'commutation':
      return 0;
    case 'add':
      // a - b: one operator; the negation of b is absorbed into the minus sign.
      if (e.b.kind === 'neg') return 1 + count(e.a) + count(e.b.x);
      return 1 + count(e.a) + count(e.b);
    default:
      return children(e).reduce((acc, k) => acc + count(k), 1);
  }
}
