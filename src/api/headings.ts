/**
 * The left-hand side of a printed derivative, in text and LaTeX, chosen by the result's kind:
 *   gradient, Jacobian, derivative   ∂f/∂x          \frac{\partial f}{\partial x}
 *   higher orders                    ∂³f/∂x³        \frac{\partial^3 f}{\partial x\,\partial x\,\partial x}
 *   Hessian                          ∂²f/∂x∂x'      \frac{\partial^2 f}{\partial x\,\partial x^\top}
 *   vec form (order 1)               ∂vec(f)/∂vec(W)'
 *   a differential (no matrix form)  df, d²f        \mathrm{d}f, \mathrm{d}^2 f
 * Shared by the CLI and the web playground (both print `heading = result`).
 */
import type { Derivative } from './derivative.js';
import { fracHeading, latexName } from '../print/latex.js';
import { partialText, superscript } from '../print/text.js';

/** The function's name: the program's last definition (L in `…; L = norm2(r)^2`), else f. */
const fnName = (d: Derivative): string => d.program.output ?? 'f';

export function textHeading(d: Derivative): string {
  const x = d.wrt.name,
    k = d.order,
    f = fnName(d);
  switch (d.kind) {
    case 'differential':
      return `d${superscript(k)}${f}`;
    case 'hessian':
      return `∂²${f}/∂${x}∂${x}'`;
    case 'vec-jacobian':
      return k === 1 ? `∂vec(${f})/∂vec(${x})'` : partialText(f, x, k);
    default:
      return partialText(f, x, k);
  }
}

export function latexHeading(d: Derivative, bold = false): string {
  const x = latexName(d.wrt.name, bold && d.wrt.shape.kind !== 'scalar'),
    k = d.order;
  const f = d.program.output === undefined ? 'f' : latexName(d.program.output);
  switch (d.kind) {
    case 'differential':
      return k === 1 ? `\\mathrm{d}${f === 'f' ? 'f' : ` ${f}`}` : `\\mathrm{d}^{${k}} ${f}`;
    case 'vec-jacobian':
      if (k === 1) return `\\frac{\\partial \\operatorname{vec}(${f})}{\\partial \\operatorname{vec}(${x})^\\top}`;
      return fracHeading(f, x, k, { transposeSecond: false });
    case 'hessian':
      return fracHeading(f, x, 2);
    default:
      return fracHeading(f, x, k, { transposeSecond: false });
  }
}
