/**
 * Backpropagation input: one expression, or a program of named steps as in the course notes
 * (`q = x + y; f = q*z`), read by the one program reader (parse/program.ts). The names label the
 * graph's nodes: the node of `x + y` is called q; the output is the last statement's name.
 */
import type { Expr } from '../ir/expr.js';
import { type Declarations, readDeclarations } from '../parse/parse.js';
import { type Program, programOf as readProgramOf } from '../parse/program.js';

export type { Program } from '../parse/program.js';

/**
 * A program from source text, or an expression already built (no names). With `inputs` (the names
 * that have values), a free name that is neither one of them, declared nor defined is "not defined".
 */
export function programOf(expr: string | Expr, vars: Declarations = {}, inputs?: ReadonlySet<string>): Program {
  return readProgramOf(expr, { vars: readDeclarations(vars), ...(inputs ? { inputs } : {}) });
}
