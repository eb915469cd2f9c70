/**
 * One edge's local Jacobian ∂node/∂input: the engine's derivative of the node's formula (its compact
 * matrix form: z, diag(step(z)), diag(s) - s*s', kron(eye(k), x')), and its value in the tensor layout
 * dims(node) + dims(input) when small enough to show, or when an operation without an adjoint rule
 * needs it (then the contribution is Gᵀ J, vjpThroughJacobian). A local derivative with no matrix form
 * is read off its differential at the basis directions.
 */
import { LimitError } from '../errors.js';
import type { Expr } from '../ir/expr.js';
import { substitute } from '../ir/substitute.js';
import { atBasisDirections } from '../numeric/basis.js';
import { type DimSizes, type Env, evaluator, resolveDim } from '../numeric/evaluate.js';
import { type Tensor, reshape, sizeOf, tensor } from '../numeric/tensor.js';
import { tensorDims } from '../shape/shape.js';
import { type SymNode, localDerivative } from './symbolic.js';
import type { Local } from './walkthrough.js';

/** Local Jacobians above this many entries are described but not evaluated. */
const LOCAL_VALUE_LIMIT = 4096;

/** Entries allowed when a VJP has to go through an evaluated local Jacobian. */
const HARD_LIMIT = 1_000_000;

/** A differential's value read off at every basis direction of the input: dims(node) + dims(input). */
function differentialValue(
  dn: Expr,
  direction: string,
  input: SymNode,
  vals: Env,
  sizes: DimSizes,
  dims: readonly number[],
): Tensor {
  const run = evaluator(dn);
  const inDims = tensorDims(input.placeholder.shape).map((x) => resolveDim(x, sizes));
  return atBasisDirections(
    (env) => run(env, sizes),
    vals,
    [direction],
    inDims,
    dims.slice(0, dims.length - inDims.length),
  );
}

/** The local Jacobian of one edge, from the engine, with its value when small enough (or when needed). */
export function localOf(n: SymNode, input: SymNode, vals: Env, sizes: DimSizes, needed: boolean): Local {
  const d = localDerivative(n, input);
  const dims = d.shape.map((x) => resolveDim(x, sizes));
  const size = sizeOf(dims);
  let value: Tensor | null = null;
  if (size <= LOCAL_VALUE_LIMIT || (needed && size <= HARD_LIMIT)) {
    value =
      d.kind === 'differential'
        ? differentialValue(d.symbolic.differential, d.directions[0]!.name, input, vals, sizes, dims)
        : reshape(evaluator(d.expr)(vals, sizes), dims);
  } else if (needed) {
    throw new LimitError(
      `the local Jacobian ∂${n.id}/∂${input.id} has ${size} entries; the limit is ${HARD_LIMIT}: use smaller sizes`,
    );
  }
  // softmax reads best in its own output: diag(s) - s*s'.
  const expr = n.op === 'softmax' ? substitute(d.expr, new Map([[n.formula, n.placeholder]])) : d.expr;
  return { kind: d.kind, expr, value };
}

/** Gᵀ J: contribution[j] = Σ_i G[i] J[i, j], with J in the layout dims(node) + dims(input). */
export function vjpThroughJacobian(J: Tensor, G: Tensor, inDims: readonly number[]): Tensor {
  const n = sizeOf(inDims),
    m = G.data.length;
  const out = tensor(inDims);
  for (let i = 0; i < m; i++) {
    const g = G.data[i]!;
    if (g === 0) continue;
    for (let j = 0; j < n; j++) out.data[j]! += g * J.data[i * n + j]!;
  }
  return out;
}
