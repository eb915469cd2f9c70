/**
 * The LaTeX reader's vocabulary, derived from the vocabulary table (ir/operators.ts): what every
 * function and operator looks like in a student's LaTeX. Each function is read by its own name, by
 * the word or commands of its LaTeX form (`\operatorname{relu}`, `\exp`, `\log\det`, `\sigma`) and by
 * the extra spellings of its row (`\ln`, `\operatorname{Tr}`, `\mathrm{ReLU}`); special forms (√, |·|,
 * ‖·‖, the indicator, the inverse) are found by form, and the infix commands by the level their row
 * binds at. Nothing here names a function: a new row is read without an edit.
 */
import {
  FN_NAMES,
  type FnName,
  FUNCTION_ROWS,
  type FunctionLatex,
  GREEK_LETTERS,
  LATEX,
  OPERATORS,
  OP_NAMES,
  type OpName,
  TEXT,
} from '../ir/operators.js';

/** `\exp` → ['exp'], `\log\det` → ['log', 'det']; undefined for anything that is not a run of commands. */
const commandRun = (tex: string): string[] | undefined =>
  /^(?:\\[A-Za-z]+)+$/.test(tex) ? tex.slice(1).split('\\') : undefined;

/** `\operatorname{leaky\_relu}` → 'leaky_relu'. */
const operatorWord = (tex: string): string | undefined =>
  /^\\operatorname\{([^{}]+)\}$/.exec(tex)?.[1]?.replace(/\\_/g, '_');

const nameOf = (f: FunctionLatex): string | undefined =>
  f.form === 'apply' || f.form === 'subscripted' ? f.name : undefined;

/** Greek letters, read as names; \pi is not among them: it is read as the constant. */
export const GREEK: ReadonlySet<string> = new Set(GREEK_LETTERS.filter((g) => g !== 'pi'));

function build() {
  /** Words (in \operatorname, \mathrm, \text, or before a parenthesis) → function. */
  const words = new Map<string, FnName>();
  /** Single commands that are functions by themselves (\exp, \ln, \tr). */
  const commands = new Map<string, FnName>();
  /** Runs of several commands (\log\det), longest first. */
  const runs: Array<readonly [readonly string[], FnName]> = [];
  /** Greek-letter commands that name a function (\sigma): the function when applied, else the letter. */
  const greek = new Map<string, FnName>();
  for (const f of FN_NAMES) {
    const row = FUNCTION_ROWS[f];
    const name = nameOf(row.latex);
    const spellings = [f, ...(name === undefined ? [] : [name]), ...row.read];
    for (const s of spellings) {
      const word = s.startsWith('\\') ? operatorWord(s) : s;
      if (word !== undefined) {
        words.set(word, f);
        continue;
      }
      const run = commandRun(s);
      if (run === undefined) continue;
      if (run.length > 1) runs.push([run, f]);
      else if (GREEK.has(run[0]!)) greek.set(run[0]!, f);
      else commands.set(run[0]!, f);
    }
  }
  runs.sort((a, b) => b[0].length - a[0].length);
  return { words, commands, runs, greek };
}

const FNS = build();
export const FN_WORDS: ReadonlyMap<string, FnName> = FNS.words;
export const FN_COMMANDS: ReadonlyMap<string, FnName> = FNS.commands;
export const FN_COMMAND_RUNS: ReadonlyArray<readonly [readonly string[], FnName]> = FNS.runs;
export const FN_GREEK: ReadonlyMap<string, FnName> = FNS.greek;

/** The function printed in a special form, by form (and the norm by its p). */
function byForm(pred: (f: FunctionLatex) => boolean): FnName {
  const f = FN_NAMES.find((n) => pred(FUNCTION_ROWS[n].latex));
  if (f === undefined) throw new Error('internal error: the vocabulary has no function of this LaTeX form');
  return f;
}
export const FORM_FN = {
  sqrt: byForm((f) => f.form === 'sqrt'),
  abs: byForm((f) => f.form === 'abs'),
  norm1: byForm((f) => f.form === 'norm' && f.p === 1),
  norm2: byForm((f) => f.form === 'norm' && f.p === 2),
  normp: byForm((f) => f.form === 'norm' && f.p === 'param'),
  indicator: byForm((f) => f.form === 'indicator'),
  inverse: byForm((f) => f.form === 'inverse'),
} as const;

