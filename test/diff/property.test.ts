/**
 * Differentiation as a property (issue 4, "Done when"): random well-shaped expressions, built from
 * smooth total functions with domain-safe wrappers (test/helpers/generators.ts: log, sqrt, division
 * and negative powers get 1 + t.^2, inv/det/logdet get M*M' + eye), are differentiated and every
 * result is compared with central finite differences by verify(): gradients of scalars with respect
 * to vectors and matrices, Jacobians of vectors, vec-Jacobians of matrices, derivatives with respect
 * to scalars, and order 2 (Hessians, 4-d Hessians of matrix variables, 3-d second derivatives of
 * vectors). Zero disagreements are allowed.
 *
 * Sizes: MATCALC_PROPERTY_RUNS (default 300) is the order-1 budget, split over the kinds below;
 * order 2 gets a third of it. MATCALC_PROPERTY_SEED replays a run; a failure prints the seed and the
 * expression. Then the pitfalls that other tools got wrong (DESIGN-NOTES), one by one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivative, type ResultKind } from '../../src/api/derivative.js';
import type { VerifyReport } from '../../src/api/verify.js';
import { DomainError } from '../../src/errors.js';
import { isZero } from '../../src/ir/build.js';
import type { Expr, Var } from '../../src/ir/expr.js';
import { dimNamesOf, varsOf } from '../../src/ir/walk.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { toText } from '../../src/print/text.js';
import { type Shape, SCALAR, matrixShape, tensorDims, vectorShape } from '../../src/shape/shape.js';
import type { Layout } from '../../src/diff/derivative.js';
import { type Tensor, sizeOf, tensor } from '../../src/numeric/tensor.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { defaultDims, randomPoint } from '../../src/numeric/random.js';
import { arbExpr, assertProperty, propertyParams } from '../helpers/generators.js';

const { numRuns: BUDGET } = propertyParams(300);
const runs = (share: number) => Math.max(1, Math.round(BUDGET * share));

/** How many expressions each property differentiated (reported at the end of the file). */
const differentiated: Record<string, number> = {};

type VarKind = Shape['kind'];

interface Family {
  readonly name: string;
  /** Shapes of f. */
  readonly shapes: readonly Shape[];
  /** Shapes of the variable to differentiate with respect to. */
  readonly wrt: readonly VarKind[];
  readonly order: 1 | 2;
  readonly share: number;
  readonly layout?: Layout;
  /** Result kinds this family may produce (a matrix form, or the differential when none exists). */
  readonly kinds: readonly ResultKind[];
  readonly depth?: number;
}

const n = vectorShape('n'),
  m = vectorShape('m');
const FAMILIES: readonly Family[] = [
  {
    name: 'gradients: scalar f wrt a vector or matrix',
    shapes: [SCALAR],
    wrt: ['vector', 'matrix'],
    order: 1,
    share: 0.35,
    kinds: ['gradient', 'differential'],
  },
  {
    name: 'derivatives wrt a scalar, any f',
    shapes: [SCALAR, n, matrixShape('n', 'n')],
    wrt: ['scalar'],
    order: 1,
    share: 0.1,
    kinds: ['derivative'],
  },
  {
    name: 'Jacobians: vector f wrt a vector',
    shapes: [n, m],
    wrt: ['vector'],
    order: 1,
    share: 0.2,
    kinds: ['jacobian', 'differential'],
  },
  {
    name: 'Jacobians in denominator layout',
    shapes: [n, m],
    wrt: ['vector'],
    order: 1,
    share: 0.05,
    layout: 'denominator',
    kinds: ['jacobian', 'differential'],
  },
  {
    name: 'vec-Jacobians: matrix f wrt a matrix',
    shapes: [matrixShape('n', 'n'), matrixShape('m', 'n')],
    wrt: ['matrix'],
    order: 1,
    share: 0.15,
    kinds: ['vec-jacobian', 'differential'],
  },
  {
    name: 'vec-Jacobians: vector f wrt a matrix, matrix f wrt a vector',
    shapes: [n, m, matrixShape('n', 'n')],
    wrt: ['matrix', 'vector'],
    order: 1,
    share: 0.15,
    kinds: ['vec-jacobian', 'jacobian', 'differential'],
  },
  {
    name: 'order 2: Hessians of scalars wrt vectors',
    shapes: [SCALAR],
    wrt: ['vector'],
    order: 2,
    share: 0.17,
    kinds: ['hessian', 'vec-jacobian', 'differential'],
  },
  {
    name: 'order 2: scalars wrt matrices (4-d)',
    shapes: [SCALAR],
    wrt: ['matrix'],
    order: 2,
    share: 0.08,
    kinds: ['vec-jacobian', 'differential'],
    depth: 2,
  },
  {
    name: 'order 2: vectors wrt vectors (3-d)',
    shapes: [n],
    wrt: ['vector'],
    order: 2,
    share: 0.08,
    kinds: ['vec-jacobian', 'differential'],
    depth: 2,
  },
];

