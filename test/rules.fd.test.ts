/**
 * One generic test for every derivative rule (issue 4, "Rules as data"): each row of
 * rules/derivative/*.ts — operators, structural and reducing functions, elementwise functions — is
 * exercised by minimal expressions using that primitive, at the shapes the primitive allows, with
 * respect to every variable, at fixed seeds, and compared with central finite differences by
 * verify(). Points come from each rule's domain: `positive` and `spd` and `invertible` are declared
 * as properties of the variables; `nonzero` (kinks and jumps) is left to verify, which resamples
 * points near a kink instead of reporting them.
 *
 * The cases are keyed by the rule tables' own keys, and the test fails when a rule has no case (or a
 * case names no rule), so a row cannot be added without being exercised. Each case must contain the
 * primitive it claims to test.
 */
import { describe, expect, it } from 'vitest';
import { ELEMENTWISE_RULES, FUNCTION_RULES, OPERATOR_RULES, type Domain } from '../rules/index.js';
import { derivative } from '../src/api/derivative.js';
import type { Expr, Prop } from '../src/ir/expr.js';
import { postorder, varsOf } from '../src/ir/walk.js';
import { type VarDecl, parse, parseVarSpec } from '../src/parse/parse.js';

interface Case {
  readonly src: string;
  /** Declarations beyond the a–g / h–z / A–Z convention, as specs: { X: 'matrix(n,n) spd' }. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Also check the second derivative with respect to each variable (smooth rules only). */
  readonly order2?: boolean;
}

/** Props a rule's domain asks the differentiated argument to be drawn with. */
const DOMAIN_PROPS: { readonly [D in Domain]: readonly Prop[] } = {
  any: [],
  nonzero: [],
  positive: ['positive'],
  invertible: ['invertible'],
  spd: ['spd'],
  // No property says "inside (-1, 1)" or "above -1": verify's sampling ladder (normal, then
  // positive, then inside (0, 1)) reaches these domains by itself, which is what a user's check does.
  'open-unit-interval': [],
  'above-minus-one': [],
};
const withDomain = (domain: Domain | undefined, shape: string): string =>
  [shape, ...DOMAIN_PROPS[domain ?? 'any']].join(' ');

// ---------------------------------------------------------------------------------------------
// Operators: every shape combination the operator accepts.

const OPERATOR_CASES: { readonly [K in keyof typeof OPERATOR_RULES]: readonly Case[] } = {
  add: [
    { src: 'c + d', order2: true },
    { src: 'x + y' },
    { src: 'A + B' },
    { src: 'c + x' },
    { src: 'A + c' },
    { src: "x' + y'" },
  ],
  neg: [{ src: '-c' }, { src: '-x' }, { src: '-A' }],
  transpose: [{ src: "x'" }, { src: "A'" }, { src: "x'*y", order2: true }, { src: "tr(A'*B)" }],
  mul: [
    { src: 'c*d', order2: true },
    { src: 'c*x' },
    { src: 'x*c' },
    { src: 'c*A' },
    { src: 'A*x' },
    { src: "x'*A" },
    { src: 'A*B' },
    { src: "x'*y" },
    { src: "x*y'" },
    { src: "x'*A*x", order2: true },
    { src: 'tr(A*B*C)' },
  ],
  // With a scalar operand .* and ./ are ordinary scaling and division (the constructors build mul, div).
  emul: [{ src: 'x.*y', order2: true }, { src: 'A.*B' }, { src: "x'.*y'" }],
  ediv: [{ src: 'x./y', order2: true }, { src: 'A./B' }, { src: 'c./x' }],
  div: [{ src: 'c/d', order2: true }, { src: 'x/c' }, { src: 'A/c' }, { src: "x/(x'*x)" }],
  epow: [
    { src: 'x.^y', vars: { x: 'vector(n) positive' } },
    { src: 'A.^B', vars: { A: 'matrix(m,n) positive' } },
    { src: 'x.^c', vars: { x: 'vector(n) positive' }, order2: true },
    { src: 'c.^x', vars: { c: 'scalar positive' } },
    { src: 'x.^3', order2: true },
    { src: 'A.^2' },
  ],
  // Scalar powers, and integer powers of a square matrix (rules/derivative/operators.ts matrixPower).
  pow: [
    { src: 'c^d', vars: { c: 'scalar positive' }, order2: true },
    { src: 'c^3' },
    { src: 'c^0.5', vars: { c: 'scalar positive' } },
    { src: 'c^-2', vars: { c: 'scalar positive' } },
    { src: 'A^2' },
    { src: 'A^3' },
    { src: 'tr(A^3)', order2: true },
    { src: 'A^-1', vars: { A: 'matrix(n,n) invertible' } },
    { src: 'A^-2', vars: { A: 'matrix(n,n) invertible' } },
  ],
};

