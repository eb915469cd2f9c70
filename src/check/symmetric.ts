/**
 * Gradients with respect to a matrix declared symmetric come in three conventions
 * (docs/conventions.md): the entrywise G (matcalc's default), the symmetric gradient (G + G')/2
 * (the gradient in the space of symmetric matrices, Srinivasan & Panda 2019) and the Matrix
 * Cookbook's G + G' − diag(diag(G)) (the derivative with respect to the distinct entries). An answer
 * in either of the last two is right up to a stated convention: the checker grades it `transposed`
 * and names the convention. Decided numerically, from the expected values at the question's points
 * (where the matrix is sampled symmetric, as declared).
 */
import type { Var } from '../ir/expr.js';
import type { Tensor } from '../numeric/tensor.js';

export type SymmetricConvention = 'symmetric' | 'cookbook';

export interface ConventionMatch {
  readonly convention: SymmetricConvention;
  readonly explanation: string;
}

/** The expected gradient G at one point, and the answer's value there. */
export interface GradientPair {
  readonly expected: Tensor;
  readonly answer: ArrayLike<number>;
}

/** G in the given convention, from its entrywise value (n×n, row-major). */
function inConvention(c: SymmetricConvention, g: Tensor): Float64Array {
  const n = g.dims[0]!;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const sum = g.data[i * n + j]! + g.data[j * n + i]!;
      out[i * n + j] = c === 'symmetric' ? sum / 2 : i === j ? sum - g.data[i * n + i]! : sum;
    }
  }
  return out;
}

/**
 * The convention the answer follows, when it is not the entrywise gradient but one of the other two;
 * undefined when the question is not a gradient with respect to a matrix declared symmetric.
 */
export function symmetricConvention(
  wrt: Var,
  expectedText: string,
  pairs: readonly GradientPair[],
  near: (a: ArrayLike<number>, e: ArrayLike<number>) => boolean,
): ConventionMatch | undefined {
  if (wrt.shape.kind !== 'matrix' || !wrt.props.includes('symmetric') || pairs.length === 0) return undefined;
  if (
    !pairs.every(
      (p) =>
        p.expected.dims.length === 2 &&
        p.expected.dims[0] === p.expected.dims[1] &&
        p.answer.length === p.expected.data.length,
    )
  )
    return undefined;
  const S = wrt.name;
  const matches = (c: SymmetricConvention): boolean => pairs.every((p) => near(p.answer, inConvention(c, p.expected)));
  if (matches('symmetric')) {
    return {
      convention: 'symmetric',
      // Joined at run time: esbuild would fold a `+` of literals into one line of the shipped library.
      explanation: [
        `right in another convention: the answer is the symmetric gradient (G + G')/2 of the entrywise gradient G = ${expectedText}, `,
        `the gradient in the space of symmetric matrices (Srinivasan & Panda 2019), for which df = <(G + G')/2, d${S}> holds for symmetric d${S}; `,
        `matcalc's default is the entrywise G, each entry of ${S} a free variable, for which df = tr(G'*d${S}) holds for every d${S} (matcalc diff --symmetric-gradient gives the answer's convention)`,
      ].join(''),
    };
  }
  if (matches('cookbook')) {
    return {
      convention: 'cookbook',
      explanation: [
        `right in another convention: the answer is the Matrix Cookbook's G + G' - diag(diag(G)) for the entrywise gradient G = ${expectedText}, `,
        `the derivative with respect to the n(n+1)/2 distinct entries of the symmetric ${S}; it is neither the entrywise gradient (matcalc's default, each entry of ${S} free) `,
        `nor the gradient in the space of symmetric matrices, (G + G')/2, whose off-diagonal entries it doubles (Srinivasan & Panda 2019 argue that (G + G')/2 is the gradient)`,
      ].join(''),
    };
  }
  return undefined;
}
