/**
 * What the CLI writes: colour (only on a terminal, never with NO_COLOR), shapes and numbers in
 * readable text, error lines, the mapping from errors to exit codes, and the outcome of a
 * finite-difference check (shared by the commands and the batch protocol).
 *
 * Exit codes: 0 ok; 1 a math error in the input (syntax, shape, unknown name, domain, limit,
 * unsupported); 2 a usage error (bad option, bad --at JSON, unreadable file); 3 an internal error,
 * a bug in matcalc (including a derivative that fails its own finite-difference check).
 * Errors are one line on stderr, `matcalc: error (shape): message`, never a stack trace.
 */
import type { Derivative } from '../api/derivative.js';
import type { VerifyReport } from '../api/verify.js';
import { type ErrorKind, MatcalcError, ParseError } from '../errors.js';
import type { Env } from '../numeric/evaluate.js';
import { type Nested, toNested } from '../numeric/tensor.js';
import type { IndexForm } from '../print/index-notation.js';
import type { Warning } from '../parse/warnings.js';
import { toLatex } from '../print/latex.js';
import { type ProgramForm, programText } from '../print/program.js';
import { toText } from '../print/text.js';
import { type Dim, formatDim } from '../shape/shape.js';

export const EXIT = { ok: 0, math: 1, usage: 2, internal: 3 } as const;

// ---------------------------------------------------------------------------------------------
// Colour

export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const sgr =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string): string => s;

const COLOURED: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};
export const PLAIN: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };

/** Colour for a stream: only a terminal, and only when NO_COLOR is unset or empty (no-color.org). */
export function styleFor(stream: { readonly isTTY?: boolean }): Style {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return stream.isTTY === true && !noColor ? COLOURED : PLAIN;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Writes text to stdout, waiting for the stream to drain when its buffer is full. */
export async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

// ---------------------------------------------------------------------------------------------
// Shapes and numbers

/** Tensor-layout dims as text: [] → "scalar", [n] → "n", [m, n] → "m×n"; a product dim is parenthesised. */
export const formatDims = (dims: readonly Dim[]): string =>
  dims.length === 0 ? 'scalar' : dims.map(formatDim).join('×');

/** Dims for JSON: names stay strings, a product such as 'k·n' is written 'k*n' (as --var reads it). */
export const jsonDims = (dims: readonly Dim[]): (string | number)[] =>
  dims.map((d) => (typeof d === 'number' ? d : d.split('·').join('*')));

/** A number for people: 12 significant digits at most, no trailing noise (0.1 + 0.2 prints 0.3). */
function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(12)));
}

/**
 * A value as aligned text: a scalar as a number, a vector as `[a, b, c]`, a matrix as aligned rows,
 * and higher ranks as labelled matrix slices (`[0, :, :] =`).
 */
export function formatValue(v: Nested): string {
  if (typeof v === 'number') return formatNumber(v);
  if (v.every((x) => typeof x === 'number')) return `[${(v as number[]).map(formatNumber).join(', ')}]`;
  if (v.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number')))
    return formatMatrix(v as number[][]);
  return v.map((slice, i) => formatSlices(slice, [i])).join('\n');
}

function formatSlices(v: Nested, prefix: number[]): string {
  if (Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number'))) {
    return `[${prefix.join(', ')}, :, :] =\n${indent(formatMatrix(v as number[][]), 2)}`;
  }
  return (v as Nested[]).map((s, i) => formatSlices(s, [...prefix, i])).join('\n');
}

function formatMatrix(rows: readonly number[][]): string {
  const cells = rows.map((r) => r.map(formatNumber));
  const cols = cells[0]?.length ?? 0;
  const width = Array.from({ length: cols }, (_, j) => Math.max(...cells.map((r) => r[j]!.length)));
  const line = (r: string[]): string => r.map((c, j) => c.padStart(width[j]!)).join('  ');
  return cells.map((r, i) => `${i === 0 ? '[' : ' '}${line(r)}${i === cells.length - 1 ? ']' : ''}`).join('\n');
}

export const indent = (s: string, n: number): string =>
  s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

// ---------------------------------------------------------------------------------------------
// Errors

/** A bug in matcalc rather than in the input: shown as such, exit 3. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

export interface ShownError {
  /** Lines for stderr, without a trailing newline. */
  readonly text: string;
  readonly code: number;
}

/**
 * Any exception as a kind and a message: a matcalc error keeps its own. Recursion too deep for the
 * stack and an allocation too large for memory are limits (a backstop for what the engine does not
 * catch itself); anything else is a bug in matcalc, kind 'internal'. Shared by the error line
 * (showError) and the batch protocol's error objects.
 */
