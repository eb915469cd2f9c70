/**
 * Warnings (issue 10 item 11): a declaration the expression never uses, and a scalar broadcast
 * against a vector because of the naming convention, are reported as data — Derivative.warnings,
 * CheckResult.warnings, Program.warnings — never printed by the library. The derivative itself is
 * unchanged (and still checked by finite differences): a warning says what was computed may not be
 * what was meant.
 */
import { describe, expect, it } from 'vitest';
import { derivative } from '../../src/api/derivative.js';
import { check } from '../../src/check/check.js';
import { readDeclarations } from '../../src/parse/parse.js';
import { readProgram } from '../../src/parse/program.js';
import type { Warning } from '../../src/parse/warnings.js';

const named = (w: Warning) => [w.kind, 'name' in w ? w.name : undefined];
const kinds = (src: string, vars = {}) => readProgram(src, { vars: readDeclarations(vars) }).warnings.map(named);

describe('convention-broadcast', () => {
  it('tanh(W*x + b): b is a scalar by the convention, added to every entry of W*x', () => {
    const d = derivative('tanh(W*x + b)', 'W');
    expect(d.warnings).toEqual([{
      kind: 'convention-broadcast', name: 'b',
      message: 'b is a scalar by the naming convention (names a–g are scalars), so it is broadcast against W*x (m): declare b (e.g. b=vector(m)) if it is not a scalar',
    }]);
    expect(d.verify({ points: 1 }).ok).toBe(true);
    // Declared, as a scalar or as a vector, there is nothing to say.
    expect(derivative('tanh(W*x + b)', 'W', { vars: { b: 'scalar' } }).warnings).toEqual([]);
    expect(derivative('tanh(W*x + b)', 'W', { vars: { b: 'vector(m)' } }).warnings).toEqual([]);
  });

  it("ridge: lambda*norm2(w)^2 makes the loss a vector, since lambda starts with l", () => {
    const ridge = 'norm2(X*w - y)^2 + lambda*norm2(w)^2';
    const d = derivative(ridge, 'w');
    expect(d.kind).toBe('jacobian');
    expect(d.warnings.map(named)).toEqual([['convention-broadcast', 'lambda']]);
    expect(d.warnings[0]!.message).toBe('lambda is a vector by the naming convention (names h–z are vectors), so lambda*norm2(w)^2 is a vector (k): declare lambda=scalar if it is a scalar');
    const meant = derivative(ridge, 'w', { vars: { lambda: 'scalar' } });
    expect(meant.kind).toBe('gradient');
    expect(meant.warnings).toEqual([]);
    expect(meant.verify({ points: 1 }).ok).toBe(true);
  });

  it('subtraction, elementwise products and quotients broadcast too; scaling by a scalar name does not warn', () => {
    expect(kinds('x - c')).toEqual([['convention-broadcast', 'c']]);
    expect(kinds('A + a')).toEqual([['convention-broadcast', 'a']]);
    expect(kinds('a*x + 2*A*x')).toEqual([]);
    expect(kinds("x'*A*x + c")).toEqual([]);
    expect(kinds('sum(x) + c')).toEqual([]);
    expect(kinds("-t'*log(softmax(z))")).toEqual([]);
    expect(kinds('x + 1')).toEqual([]);
  });
});

describe('unused-declaration', () => {
  it('an unused definition in a program is a warning of the same channel', () => {
    expect(kinds('q = x + y; r = x*2; f = sum(q.*z)')).toEqual([['unused', undefined]]);
  });

  it('a declared name that does not occur: warned, with the variable asked about exempt', () => {
    const d = derivative("x'*A*x", 'x', { vars: { z: 'vector(n)', A: 'matrix(n,n)' } });
    expect(d.warnings).toEqual([{ kind: 'unused-declaration', name: 'z', message: 'z is declared but does not occur in the expression' }]);
    expect(d.toString()).toBe("(A + A')*x");
    expect(d.verify({ points: 1 }).ok).toBe(true);
    expect(kinds('0*x', { x: 'vector(n)' })).toEqual([]); // written, though the product folds it away
  });

  it('check() carries the question\'s warnings; none when there are none', () => {
    const r = check('W*x + b', 'x', 'W');
    expect(r.verdict).toBe('correct');
    expect(r.warnings?.map((w) => named(w)[1])).toEqual(['b']);
    expect(check('W*x', 'x', 'W').warnings).toBeUndefined();
  });
});
