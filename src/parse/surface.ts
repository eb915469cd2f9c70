/**
 * Stage 1 of parsing: source text → Surface, a small shape-free tree of the input syntax.
 *
 * mathjs's parser (a narrow instance built from `mathjs/number` with only the parse dependencies, so
 * that the CLI starts fast) reads the text; we convert its node tree into our own Surface type and
 * reject everything the language does not have (assignments, indexing, strings, …). Limits are
 * enforced *before* mathjs sees the text, so that 10,000 nested parentheses or a megabyte of input
 * fail fast with a LimitError instead of overflowing the stack. Unicode pasted from papers (θ, ᵀ, ⊙,
 * ‖x‖, …) is first mapped to the input syntax by parse/unicode.ts, which keeps error columns in the
 * user's text.
 */
import { create, parseDependencies } from 'mathjs/number';
import { LimitError, ParseError } from '../errors.js';
import { OPERATORS, OP_NAMES, type OpName } from '../ir/operators.js';
import { readUnicode } from './unicode.js';

/** An operator of the input syntax: a row of the vocabulary table (ir/operators.ts). */
export type SurfaceOp = OpName;

export type Surface =
  | { readonly t: 'num'; readonly value: number }
  | { readonly t: 'name'; readonly name: string }
  | { readonly t: 'op'; readonly op: SurfaceOp; readonly args: readonly Surface[] }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Surface[] };

export const LIMITS = {
  /** Characters in one expression. */
  maxLength: 20_000,
  /** Nesting of parentheses and brackets. */
  maxNesting: 200,
  /**
   * Depth of the expression tree (long chains such as a+a+…+a count too). Elaboration, printing,
   * simplification and differentiation recurse over the tree, so this keeps them well inside the
   * call stack (a 2,000-deep chain overflowed it in elaboration).
   */
  maxDepth: 1_000,
} as const;

let mathjs: ReturnType<typeof create> | undefined;
// mathjs's typings declare its dependency maps as entries of a Record, so under noUncheckedIndexedAccess
// they read as possibly undefined; parseDependencies is always exported.
const parser = () => (mathjs ??= create({ parseDependencies: parseDependencies! }));

/** mathjs OperatorNode names → our operators, from the table's mathjs column. */
const MATHJS_OPS: ReadonlyMap<string, SurfaceOp> = new Map(
  OP_NAMES.flatMap((op) => OPERATORS[op].mathjs.map((m) => [m, op] as const)),
);

function checkLimits(src: string): void {
  if (src.length > LIMITS.maxLength) {
    throw new LimitError(`the expression is ${src.length} characters long; the limit is ${LIMITS.maxLength}`);
  }
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '(' || c === '[') {
      if (++depth > LIMITS.maxNesting)
        throw new LimitError(`parentheses are nested more than ${LIMITS.maxNesting} deep (at column ${i + 1})`);
    } else if (c === ')' || c === ']') depth--;
  }
}

/** mathjs reports "(char N)"; we report a column and keep the message plain. */
function toParseError(err: unknown, src: string): ParseError {
  const e = err as { message?: string; char?: number };
  const raw = String(e.message ?? err).replace(/\s*\(char \d+\)\s*$/, '');
  const column = typeof e.char === 'number' ? Math.min(Math.max(e.char, 1), src.length + 1) : undefined;
  const msg = raw.charAt(0).toLowerCase() + raw.slice(1);
  return new ParseError(msg, column);
}

interface MNode {
  type: string;
  op?: string;
  fn?: string | MNode;
  name?: string;
  args?: MNode[];
  value?: unknown;
  content?: MNode;
}

/** What a long chain of one operator is made of, for the limit's message. */
const CHAIN_PARTS: Readonly<Record<string, string>> = {
  add: 'terms in one sum',
  subtract: 'terms in one sum',
  multiply: 'factors in one product',
  dotMultiply: 'factors in one product',
  unaryMinus: 'minus signs in a row',
  ctranspose: "transposes (') in a row",
};
const chainKey = (n: MNode): string | undefined =>
  n.type === 'OperatorNode' && typeof n.fn === 'string'
    ? n.fn === 'subtract'
      ? 'add'
      : n.fn === 'dotMultiply'
        ? 'multiply'
        : n.fn
    : undefined;

