/**
 * The web playground in Chromium, served by the built `matcalc web` (npm run test:web).
 *
 * A link shows its result without typing: for a gradient, a Jacobian, a Hessian and tensors in index
 * notation, the page's text and LaTeX are the library's own derivative, and the text the page shows,
 * read back and evaluated, agrees with finite differences of the original f. Typing updates the
 * result; a syntax error is shown inline with its column marked; every tab works with the mouse and
 * the keyboard; the page asks for nothing outside its own origin (nor from disk, where it runs without
 * a worker). A screenshot of each tab goes to test-output/ for people to look at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codegen, derivative, latexHeading, toLatex, whereLatex } from '../../src/index.js';
import { ROOT } from '../cli/helpers.js';
import { OUTPUT, type Session, link, newPage, openSession, settled, texOf } from './browser.js';
import { CASES } from './cases.js';
import { agreement, fdDerivative, valueOfText } from './truth.js';

let s: Session;
let errors: string[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  s = await openSession();
});
afterAll(async () => {
  await s?.close();
});
afterEach(async () => {
  while (pages.length > 0) await pages.pop()!.close();
  expect(errors, 'script errors on the page').toEqual([]);
  errors = [];
});

async function open(
  params: Readonly<Record<string, string | number>>,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await newPage(s, errors);
  pages.push(page);
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(link(s.url, params));
  await settled(page);
  return page;
}

const text = async (page: Page, testid: string): Promise<string> =>
  (await page.getByTestId(testid).textContent()) ?? '';

describe('a link shows its result without typing', () => {
  for (const c of CASES) {
    it(`${c.what}: ${c.expr} by ${c.wrt}${c.order > 1 ? `, order ${c.order}` : ''}`, async () => {
      const page = await open({ expr: c.expr, wrt: c.wrt, ...(c.order > 1 ? { order: c.order } : {}) });
      const d = derivative(c.expr, c.wrt, { order: c.order });
      const shown = await text(page, 'result-text');
      expect(shown).toBe(d.toProgramText());
      const form = d.programForm();
      expect(await texOf(page, 'result')).toBe(
        `${latexHeading(d)} = ${toLatex(form.result)}${form.bindings.length > 0 ? ` \\qquad ${whereLatex(form.bindings)}` : ''}`,
      );
      expect(await page.getByTestId('result').locator('.katex-html').count()).toBe(1); // rendered, not just stored
      expect(await text(page, 'check')).toMatch(/^ok: agrees with central finite differences/);
      if (c.kind === 'vec-jacobian' || c.kind === 'differential') {
        const index = d.toIndexNotation()!;
        expect(await texOf(page, 'index')).toBe(index.latex);
        expect(await page.locator('#index-text').textContent()).toBe(index.text);
      } else {
        expect(await page.getByTestId('index').isVisible()).toBe(false);
      }
      // The value of what the page shows, against finite differences of f (a differential's text has
      // direction variables: its value is the library's, read off basis directions).
      const value = c.kind === 'differential' ? d.evaluate(c.at) : valueOfText(shown, c.expr, c.at);
      const agree = agreement(value, fdDerivative(c.expr, c.wrt, c.order, c.at), c.order);
      expect(agree.ok, `max relative error ${agree.maxError}`).toBe(true);
    });
  }

  it('declarations in the link are applied: S spd gives 2*S*x, and the table shows the property', async () => {
    const page = await open({ expr: "x'*S*x", wrt: 'x', vars: JSON.stringify({ S: 'matrix(n,n) spd' }) });
    expect(await text(page, 'result-text')).toBe(
      derivative("x'*S*x", 'x', { vars: { S: { dims: ['n', 'n'], props: ['spd'] } } }).toString(),
    );
    expect(await page.locator('#decl-S-spd').isChecked()).toBe(true);
    expect(await page.locator('#decl-S-symmetric').isDisabled()).toBe(true); // implied by spd
    const at = {
      S: [
        [2, 0.5],
        [0.5, 1],
      ],
      x: [0.3, -0.8],
    };
    expect(
      agreement(valueOfText(await text(page, 'result-text'), "x'*S*x", at), fdDerivative("x'*S*x", 'x', 1, at)).ok,
    ).toBe(true);
  });
});

describe('editing', () => {
  it('typing updates the result (debounced), and the link follows', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x' });
    await page.getByTestId('expr').fill('');
    await page.getByTestId('expr').pressSequentially('sum(exp(z))', { delay: 20 });
    const expected = derivative('sum(exp(z))', 'z').toString();
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="result-text"]')?.textContent === t,
      expected,
    );
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toBe('#expr=sum(exp(z))&wrt=z');
    const at = { z: [0.4, -1.2, 0.3] };
    expect(agreement(valueOfText(expected, 'sum(exp(z))', at), fdDerivative('sum(exp(z))', 'z', 1, at)).ok).toBe(true);
  });

  it('a long computation does not hold the page: the next edit abandons it (the worker is restarted)', async () => {
    const page = await newPage(s, errors);
    pages.push(page);
    // det(X*X*X) at order 4 takes about 6 s in Node on an idle machine (det(X) took under 2 s: too close
    // to the wait below once the machine is fast); the page must abandon it at the next edit.
    await page.goto(link(s.url, { expr: 'det(X*X*X)', wrt: 'X', order: 4 }));
    await page.waitForTimeout(1800);
    expect(await text(page, 'result-text')).toBe('');
    await page.getByTestId('expr').fill("x'*A*x");
    const expected = derivative("x'*A*x", 'x', { order: 4 }).toString();
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="result-text"]')?.textContent === t,
      expected,
    );
    expect(await page.evaluate(() => document.body.dataset.workerRestarts)).toBe('1');
  });

  it('a syntax error is shown inline with its column marked, and goes when fixed', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x' });
    await page.getByTestId('expr').fill("x'*A*");
    const error = page.getByTestId('error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('Syntax error: unexpected end of expression (at column 6)');
    expect(await error.locator('pre').getAttribute('data-column')).toBe('6');
    expect(await error.locator('mark').count()).toBe(1);
    expect(await page.getByTestId('expr').getAttribute('aria-invalid')).toBe('true');
    expect(await text(page, 'result-text')).toBe(''); // no stale result beside an error
    await page.getByTestId('expr').fill("x'*A*x");
    await error.waitFor({ state: 'hidden' });
    expect(await text(page, 'result-text')).toBe("(A + A')*x");
  });

  it('order, layout, declarations and steps are controls', async () => {
    const page = await open({ expr: 'tanh(W*x + b)', wrt: 'x' });
    const waitText = (t: string) =>
      page.waitForFunction((want) => document.querySelector('[data-testid="result-text"]')?.textContent === want, t);
    await page.getByTestId('layout').selectOption('denominator');
    await waitText(derivative('tanh(W*x + b)', 'x', { layout: 'denominator' }).toString());
    expect(await text(page, 'convention')).toMatch(/denominator layout/);

    await page.getByTestId('expr').fill("x'*A*x");
    await waitText("(A + A')*x");
    await page.locator('#decl-A-symmetric').check();
    await waitText('2*A*x');
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toContain(
      'vars={"A":"matrix(n,n) symmetric"}',
    );
    await page.locator('#decl-A-reset').click();
    await waitText("(A + A')*x");

    await page.getByTestId('order').fill('2');
    await waitText(derivative("x'*A*x", 'x', { order: 2 }).toString());
    expect(await page.getByTestId('result').getAttribute('data-kind')).toBe('hessian');

    await page.getByTestId('steps').selectOption('differential');
    await page.getByTestId('step-list').waitFor({ state: 'visible' });
    const marks = await page.getByTestId('step-list').locator('.status').allTextContents();
    expect(marks.length).toBeGreaterThan(2);
    expect(marks.every((m) => m === '✓ checked')).toBe(true);
  });

  it("vec order by its select: the Matrix Cookbook's kron(x', eye(m)), kept in the link", async () => {
    const page = await open({ expr: 'W*x', wrt: 'W' });
    await page.getByTestId('vec').selectOption('cols');
    // The rows form is a Kronecker product too (kron(eye(m), x')): wait for the columns form itself.
    const cols = derivative('W*x', 'W', { vec: 'cols' }).toString();
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="result-text"]')?.textContent === want,
      cols,
    );
    expect(cols).toBe("kron(x', eye(m))");
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toBe('#expr=W*x&wrt=W&vec=cols');
  });

  it('an example from the picker is a state like a link', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x' });
    await page.locator('#examples').selectOption({ label: 'Log-sum-exp (Hessian)' });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="result"]')?.getAttribute('data-kind') === 'hessian',
    );
    expect(await text(page, 'result-text')).toBe(derivative('log(sum(exp(z)))', 'z', { order: 2 }).toString());
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toBe('#expr=log(sum(exp(z)))&wrt=z&order=2');
  });
});

describe('tabs', () => {
  it('Derivative: screenshot, light and dark, laptop and phone', async () => {
    const page = await open({
      expr: "(x - m)'*inv(S)*(x - m)",
      wrt: 'x',
      vars: JSON.stringify({ S: 'matrix(n,n) spd' }),
      steps: 'differential',
    });
    expect(await text(page, 'check')).toMatch(/^ok/);
    await page.screenshot({ path: join(OUTPUT, 'web-diff.png'), fullPage: true });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'light';
    });
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.locator('#theme').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBe('rgb(21, 24, 28)');
    await page.screenshot({ path: join(OUTPUT, 'web-diff-dark.png'), fullPage: true });
    const phone = await open({ expr: 'W*x', wrt: 'W' }, { width: 390, height: 844 });
    // Readable on a phone: nothing but the formulas themselves scrolls sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(OUTPUT, 'web-diff-phone.png'), fullPage: true });
  });

  it('Code: the module matcalc codegen writes, from a link, then for another library', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x', tab: 'code' });
    expect(await page.getByRole('tab', { name: 'Code' }).getAttribute('aria-selected')).toBe('true');
    // The built page names the package's version in the header, as the built CLI does.
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await text(page, 'code')).toBe(codegen("x'*A*x", 'x', { version }).code);
    expect(await text(page, 'code')).toContain(`# Generated by matcalc ${version} for NumPy`);
    await page.getByTestId('target').selectOption('torch');
    const torch = codegen("x'*A*x", 'x', { target: 'torch', version }).code;
    await page.waitForFunction((want) => document.querySelector('[data-testid="code"]')?.textContent === want, torch);
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toBe(
      "#expr=x'*A*x&wrt=x&tab=code&target=torch",
    );
    await page.screenshot({ path: join(OUTPUT, 'web-code.png'), fullPage: true });
  });

  it('Check an answer: from a link, then by typing (input syntax and LaTeX)', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x', tab: 'check', answer: '2*A*x' });
    expect(await page.getByRole('tab', { name: 'Check an answer' }).getAttribute('aria-selected')).toBe('true');
    expect(await text(page, 'verdict')).toBe('incorrect');
    expect(await page.getByTestId('counterexample').isVisible()).toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'web-check.png'), fullPage: true });
    await page.getByTestId('answer').fill("(A + A')*x");
    await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.textContent === 'correct');
    await page.getByTestId('answer').fill('x^\\top (A + A^\\top)');
    await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.textContent === 'transposed');
    expect(await page.locator('#verdict-facts').textContent()).toContain('Answer, read from LaTeX');
  });

  it('Backprop: the walkthrough with its graph, every gradient checked; values are editable', async () => {
    const page = await open({
      expr: "sigmoid(w'*x + b)",
      tab: 'backprop',
      at: JSON.stringify({ w: [1, -1], x: [0.5, 2], b: 0.1 }),
    });
    expect(await text(page, 'backprop-check')).toMatch(/^ok: agrees with central finite differences/);
    const walk = page.getByTestId('walkthrough');
    expect(await walk.locator('svg').count()).toBe(1);
    expect(await walk.locator('h1').textContent()).toContain("Backpropagation through f = sigmoid(w'*x + b)");
    await page.screenshot({ path: join(OUTPUT, 'web-backprop.png'), fullPage: true });
    const value = page.locator('#value-b');
    expect(await value.inputValue()).toBe('0.1');
    await value.fill('2.5');
    await page.waitForFunction(
      () => /"b":2\.5/.test(decodeURIComponent(location.hash)) && !document.body.classList.contains('busy'),
    );
    expect(await walk.locator('svg').textContent()).toContain('2.5');
  });

  it('the keyboard moves between tabs (arrow keys, Home, End), and each shows its panel', async () => {
    const page = await open({ expr: "x'*A*x", wrt: 'x' });
    await page.getByRole('tab', { name: 'Derivative' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-check');
    expect(await page.locator('#panel-check').isVisible()).toBe(true);
    expect(await page.locator('#panel-diff').isVisible()).toBe(false);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-code');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-backprop');
    await settled(page);
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toContain('tab=backprop');
    await page.keyboard.press('Home');
    expect(await page.locator('#panel-diff').isVisible()).toBe(true);
    // Every form control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .filter(
          (el) =>
            !el.getAttribute('aria-label') &&
            !(el as HTMLInputElement).labels?.length &&
            !(el.textContent ?? '').trim(),
        )
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
  });
});

describe('privacy and portability', () => {
  it('the page asked for nothing outside its own origin (fonts, scripts, worker all local)', () => {
    const outside = s.requests.filter(
      (u) =>
        !u.startsWith(s.url) && !u.startsWith('data:') && !u.startsWith(pathToFileURL(join(ROOT, 'dist', 'web')).href),
    );
    expect(outside).toEqual([]);
    expect(s.requests.some((u) => u.startsWith(`${s.url}worker.js`))).toBe(true);
    expect(s.requests.some((u) => /\/katex\/fonts\/KaTeX_Main-Regular\.woff2$/.test(u))).toBe(true);
  });

  it('opened from disk (file://, no worker allowed) it computes in the page', async () => {
    const page = await newPage(s, errors);
    pages.push(page);
    const file = pathToFileURL(join(ROOT, 'dist', 'web', 'index.html')).href;
    await page.goto(`${file}#expr=${encodeURIComponent("x'*A*x")}&wrt=x`);
    await page.waitForFunction(() => document.querySelector('[data-testid="result-text"]')?.textContent !== '');
    expect(await text(page, 'result-text')).toBe("(A + A')*x");
  });
});
