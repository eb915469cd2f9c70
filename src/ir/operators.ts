/**
 * The vocabulary of the language in one table: a row per operator and per function, holding
 * everything any stage knows about it — its spelling in the input syntax, the mathjs node the parser
 * receives, the IR it builds, its arity, how it binds (precedence and associativity, per notation),
 * its LaTeX form and the spellings the LaTeX answer reader accepts. The parser, the text printer,
 * the LaTeX printer, the index-notation printer and the LaTeX reader are views of this table (as
 * mathjs's `operators.js` serves every node printer); `src/ir/functions.ts` is its function half seen
 * as the function vocabulary.
 *
 * Parentheses follow one policy, `needsParens` below, for every printer: a printer describes how a
 * notation binds (a `Binding` per row and notation), and asks the policy for each operand.
 *
 * Adding a function is one row here (its shape rule and LaTeX form are required fields, so the
 * compiler points at a row that lacks one), a derivative rule in rules/derivative/ (rules/index.ts
 * maps every FnName) and a numeric kernel in numeric/kernels.ts (elementwise) or numeric/evaluate.ts;
 * the compiler also asks the index-notation printer whether a direction can reach it. A new notation (NumPy, PyTorch, …) is a
 * new required column of `FunctionRow`/`OperatorRow` plus a printer that reads it (docs/architecture.md).
 */
import type { Kind } from './expr.js';

// ---------------------------------------------------------------------------------------------
// Binding and the parenthesisation policy

export type Side = 'left' | 'right';
/** 'left': a + b + c is (a + b) + c; 'right': a^b^c is a^(b^c); 'both': an associative chain; 'none': never chains. */
export type Assoc = 'left' | 'right' | 'both' | 'none';

/** How an operator binds in one notation. Levels are small integers; higher binds tighter. */
export interface Binding {
  readonly prec: number;
  /** A prefix operator binds like 'right' (its operand is on the right), a postfix one like 'left'. */
  readonly assoc: Assoc;
  /**
   * The least level an operand needs, per side, where it is not `prec + 1` (plus the chain that
   * `assoc` allows at `prec` itself): an operand inside braces needs nothing (0), LaTeX's unary
   * minus takes a product (-(A B) = (-A) B), a superscript's base must be an atom.
   */
  readonly least?: { readonly left?: number; readonly right?: number };
  /**
   * Operators (or infix functions such as kron) of this level that continue a chain without
   * parentheses; default: all of the level. Names, not types, to keep the table's types acyclic.
   */
  readonly chain?: readonly string[];
  /** Whether the right operand may start with a sign (inside braces: `x^{-1}`, `x^{\circ -1}`). */
  readonly signedRight?: boolean;
}

/** What a printed operand tells its parent: its level, the operator at its top, and whether it starts with a sign. */
export interface Operand {
  readonly prec: number;
  readonly op?: string;
  readonly signed: boolean;
}

/**
 * The one parenthesisation policy: whether `child`, printed, needs parentheses on `side` of an
 * operator that binds as `parent`. An operand binds tightly enough when its level reaches the least
 * level for its side; an operand at the operator's own level continues it only on the side its
 * associativity allows and only if it belongs to the operator's chain; and an operand right after an
 * operator never starts with a sign (`a*(-b)`, `A \left(-x\right)`), except inside braces.
 */
export function needsParens(parent: Binding, child: Operand, side: Side): boolean {
  if (side === 'right' && child.signed && parent.signedRight !== true) return true;
  const least = parent.least?.[side] ?? parent.prec + 1;
  if (child.prec >= least) return false;
  const continues = child.prec === parent.prec && child.op !== undefined
    && (parent.assoc === 'both' || parent.assoc === side)
    && (parent.chain === undefined || parent.chain.includes(child.op));
  return !continues;
}

/** Levels of the input syntax: + - < * / .* ./ < unary minus < ^ .^ (right-associative) < postfix ' < atoms. */
export const TEXT = { compare: 0, sum: 1, product: 2, prefix: 3, power: 4, postfix: 5, atom: 6 } as const;