export function describeError(err: unknown): { readonly kind: ErrorKind | 'internal'; readonly message: string } {
  if (err instanceof MatcalcError) return { kind: err.kind, message: err.message };
  if (err instanceof RangeError && /call stack/i.test(err.message))
    return { kind: 'limit', message: 'the expression is nested too deeply to process' };
  if (err instanceof RangeError && /invalid (typed )?array length|allocation failed/i.test(err.message)) {
    return { kind: 'limit', message: 'the values are too large to hold in memory: use smaller sizes' };
  }
  return { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * How an error is shown. Known errors print their kind and message (and, for syntax errors with a
 * column, the source with a caret); a request error is a usage error; anything else is a bug and
 * says so, still without a stack trace.
 */
export function showError(err: unknown, src?: string): ShownError {
  const style = styleFor(process.stderr);
  const head = (kind: string) => `${style.bold('matcalc:')} ${style.red(`error (${kind})`)}: `;
  const { kind, message } = describeError(err);
  if (kind === 'request') return { text: head('usage') + message, code: EXIT.usage };
  if (kind === 'internal')
    return {
      text: `${head('internal')}${message} (this is a bug in matcalc; please report it with the command that caused it)`,
      code: EXIT.internal,
    };
  let text = head(kind) + message;
  if (
    err instanceof ParseError &&
    err.column !== undefined &&
    src !== undefined &&
    !src.includes('\n') &&
    src.length <= 200
  ) {
    text += `\n  ${src}\n  ${' '.repeat(err.column - 1)}${style.red('^')}`;
  }
  return { text, code: EXIT.math };
}

// ---------------------------------------------------------------------------------------------
// Finite-difference checks

/** A check's outcome for display: its report, or why it could not run. */
export type Checked<R> = { readonly report: R } | { readonly skipped: string };

/** Runs a check; a matcalc error (no point inside the domain, a limit, …) means it was not run. */
export function runCheck<R>(check: () => R): Checked<R> {
  try {
    return { report: check() };
  } catch (err) {
    if (err instanceof MatcalcError) return { skipped: err.message };
    throw err;
  }
}

/** Whether a check ran and failed: a bug in matcalc, shown after the output (exit 3). */
export const checkFailed = (c: Checked<{ readonly ok: boolean }> | undefined): boolean =>
  c !== undefined && 'report' in c && !c.report.ok;

const envToJson = (env: Env): Record<string, Nested> => Object.fromEntries([...env].map(([k, t]) => [k, toNested(t)]));

/** A check as JSON: the report as `json` writes it, or `{ok: null, skipped}` when it could not run. */
export const checkedJson = <R>(c: Checked<R>, json: (report: R) => Record<string, unknown>): Record<string, unknown> =>
  'skipped' in c ? { ok: null, skipped: c.skipped } : json(c.report);

/** A derivative's check as JSON (`diff --format json`, the batch protocol), the failing point as nested lists. */
export const verifyJson = (c: Checked<VerifyReport>): Record<string, unknown> =>
  checkedJson(c, ({ failure, ...rest }) => ({
    ...rest,
    ...(failure ? { failure: { ...failure, at: envToJson(failure.at) } } : {}),
  }));

/**
 * Index notation accompanies the results whose matrix form is a vec/Kronecker expression or a
 * differential (tensors of order 3 and 4), where it is the most readable form.
 */
export function indexFormOf(d: Derivative): IndexForm | undefined {
  return d.kind === 'vec-jacobian' || d.kind === 'differential' ? d.toIndexNotation() : undefined;
}

export const indexField = (d: Derivative): { index?: { text: string; latex: string } } => {
  const f = indexFormOf(d);
  return f === undefined ? {} : { index: { text: f.text, latex: f.latex } };
};

// ---------------------------------------------------------------------------------------------
// Programs

/** The result as shown: with its shared parts named (the default), or in one expression (`--inline`). */
export const shownForm = (d: Derivative, inline: boolean): ProgramForm =>
  inline ? { result: d.expr, bindings: [] } : d.programForm();

/**
 * A result's JSON fields (`diff --format json`, the batch protocol): `expression` is a program in the
 * input syntax that parses back to the derivative (the result alone when nothing is named), `latex`
 * the result in the names of `bindings`, which lists the definitions in order with their LaTeX.
 */
export function resultJson(
  d: Derivative,
  opts: { readonly bold?: boolean; readonly inline?: boolean } = {},
): Record<string, unknown> {
  const form = shownForm(d, opts.inline === true);
  const latexOpts = { bold: opts.bold === true };
  if (form.bindings.length === 0) return { expression: toText(form.result), latex: toLatex(form.result, latexOpts) };
  return {
    expression: programText(form),
    latex: toLatex(form.result, latexOpts),
    bindings: form.bindings.map((x) => ({
      name: x.name,
      expression: toText(x.expr),
      latex: toLatex(x.expr, latexOpts),
    })),
    inline: { expression: d.toString(), latex: toLatex(d.expr, latexOpts) },
  };
}

/** Warnings about the input (a definition not used) as JSON; nothing when there are none. */
export const warningsJson = (warnings: readonly Warning[]): { warnings?: Warning[] } =>
  warnings.length === 0 ? {} : { warnings: [...warnings] };

/** Warnings about the input on stderr, one line each. */
export function warn(warnings: readonly Warning[]): void {
  const style = styleFor(process.stderr);
  for (const w of warnings)
    process.stderr.write(`${style.bold('matcalc:')} ${style.yellow('warning')}: ${w.message}\n`);
}
