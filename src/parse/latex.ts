/**
 * LaTeX answers → the input syntax → IR. The reader (latex-reader.ts, over the tokens of
 * latex-lexer.ts and the words of latex-vocabulary.ts) builds a Surface tree; this module prints it in
 * the input syntax (`latexToInput`: the text printer's operatorText, so the fewest parentheses that
 * keep its reading) and parses that text as usual (`parseLatex`), so the translation a user is shown
 * is exactly what is checked. The reading rules are in latex-reader.ts's header.
 */
import type { Expr } from '../ir/expr.js';
import { type TextPart, atomText, numberText, operatorText } from '../print/text.js';
import { answerBody, tokenize } from './latex-lexer.js';
import type { LatexReadOptions } from './latex-grammar.js';
import { LatexReader } from './latex-reader.js';
import { type ParseOptions, parse, readDeclarations } from './parse.js';
import type { Surface } from './surface.js';

export { answerBody, looksLikeLatex } from './latex-lexer.js';
export type { LatexReadOptions } from './latex-grammar.js';

// ---------------------------------------------------------------------------------------------
// Printing in the input syntax: the text printer's operatorText over the Surface tree, so the
// translation has the fewest parentheses that keep its reading.

function surfaceToInput(s: Surface): TextPart {
  switch (s.t) {
    case 'num':
      return numberText(s.value);
    case 'name':
      return atomText(s.name);
    case 'call':
      return atomText(`${s.fn}(${s.args.map((a) => surfaceToInput(a).text).join(', ')})`);
    case 'op':
      return operatorText(s.op, s.args.map(surfaceToInput));
  }
}

/** Translates a LaTeX answer to the input syntax; throws ParseError (with the LaTeX column). */
export function latexToInput(src: string, opts: LatexReadOptions = {}): string {
  const text = answerBody(src);
  const offset = Math.max(0, src.lastIndexOf(text));
  return surfaceToInput(new LatexReader(tokenize(text, offset), offset + text.length + 1, opts).read()).text;
}

/** Reads a LaTeX answer as IR: translate, then parse the translation with the given declarations. */
export function parseLatex(src: string, opts: ParseOptions & LatexReadOptions = {}): Expr {
  const vars = readDeclarations(opts.vars);
  const names = opts.names ?? Object.keys(vars);
  const matrices =
    opts.matrices ??
    Object.entries(vars)
      .filter(([, d]) => d.dims.length === 2)
      .map(([n]) => n);
  const input = latexToInput(src, { names, matrices });
  return parse(input, { vars });
}