/**
 * Iterative depth check, so a deep tree is refused before any recursive walk. A flat sum of many
 * terms is a deep tree too (a+b+c is (a+b)+c); the message then says so rather than "nested".
 */
function checkDepth(root: MNode): void {
  // Each entry: a node, its depth, the length of the run of one operator ending at it, and the
  // longest such run on the path from the root (with its operator).
  const stack: Array<[n: MNode, depth: number, run: number, longest: number, longestOp: string | undefined]> = [
    [root, 1, 1, 1, chainKey(root)],
  ];
  while (stack.length > 0) {
    const [n, d, run, longest, longestOp] = stack.pop()!;
    if (d > LIMITS.maxDepth) {
      const parts =
        longestOp !== undefined && longest > LIMITS.maxDepth / 2
          ? (CHAIN_PARTS[longestOp] ?? 'operations in one chain')
          : undefined;
      throw new LimitError(
        parts !== undefined
          ? `the expression has more than ${LIMITS.maxDepth} ${parts}; the limit is ${LIMITS.maxDepth} operations in one chain or nesting`
          : `the expression is nested more than ${LIMITS.maxDepth} operations deep`,
      );
    }
    const key = chainKey(n);
    for (const k of [...(n.args ?? []), ...(n.content ? [n.content] : [])]) {
      const kRun = key !== undefined && chainKey(k) === key ? run + 1 : 1;
      stack.push(kRun > longest ? [k, d + 1, kRun, kRun, key] : [k, d + 1, kRun, longest, longestOp]);
    }
  }
}

/**
 * mathjs's nodes carry no positions, so a construct we reject is located by its first occurrence in
 * the source: a word token as a whole word, a pattern by its first match, anything else verbatim.
 */
function columnOf(src: string, ...tokens: Array<string | RegExp>): number | undefined {
  let best = -1;
  for (const t of tokens) {
    const i =
      t instanceof RegExp ? src.search(t) : /^\w+$/.test(t) ? src.search(new RegExp(`\\b${t}\\b`)) : src.indexOf(t);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best < 0 ? undefined : best + 1;
}

/** Where a construct outside the language starts. */
function columnOfNode(n: MNode, src: string): number | undefined {
  switch (n.type) {
    case 'AccessorNode':
    case 'IndexNode':
      return columnOf(src, '[', /(?<=[\w)\]])\.(?=[A-Za-z_])/);
    case 'AssignmentNode':
    case 'FunctionAssignmentNode':
      return columnOf(src, /(?<![=<>!])=(?!=)/);
    case 'ConditionalNode':
      return columnOf(src, '?');
    case 'ArrayNode':
      return columnOf(src, '[');
    case 'ObjectNode':
      return columnOf(src, '{');
    case 'RangeNode':
      return columnOf(src, ':');
    case 'BlockNode':
      return columnOf(src, ';', '\n');
    default:
      return undefined;
  }
}

function convert(n: MNode, src: string): Surface {
  switch (n.type) {
    case 'ParenthesisNode':
      return convert(n.content!, src);
    case 'ConstantNode': {
      if (typeof n.value !== 'number' || !Number.isFinite(n.value)) {
        const v = n.value;
        const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
        const at = typeof v === 'string' ? columnOf(src, `"${v}"`, `'${v}'`) : columnOf(src, String(v));
        throw new ParseError(`only finite numbers are allowed as constants, not ${text}`, at);
      }
      return { t: 'num', value: n.value };
    }
    case 'SymbolNode':
      return { t: 'name', name: n.name! };
    case 'OperatorNode': {
      const args = (n.args ?? []).map((a) => convert(a, src));
      if (n.fn === 'unaryPlus') return args[0]!;
      const op = MATHJS_OPS.get(n.fn as string);
      if (op === undefined)
        throw new ParseError(`the operator ${n.op} is not part of the language`, columnOf(src, n.op ?? ''));
      return { t: 'op', op, args };
    }
    case 'FunctionNode': {
      const fn = n.fn as MNode;
      if (fn.type !== 'SymbolNode') throw new ParseError('only named functions can be called');
      if (fn.name === 'norm' && n.args?.length === 2) return normCall(n.args[0]!, n.args[1]!, src);
      return { t: 'call', fn: fn.name!, args: (n.args ?? []).map((a) => convert(a, src)) };
    }
    default:
      throw new ParseError(`${describeNode(n.type)} is not part of the language`, columnOfNode(n, src));
  }
}