// ---------------------------------------------------------------------------------------------
// Structural and reducing functions.

const FUNCTION_CASES: { readonly [K in keyof typeof FUNCTION_RULES]: readonly Case[] } = {
  sum: [
    { src: 'sum(x)' },
    { src: 'sum(A)' },
    { src: 'sum(c)' },
    { src: 'sum(x.*x)', order2: true },
    { src: 'sum(W, 0)' },
    { src: 'sum(W, 1)' },
    { src: 'sum(W.*W, 1)', order2: true },
    { src: "sum(sum(W, 0)'.*x)" },
  ],
  mean: [
    { src: 'mean(x)' },
    { src: 'mean(A)' },
    { src: 'mean(c)' },
    { src: 'mean(W, 0)' },
    { src: 'mean(W, 1)' },
    { src: "mean(W.*W, 1)'*y", order2: true },
    { src: 'mean(x.*x)', order2: true },
  ],
  var: [
    { src: 'var(x)', order2: true },
    { src: 'var(A)', order2: true },
    { src: 'var(W, 0)', order2: true },
    { src: 'var(W, 1)', order2: true },
    { src: "var(W*A, 1)'*y", order2: true },
  ],
  std: [
    { src: 'std(x)', order2: true },
    { src: 'std(A)' },
    { src: 'std(W, 0)', order2: true },
    { src: 'std(W, 1)', order2: true },
    { src: "std(W, 1)'*y", order2: true },
  ],
  max: [
    { src: 'max(x)', order2: true },
    { src: 'max(A)' },
    { src: 'max(c)' },
    { src: 'max(W, 0)', order2: true },
    { src: 'max(W, 1)', order2: true },
    { src: 'max(W.*W, 1)' },
    // norm(x, inf), NumPy's max-norm, is max(abs(x)): through the arg-max of |x|, ties and zeros being kinks.
    { src: 'norm(x, inf)' },
    { src: 'norm(W*x, Infinity)' },
  ],
  min: [
    { src: 'min(x)', order2: true },
    { src: 'min(A)' },
    { src: 'min(W, 0)', order2: true },
    { src: 'min(W, 1)', order2: true },
    { src: 'min(W.*W, 0)' },
  ],
  maximum: [
    { src: 'maximum(x, y)' },
    { src: 'maximum(A, B)' },
    { src: 'maximum(c, d)' },
    { src: 'max(0, x)' },
    { src: 'max(x, 0.5)' },
  ],
  minimum: [{ src: 'minimum(x, y)' }, { src: 'minimum(A, B)' }, { src: 'min(0, x)' }],
  tr: [{ src: 'tr(A)' }, { src: 'tr(c)' }, { src: 'tr(A*A)', order2: true }],
  det: [{ src: 'det(X)', vars: { X: withDomain('invertible', 'matrix(n,n)') }, order2: true }, { src: 'det(c)' }],
  logdet: [
    { src: 'logdet(S)', vars: { S: withDomain('spd', 'matrix(n,n)') }, order2: true },
    { src: 'logdet(c)', vars: { c: 'scalar positive' } },
  ],
  inv: [
    { src: 'inv(X)', vars: { X: withDomain('invertible', 'matrix(n,n)') } },
    { src: 'inv(c)', vars: { c: 'scalar invertible' } },
    { src: "x'*inv(S)*x", vars: { S: 'matrix(n,n) spd' }, order2: true },
  ],
  diag: [{ src: 'diag(x)' }, { src: 'diag(A)' }, { src: "sum(diag(x)*y) + x'*diag(A)" }],
  vec: [{ src: 'vec(A)' }, { src: "vec(x')" }, { src: "vec(A)'*vec(A)", order2: true }],
  kron: [{ src: 'kron(A, B)' }, { src: 'kron(x, y)' }, { src: "kron(x', A)" }, { src: 'sum(kron(A, B))' }],
  norm1: [{ src: 'norm1(x)' }, { src: 'norm1(A)' }, { src: 'norm1(c)' }],
  norm2: [{ src: 'norm2(x)', order2: true }, { src: 'norm2(A)' }, { src: 'norm2(c)' }],
  softmax: [
    { src: 'softmax(x)' },
    { src: 'sum(softmax(x).*y)', order2: true },
    // A batch, row by row and column by column; a scalar loss of it at order 2 (vec Jacobians are n²×n² at order 1 already).
    { src: 'softmax(X, 1)' },
    { src: 'softmax(X, 0)' },
    { src: 'sum(Y.*softmax(X, 1))', order2: true },
    { src: 'sum(Y.*softmax(X, 0))', order2: true },
    { src: "softmax(Q*K', 1)*V" },
  ],
  log_softmax: [
    { src: 'log_softmax(x)', order2: true },
    { src: 'log_softmax(X, 1)' },
    { src: 'log_softmax(X, 0)' },
    { src: '-sum(Y.*log_softmax(X, 1))', order2: true },
    { src: 'sum(Y.*log_softmax(X, 0))', order2: true },
  ],
  logsumexp: [
    { src: 'logsumexp(x)', order2: true },
    { src: 'logsumexp(X, 1)' },
    { src: 'logsumexp(X, 0)' },
    { src: "y'*logsumexp(X, 1)", order2: true },
    { src: 'logsumexp(X, 0)*y', order2: true },
  ],
  // p-norms away from p = 1, 2 (which are norm1 and norm2); kinks at zero entries are resampled.
  norm: [
    { src: 'norm(x, 3)', order2: true },
    { src: 'norm(x, 1.5)' },
    { src: 'norm(vec(A), 4)', order2: true },
    { src: 'norm(W*x - y, 3)', order2: true },
  ],
};

