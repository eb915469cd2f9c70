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
    expect(d.warnings).toEqual([
      {
        kind: 'convention-broadcast',
        name: 'b',
        message:
          'b is a scalar by the naming convention (names a–g are scalars), so it is broadcast against W*x (m): declare b (e.g. b=vector(m)) if it is not a scalar',
      },
    ]);
    expect(d.verify({ points: 1 }).ok).toBe(true);
    // Declared, as a scalar or as a vector, there is nothing to say.
    expect(derivative('tanh(W*x + b)', 'W', { vars: { b: 'scalar' } }).warnings).toEqual([]);
    expect(derivative('tanh(W*x + b)', 'W', { vars: { b: 'vector(m)' } }).warnings).toEqual([]);
  });

  it('ridge: lambda*norm2(w)^2 makes the loss a vector, since lambda starts with l', () => {
    const ridge = 'norm2(X*w - y)^2 + lambda*norm2(w)^2';
    const d = derivative(ridge, 'w');
    expect(d.kind).toBe('jacobian');
    expect(d.warnings.map(named)).toEqual([['convention-broadcast', 'lambda']]);
    expect(d.warnings[0]!.message).toBe(
      'lambda is a vector by the naming convention (names h–z are vectors), so lambda*norm2(w)^2 is a vector (k): declare lambda=scalar if it is a scalar',
    );
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
    expect(d.warnings).toEqual([
      { kind: 'unused-declaration', name: 'z', message: 'z is declared but does not occur in the expression' },
    ]);
    expect(d.toString()).toBe("(A + A')*x");
    expect(d.verify({ points: 1 }).ok).toBe(true);
    expect(kinds('0*x', { x: 'vector(n)' })).toEqual([]); // written, though the product folds it away
  });

  it("check() carries the question's warnings; none when there are none", () => {
    const r = check('W*x + b', 'x', 'W');
    expect(r.verdict).toBe('correct');
    expect(r.warnings?.map((w) => named(w)[1])).toEqual(['b']);
    expect(check('W*x', 'x', 'W').warnings).toBeUndefined();
  });
});

describe('max-reduction (issue 15): max(x, 0) now reduces along dim 0, as in NumPy', () => {
  it('max(x, 0) is max(x), a scalar, with a warning pointing to maximum(x, 0)', () => {
    const d = derivative('max(x, 0)', 'x');
    expect(d.kind).toBe('gradient');
    expect(d.warnings).toEqual([
      {
        kind: 'max-reduction',
        call: 'max(x, 0)',
        message:
          'max(x, 0) is the maximum over dim 0 of x (a reduction, as in NumPy); for the elementwise maximum write maximum(x, 0)',
      },
    ]);
    expect(d.verify({ points: 2 }).ok).toBe(true);
    // The elementwise meaning, spelt out, is a Jacobian with no warning.
    const meant = derivative('maximum(x, 0)', 'x');
    expect(meant.kind).toBe('jacobian');
    expect(meant.warnings).toEqual([]);
    expect(meant.verify({ points: 2 }).ok).toBe(true);
  });

  it('min(W, 1) inside a program warns once; max(0, x), max(x, y) and max(x, 0.5) keep the elementwise meaning and say nothing', () => {
    expect(kinds("s = min(W, 1); s'*s + sum(min(W, 1))")).toEqual([['max-reduction', undefined]]);
    expect(readProgram('min(W, 1)').warnings[0]!.message).toBe(
      'min(W, 1) is the minimum over dim 1 of W (a reduction, as in NumPy); for the elementwise minimum write minimum(W, 1)',
    );
    expect(kinds('max(0, x)')).toEqual([]);
    expect(kinds('max(x, y)')).toEqual([]);
    expect(kinds('max(x, 0.5)')).toEqual([]);
    expect(kinds('max(X)')).toEqual([]);
    expect(kinds('sum(X, 1)')).toEqual([]);
  });
});
