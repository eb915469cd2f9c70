/**
 * Rewrite rules, written in the input syntax as 'pattern -> replacement' (mathjs's style), parsed
 * when first used. Pattern names are wildcards and their first letter says what they match:
 *
 *   A–Z  any non-scalar expression     s, t  any scalar expression
 *   c    a numeric constant            u, v, w  anything at all
 *
 * A repeated name must match the same subexpression. `if` names a predicate from
 * src/simplify/predicates.ts. Products never commute here: no rule swaps two non-scalar factors.
 * Every rule is checked numerically on random inputs by test/simplify.rules.test.ts.
 */
export interface RewriteRule {
  readonly rule: string;
  readonly if?: 'symmetric(A)' | 'vector(u)' | 'matrix(A)' | 'notNeg(v)' | 'notConst(s)';
  readonly why: string;
}

export const transposeRules: readonly RewriteRule[] = [
  { rule: "(A*B)' -> B'*A'", why: 'transpose of a product reverses it' },
  { rule: "(s*A)' -> s*A'", why: 'scalars pass through' },
  { rule: "(A/s)' -> A'/s", why: 'scalars pass through' },
  { rule: "(A + B)' -> A' + B'", why: 'linearity' },
  { rule: "(-A)' -> -A'", why: 'linearity' },
  { rule: "(A.*B)' -> A'.*B'", why: 'elementwise products transpose entrywise' },
  { rule: "(A./B)' -> A'./B'", why: 'elementwise quotients transpose entrywise' },
  { rule: "A' -> A", if: 'symmetric(A)', why: 'declared or provably symmetric' },
  { rule: "tr(A') -> tr(A)", why: 'tr(X\') = tr(X)' },
];

export const scalarRules: readonly RewriteRule[] = [
  { rule: 'A*s -> s*A', why: 'scalar factors first, as textbooks write them' },
  { rule: 'u*(v*w) -> u*v*w', why: 'products are associative; keep chains left-nested so common factors line up' },
  { rule: '(-u)*v -> -(u*v)', why: 'signs move outwards' },
  { rule: 'u*(-v) -> -(u*v)', why: 'signs move outwards' },
  { rule: '-(c*u) -> (-c)*u', why: 'a negative coefficient prints as one number' },
  { rule: '(s*A).*B -> s*(A.*B)', why: 'scalars leave elementwise products' },
  { rule: 'A.*(s*B) -> s*(A.*B)', why: 'scalars leave elementwise products' },
  { rule: '(-A).*B -> -(A.*B)', why: 'signs move outwards' },
  { rule: 'A.*(-B) -> -(A.*B)', why: 'signs move outwards' },
  { rule: '(1/s)*u -> u/s', why: 'division reads better than a reciprocal factor' },
  { rule: '(s*u)/s -> u', why: 'cancellation (s ≠ 0 wherever the input is defined)' },
  { rule: 's*(u/s) -> u', why: 'cancellation' },
  { rule: '(u*s)/s -> u', why: 'cancellation' },
  { rule: 's*(u/t) -> s*u/t', why: 'one fraction' },
  { rule: '(s*A)/t -> (s/t)*A', if: 'notConst(s)', why: 'one scalar coefficient' },
  { rule: '(-u)/s -> -(u/s)', why: 'signs move outwards' },
  { rule: '-u + v -> v - u', if: 'notNeg(v)', why: 'lead with a positive term' },
];

export const reductionRules: readonly RewriteRule[] = [
  { rule: 'tr(s) -> s', why: 'the trace of a 1×1 is the number' },
  { rule: 'sum(s) -> s', why: 'the sum of a 1×1 is the number' },
  { rule: 'det(s) -> s', why: 'the determinant of a 1×1 is the number' },
  { rule: 'inv(s) -> 1/s', why: 'the inverse of a 1×1' },
  { rule: 'vec(u) -> u', if: 'vector(u)', why: 'a vector is its own vec' },
  { rule: "sum(u.*v) -> u'*v", if: 'vector(u)', why: 'inner product of vectors' },
  { rule: "sum(A.*B) -> tr(A'*B)", if: 'matrix(A)', why: 'Frobenius inner product' },
  { rule: 'A*inv(A) -> eye', why: 'X X⁻¹ = I' },
  { rule: 'inv(A)*A -> eye', why: 'X⁻¹ X = I' },
  { rule: 'u*A*inv(A) -> u', why: 'X X⁻¹ = I inside a chain' },
  { rule: 'u*inv(A)*A -> u', why: 'X⁻¹ X = I inside a chain' },
  { rule: 'inv(inv(A)) -> A', why: 'involution' },
  { rule: 'log(exp(u)) -> u', why: 'inverse functions' },
  { rule: 'tr(-A) -> -tr(A)', why: 'linearity' },
  { rule: 'tr(s*A) -> s*tr(A)', why: 'linearity' },
  { rule: 'sum(-A) -> -sum(A)', why: 'linearity' },
  { rule: 'sum(s*A) -> s*sum(A)', why: 'linearity' },
  { rule: 'kron(A, B)*kron(C, D) -> kron(A*C, B*D)', why: 'mixed-product property (shapes permitting)' },
  { rule: 'kron(-A, B) -> -kron(A, B)', why: 'signs move outwards' },
  { rule: 'kron(A, -B) -> -kron(A, B)', why: 'signs move outwards' },
  { rule: '(1./(vector(1) + exp(u))).*exp(u) -> sigmoid(u)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
  { rule: '(1./(1 + exp(u))).*exp(u) -> sigmoid(u)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
  { rule: 'exp(u)./(vector(1) + exp(u)) -> sigmoid(u)', why: 'eᵘ/(1 + eᵘ) = σ(u)' },
];

export const ALL_REWRITE_RULES: readonly RewriteRule[] = [...transposeRules, ...scalarRules, ...reductionRules];
