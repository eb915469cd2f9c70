/**
 * Rewrite rules, written in the input syntax as 'pattern -> replacement' (mathjs's style), parsed
 * when first used. Pattern names are wildcards and their first letter says what they match:
 *
 *   A–Z  any non-scalar expression     s, t  any scalar expression
 *   c, k a numeric constant            u, v, w  anything at all
 *
 * A repeated name must match the same subexpression; `eye` matches an identity of any size,
 * `vector(1)` (`vector(0)`) a column or row of ones (zeros) of any length, `matrix(1)` (`matrix(0)`)
 * a matrix of ones (zeros) of any size. A pattern whose root is a product (* or .*) also matches
 * the last two factors of a longer chain (products are associative): 'A*inv(A) -> eyeLike(A)'
 * rewrites u*B*inv(B) to u.
 *
 * `commutation(m, n)` matches a commutation matrix, binding its sizes m, n (a repeated size must be
 * the same dimension); a replacement may name them in `eye(m*n)` and `commutation(n, m)`.
 *
 * In a replacement, `onesLike(A)` is the all-ones tensor of A's shape and `eyeLike(A)` the identity
 * of A's (square) size. `if` lists conditions on the bindings, all of which must hold
 * (src/simplify/predicates.ts).
 *
 * Products never commute here: no rule swaps two non-scalar factors. Scalar coefficients,
 * cancellation (s/s), signs, like terms, common factors and elementwise expansion are not rules but
 * the coded passes of src/simplify/ (products.ts, sums.ts, elementwise.ts), because they act on
 * whole products and sums at once; transposes are pulled back out by present.ts.
 *
 * Every row is checked numerically by test/simplify/rules.test.ts, on instances built from its
 * pattern.
 */
export type Condition =
  | `symmetric(${string})` | `vector(${string})` | `matrix(${string})` | `square(${string})`
  | `integer(${string})`;

export interface RewriteRule {
  readonly rule: string;
  readonly if?: readonly Condition[];
  readonly why: string;
}

/** Transposes move inwards to the leaves (the presentation pass pulls them back out where that is shorter). */
export const transposeRules: readonly RewriteRule[] = [
  { rule: "(A*B)' -> B'*A'", why: 'transpose of a product reverses it' },
  { rule: "(s*A)' -> s*A'", why: 'scalars pass through' },
  { rule: "(A/s)' -> A'/s", why: 'scalars pass through' },
  { rule: "(A + B)' -> A' + B'", why: 'linearity' },
  { rule: "(-A)' -> -A'", why: 'linearity' },
  { rule: "(A.*B)' -> A'.*B'", why: 'elementwise products transpose entrywise' },
  { rule: "(A./B)' -> A'./B'", why: 'elementwise quotients transpose entrywise' },
  { rule: "(A^c)' -> A'^c", why: "(Xᵏ)' = (X')ᵏ" },
  { rule: "A' -> A", if: ['symmetric(A)'], why: 'declared or provably symmetric' },
  { rule: "inv(A') -> inv(A)'", why: "X⁻ᵀ is written inv(X)', as the Cookbook does" },
  { rule: "tr(A') -> tr(A)", why: "tr(X') = tr(X)" },
  { rule: "sum(A') -> sum(A)", why: 'the same entries' },
  { rule: "norm1(A') -> norm1(A)", why: 'the same entries' },
  { rule: "norm2(A') -> norm2(A)", why: 'the same entries' },
];

/**
 * Elementwise products and quotients. (Scalars and signs leave them by a coded step of the
 * elementwise pass, since they may sit anywhere in an operand's chain.)
 */
export const elementwiseRules: readonly RewriteRule[] = [
  { rule: '-(c./A) -> (-c)./A', why: 'a signed numerator prints as one number: -1./x' },
  { rule: 'c*(k./A) -> (c*k)./A', why: 'one numerator: 2./x' },
  { rule: 'A.*(1./A) -> onesLike(A)', why: 'x ∘ (1 ⊘ x) = 1 wherever 1 ⊘ x is defined' },
  { rule: '(1./A).*A -> onesLike(A)', why: '(1 ⊘ x) ∘ x = 1 wherever 1 ⊘ x is defined' },
  { rule: 'A./A -> onesLike(A)', why: 'x ⊘ x = 1 wherever it is defined' },
  { rule: 'vector(1)./A -> 1./A', why: 'the scalar 1 broadcasts' },
  { rule: '(A.*B)./B -> A', why: 'cancellation, wherever ⊘ B is defined' },
  { rule: '(B.*A)./B -> A', why: 'cancellation, wherever ⊘ B is defined' },
  { rule: "(A'./B')*B -> sum(A)", if: ['vector(A)'], why: '(t ⊘ s)ᵀ s = Σ tᵢ (softmax cross-entropy with a general t)' },
];

