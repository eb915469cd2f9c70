/**
 * Reading a student's answer in the question's terms.
 *
 * The answer is parsed with the question's variables declared exactly as the question's IR has them
 * (same dims, same properties), so its variables are the very same IR nodes and shapes agree; a
 * name that is not a variable of the question is an error, not a fresh variable.
 *
 * Syntax: LaTeX when the text carries a LaTeX marker (parse/latex.ts: a backslash, braces, `^T`, `$`);
 * otherwise the input syntax first and, when that fails to parse or uses unknown names (`2Ax` reads
 * as 2 times a matrix "Ax"), LaTeX conventions as a second reading (juxtaposed one-letter names
 * multiply). A left-hand side (`df/dx = 2*A*x`, `\nabla f = 2Ax`) is dropped: the text after the
 * last `=` is the answer. `I` is the identity unless the question has a variable I.
 *
 * The answer may use the question's intermediates by name (`step(z1)` for `z1 = W1*x + b1; …`) and
 * be a program of its own: definitions before it (`d = yhat - y; W2'*d`) or after a where
 * (`G*x' where G = W2'*d, d = yhat - y`), read by parse/program.ts.
 *
 * Never throws for a bad answer: it returns the parse or shape message instead.
 */
import { MatcalcError, ParseError, ShapeError, UnknownError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import { type VarDecl, elaborate } from '../parse/elaborate.js';
import { answerBody, latexToInput, looksLikeLatex } from '../parse/latex.js';
import { isProgramText, readProgram } from '../parse/program.js';
import { type Surface, parseSurface } from '../parse/surface.js';
import { tensorDims } from '../shape/shape.js';

export type AnswerSyntax = 'input' | 'latex';

export type ReadAnswer =
  | {
      readonly ok: true;
      readonly expr: Expr;
      readonly syntax: AnswerSyntax /** The answer in the input syntax. */;
      readonly input: string;
    }
  | { readonly ok: false; readonly diagnosis: 'unparseable' | 'ill-shaped'; readonly message: string };

/** The question's variables as declarations, so the answer's names get the same shapes and properties. */
function declarationsOf(vars: readonly Var[]): Record<string, VarDecl> {
  const out: Record<string, VarDecl> = {};
  for (const v of vars) out[v.name] = { dims: tensorDims(v.shape), props: v.props };
  return out;
}

/** I → eye when the question has no variable I. */
function identityNames(s: Surface, decls: Readonly<Record<string, VarDecl>>): Surface {
  switch (s.t) {
    case 'num':
      return s;
    case 'name':
      return s.name === 'I' && !Object.hasOwn(decls, 'I') ? { t: 'name', name: 'eye' } : s;
    case 'op':
      return { ...s, args: s.args.map((a) => identityNames(a, decls)) };
    case 'call':
      return { ...s, args: s.args.map((a) => identityNames(a, decls)) };
  }
}

export function readAnswer(
  text: unknown,
  vars: readonly Var[],
  intermediates: ReadonlyMap<string, Expr> = new Map(),
): ReadAnswer {
  if (typeof text !== 'string' || text.trim() === '')
    return { ok: false, diagnosis: 'unparseable', message: 'the answer is empty' };
  const decls = declarationsOf(vars);
  const names = [...vars.map((v) => v.name), ...intermediates.keys()];
  if (!looksLikeLatex(text) && isProgramText(text)) {
    // A program of the student's own (`d = yhat - y; W2'*d`), in the input syntax.
    const transform = (s: Surface): Surface => identityNames(s, decls);
    return attempt(
      () => ({
        ok: true,
        expr: readProgram(text, { vars: decls, bound: intermediates, convention: false, transform }).root,
        syntax: 'input',
        input: text.trim(),
      }),
      names,
    );
  }
  const matrices = vars.filter((v) => v.shape.kind === 'matrix').map((v) => v.name);
  const src = answerBody(text);
  if (src === '') return { ok: false, diagnosis: 'unparseable', message: 'the answer is empty' };

  // Columns of syntax errors count in what the student typed, left-hand side and `$` included.
  const offset = Math.max(0, text.lastIndexOf(src));
  const elaborateIn = (s: Surface): Expr =>
    elaborate(identityNames(s, decls), { decls, convention: false, exprs: intermediates });
  const asInput = (): ReadAnswer => ({
    ok: true,
    expr: elaborateIn(
      relocated(
        () => parseSurface(src),
        (c) => c + offset,
      ),
    ),
    syntax: 'input',
    input: src,
  });
  const asLatex = (): ReadAnswer => {
    const input = latexToInput(text, { names, matrices });
    // A column in the translation would point at nothing the student typed: leave it out.
    return {
      ok: true,
      expr: elaborateIn(
        relocated(
          () => parseSurface(input),
          () => undefined,
        ),
      ),
      syntax: 'latex',
      input,
    };
  };

  if (looksLikeLatex(src)) return attempt(asLatex, names);
  const plain = attempt(asInput, names);
  if (plain.ok || plain.diagnosis === 'ill-shaped') return plain;
  const latex = attempt(asLatex, names);
  return latex.ok ? latex : plain;
}

/** Runs `read`; a ParseError it throws gets its column moved by `move` (or dropped). */
function relocated<T>(read: () => T, move: (column: number) => number | undefined): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ParseError) || err.column === undefined) throw err;
    const bare = err.message.replace(/ \(at column \d+\)$/, '');
    throw new ParseError(bare, move(err.column));
  }
}

function attempt(read: () => ReadAnswer, names: readonly string[]): ReadAnswer {
  try {
    return read();
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, diagnosis: 'ill-shaped', message: err.message };
    if (err instanceof UnknownError)
      return { ok: false, diagnosis: 'unparseable', message: unknownMessage(err.message, names) };
    // ParseError, LimitError and the rest: the answer cannot be read.
    if (err instanceof MatcalcError) return { ok: false, diagnosis: 'unparseable', message: err.message };
    throw err;
  }
}

/** "unknown name z" → which names the question has. */
function unknownMessage(message: string, names: readonly string[]): string {
  const m = /^unknown name (\S+)$/.exec(message);
  if (!m) return message;
  const list = names.length === 0 ? 'none' : names.join(', ');
  return `the answer uses ${m[1]}, which is not a variable of the question (its variables: ${list})`;
}