// ---------------------------------------------------------------------------------------------
// Elementwise functions: scalar, vector and matrix arguments; parameters given and defaulted.

type ElementwiseFn = keyof typeof ELEMENTWISE_RULES;

/** f(c), f(x), f(X) (order 2 too where f is smooth), and f with its parameter given, if it has one. */
function elementwiseCases(fn: ElementwiseFn): readonly Case[] {
  const rule = ELEMENTWISE_RULES[fn];
  const smooth = rule.domain !== 'nonzero';
  const at = (name: string, shape: string, order2: boolean): Case => ({
    src: `${fn}(${name})`,
    ...(rule.domain === 'positive' ? { vars: { [name]: withDomain(rule.domain, shape) } } : {}),
    order2: order2 && smooth,
  });
  const cases: Case[] = [at('c', 'scalar', true), at('x', 'vector(n)', true), at('X', 'matrix(m,n)', false)];
  if (rule.params !== undefined) cases.push({ src: `${fn}(x, 0.1)` }, { src: `${fn}(X, 0.5)` });
  return cases;
}

const ELEMENTWISE_CASES: { readonly [K in ElementwiseFn]: readonly Case[] } = {
  exp: elementwiseCases('exp'),
  log: elementwiseCases('log'),
  sqrt: elementwiseCases('sqrt'),
  sin: elementwiseCases('sin'),
  cos: elementwiseCases('cos'),
  tan: elementwiseCases('tan'),
  tanh: elementwiseCases('tanh'),
  abs: elementwiseCases('abs'),
  sign: elementwiseCases('sign'),
  step: elementwiseCases('step'),
  sigmoid: elementwiseCases('sigmoid'),
  relu: elementwiseCases('relu'),
  softplus: elementwiseCases('softplus'),
  leaky_relu: elementwiseCases('leaky_relu'),
  elu: elementwiseCases('elu'),
  sinh: elementwiseCases('sinh'),
  cosh: elementwiseCases('cosh'),
  asin: elementwiseCases('asin'),
  acos: elementwiseCases('acos'),
  atan: elementwiseCases('atan'),
  erf: elementwiseCases('erf'),
  gelu: elementwiseCases('gelu'),
  silu: elementwiseCases('silu'),
  softsign: elementwiseCases('softsign'),
  log1p: elementwiseCases('log1p'),
  expm1: elementwiseCases('expm1'),
};