/** Functions whose scalar parameter is a subscript: `\operatorname{elu}_{0.5}(x)`. */
export const SUBSCRIPTED: ReadonlySet<FnName> = new Set(
  FN_NAMES.filter((f) => FUNCTION_ROWS[f].latex.form === 'subscripted'),
);

/** An infix reading: an operator of the syntax, or a function written between its arguments (⊗). */
export type Infix = { readonly op: OpName } | { readonly fn: FnName };

/** The command of a LaTeX spelling such as `\odot`, `\cdot` (undefined for symbols such as `*`). */
const commandOf = (s: string): string | undefined => /^\\([A-Za-z]+)$/.exec(s)?.[1];
/** The infix symbol of an operator's LaTeX template: `#1 \odot #2` → `\odot`. */
const templateSymbol = (t: string): string | undefined => /^#1 (\\[A-Za-z]+) #2$/.exec(t)?.[1];

function infixCommands(level: number): ReadonlyMap<string, Infix> {
  const out = new Map<string, Infix>();
  for (const op of OP_NAMES) {
    const row = OPERATORS[op];
    if (row.fixity !== 'infix' || row.latex.prec !== level) continue;
    for (const s of [templateSymbol(row.latex.template), ...row.read]) {
      const c = s === undefined ? undefined : commandOf(s);
      if (c !== undefined) out.set(c, { op });
    }
  }
  for (const f of FN_NAMES) {
    const l = FUNCTION_ROWS[f].latex;
    if (l.form !== 'infix' || l.binding.prec !== level) continue;
    const c = commandOf(l.symbol);
    if (c !== undefined) out.set(c, { fn: f });
  }
  return out;
}

/** ⊙ ⊘ ⊗ and their spellings: looser than juxtaposition (`x \odot A y` is x ⊙ (A y)). */
export const HADAMARD_COMMANDS = infixCommands(LATEX.hadamard);
/** \cdot, \times, \ast: explicit products. */
export const PRODUCT_COMMANDS = infixCommands(LATEX.product);

/** Operators written with the input syntax's own symbols at the product level: * / .* ./ */
export const PRODUCT_SYMBOLS: ReadonlyMap<string, OpName> = new Map(
  OP_NAMES.filter((op) => OPERATORS[op].fixity === 'infix' && OPERATORS[op].text.prec === TEXT.product).map((op) => [
    OPERATORS[op].symbol,
    op,
  ]),
);

/** \frac and its display/text variants. */
export const FRAC_COMMANDS: ReadonlySet<string> = new Set(
  [OPERATORS.div.latex.template.match(/^\\([A-Za-z]+)\{/)?.[1], ...OPERATORS.div.read.map(commandOf)].filter(
    (c): c is string => c !== undefined,
  ),
);

// The words of LaTeX itself, beside the table's: fonts, and commands an answer cannot contain.

/** Font commands whose argument is a name (or 1, 0, I, or a function name). */
export const FONTS = new Set([
  'mathbf',
  'boldsymbol',
  'bm',
  'mathit',
  'mathrm',
  'mathsf',
  'vec',
  'mathbfit',
  'pmb',
  'bf',
  'operatorname',
  'text',
  'textrm',
  'textit',
  'textbf',
  'mathbb',
  'mathcal',
  'mathnormal',
]);

/** Commands that write a derivative rather than its value, each with what it is. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  partial: 'a partial derivative',
  nabla: 'a gradient symbol',
  sum: 'a sum with an index',
  prod: 'a product with an index',
  int: 'an integral',
  lim: 'a limit',
};