/** Every dimension of f is fixed by one of its variables (eye(m) alone would leave m unknown). */
function sizesFixedByVariables(e: Expr): boolean {
  const fixed = new Set<string>();
  for (const v of varsOf(e)) for (const d of tensorDims(v.shape)) if (typeof d === 'string') fixed.add(d);
  return dimNamesOf(e).every((d) => fixed.has(d));
}

/**
 * f stays moderate (|f| ≤ 1e4) at verify's first point. verify compares without a rounding floor, so
 * when |f| dwarfs the derivative (a - exp(tr(kron(W*W', W*W'))) is -7e123, det(M)^3 is 3e7) the
 * difference quotient is rounding noise and the check cries wolf; such f say nothing about the engine.
 */
function moderate(e: Expr): boolean {
  const seed = 20261125;
  try {
    const value = evaluate(e, randomPoint(varsOf(e), defaultDims(e, seed), seed));
    return value.data.every((v) => Math.abs(v) <= 1e4);
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}

/** The arbitrary of (f, index of the variable) pairs for a family; the index picks among f's fitting variables. */
function cases(f: Family) {
  const exprs = fc.oneof(
    ...f.shapes.map((shape) => arbExpr({ shape, depth: f.depth ?? 3, domainSafe: true, smooth: true })),
  );
  return fc.tuple(exprs, fc.nat()).map(([e, k]) => ({ e, k, [fc.toStringMethod]: () => toText(e) }));
}

function checkFamily(f: Family): void {
  let count = 0,
    skipped = 0;
  const property = fc.property(cases(f), ({ e, k }) => {
    const candidates = varsOf(e).filter((v) => f.wrt.includes(v.shape.kind));
    fc.pre(candidates.length > 0 && sizesFixedByVariables(e) && moderate(e));
    const v: Var = candidates[k % candidates.length]!;
    const what = () => `d${f.order === 2 ? '²' : ''}/d${v.name} of ${toText(e)}`;
    const d = derivative(e, v.name, { order: f.order, layout: f.layout });
    if (!f.kinds.includes(d.kind)) throw new Error(`${what()}: unexpected kind ${d.kind}`);
    let report: VerifyReport;
    try {
      report = d.verify();
    } catch (err) {
      // Every random point overflowed (exp of exp of …): nothing to compare, which is not a disagreement.
      if (err instanceof DomainError) {
        skipped++;
        return;
      }
      throw err;
    }
    count++;
    if (!report.ok) {
      const fl = report.failure;
      throw new Error(
        `${what()} = ${d.toString()} disagrees with finite differences: max error ${report.maxError}` +
          (fl ? ` at index [${fl.index.join(', ')}]: symbolic ${fl.symbolic}, numeric ${fl.numeric}` : ''),
      );
    }
  });
  const numRuns = runs(f.share);
  assertProperty(property, { numRuns });
  differentiated[f.name] = count;
  expect(count).toBeGreaterThanOrEqual(Math.floor(0.9 * numRuns));
  expect(skipped).toBeLessThanOrEqual(Math.ceil(0.05 * numRuns));
}

describe('random well-shaped expressions: zero finite-difference disagreements', () => {
  for (const f of FAMILIES) it(`${f.name} (${runs(f.share)} expressions)`, () => checkFamily(f));

  it('differentiates the advertised number of expressions', () => {
    const total = Object.values(differentiated).reduce((s, c) => s + c, 0);
    // Only meaningful when the whole file runs (not with -t filtering one family).
    if (Object.keys(differentiated).length === FAMILIES.length)
      expect(total).toBeGreaterThanOrEqual(Math.floor(0.9 * BUDGET * 1.33));
  });
});

// ---------------------------------------------------------------------------------------------
// Pitfalls (DESIGN-NOTES): each checked by finite differences; a zero where there should be none is
// caught, and a true zero must come out as a real zero.

interface Pitfall {
  readonly src: string;
  readonly wrt: string;
  readonly vars?: Readonly<Record<string, VarDecl>>;
  readonly order?: number;
  readonly kind?: ResultKind;
}

const sym: VarDecl = { dims: ['n', 'n'], props: ['symmetric'] };
const spd: VarDecl = { dims: ['n', 'n'], props: ['spd'] };
const inv: VarDecl = { dims: ['n', 'n'], props: ['invertible'] };

function checkPitfall(p: Pitfall): ReturnType<typeof derivative> {
  const d = derivative(p.src, p.wrt, { vars: p.vars, order: p.order });
  if (p.kind) expect(d.kind, `${p.src}: ${d.toString()}`).toBe(p.kind);
  for (const seed of [1, 2]) {
    const r = d.verify({ seed });
    expect(r.ok, `d${p.order ?? 1}(${p.src})/d${p.wrt} = ${d.toString()} (seed ${seed}): max error ${r.maxError}`).toBe(
      true,
    );
  }
  return d;
}

const nonzero = (p: Pitfall) => () => {
  const d = checkPitfall(p);
  expect(isZero(d.expr), `${p.src}: the derivative came out as zero`).toBe(false);
};

describe('pitfalls: a 1×1 product is a scalar whose derivative is kept', () => {
  it("x'*x dividing: x/(x'*x)", nonzero({ src: "x/(x'*x)", wrt: 'x', kind: 'jacobian' }));
  it("x'*x as a denominator: (x'*y)/(y'*y) wrt y", nonzero({ src: "(x'*y)/(y'*y)", wrt: 'y', kind: 'gradient' }));
  it("inside exp: exp(x'*x)", nonzero({ src: "exp(x'*x)", wrt: 'x', kind: 'gradient' }));
  it("scaling a matrix: (x'*x)*A wrt x and wrt A", () => {
    nonzero({ src: "(x'*x)*A", wrt: 'x' })();
    nonzero({ src: "(x'*x)*A", wrt: 'A' })();
  });
  it("scaling a matrix by a quadratic form: (x'*A*x)*B wrt A", nonzero({ src: "(x'*A*x)*B", wrt: 'A' }));
  it("scaling a vector: x*(x'*x) and A*x*(x'*x)", () => {
    nonzero({ src: "x*(x'*x)", wrt: 'x', kind: 'jacobian' })();
    nonzero({ src: "A*x*(x'*x)", wrt: 'x', kind: 'jacobian' })();
  });
  it("1/(x'*x), order 1 and 2", () => {
    nonzero({ src: "1/(x'*x)", wrt: 'x', kind: 'gradient' })();
    nonzero({ src: "1/(x'*x)", wrt: 'x', order: 2, kind: 'hessian' })();
  });
});

describe('pitfalls: sums of traces, log det, exp tr (SymPy returns 0)', () => {
  it('tr(A) + tr(B*A)', nonzero({ src: 'tr(A) + tr(B*A)', wrt: 'A', kind: 'gradient' }));
  it("tr(A*B) + tr(A'*C) - tr(A)", nonzero({ src: "tr(A*B) + tr(A'*C) - tr(A)", wrt: 'A', kind: 'gradient' }));
  it('log(det(X)), X spd and X invertible', () => {
    nonzero({ src: 'log(det(X))', wrt: 'X', vars: { X: spd }, kind: 'gradient' })();
    nonzero({ src: 'log(det(X)^2)', wrt: 'X', vars: { X: inv }, kind: 'gradient' })();
  });
  it('exp(tr(X))', nonzero({ src: 'exp(tr(X))', wrt: 'X', kind: 'gradient' }));
  it('det(X), order 1 and 2', () => {
    nonzero({ src: 'det(X)', wrt: 'X', vars: { X: inv }, kind: 'gradient' })();
    nonzero({ src: 'det(X)', wrt: 'X', vars: { X: inv }, order: 2 })();
  });
  it('logdet(S), order 2 (4-d)', nonzero({ src: 'logdet(S)', wrt: 'S', vars: { S: spd }, order: 2 }));
});

describe('pitfalls: quotients and normalisations', () => {
  it("Rayleigh quotient x'*A*x/(x'*x), A symmetric and not, order 1 and 2", () => {
    nonzero({ src: "x'*A*x/(x'*x)", wrt: 'x', vars: { A: sym }, kind: 'gradient' })();
    nonzero({ src: "x'*A*x/(x'*x)", wrt: 'x', kind: 'gradient' })();
    nonzero({ src: "x'*A*x/(x'*x)", wrt: 'x', vars: { A: sym }, order: 2, kind: 'hessian' })();
  });
  it('normalisation x/norm2(x)', nonzero({ src: 'x/norm2(x)', wrt: 'x', kind: 'jacobian' }));
  it('softmax, built in and written out, and its log-likelihood', () => {
    nonzero({ src: 'softmax(x)', wrt: 'x', kind: 'jacobian' })();
    nonzero({ src: 'exp(x)/sum(exp(x))', wrt: 'x', kind: 'jacobian' })();
    nonzero({ src: "y'*log(softmax(x))", wrt: 'x', kind: 'gradient' })();
    nonzero({ src: 'log(sum(exp(x)))', wrt: 'x', order: 2, kind: 'hessian' })();
  });
  it('sqrt of a quadratic form, and norm2 squared', () => {
    nonzero({ src: "sqrt(x'*x)", wrt: 'x', kind: 'gradient' })();
    nonzero({ src: 'norm2(A*x - y)^2', wrt: 'x', kind: 'gradient' })();
    nonzero({ src: 'norm2(A*x - y)^2', wrt: 'A', kind: 'gradient' })();
  });
});

describe('pitfalls: zero results are real zeros', () => {
  const zero = (p: Pitfall) => () => {
    const d = checkPitfall(p);
    expect(isZero(d.expr), `${p.src}: ${d.toString()} should be a zero`).toBe(true);
    expect(Array.from(d.evaluate(sample(p)).data).every((v) => v === 0)).toBe(true);
  };
  it("tr(A - A')", zero({ src: "tr(A - A')", wrt: 'A' }));
  it("x'*y - y'*x", zero({ src: "x'*y - y'*x", wrt: 'x' }));
  it("sum(x) - vector(1)'*x", zero({ src: "sum(x) - vector(1)'*x", wrt: 'x' }));
  it('b cancelling itself: A*x + b - b wrt b', zero({ src: 'A*x + b - b', wrt: 'b' }));
});

/** A fixed point for evaluating a derivative whose value is all zeros. */
function sample(p: Pitfall): Map<string, Tensor> {
  const e = parse(p.src, { vars: p.vars });
  const at = new Map<string, Tensor>();
  for (const v of varsOf(e)) {
    const dims = tensorDims(v.shape).map(() => 3);
    at.set(
      v.name,
      tensor(
        dims,
        Array.from({ length: sizeOf(dims) }, (_, i) => Math.sin(i + v.name.charCodeAt(0))),
      ),
    );
  }
  return at;
}