/**
 * Levels of printed LaTeX: juxtaposition binds tighter than ⊙ ⊘ ⊗ (`x \odot A y` is x ⊙ (A y), as in
 * ML papers); a superscript needs an atom for its base; `\frac`, `\sqrt` and delimited forms are closed.
 */
export const LATEX = { compare: 0, sum: 1, hadamard: 2, product: 3, prefix: 4, superscript: 5, closed: 6, atom: 7 } as const;

// ---------------------------------------------------------------------------------------------
// Operators

/** IR kinds that are operators (the rest are leaves, and `call`). */
export type OperatorKind = Exclude<Kind, 'var' | 'const' | 'zero' | 'ones' | 'eye' | 'commutation' | 'call'>;

export interface OperatorRow {
  /** The symbol in the input syntax. */
  readonly symbol: string;
  readonly fixity: 'infix' | 'prefix' | 'postfix';
  readonly arity: 1 | 2;
  /** mathjs OperatorNode `fn` names that read as this operator. */
  readonly mathjs: readonly string[];
  /**
   * The IR kind it builds and whose shape rule applies. Sugar builds it from others: a - b is
   * a + (-b), a > b is step(a - b) (the indicator, with a + b's shape rule).
   */
  readonly ir: OperatorKind;
  /** The verb of shape errors: "cannot multiply x (n) by y (m)". */
  readonly verb: string;
  /** Input syntax: how it binds, and whether the symbol is set off by spaces (`a + b`, `x*y`). */
  readonly text: Binding & { readonly spaced: boolean };
  /** LaTeX: the template (#1, #2 are the operands) and how it binds. */
  readonly latex: Binding & { readonly template: string };
  /**
   * The LaTeX spellings the answer reader accepts for it besides its template (a test reads each):
   * symbols and commands between operands, or superscripts after one (`^T`).
   */
  readonly read: readonly string[];
}

const left = (prec: number): Binding => ({ prec, assoc: 'left' });
const HADAMARD_CHAIN = ['emul', 'ediv'] as const;

