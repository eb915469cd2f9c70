/**
 * The program reader (src/parse/program.ts): statements, declarations, where-definitions, the
 * function's node names, and every error with its statement and column. Values are compared with
 * the inlined expression written out by hand, evaluated independently.
 */
import { describe, expect, it } from 'vitest';
import { ParseError, ShapeError } from '../../src/errors.js';
import { evaluate } from '../../src/numeric/evaluate.js';
import { parse } from '../../src/parse/parse.js';
import { isProgramText, readProgram } from '../../src/parse/program.js';
import { toText } from '../../src/print/text.js';
import { env } from '../helpers/points.js';

const MLP = 'z1 = W1*x + b1; h1 = relu(z1); yhat = W2*h1; L = norm2(yhat - y)^2/2';
const mlpVars = {
  W1: { dims: ['k', 'n'] },
  b1: { dims: ['k'] },
  W2: { dims: ['m', 'k'] },
  x: { dims: ['n'] },
  y: { dims: ['m'] },
} as const;

/** The error a program throws: its message (with the column ParseError appends). */
function errorOf(src: string, opts: Parameters<typeof readProgram>[1] = {}): MatcalcErrorLike {
  try {
    readProgram(src, opts);
  } catch (err) {
    return err as MatcalcErrorLike;
  }
  throw new Error(`no error for ${src}`);
}
type MatcalcErrorLike = Error & { column?: number };

describe('programs in', () => {
  it('inlines the definitions: the function is the same DAG as the expression written out', () => {
    const p = readProgram(MLP, { vars: mlpVars });
    expect(p.root).toBe(parse('norm2(W2*relu(W1*x + b1) - y)^2/2', { vars: mlpVars }));
    expect(p.output).toBe('L');
    expect(p.definitions.map((d) => d.name)).toEqual(['z1', 'h1', 'yhat', 'L']);
    expect(toText(p.definitions[0]!.expr)).toBe('W1*x + b1');
    expect(p.names.get(p.definitions[1]!.expr)).toBe('h1');
    expect(p.warnings).toEqual([]);
    // Value: the program against the loss computed by hand at a point.
    const at = env({
      W1: [
        [1, 2],
        [3, -4],
        [0.5, 1],
      ],
      b1: [0.1, 0.2, -0.3],
      W2: [
        [1, 0, 2],
        [0, 1, -1],
      ],
      x: [1, 2],
      y: [0.5, -1],
    });
    const z = [1 + 4 + 0.1, 3 - 8 + 0.2, 0.5 + 2 - 0.3],
      h = z.map((v) => Math.max(v, 0));
    const r = [h[0]! + 2 * h[2]! - 0.5, h[1]! - h[2]! + 1];
    expect(evaluate(p.root, at).data[0]).toBeCloseTo((r[0]! ** 2 + r[1]! ** 2) / 2, 12);
  });

  it('statements are separated by ; or line breaks, not inside parentheses; a bare last statement is the function', () => {
    const p = readProgram('q = x + y\nf = q .* (z +\n  q)');
    expect(p.root).toBe(parse('(x + y).*(z + (x + y))'));
    expect(p.output).toBe('f');
    expect(readProgram('q = x + y; q.*z').output).toBeUndefined();
    expect(isProgramText("x'*A*x")).toBe(false);
    expect(isProgramText('q = x + y')).toBe(true);
  });

  it('declarations stand in the program as --var reads them', () => {
    const p = readProgram('x: vector(3); W: matrix(2,3); q = W*x; sum(q)');
    expect(p.vars.x).toEqual({ dims: [3], props: [] });
    expect(toText(p.root)).toBe('sum(W*x)');
    expect(() => readProgram('x: vector(3); x: vector(2); x')).toThrow('x is declared twice');
    expect(() => readProgram('x: tensor(3); x')).toThrow(ParseError);
  });

  it('where-definitions come after the function, in any order, separated by , ; or line breaks', () => {
    const a = readProgram("G*x' where G = W'*d, d = y - t");
    expect(a.root).toBe(parse("W'*(y - t)*x'"));
    const b = readProgram("diag(s) - s*s'\nwhere s = softmax(z)");
    expect(b.root).toBe(parse("diag(softmax(z)) - softmax(z)*softmax(z)'"));
    expect(() => readProgram('where s = x; s')).toThrow(ParseError);
  });

  it('a definition the function does not use is a warning with its statement', () => {
    const p = readProgram('q = x + y; r = x*2; f = q.*z');
    expect(p.warnings).toEqual([
      { kind: 'unused', statement: 2, column: 12, message: 'r is defined but not used (statement 2: r = x*2)' },
    ]);
  });
});

describe('program errors name the statement and the column', () => {
  it('a name assigned twice', () => {
    const e = errorOf('q = x + y; q = q*z');
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toBe('q is defined twice (statements 1 and 2) — in statement 2, "q = q*z" (at column 12)');
  });

  it('a name used before its definition', () => {
    expect(errorOf('f = q*z; q = x + y').message).toBe(
      'q is used before it is defined (in statement 2); define it first — in statement 1, "f = q*z" (at column 5)',
    );
  });

  it('a cycle, and a definition in terms of itself', () => {
    expect(errorOf('a = b + x; b = a*2').message).toBe(
      'the definitions form a cycle: b → a → b — in statement 1, "a = b + x" (at column 5)',
    );
    expect(errorOf('q = q*z').message).toBe('q is defined in terms of itself (at column 5)');
    expect(errorOf('u + x where u = v + 1, v = u*2').message).toBe(
      'the definitions form a cycle: u → v → u — in statement 3, "v = u*2" (at column 28)',
    );
  });

  it('an undefined name, when the inputs are known', () => {
    const e = errorOf('q = x + y; f = r*z', { inputs: new Set(['x', 'y', 'z']) });
    expect(e.message).toBe('r is not defined — in statement 2, "f = r*z" (at column 16)');
    expect(e.column).toBe(16);
  });

  it('a syntax error inside a statement, at its column in the whole source (or in its line)', () => {
    expect(errorOf('q = x + y; f = q.*').message).toBe(
      'unexpected end of expression — in statement 2, "f = q.*" (at column 19)',
    );
    expect(errorOf('q = x + y\nf = q .* (z + )').message).toBe(
      'value expected — in statement 2 (line 2), "f = q .* (z + )" (at column 15)',
    );
  });

  it('names of the language, variables and unnamed statements before the function', () => {
    expect(errorOf('sin = x + 1; sin').message).toMatch(/^sin is a function or constant of the language/);
    expect(errorOf('x = y + z; f = x', { vars: { x: { dims: [] } } }).message).toMatch(
      /^x is declared as a variable and also defined as a step/,
    );
    expect(errorOf('x + 1; y').message).toMatch(
      /^"x \+ 1" is not the function, so it must name its result: write name = x \+ 1/,
    );
  });

  it('a shape error inside a definition names that statement', () => {
    const e = errorOf('z1 = W1*x; h = W2*(z1*z1); h');
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/\(in statement 2: h = W2\*\(z1\*z1\)\)$/);
  });
});
