/**
 * What a code-generation target must say about the vocabulary: one spelling per operator of the
 * operator table (ir/operators.ts, keyed by OpName) and one per function (keyed by FnName), so that
 * a row added to the table is a compile error here until every target spells it — the same
 * exhaustiveness the text, LaTeX and index printers get from their columns. Besides the vocabulary a
 * target spells the few structural pieces the lowering needs (identity, zeros, einsum, reshape, outer
 * products, 1-d ↔ 2-d views), which lower.ts uses instead of forming Kronecker or diagonal matrices.
 *
 * Printed code is a `Code`: text plus how it binds (an Operand of the shared policy `needsParens`),
 * so parentheses in generated code come from the same policy as in the text and LaTeX printers.
 */
import { type Binding, type OpName, type Operand, type Side, needsParens } from '../ir/operators.js';
import type { FnName } from '../ir/functions.js';

export type Target = 'numpy' | 'torch' | 'jax' | 'ts';
export const TARGETS: readonly Target[] = ['numpy', 'torch', 'jax', 'ts'];

/** A printed piece of code and how it binds as an operand. */
export interface Code extends Operand {
  readonly text: string;
  /** For a reshape: what was reshaped (a reshape of a reshape reshapes the original). */
  readonly reshaped?: Code;
}

/** Binding levels of generated code (Python's and TypeScript's agree on these). */
export const CODE = { compare: 0, sum: 1, product: 2, prefix: 3, power: 4, postfix: 5, atom: 6 } as const;

export const atom = (text: string): Code => ({ text, prec: CODE.atom, signed: false });

/** An operator: its template (#1, #2 the operands) and how it binds. */
export interface OpSpelling extends Binding {
  readonly template: string;
}

/**
 * A function: its template, #1 and #2 the tensor arguments, #p the scalar parameter and #d a dim; `helpers`
 * names module-level definitions the template calls (emitted once, only when used). `prec`: how
 * the filled template binds (default: an atom, a call). `structural`: the lowering builds it
 * (kron, vec, diag of a vector) from the target's structural pieces instead.
 */
export interface FnSpelling {
  readonly template: string;
  /** A reduction along a zero-based dim (#d): sum(X, 0) is np.sum(X, axis=0). */
  readonly axis?: string;
  readonly helpers?: readonly string[];
  readonly prec?: number;
}

export type FnSpellings = { readonly [K in FnName]: FnSpelling | 'structural' };
export type OpSpellings = { readonly [K in OpName]: OpSpelling };

export interface Dialect {
  readonly target: Target;
  readonly ops: OpSpellings;
  readonly fns: FnSpellings;
  /** Module-level definitions by name (helper functions the templates call). */
  readonly helpers: Readonly<Record<string, string>>;
  readonly number: (v: number) => Code;
  /** A scalar constant as a value of the target's array type (a result that depends on nothing). */
  readonly scalarArray: (v: Code) => Code;
  readonly eye: (n: string) => Code;
  readonly zeros: (dims: readonly string[]) => Code;
  readonly ones: (dims: readonly string[]) => Code;
  readonly einsum: (spec: string, args: readonly Code[]) => Code;
  /** Row-major reshape; dims are code ('-1' for "the rest"). */
  readonly reshape: (x: Code, dims: readonly string[]) => Code;
  readonly outer: (a: Code, b: Code) => Code;
  /** A 1-d array as an n×1 column, or a 1×n row (views, not copies). */
  readonly column: (x: Code) => Code;
  readonly row: (x: Code) => Code;
  /** A 0-d array as 1×1. */
  readonly scalarMatrix: (x: Code) => Code;
  readonly diagMatrix: (v: Code) => Code;
  readonly matrixPower: (x: Code, p: Code) => Code;
  /** The size of axis `axis` of the parameter `name`. */
  readonly size: (name: string, axis: number) => string;
}

const placeholder = /#([12pd])/g;

/** Fills a template. An argument in a call's argument position goes in as is, elsewhere parenthesised unless it is an atom. */
export function fill(template: string, args: Readonly<Record<string, Code>>, prec: number = CODE.atom): Code {
  const text = template.replace(placeholder, (_m, key: string, offset: number) => {
    const arg = args[key];
    if (arg === undefined) throw new Error(`internal error: template ${template} has no argument #${key}`);
    const before = template.slice(0, offset).trimEnd(),
      after = template.slice(offset + 2).trimStart();
    const inCall =
      (before.endsWith('(') || before.endsWith(',') || before.endsWith('[')) &&
      (after.startsWith(')') || after.startsWith(','));
    return inCall || arg.prec >= CODE.postfix ? arg.text : `(${arg.text})`;
  });
  return { text, prec, signed: prec === CODE.prefix };
}

/** How often a template uses each placeholder (an argument used twice must be computed once, into a name). */
export function uses(template: string, key: '1' | '2' | 'p'): number {
  return [...template.matchAll(placeholder)].filter((m) => m[1] === key).length;
}

/** An operator of the target applied to printed operands, parenthesised by the shared policy. */
export function operator(d: Dialect, op: OpName, operands: readonly Code[]): Code {
  const row = d.ops[op];
  const put = (p: Code, side: Side): string => (needsParens(row, p, side) ? `(${p.text})` : p.text);
  const [a, b] = operands as [Code, Code | undefined];
  // A unary operator is postfix when its template starts with the operand (x.T), else prefix (-x).
  const first: Side = b !== undefined || row.template.startsWith('#1') ? 'left' : 'right';
  const text = row.template.replace(/#([12])/g, (_m, k: string) => (k === '1' ? put(a, first) : put(b!, 'right')));
  return { text, prec: row.prec, op, signed: op === 'neg' && row.prec === CODE.prefix };
}
