/**
 * Random programs for the codegen property tests (property.exec.ts for the Python targets,
 * typescript.test.ts in-process): domain-safe, smooth programs from test/helpers/generators.ts, a
 * variable of each to differentiate by (order 1, or 2 for a scalar function), and matcalc's own
 * values of f and of the derivative at a random point. Cases matcalc itself refuses are left out.
 */
import fc from 'fast-check';
import { derivative } from '../../src/api/derivative.js';
import { MatcalcError } from '../../src/errors.js';
import { varsOf } from '../../src/ir/walk.js';
import { evaluator } from '../../src/numeric/evaluate.js';
import { type Tensor, toNested } from '../../src/numeric/tensor.js';
import { randomPoint } from '../../src/numeric/random.js';
import type { VarDecl } from '../../src/parse/parse.js';
import { arbProgram } from '../helpers/generators.js';

export const VARS: Record<string, VarDecl> = {
  a: { dims: [] },
  b: { dims: [] },
  x: { dims: ['n'] },
  y: { dims: ['n'] },
  A: { dims: ['n', 'n'] },
  B: { dims: ['n', 'n'] },
  W: { dims: ['m', 'n'] },
};
const SIZES = new Map([
  ['n', 3],
  ['m', 2],
]);

export interface Sample {
  readonly text: string;
  readonly wrt: string;
  readonly order: number;
  readonly inputs: Record<string, ReturnType<typeof toNested>>;
  readonly value: Tensor;
  readonly derivative: Tensor;
}

/** Random programs with a variable to differentiate by, and matcalc's values at a random point; cases matcalc itself refuses are left out. */
export function samples(seed: number, numRuns: number): Sample[] {
  const arb = fc.tuple(arbProgram({ depth: 3, domainSafe: true, smooth: true }), fc.nat(), fc.boolean());
  const out: Sample[] = [];
  fc.sample(arb, { seed, numRuns }).forEach(([p, pick, second], i) => {
    const vars = varsOf(p.expr);
    if (vars.length === 0) return;
    const wrt = vars[pick % vars.length]!.name;
    const order = second && p.expr.shape.kind === 'scalar' ? 2 : 1;
    try {
      const d = derivative(p.text, wrt, { order, vars: VARS });
      if (d.kind === 'differential') return;
      const at = randomPoint(varsOf(p.expr), SIZES, seed + i);
      const value = evaluator(p.expr)(at, SIZES);
      out.push({
        text: p.text,
        wrt,
        order,
        inputs: Object.fromEntries([...at].map(([k, t]) => [k, toNested(t)])),
        value,
        derivative: d.evaluate(at, SIZES),
      });
    } catch (err) {
      if (err instanceof MatcalcError) return; // a domain error at this point, a limit: not a codegen case
      throw err;
    }
  });
  return out;
}
