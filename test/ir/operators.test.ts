/**
 * The vocabulary table (src/ir/operators.ts, issue 11 §1) and its views.
 *
 *  - Every row round-trips, with random operands (seeded fast-check; the seed is printed on
 *    failure): the text printer's output re-parses to the very same node, and the LaTeX printer's
 *    output, read back by the LaTeX answer reader, has the same shape and the same value at a random
 *    point (LaTeX is a reader's notation: `X^{-1}` of a compound base reads as a power, ⊙ chains may
 *    reassociate, so the check is the value, not the tree).
 *  - Every row is in every derived view: the parser's vocabulary (mathjs operator names, function
 *    names), the text and LaTeX printers (each LaTeX output rendered by KaTeX), the index-notation
 *    printer and the LaTeX reader (every spelling a row lists reads as that row).
 *  - The parenthesisation policy, on the cases that define it.
 * The operator cases are a mapped type over the table's operator names, and the function cases one
 * over its shape rules, so a new row without a case here does not compile.
 */
import fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/ir/build.js';
import type { Expr, Var } from '../../src/ir/expr.js';
import { dimNamesOf } from '../../src/ir/walk.js';
import { FUNCTIONS, type FnName, isFnName, takesDim, tensorArity } from '../../src/ir/functions.js';
import {
  LATEX,
  OPERATORS,
  type OpName,
  type Operand,
  type ShapeRule,
  TEXT,
  needsParens,
} from '../../src/ir/operators.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { randomPoint } from '../../src/numeric/random.js';
import { FN_COMMANDS, FN_COMMAND_RUNS, FN_GREEK, FN_WORDS } from '../../src/parse/latex-vocabulary.js';
import { latexToInput, parseLatex } from '../../src/parse/latex.js';
import { type VarDecl, parse } from '../../src/parse/parse.js';
import { parseSurface } from '../../src/parse/surface.js';
import { indexNotation } from '../../src/print/index-notation.js';
import { toLatex } from '../../src/print/latex.js';
import { atomText, operatorText, toText } from '../../src/print/text.js';
import {
  SCALAR,
  type Shape,
  matrixShape,
  rowShape,
  shapeEquals,
  tensorDims,
  vectorShape,
} from '../../src/shape/shape.js';
import { arbExpr, assertProperty, generatorVars, propertyParams } from '../helpers/generators.js';

const VARS = generatorVars();
const ALL_VARS: readonly Var[] = Object.values(VARS);
const DECLS: Record<string, VarDecl> = Object.fromEntries(
  ALL_VARS.map((v) => [v.name, { dims: tensorDims(v.shape), props: v.props }]),
);
const SIZES = new Map([
  ['n', 3],
  ['m', 2],
]);

const S = SCALAR,
  xn = vectorShape('n'),
  rn = rowShape('n'),
  Mnn = matrixShape('n', 'n'),
  Wmn = matrixShape('m', 'n');

/** Renders with KaTeX, throwing on any error or strict-mode complaint. */
const renders = (tex: string): void => {
  katex.renderToString(tex, { throwOnError: true, strict: 'error' });
};

// ---------------------------------------------------------------------------------------------
// Cases: operand shapes per row, and how the row builds its node

interface Case {
  readonly shapes: readonly Shape[];
  readonly build: (args: readonly Expr[]) => Expr;
}
const binary = (f: (p: Expr, q: Expr) => Expr, ...shapes: Array<readonly [Shape, Shape]>): Case[] =>
  shapes.map((s) => ({ shapes: s, build: ([p, q]) => f(p!, q!) }));
const unary = (f: (p: Expr) => Expr, ...shapes: Shape[]): Case[] =>
  shapes.map((s) => ({ shapes: [s], build: ([p]) => f(p!) }));

/** What each operator of the input syntax builds (sub and gt are sugar: a + (-b), step(a - b)). */
const OPERATOR_CASES: { readonly [K in OpName]: readonly Case[] } = {
  add: binary(b.add, [Wmn, Wmn], [S, S], [xn, xn]),
  sub: binary(b.sub, [Wmn, Wmn], [S, S], [xn, xn]),
  mul: binary(b.mul, [Wmn, xn], [Mnn, Mnn], [S, Wmn], [rn, Mnn], [xn, rn]),
  div: binary(b.div, [Wmn, S], [S, S]),
  emul: binary(b.emul, [Wmn, Wmn], [xn, xn]),
  ediv: binary(b.ediv, [Wmn, Wmn], [xn, xn]),
  pow: [...binary(b.pow, [S, S]), ...unary((p) => b.pow(p, b.num(2)), Mnn)],
  epow: binary(b.epow, [Wmn, S], [xn, S]),
  neg: unary(b.neg, Wmn, S, xn),
  transpose: unary(b.transpose, Wmn, xn),
  gt: binary((p, q) => b.call('step', [b.sub(p, q)]), [xn, xn], [S, S]),
};