export const OPERATORS = {
  add: {
    symbol: '+', fixity: 'infix', arity: 2, mathjs: ['add'], ir: 'add', verb: 'add',
    text: { ...left(TEXT.sum), spaced: true },
    latex: { prec: LATEX.sum, assoc: 'both', chain: ['add', 'sub'], template: '#1 + #2' },
    read: ['+'],
  },
  sub: {
    symbol: '-', fixity: 'infix', arity: 2, mathjs: ['subtract'], ir: 'add', verb: 'subtract',
    text: { ...left(TEXT.sum), spaced: true },
    latex: { prec: LATEX.sum, assoc: 'left', template: '#1 - #2' },
    read: ['-'],
  },
  /** Juxtaposition in LaTeX. The printer flattens chains (where the left-to-right reading stays well-shaped), so an operand that is still a product keeps its parentheses. */
  mul: {
    symbol: '*', fixity: 'infix', arity: 2, mathjs: ['multiply'], ir: 'mul', verb: 'multiply',
    text: { ...left(TEXT.product), spaced: false },
    latex: { prec: LATEX.product, assoc: 'left', chain: ['mul'], least: { right: LATEX.superscript }, template: '#1 #2' },
    read: ['*', '\\cdot', '\\times', '\\ast'],
  },
  div: {
    symbol: '/', fixity: 'infix', arity: 2, mathjs: ['divide'], ir: 'div', verb: 'divide',
    text: { ...left(TEXT.product), spaced: false },
    latex: { prec: LATEX.closed, assoc: 'none', least: { left: 0, right: 0 }, signedRight: true, template: '\\frac{#1}{#2}' },
    read: ['/', '\\dfrac', '\\tfrac'],
  },
  emul: {
    symbol: '.*', fixity: 'infix', arity: 2, mathjs: ['dotMultiply'], ir: 'emul', verb: 'multiply elementwise',
    text: { ...left(TEXT.product), spaced: false },
    latex: { prec: LATEX.hadamard, assoc: 'both', chain: HADAMARD_CHAIN, template: '#1 \\odot #2' },
    read: ['.*', '\\circ'],
  },
  ediv: {
    symbol: './', fixity: 'infix', arity: 2, mathjs: ['dotDivide'], ir: 'ediv', verb: 'divide elementwise',
    text: { ...left(TEXT.product), spaced: false },
    latex: { prec: LATEX.hadamard, assoc: 'left', chain: HADAMARD_CHAIN, template: '#1 \\oslash #2' },
    read: ['./'],
  },
  pow: {
    symbol: '^', fixity: 'infix', arity: 2, mathjs: ['pow'], ir: 'pow', verb: 'raise',
    text: { prec: TEXT.power, assoc: 'right', spaced: false },
    latex: { prec: LATEX.superscript, assoc: 'none', least: { left: LATEX.atom, right: 0 }, signedRight: true, template: '#1^{#2}' },
    read: ['^'],
  },
  epow: {
    symbol: '.^', fixity: 'infix', arity: 2, mathjs: ['dotPow'], ir: 'epow', verb: 'raise elementwise',
    text: { prec: TEXT.power, assoc: 'right', spaced: false },
    latex: { prec: LATEX.superscript, assoc: 'none', least: { left: LATEX.atom, right: LATEX.product }, signedRight: true, template: '#1^{\\circ #2}' },
    read: [],
  },
  neg: {
    symbol: '-', fixity: 'prefix', arity: 1, mathjs: ['unaryMinus'], ir: 'neg', verb: 'negate',
    text: { prec: TEXT.prefix, assoc: 'right', least: { right: TEXT.prefix }, spaced: false },
    latex: { prec: LATEX.prefix, assoc: 'right', least: { right: LATEX.product }, template: '-#1' },
    read: ['-'],
  },
  transpose: {
    symbol: "'", fixity: 'postfix', arity: 1, mathjs: ['ctranspose', 'transpose'], ir: 'transpose', verb: 'transpose',
    text: { prec: TEXT.postfix, assoc: 'left', least: { left: TEXT.postfix }, spaced: false },
    latex: { prec: LATEX.superscript, assoc: 'none', least: { left: LATEX.atom }, template: '#1^\\top' },
    read: ["'", '^T', '^\\top', '^\\intercal', '^\\prime', '^{\\mathsf{T}}'],
  },
  /** a > b, the indicator step(a - b); in LaTeX only inside \mathbb{1}[…]. */
  gt: {
    symbol: '>', fixity: 'infix', arity: 2, mathjs: ['larger'], ir: 'add', verb: 'compare',
    text: { prec: TEXT.compare, assoc: 'none', spaced: true },
    latex: { prec: LATEX.compare, assoc: 'none', template: '#1 > #2' },
    read: ['>'],
  },
} as const satisfies { readonly [K in OperatorKind]: OperatorRow } & Readonly<Record<string, OperatorRow>>;

/** An operator of the input syntax. */
export type OpName = keyof typeof OPERATORS;
export const OP_NAMES = Object.keys(OPERATORS) as OpName[];

// ---------------------------------------------------------------------------------------------
// Functions

/** How shapes combine; the rules are in shape/rules.ts. */
export type ShapeRule =
  | 'elementwise' | 'elementwise2' | 'reduce' | 'reduce-axis' | 'square-to-scalar' | 'square'
  | 'diag' | 'vec' | 'kron'
  /** A vector to a vector; a matrix, given a dim, to a matrix of its shape (softmax along each row). */
  | 'along-dim'
  /**
   * A vector to a scalar; a matrix, given a dim, to one entry per column (dim 0, a 1×n row) or per
   * row (dim 1, a k-vector), as 'reduce-axis' — but a matrix without a dim is refused (logsumexp).
   */
  | 'reduce-dim';

