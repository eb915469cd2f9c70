/**
 * The URL hash (src/web/state.ts; the format is documented in docs/web.md): a state survives the
 * round trip through its link, the documented keys read as documented, and a malformed link opens
 * with a note instead of failing.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/web/examples.js';
import { INITIAL, type State, declJson, formatHash, parseHash } from '../../src/web/state.js';

describe('hash', () => {
  it("the issue's example link reads as written", () => {
    const { state, notes } = parseHash(
      `#expr=${encodeURIComponent("x'*S*x")}&wrt=x&order=2&vars=${encodeURIComponent('{"S":"matrix(n,n) spd","x":["n"]}')}&tab=check`,
    );
    expect(notes).toEqual([]);
    expect(state).toMatchObject({
      expr: "x'*S*x",
      wrt: 'x',
      order: 2,
      vars: { S: 'matrix(n,n) spd', x: { dims: ['n'] } },
      tab: 'check',
    });
  });

  it('an expression without wrt leaves the choice to the worker', () => {
    expect(parseHash('#expr=W*x').state.wrt).toBe('');
  });

  it("'+' is a plus, not a space", () => {
    expect(parseHash('#expr=x+y').state.expr).toBe('x+y');
    expect(parseHash(`#${formatHash({ ...INITIAL, expr: 'a + b' })}`).state.expr).toBe('a + b');
  });

  const states: State[] = [
    INITIAL,
    { ...INITIAL, expr: "log(det(X)) + tr(A*X')", wrt: 'X', order: 2, layout: 'denominator', steps: 'chain' },
    { ...INITIAL, expr: 'W*x', wrt: 'W', vec: 'cols' },
    { ...INITIAL, expr: 'tr(S*A)', wrt: 'S', vars: { S: 'matrix(n,n) symmetric' }, symmetric: true },
    {
      ...INITIAL,
      expr: "x'*S*x",
      vars: { S: { dims: ['n', 'n'], props: ['spd'] }, x: { dims: [3] } },
      tab: 'check',
      answer: '2*S*x & \\top',
    },
    { ...INITIAL, expr: "sigmoid(w'*x + b)", tab: 'backprop', at: { w: [1, -1], x: [0.5, 2], b: 0.1 } },
  ];
  for (const s of states) {
    it(`round trip: ${s.expr} (${s.tab})`, () => {
      const back = parseHash(`#${formatHash(s)}`);
      expect(back.notes).toEqual([]);
      // Declarations come back in the batch protocol's form, which reads to the same declaration.
      expect({ ...back.state, vars: {} }).toEqual({ ...s, vars: {} });
      expect(Object.fromEntries(Object.entries(back.state.vars).map(([n, d]) => [n, declJson(d)]))).toEqual(
        Object.fromEntries(Object.entries(s.vars).map(([n, d]) => [n, declJson(d)])),
      );
    });
  }

  it('every example is a link that opens to itself', () => {
    for (const ex of EXAMPLES) {
      const s = { ...INITIAL, wrt: '', ...ex.state };
      const back = parseHash(formatHash(s)).state;
      expect(back.expr).toBe(s.expr);
      expect(back.tab).toBe(s.tab);
      expect(back.order).toBe(s.order);
    }
  });

  it('keys at their defaults stay out of the link; vars and values of other expressions too', () => {
    expect(formatHash(INITIAL)).toBe("expr=x'*A*x&wrt=x");
    const s: State = { ...INITIAL, vars: { A: { dims: ['n', 'n'] }, Q: { dims: [] } } };
    expect(formatHash(s, new Set(['A', 'x']))).toBe(
      `expr=x'*A*x&wrt=x&vars=${encodeURIComponent('{"A":["n","n"]}').replace(/%2C/g, ',').replace(/%3A/g, ':')}`,
    );
  });

  it('a malformed link opens with notes, never an exception', () => {
    const { state, notes } = parseHash('#expr=x&order=0&vars={bad&tab=plot&at=%E0%A4%A&wrt=1x');
    expect(state).toMatchObject({ expr: 'x', order: 1, vars: {}, tab: 'diff', at: {}, wrt: '' });
    expect(notes).toEqual(
      expect.arrayContaining([
        "the link's at is not properly encoded and was ignored",
        'the order in the link must be a whole number from 1 to 6; "0" was ignored',
        "the link's vars is not JSON and was ignored",
        'there is no tab "plot"',
      ]),
    );
    expect(notes).toHaveLength(4);
  });

  it('declarations of unknown form and bad names are skipped with a note', () => {
    const { state, notes } = parseHash(
      `#expr=x&vars=${encodeURIComponent('{"x":[0],"1y":["n"],"A":{"dims":["n","n"],"props":["spd"]}}')}`,
    );
    expect(state.vars).toEqual({ A: { dims: ['n', 'n'], props: ['spd'] } });
    expect(notes).toHaveLength(2);
  });
});