/** Operand shapes per shape rule. */
const SHAPE_CASES: { readonly [R in ShapeRule]: ReadonlyArray<readonly Shape[]> } = {
  elementwise: [[xn], [Wmn], [S]],
  elementwise2: [
    [xn, xn],
    [Wmn, Wmn],
  ],
  reduce: [[xn], [Wmn]],
  'reduce-axis': [[xn], [Wmn]],
  'square-to-scalar': [[Mnn]],
  square: [[Mnn]],
  'along-dim': [[xn]],
  'reduce-dim': [[xn]],
  diag: [[xn], [Mnn]],
  vec: [[Wmn], [rn]],
  kron: [
    [Mnn, xn],
    [xn, rn],
  ],
};

/** Operands inside the function's domain, so the value comparison compares numbers. */
const positive = (t: Expr): Expr =>
  b.add(b.num(1), t.shape.kind === 'scalar' ? b.pow(t, b.num(2)) : b.epow(t, b.num(2)));
const spd = (t: Expr): Expr => (t.shape.kind === 'matrix' ? b.add(b.mul(t, b.transpose(t)), b.eye(t.shape.n)) : t);
const POSITIVE: ReadonlySet<FnName> = new Set(['log', 'sqrt']);

function functionCases(f: FnName): Case[] {
  const row = FUNCTIONS[f];
  // A function with a dim: along dim 0 and dim 1 of a matrix, besides its cases without one.
  const alongDims: Case[] = !takesDim(f)
    ? []
    : [0, 1].map((dim) => ({ shapes: [Wmn], build: (args: readonly Expr[]) => b.call(f, [args[0]!, b.num(dim)]) }));
  // The p-norm of a vector (NumPy's norm(X, p) of a matrix is an induced norm, which is refused).
  const shapeCases =
    f === 'norm' ? SHAPE_CASES[row.shape].filter(([s]) => s!.kind === 'vector') : SHAPE_CASES[row.shape];
  return [
    ...alongDims,
    ...shapeCases.map(
      (shapes): Case => ({
        shapes,
        build: (args) => {
          const tensors = args
            .slice(0, tensorArity(f))
            .map((t) =>
              POSITIVE.has(f) ? positive(t) : row.shape === 'square' || row.shape === 'square-to-scalar' ? spd(t) : t,
            );
          return b.call(f, [...tensors, ...args.slice(tensorArity(f))]);
        },
      }),
    ),
  ];
}

const OP_NAMES = Object.keys(OPERATORS) as OpName[];
const FN_NAMES = Object.keys(FUNCTIONS) as FnName[];
const ROWS: ReadonlyArray<readonly [string, readonly Case[]]> = [
  ...OP_NAMES.map((op) => [op, OPERATOR_CASES[op]] as const),
  ...FN_NAMES.map((f) => [f, functionCases(f)] as const),
];

/** Random operands of the given shapes (plus, for a function with a parameter, sometimes a value for it). */
const arbOperands = (
  shapes: readonly Shape[],
  extraParam: boolean,
  paramValues: readonly number[] = [0.2, 0.5, 2],
): fc.Arbitrary<Expr[]> =>
  fc
    .tuple(
      fc.tuple(...shapes.map((shape) => arbExpr({ depth: 2, shape, domainSafe: true }))),
      extraParam ? fc.option(fc.constantFrom(...paramValues), { nil: undefined }) : fc.constant(undefined),
    )
    .map(([ops, p]) => (p === undefined ? ops : [...ops, b.num(p)]));

// ---------------------------------------------------------------------------------------------
// Values, for the LaTeX round trip

type Outcome = { readonly ok: true; readonly t: Tensor } | { readonly ok: false; readonly error: string };
function valueAt(e: Expr, seed: number): Outcome {
  try {
    return { ok: true, t: evaluate(e, randomPoint(ALL_VARS, SIZES, seed), SIZES) };
  } catch (err) {
    return { ok: false, error: (err as Error).constructor.name };
  }
}
function sameValue(x: Outcome, y: Outcome): boolean {
  if (!x.ok || !y.ok) return !x.ok && !y.ok && x.error === y.error;
  if (x.t.data.length !== y.t.data.length) return false;
  const scale = Math.max(1, ...Array.from(x.t.data, Math.abs).filter(Number.isFinite));
  return x.t.data.every((v, i) => {
    const w = y.t.data[i]!;
    return Number.isNaN(v) ? Number.isNaN(w) : Math.abs(v - w) <= 1e-9 * scale || v === w;
  });
}