/**
 * A function's LaTeX form. Each form is one case in the LaTeX printer and one in the LaTeX reader
 * (both switch over `form` with assertNever, so a new form is a compile error until both have it):
 *   - apply: `\exp\left(x\right)`, `\operatorname{relu}\left(x\right)`, `\max\left(x, y\right)`;
 *   - subscripted: the scalar parameter as a subscript, default included: `\operatorname{elu}_{1}\left(x\right)`;
 *   - sqrt `\sqrt{x}`, abs `\lvert x\rvert`, norm `\lVert x\rVert_1` (p = 2 prints _F for a matrix),
 *     indicator `\mathbb{1}[x > 0]`, inverse `X^{-1}` (and `X^{-\top}` for the inverse of a transpose);
 *   - infix: a binary operator such as `A \otimes B`, binding as given.
 */
export type FunctionLatex =
  | { readonly form: 'apply'; readonly name: string }
  | { readonly form: 'subscripted'; readonly name: string }
  | { readonly form: 'sqrt' }
  | { readonly form: 'abs' }
  | { readonly form: 'norm'; readonly p: 1 | 2 | 'param' }
  | { readonly form: 'indicator' }
  | { readonly form: 'inverse' }
  | { readonly form: 'infix'; readonly symbol: string; readonly binding: Binding };

export type LatexForm = FunctionLatex['form'];

export interface FunctionRow {
  /** How the argument shapes give the result's shape (shape/rules.ts). */
  readonly shape: ShapeRule;
  /** Defaults of the optional scalar parameters after the tensor arguments (alpha of leaky_relu). */
  readonly params: readonly number[];
  readonly latex: FunctionLatex;
  /**
   * Further spellings the LaTeX reader accepts: words (in `\operatorname{…}`, `\mathrm{…}`, `\text{…}`
   * or before a parenthesis) and commands (`\ln`). The function's own name, and the word or commands
   * of its LaTeX form, are always read.
   */
  readonly read: readonly string[];
}

const apply = (name: string): FunctionLatex => ({ form: 'apply', name });
const operatorName = (word: string): FunctionLatex => apply(`\\operatorname{${word.replace(/_/g, '\\_')}}`);
const elementwise = (latex: FunctionLatex, read: readonly string[] = [], params: readonly number[] = []) =>
  ({ shape: 'elementwise', params, latex, read }) as const;
const fn = <S extends ShapeRule>(shape: S, latex: FunctionLatex, read: readonly string[] = []) =>
  ({ shape, params: [] as readonly number[], latex, read }) as const;