// ---------------------------------------------------------------------------------------------

const SEEDS = [20261125, 7];

function exprOf(c: Case): Expr {
  const vars: Record<string, VarDecl> = {};
  for (const [name, spec] of Object.entries(c.vars ?? {})) vars[name] = parseVarSpec(spec);
  return parse(c.src, { vars });
}

/** Whether the IR of a case contains the primitive (an operator kind or a function name). */
function uses(e: Expr, primitive: string): boolean {
  return postorder(e).some((n) => n.kind === primitive || (n.kind === 'call' && n.fn === primitive));
}

function checkCase(primitive: string, c: Case): void {
  const e = exprOf(c);
  expect(uses(e, primitive), `${c.src} does not use ${primitive}`).toBe(true);
  for (const v of varsOf(e)) {
    for (const order of c.order2 ? [1, 2] : [1]) {
      const d = derivative(e, v.name, { order });
      for (const seed of SEEDS) {
        const r = d.verify({ seed });
        const where = `d${order > 1 ? `^${order}` : ''}(${c.src})/d${v.name} = ${d.toString()} (seed ${seed})`;
        expect(
          r.ok,
          `${where}: max error ${r.maxError}, failure ${JSON.stringify(r.failure && { index: r.failure.index, symbolic: r.failure.symbolic, numeric: r.failure.numeric })}`,
        ).toBe(true);
        expect(r.points, where).toBeGreaterThan(0);
      }
    }
  }
}

const TABLES = [
  { name: 'operators', rules: OPERATOR_RULES, cases: OPERATOR_CASES as Readonly<Record<string, readonly Case[]>> },
  { name: 'functions', rules: FUNCTION_RULES, cases: FUNCTION_CASES as Readonly<Record<string, readonly Case[]>> },
  {
    name: 'elementwise',
    rules: ELEMENTWISE_RULES,
    cases: ELEMENTWISE_CASES as Readonly<Record<string, readonly Case[]>>,
  },
];

describe('every derivative rule agrees with finite differences', () => {
  for (const table of TABLES) {
    it(`${table.name}: every rule has cases, every case has a rule`, () => {
      // Runtime check on top of the mapped types: the rule tables are data and could grow at runtime.
      expect(Object.keys(table.cases).sort()).toEqual(Object.keys(table.rules).sort());
      for (const key of Object.keys(table.rules)) expect(table.cases[key]!.length, key).toBeGreaterThan(0);
    });
    for (const key of Object.keys(table.rules)) {
      it(`${table.name}.${key}: ${(table.rules as Record<string, { ref: string }>)[key]!.ref}`, () => {
        for (const c of table.cases[key] ?? []) checkCase(key, c);
      });
    }
  }
});
