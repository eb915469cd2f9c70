/**
 * Execution cases for the codegen tests: a request (expression, wrt, order, layout, declarations), a
 * point in the variables' domains, and the truth at that point — matcalc's own value of f and of the
 * derivative, and central differences of the ORIGINAL f (order 1: fdJacobian; higher: fdHigher's
 * extrapolated nested differences, with its own error estimate as slack).
 */
import { type Derivative, derivative } from '../../src/api/derivative.js';
import { DomainError } from '../../src/errors.js';
import type { Layout } from '../../src/diff/derivative.js';
import { allVarsOf } from '../../src/ir/walk.js';
import { type Env, bindDims, evaluator } from '../../src/numeric/evaluate.js';
import { type Comparison, ORDER1, ORDER2, compareTensors, fdJacobian } from '../../src/numeric/fd.js';
import { fdHigher } from '../../src/numeric/fd-higher.js';
import { type Nested, type Tensor, fromNested, toNested, transposeMatrix } from '../../src/numeric/tensor.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { CATALOGUE } from '../catalogue/catalogue.js';

export interface Request {
  readonly name: string;
  readonly expr: string;
  readonly wrt: string | readonly string[];
  readonly order?: number;
  readonly layout?: Layout;
  readonly vars?: Readonly<Record<string, VarDecl>>;
}

export interface Truth {
  readonly request: Request;
  readonly wrt: readonly string[];
  readonly at: Env;
  /** The point by variable name (nested lists). */
  readonly inputs: Record<string, Nested>;
  readonly value: Tensor;
  /** Per wrt: matcalc's value of the derivative, and central differences of f. */
  readonly derivatives: readonly Tensor[];
  readonly fd: readonly { readonly value: Tensor; readonly slack?: Tensor }[];
  readonly order: number;
}

/** The catalogue (test/catalogue/catalogue.ts) as codegen requests, plus lists of variables and the denominator layout. */
export const CATALOGUE_REQUESTS: readonly Request[] = [
  ...CATALOGUE.map((e) => ({
    name: e.name,
    expr: e.expr,
    wrt: e.wrt,
    ...(e.order ? { order: e.order } : {}),
    ...(e.vars ? { vars: e.vars } : {}),
  })),
  {
    name: 'two-layer network, every weight',
    expr: 'z1 = W1*x + b1; h1 = tanh(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2',
    wrt: ['W1', 'b1', 'W2'],
  },
  { name: 'softmax Jacobian, denominator layout', expr: 'softmax(W*x)', wrt: 'x', layout: 'denominator' },
  {
    name: 'reductions, softmax and log-softmax along a dim, a p-norm',
    expr: 'sum(softmax(X, 1)*v) + sum(log_softmax(z)) + logsumexp(X, 0)*u + norm(z, 3) + var(X, 0)*std(X, 1) + mean(max(X, 1))',
    wrt: ['X', 'z'],
  },
  { name: 'transposes inside a product', expr: "(X' + A)*u", wrt: 'X' },
  { name: 'Hessian of tr(X^2) (a commutation matrix)', expr: 'tr(X*X)', wrt: 'X', order: 2 },
  {
    name: 'Hessians of a logistic loss in two variables',
    expr: "sum(softplus(X*w)) - y'*X*w + lambda*norm2(w)^2",
    wrt: ['w', 'lambda'],
    order: 2,
    vars: { lambda: { dims: [] } },
  },
];

const derivativeOf = (r: Request, wrt: string): Derivative =>
  derivative(r.expr, wrt, {
    ...(r.order ? { order: r.order } : {}),
    ...(r.layout ? { layout: r.layout } : {}),
    ...(r.vars ? { vars: r.vars } : {}),
  });

/** The truth at a point of the domain (seeds tried in turn until matcalc evaluates f there). */
export function truthOf(r: Request, seed = 20261130): Truth {
  const wrt = typeof r.wrt === 'string' ? [r.wrt] : [...r.wrt];
  const ds = wrt.map((w) => derivativeOf(r, w));
  const f = ds[0]!.f;
  const vars = allVarsOf(f, ...ds.map((d) => d.wrt));
  const run = evaluator(f);
  for (let attempt = 0; attempt < 20; attempt++) {
    const s = seed + 7919 * attempt;
    const at = randomPoint(vars, defaultDims(f, s), s);
    try {
      const sizes = bindDims(vars, at);
      const fn = (x: Env): Tensor => run(x, sizes);
      const value = fn(at);
      const derivatives = ds.map((d) => d.evaluate(at));
      const order = r.order ?? 1;
      const fd = ds.map((d) => {
        if (order === 1) {
          const t = fdJacobian(fn, at, d.wrt.name);
          return { value: d.kind === 'jacobian' && d.layout === 'denominator' ? transposeMatrix(t) : t };
        }
        const e = fdHigher(fn, at, d.wrt.name, order);
        return { value: e.value, slack: e.error };
      });
      const inputs = Object.fromEntries([...at].map(([k, t]) => [k, toNested(t)]));
      return { request: r, wrt, at, inputs, value, derivatives, fd, order };
    } catch (err) {
      if (err instanceof DomainError) continue;
      throw err;
    }
  }
  throw new Error(`${r.name}: no point of the domain found`);
}

/** A result from generated code as a tensor of the expected dims (a 0-d result may come back as a number). */
export const asTensor = (v: Nested, like: Tensor): Tensor => {
  const t = fromNested(v, 'generated value');
  return t.data.length === like.data.length ? { dims: like.dims, data: t.data } : t;
};

/** Generated against matcalc's own value: the same formula evaluated two ways, so tight. */
export const TIGHT = { rtol: 1e-8, atol: 1e-10 };

export function againstDifferences(actual: Tensor, fd: Truth['fd'][number], order: number): Comparison {
  return compareTensors(actual, fd.value, order === 1 ? ORDER1 : ORDER2, fd.slack?.data);
}