export const FUNCTION_ROWS = {
  // elementwise, one tensor argument (+ optional scalar parameters, given as numbers)
  exp: elementwise(apply('\\exp')),
  log: elementwise(apply('\\log'), ['ln', '\\ln']),
  sqrt: elementwise({ form: 'sqrt' }),
  sin: elementwise(apply('\\sin')),
  cos: elementwise(apply('\\cos')),
  tan: elementwise(apply('\\tan')),
  tanh: elementwise(apply('\\tanh')),
  sinh: elementwise(apply('\\sinh')),
  cosh: elementwise(apply('\\cosh')),
  asin: elementwise(apply('\\arcsin'), ['arcsin']),
  acos: elementwise(apply('\\arccos'), ['arccos']),
  atan: elementwise(apply('\\arctan'), ['arctan']),
  /** The error function, (2/√π)∫₀ˣ e^(−t²) dt. */
  erf: elementwise(operatorName('erf'), ['\\erf']),
  /** x·Φ(x), the exact form with erf (Hendrycks & Gimpel 2016), not the tanh approximation. */
  gelu: elementwise(operatorName('gelu'), ['GELU']),
  /** x·σ(x) (Elfwing et al. 2018; "swish" with β = 1). */
  silu: elementwise(operatorName('silu'), ['SiLU', 'swish']),
  softsign: elementwise(operatorName('softsign')),
  log1p: elementwise(operatorName('log1p')),
  expm1: elementwise(operatorName('expm1')),
  abs: elementwise({ form: 'abs' }),
  sign: elementwise(operatorName('sign'), ['sgn', '\\sgn']),
  sigmoid: elementwise(apply('\\sigma'), ['sigma', 'logistic']),
  relu: elementwise(operatorName('relu'), ['ReLU']),
  softplus: elementwise(operatorName('softplus')),
  /** Heaviside step, 1 where x > 0 else 0: relu's derivative, printed as the indicator of x > 0. */
  step: elementwise({ form: 'indicator' }),
  leaky_relu: elementwise({ form: 'subscripted', name: '\\operatorname{leaky\\_relu}' }, [], [0.01]),
  elu: elementwise({ form: 'subscripted', name: '\\operatorname{elu}' }, [], [1]),
  // elementwise, two tensors of one shape (NumPy's maximum and minimum; `max(a, b)` with a second
  // argument that is not an integer literal still reads as maximum, parse/elaborate.ts)
  maximum: fn('elementwise2', operatorName('maximum')),
  minimum: fn('elementwise2', operatorName('minimum')),
  // reductions: of all entries to a scalar, or with a zero-based dim (an integer literal) along one
  // axis of a matrix, as in NumPy and PyTorch (docs/conventions.md, Reductions)
  sum: fn('reduce-axis', operatorName('sum')),
  mean: fn('reduce-axis', operatorName('mean')),
  /** Population variance (1/n), NumPy's default and what layer and batch norm use. */
  var: fn('reduce-axis', operatorName('var'), ['Var']),
  /** Population standard deviation, sqrt(var). */
  std: fn('reduce-axis', operatorName('std')),
  max: fn('reduce-axis', apply('\\max')),
  min: fn('reduce-axis', apply('\\min')),
  // reductions to a scalar
  norm1: fn('reduce', { form: 'norm', p: 1 }),
  norm2: fn('reduce', { form: 'norm', p: 2 }, ['frob']),
  tr: fn('square-to-scalar', operatorName('tr'), ['Tr', 'trace', 'Trace', '\\tr', '\\Tr', '\\trace']),
  det: fn('square-to-scalar', apply('\\det'), ['Det', 'determinant']),
  logdet: fn('square-to-scalar', apply('\\log\\det')),
  /**
   * The p-norm (Σ|xᵢ|ᵖ)^(1/p) for a literal p ≥ 1 other than 1 and 2: the constructor writes norm(x),
   * norm(x, 2) as norm2(x) and norm(x, 1) as norm1(x), so a norm node always has its p.
   */
  norm: { shape: 'reduce', params: [2], latex: { form: 'norm', p: 'param' }, read: [] },
  /** log Σ exp, of a vector, or of each row (dim 1) or column (dim 0) of a matrix. */
  logsumexp: fn('reduce-dim', operatorName('logsumexp'), ['LSE']),
  // structural
  inv: fn('square', { form: 'inverse' }, ['inverse']),
  diag: fn('diag', operatorName('diag'), ['Diag', '\\diag']),
  /** exp(x)/Σ exp(x), of a vector, or of each row (dim 1) or column (dim 0) of a matrix. */
  softmax: fn('along-dim', operatorName('softmax')),
  /** log(softmax(x)) = x - logsumexp(x), computed stably; with a dim, row by row or column by column. */
  log_softmax: fn('along-dim', operatorName('log_softmax')),
  /** ⊗ binds like ⊙ but never mixes with it, and takes nothing looser than a factor of a product. */
  kron: fn('kron', {
    form: 'infix', symbol: '\\otimes',
    binding: { prec: LATEX.hadamard, assoc: 'both', chain: ['kron'], least: { left: LATEX.prefix, right: LATEX.superscript } },
  }),
  /** Row-major vectorisation (rows stacked), matching the tensor layout of derivative values. */
  vec: fn('vec', operatorName('vec')),
} as const satisfies Readonly<Record<string, FunctionRow>>;

export type FnName = keyof typeof FUNCTION_ROWS;
export const FN_NAMES = Object.keys(FUNCTION_ROWS) as FnName[];

// ---------------------------------------------------------------------------------------------
// Names

/**
 * The Greek letters a name may be, printed as their LaTeX command (`theta` as \theta) and read back
 * from it: the one list the LaTeX printer, the LaTeX reader and the naming-convention warning derive
 * from, so that every name printed as a letter reads back as that name.
 */
export const GREEK_LETTERS: readonly string[] = [
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
];