/**
 * norm(X, 'fro') is the Frobenius norm, norm2(X), and norm(x, inf) the max-norm, max(abs(x)), as
 * in NumPy; norm(x, p) takes a literal p ≥ 1 (checked by the constructor). Any other string is
 * refused here with the spellings that work.
 */
function normCall(x: MNode, p: MNode, src: string): Surface {
  if (p.type === 'ConstantNode' && typeof p.value === 'string') {
    if (p.value === 'fro') return { t: 'call', fn: 'norm2', args: [convert(x, src)] };
    throw new ParseError(
      `the second argument of norm is a number p ≥ 1 or 'fro', not ${JSON.stringify(p.value)}`,
      columnOf(src, `'${p.value}'`, `"${p.value}"`),
    );
  }
  // The max-norm, NumPy's norm(x, inf): the largest |xᵢ| (its derivative through the arg-max, ties being kinks).
  if (
    (p.type === 'SymbolNode' && /^(inf|Inf|Infinity)$/.test(p.name!)) ||
    (p.type === 'ConstantNode' && p.value === Infinity)
  ) {
    return { t: 'call', fn: 'max', args: [{ t: 'call', fn: 'abs', args: [convert(x, src)] }] };
  }
  return { t: 'call', fn: 'norm', args: [convert(x, src), convert(p, src)] };
}

function describeNode(type: string): string {
  switch (type) {
    case 'AccessorNode':
    case 'IndexNode':
      return 'indexing such as x[1]';
    case 'AssignmentNode':
    case 'FunctionAssignmentNode':
      return 'assignment';
    case 'ConditionalNode':
      return 'the conditional a ? b : c';
    case 'ArrayNode':
      return 'a literal array [..]';
    case 'ObjectNode':
      return 'an object {..}';
    case 'RangeNode':
      return 'a range a:b';
    case 'BlockNode':
      return 'a block of several expressions';
    default:
      return type;
  }
}

/** Parses source text into a Surface tree; throws ParseError (with column) or LimitError. */
export function parseSurface(src: string): Surface {
  if (typeof src !== 'string') throw new ParseError('the expression must be a string');
  checkLimits(src);
  if (src.trim() === '') throw new ParseError('the expression is empty', 1);
  return readUnicode(src, parseAscii);
}

/** mathjs's parse of text in the input syntax, converted to Surface. */
function parseAscii(src: string): Surface {
  let node: MNode;
  try {
    node = parser().parse(src) as unknown as MNode;
  } catch (err) {
    if (err instanceof RangeError) throw new LimitError('the expression is nested too deeply');
    throw toParseError(err, src);
  }
  checkDepth(node);
  return convert(node, src);
}

/** Prints a Surface tree back in the input syntax (fully parenthesised where unsure); for messages. */
export function surfaceText(s: Surface): string {
  switch (s.t) {
    case 'num':
      return String(s.value);
    case 'name':
      return s.name;
    case 'call':
      return `${s.fn}(${s.args.map(surfaceText).join(', ')})`;
    case 'op': {
      // A postfix transpose binds tightest, so it needs no parentheses as an operand: x'*x.
      const [a, b] = s.args.map((x) => (x.t === 'op' && x.op !== 'transpose' ? `(${surfaceText(x)})` : surfaceText(x)));
      if (s.op === 'neg') return `-${a}`;
      if (s.op === 'transpose') return `${a}'`;
      return `${a}${OPERATORS[s.op].symbol}${b}`;
    }
  }
}