export const reductionRules: readonly RewriteRule[] = [
  { rule: 'tr(s) -> s', why: 'the trace of a 1×1 is the number' },
  { rule: 'sum(s) -> s', why: 'the sum of a 1×1 is the number' },
  { rule: 'det(s) -> s', why: 'the determinant of a 1×1 is the number' },
  { rule: 'inv(s) -> 1/s', why: 'the inverse of a 1×1' },
  { rule: 'vec(u) -> u', if: ['vector(u)'], why: 'a vector is its own vec' },
  { rule: "sum(u.*v) -> u'*v", if: ['vector(u)'], why: 'inner product of vectors' },
  { rule: "sum(A.*B) -> tr(A'*B)", if: ['matrix(A)'], why: 'Frobenius inner product' },
  { rule: "vector(1)'*diag(u) -> u'", if: ['vector(u)'], why: "1'diag(u) = u'" },
  { rule: 'diag(u)*v -> u.*v', if: ['vector(u)', 'vector(v)'], why: 'diag(u)v = u ∘ v' },
  { rule: "v'*diag(u) -> (u.*v)'", if: ['vector(u)', 'vector(v)'], why: "v'diag(u) = (u ∘ v)'" },
  { rule: 'A*inv(A) -> eyeLike(A)', why: 'X X⁻¹ = I' },
  { rule: 'inv(A)*A -> eyeLike(A)', why: 'X⁻¹ X = I' },
  { rule: 'inv(inv(A)) -> A', why: 'involution' },
  { rule: 'A*A -> A^2', why: 'powers of a square matrix' },
  { rule: 'A^c*A -> A^(c + 1)', if: ['integer(c)'], why: 'XᵏX = Xᵏ⁺¹' },
  { rule: 'A*A^c -> A^(c + 1)', if: ['integer(c)'], why: 'XXᵏ = Xᵏ⁺¹' },
  { rule: 'A^c*A^k -> A^(c + k)', if: ['integer(c)', 'integer(k)'], why: 'XᵃXᵇ = Xᵃ⁺ᵇ' },
  { rule: 'log(exp(u)) -> u', why: 'inverse functions' },
  { rule: 'exp(log(u)) -> u', why: 'inverse functions, wherever log is defined' },
  { rule: 'tr(-A) -> -tr(A)', why: 'linearity' },
  { rule: 'tr(s*A) -> s*tr(A)', why: 'linearity' },
  { rule: 'tr(A/s) -> tr(A)/s', why: 'linearity' },
  { rule: 'sum(-A) -> -sum(A)', why: 'linearity' },
  { rule: 'sum(s*A) -> s*sum(A)', why: 'linearity' },
  { rule: 'sum(A/s) -> sum(A)/s', why: 'linearity' },
  { rule: 'sum(-A, c) -> -sum(A, c)', why: 'linearity, along a dim too' },
  { rule: 'sum(s*A, c) -> s*sum(A, c)', why: 'linearity, along a dim too' },
  { rule: 'tr(kron(A, B)) -> tr(A)*tr(B)', if: ['square(A)'], why: 'tr(A ⊗ B) = tr(A) tr(B) (B is square when A and A ⊗ B are)' },
  { rule: 'kron(A, B)*kron(C, D) -> kron(A*C, B*D)', why: 'mixed-product property (shapes permitting)' },
  { rule: 'commutation(m, n)*commutation(n, m) -> eye(m*n)', why: "K_{m,n} is a permutation and K_{m,n}' = K_{n,m}, so K_{m,n} K_{n,m} = I (K_{n,n}² = I)" },
  { rule: "vec(eye)'*kron(A, eye) -> vec(A')'", why: "vec(I)'(A ⊗ I) = ((A' ⊗ I) vec(I))' = vec(A')' (row-major vec(AUB) = (A ⊗ B') vec(U))" },
  { rule: "vec(eye)'*kron(eye, A) -> vec(A)'", why: "vec(I)'(I ⊗ A) = ((I ⊗ A') vec(I))' = vec(A)'" },
  { rule: 'kron(-A, B) -> -kron(A, B)', why: 'signs move outwards' },
  { rule: 'kron(A, -B) -> -kron(A, B)', why: 'signs move outwards' },
  { rule: 'kron(s*A, B) -> s*kron(A, B)', why: 'scalars move outwards' },
  { rule: 'kron(A, s*B) -> s*kron(A, B)', why: 'scalars move outwards' },
  { rule: '(c./(vector(1) + exp(A))).*exp(A) -> c*sigmoid(A)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
  { rule: '(c./(1 + exp(u))).*exp(u) -> c*sigmoid(u)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
  { rule: 'exp(A)./(vector(1) + exp(A)) -> sigmoid(A)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
  { rule: 'exp(u)./(1 + exp(u)) -> sigmoid(u)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
];

export const ALL_REWRITE_RULES: readonly RewriteRule[] = [...transposeRules, ...elementwiseRules, ...reductionRules];
