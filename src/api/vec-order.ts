/**
 * Column-major (Matrix Cookbook) results read back in the tensor layout.
 *
 * With `vec: 'cols'` every Jacobian level Rᵢ is the matrix K with vec_c(dRᵢ₋₁) = K vec_c(dX), where
 * vec_c stacks columns; gradients and scalar derivatives are the same in either order. The value of a
 * derivative keeps the tensor layout dims(f) + i·dims(X) whatever the vec (docs/conventions.md), so
 * the entries of the printed matrix are permuted back: entry (σ(ρ), τ(q)) of K is ∂Rᵢ₋₁[ρ]/∂X[q], where
 * ρ and q count Rᵢ₋₁'s and X's entries row by row, and σ, τ give their column-major positions. Level
 * by level, πᵢ(σ(ρ)·|X| + τ(q)) = πᵢ₋₁(ρ)·|X| + q maps Rᵢ's row-major entries to the tensor layout.
 */
import type { Level, SymbolicDerivative } from '../diff/derivative.js';
import type { Shape } from '../shape/shape.js';
import { type DimSizes, shapeSizes } from '../numeric/evaluate.js';
import { type Tensor, sizeOf } from '../numeric/tensor.js';

/** The column-major position of each row-major entry of a value of this shape (identity unless a matrix). */
function columnMajor(s: Shape, sizes: DimSizes): (i: number) => number {
  if (s.kind !== 'matrix') return (i) => i;
  const [r, c] = shapeSizes(s, sizes) as [number, number];
  return (i) => (i % c) * r + Math.floor(i / c);
}

/** πᵢ for levels[0..upTo]: where each row-major entry of level upTo's matrix sits in the tensor layout. */
function tensorPositions(
  sym: Pick<SymbolicDerivative, 'f' | 'wrt'>,
  levels: readonly Level[],
  sizes: DimSizes,
): Int32Array {
  const nX = sizeOf(shapeSizes(sym.wrt.shape, sizes));
  const tau = columnMajor(sym.wrt.shape, sizes);
  let prevShape = sym.f.shape;
  let pi = Int32Array.from({ length: sizeOf(shapeSizes(prevShape, sizes)) }, (_, i) => i);
  for (const level of levels) {
    if (level.kind === 'jacobian') {
      const sigma = columnMajor(prevShape, sizes);
      const next = new Int32Array(pi.length * nX);
      for (let rho = 0; rho < pi.length; rho++) {
        for (let q = 0; q < nX; q++) next[sigma(rho) * nX + tau(q)] = pi[rho]! * nX + q;
      }
      pi = next;
    } else if (level.kind === 'gradient') {
      pi = Int32Array.from({ length: nX }, (_, i) => i);
    }
    prevShape = level.expr.shape;
  }
  return pi;
}

/** The value of the last of `levels` (evaluated as printed, in column-major vec) moved to the tensor layout. */
export function colsToTensorLayout(
  t: Tensor,
  sym: Pick<SymbolicDerivative, 'f' | 'wrt'>,
  levels: readonly Level[],
  sizes: DimSizes,
): Tensor {
  const pi = tensorPositions(sym, levels, sizes);
  const data = new Float64Array(t.data.length);
  for (let j = 0; j < data.length; j++) data[pi[j]!] = t.data[j]!;
  return { dims: t.dims, data };
}