/**
 * Whether the LaTeX lost a size: `I` carries none, so where its context does not fix it (det(a I + I))
 * the reader infers a fresh dimension. Such samples are discarded, not compared.
 */
const lostSize = (e: Expr, read: Expr): boolean => {
  const dims = new Set(dimNamesOf(e));
  return dimNamesOf(read).some((d) => !dims.has(d));
};

function roundTrips(e: Expr): void {
  const text = toText(e);
  const back = parse(text, { vars: DECLS });
  if (back !== e) throw new Error(`${text} re-parses as ${toText(back)}, a different tree`);
  const tex = toLatex(e);
  let read: Expr;
  try {
    read = parseLatex(tex, { vars: DECLS });
  } catch (err) {
    throw new Error(`${tex} (from ${text}) does not read back: ${(err as Error).message}`);
  }
  fc.pre(!lostSize(e, read));
  if (!shapeEquals(read.shape, e.shape)) throw new Error(`${tex} reads as ${toText(read)}, of another shape`);
  for (const seed of [1, 2]) {
    if (!sameValue(valueAt(e, seed), valueAt(read, seed)))
      throw new Error(`${tex} reads as ${toText(read)}, which differs in value from ${text}`);
  }
}

describe('every row round-trips through the text printer and parser, and the LaTeX printer and reader', () => {
  const { numRuns } = propertyParams(200);
  const runs = Math.max(5, Math.ceil(numRuns / 10));
  for (const [name, cases] of ROWS) {
    it(name, () => {
      expect(cases.length).toBeGreaterThan(0);
      const param = isFnName(name) && FUNCTIONS[name].params.length > 0;
      for (const c of cases) {
        const arb = arbOperands(c.shapes, param, name === 'norm' ? [1.5, 3, 2] : undefined).map((args) => {
          const e = c.build(args);
          return { e, [fc.toStringMethod]: () => toText(e) };
        });
        assertProperty(
          fc.property(arb, ({ e }) => roundTrips(e)),
          { numRuns: runs },
        );
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Derived views

/** A name of the given shape, for hand-written inputs. */
const nameOf = (s: Shape): string =>
  shapeEquals(s, xn) ? 'x' : shapeEquals(s, Wmn) ? 'W' : shapeEquals(s, Mnn) ? 'A' : shapeEquals(s, S) ? 'a' : 'y';
/** The names of a simple call's arguments; the p-norm's p is a number (norm(x) is norm2(x)). */
const argNames = (f: FnName): string[] => (f === 'norm' ? ['x', '3'] : SHAPE_CASES[FUNCTIONS[f].shape][0]!.map(nameOf));
const simpleCall = (f: FnName): Expr =>
  f === 'norm'
    ? b.call('norm', [VARS.x, b.num(3)])
    : functionCases(f)[0]!.build(argNames(f).map((n) => VARS[n as keyof typeof VARS]));

describe('every function is in every derived view', () => {
  it.each(FN_NAMES)('%s', (f) => {
    const e = simpleCall(f);
    // parser vocabulary and text printer
    expect(isFnName(f)).toBe(true);
    expect(parse(toText(e), { vars: DECLS })).toBe(e);
    // LaTeX printer: valid KaTeX
    renders(toLatex(e));
    // LaTeX reader: the function's own name, and every spelling its row lists
    expect(FN_WORDS.get(f)).toBe(f);
    const args = `(${argNames(f).join(', ')})`;
    const spellings = [
      `\\operatorname{${f.replace(/_/g, '\\_')}}`,
      ...FUNCTIONS[f].read.map((s) => (s.startsWith('\\') ? s : `\\operatorname{${s}}`)),
    ];
    for (const s of spellings) {
      const read = parseLatex(`${s}${args}`, { vars: DECLS });
      expect(read.kind === 'call' && read.fn, `${s}${args}`).toBe(f);
    }
    // index notation: a direction-free call is an indexed atom of a differential
    const D = b.variable('D', e.shape);
    const differential = e.shape.kind === 'scalar' ? b.mul(e, D) : b.call('sum', [b.emul(e, D)]);
    const form = indexNotation(b.variable('f', SCALAR), differential, D, [D]);
    expect(form?.text).toContain(toText(e));
    renders(form!.latex);
  });

  it('the reader knows each function by the commands of its LaTeX form', () => {
    const commands = [
      ...FN_COMMANDS.entries(),
      ...FN_GREEK.entries(),
      ...FN_COMMAND_RUNS.map(([run, f]) => [run.join('\\'), f] as const),
    ];
    expect(commands.length).toBeGreaterThan(0);
    for (const [cmd, f] of commands) {
      const read = parseLatex(`\\${cmd}(${argNames(f).join(', ')})`, { vars: DECLS });
      expect(read.kind === 'call' && read.fn, `\\${cmd}`).toBe(f);
    }
  });
});

describe('every operator is in every derived view', () => {
  const sample = (op: OpName): { text: string; latex: string; ops: string[] } => {
    const row = OPERATORS[op];
    if (row.fixity === 'prefix') return { text: `${row.symbol}a`, latex: `${row.symbol}a`, ops: ['a'] };
    if (row.fixity === 'postfix') return { text: `A${row.symbol}`, latex: `A${row.symbol}`, ops: ['A'] };
    return { text: `a ${row.symbol} b`, latex: `a ${row.symbol} b`, ops: ['a', 'b'] };
  };

  it.each(OP_NAMES)('%s', (op) => {
    const row = OPERATORS[op];
    const { text, ops } = sample(op);
    // parser: mathjs's operator node maps to this row
    const surface = parseSurface(text);
    expect(surface.t === 'op' && surface.op).toBe(op);
    // text printer: the symbol, re-read as the same operator
    const printed = operatorText(op, ops.map(atomText)).text;
    expect(parseSurface(printed)).toEqual(surface);
    // LaTeX printer: the template renders
    renders(row.latex.template.replace('#1', ops[0]!).replace('#2', ops[1] ?? ''));
    // LaTeX reader: the template (except a > b, which LaTeX has only inside \mathbb{1}[…]) and every listed spelling
    const spellings = op === 'gt' ? row.read : [row.latex.template, ...row.read];
    for (const s of spellings) {
      const latex = s.includes('#1')
        ? s.replace('#1', ops[0]!).replace('#2', ops[1] ?? '')
        : row.fixity === 'prefix'
          ? `${s}${ops[0]}`
          : row.fixity === 'postfix'
            ? `${ops[0]}${s}`
            : /^\\[a-z]*frac$/.test(s)
              ? `${s}{a}{b}`
              : `a ${s} b`;
      const input = op === 'gt' ? latexToInput(`\\mathbb{1}[${latex}]`) : latexToInput(latex, { matrices: ['A'] });
      const want = op === 'gt' ? 'step(a - b)' : op === 'pow' && s.includes('#1') ? 'a^b' : printed;
      expect(input, latex).toBe(want);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The policy

describe('needsParens: one policy from precedence and associativity', () => {
  const at = (prec: number, op?: string, signed = false): Operand =>
    op === undefined ? { prec, signed } : { prec, op, signed };
  it('left-associative: a - b - c bare, a - (b - c) wrapped', () => {
    expect(needsParens(OPERATORS.sub.text, at(TEXT.sum, 'sub'), 'left')).toBe(false);
    expect(needsParens(OPERATORS.sub.text, at(TEXT.sum, 'sub'), 'right')).toBe(true);
  });
  it('right-associative: a^b^c bare, (a^b)^c wrapped', () => {
    expect(needsParens(OPERATORS.pow.text, at(TEXT.power, 'pow'), 'right')).toBe(false);
    expect(needsParens(OPERATORS.pow.text, at(TEXT.power, 'pow'), 'left')).toBe(true);
  });
  it('a sign never follows an operator, except inside braces', () => {
    expect(needsParens(OPERATORS.mul.text, at(TEXT.prefix, 'neg', true), 'right')).toBe(true);
    expect(needsParens(OPERATORS.mul.text, at(TEXT.prefix, 'neg', true), 'left')).toBe(false);
    expect(needsParens(OPERATORS.epow.latex, at(LATEX.prefix, 'neg', true), 'right')).toBe(false);
  });
  it('chains: ⊙ continues ⊘ but not ⊗; ⊗ continues only itself', () => {
    expect(needsParens(OPERATORS.emul.latex, at(LATEX.hadamard, 'ediv'), 'right')).toBe(false);
    expect(needsParens(OPERATORS.emul.latex, at(LATEX.hadamard, 'kron'), 'left')).toBe(true);
    const kron = FUNCTIONS.kron.latex;
    if (kron.form !== 'infix') throw new Error('kron is infix');
    expect(needsParens(kron.binding, at(LATEX.hadamard, 'kron'), 'right')).toBe(false);
    expect(needsParens(kron.binding, at(LATEX.product, 'mul'), 'left')).toBe(true);
  });
  it('LaTeX: a superscript needs an atom base; unary minus takes a product', () => {
    expect(needsParens(OPERATORS.transpose.latex, at(LATEX.superscript, 'transpose'), 'left')).toBe(true);
    expect(needsParens(OPERATORS.neg.latex, at(LATEX.product, 'mul'), 'right')).toBe(false);
    expect(needsParens(OPERATORS.neg.latex, at(LATEX.hadamard, 'emul'), 'right')).toBe(true);
  });
});
