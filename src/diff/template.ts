/**
 * Rule templates: strings in the input syntax, parsed once on first use and instantiated by binding
 * their names to IR. Instantiation goes through the checked constructors, so a rule can never build
 * an ill-shaped expression silently.
 */
import type { Expr } from '../ir/expr.js';
import { elaborate } from '../parse/elaborate.js';
import { type Surface, parseSurface } from '../parse/surface.js';

const cache = new Map<string, Surface>();

export function instantiate(template: string, bindings: Readonly<Record<string, Expr>>): Expr {
  let surface = cache.get(template);
  if (surface === undefined) {
    surface = parseSurface(template);
    cache.set(template, surface);
  }
  return elaborate(surface, { exprs: new Map(Object.entries(bindings)), convention: false });
}
