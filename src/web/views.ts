/**
 * Showing the worker's answers: the derivative, the checker's verdict, the backprop walkthrough, and
 * errors beside the input they belong to (a syntax error with its column marked in the source).
 *
 * Everything shown comes from the worker as plain text or KaTeX-rendered HTML; text always goes in
 * through textContent, HTML only through setRendered.
 */
import { byId, h, setRendered, show } from './dom.js';
import type { BackpropView, CheckStatus, CheckView, CodeView, DiffView, ErrorInfo, Formula } from './protocol.js';

const KIND_NAMES: Readonly<Record<ErrorInfo['kind'], string>> = {
  syntax: 'Syntax error',
  shape: 'Shape error',
  unknown: 'Unknown name',
  domain: 'Domain error',
  limit: 'Too large',
  request: 'Cannot do that',
  unsupported: 'Not supported',
  internal: 'Internal error',
};

/** The error box for an error's source. */
function errorBox(source: ErrorInfo['source']): HTMLElement {
  return byId(source === 'answer' ? 'answer-error' : source === 'values' ? 'values-error' : 'error');
}

const ERROR_BOXES = ['error', 'answer-error', 'values-error'];

export function clearErrors(): void {
  for (const id of ERROR_BOXES) {
    const box = byId(id);
    box.replaceChildren();
    show(box, false);
  }
  byId('expr').removeAttribute('aria-invalid');
  byId('answer').removeAttribute('aria-invalid');
}

/** Shows an error; for a syntax error with a column, the source line with that character marked. */
export function showError(err: ErrorInfo, sourceText: string): void {
  const box = errorBox(err.source);
  // The column is already in the message ("… (at column 6)"); the marked source shows where.
  const parts: Node[] = [
    h('span', { class: 'kind' }, KIND_NAMES[err.kind]),
    document.createTextNode(`: ${err.message}`),
  ];
  if (err.column !== undefined && (err.source === 'expr' || err.source === 'answer')) {
    const i = Math.min(Math.max(err.column - 1, 0), sourceText.length);
    const marked = sourceText.slice(i, i + 1) || ' ';
    parts.push(
      h(
        'pre',
        { 'aria-hidden': 'true', 'data-column': String(err.column) },
        sourceText.slice(0, i),
        h('mark', {}, marked),
        sourceText.slice(i + 1),
      ),
    );
    byId(err.source === 'answer' ? 'answer' : 'expr').setAttribute('aria-invalid', 'true');
  }
  box.replaceChildren(...parts);
  show(box, true);
}

function setStatus(el: HTMLElement, s: CheckStatus | undefined): void {
  el.textContent = s?.text ?? '';
  if (s) el.dataset.state = s.state;
  else delete el.dataset.state;
}

function formulaEl(f: Formula, attrs: Readonly<Record<string, string>> = {}): HTMLElement {
  const el = h('div', { class: 'formula', ...attrs });
  setRendered(el, f.html);
  return el;
}

// ---------------------------------------------------------------------------------------------
// Derivative

export function showDiff(v: DiffView | undefined): void {
  setRendered(byId('result'), v?.math.html ?? '');
  byId('result').dataset.kind = v?.kind ?? '';
  byId('result-text').textContent = v?.text ?? '';
  byId('result-shape').textContent =
    v === undefined ? '' : `${v.shape} (${v.kind === 'vec-jacobian' ? 'Jacobian in vec form' : v.kind})`;
  byId('convention').textContent = v?.convention ?? '';
  for (const el of document.querySelectorAll<HTMLElement>('.index')) show(el, v?.index !== undefined);
  setRendered(byId('index'), v?.index?.math.html ?? '');
  byId('index-text').textContent = v?.index?.text ?? '';
  setStatus(byId('check'), v?.check);
  const list = byId('step-list');
  list.replaceChildren(
    ...(v?.steps ?? []).map((st) =>
      h(
        'li',
        {},
        h('strong', {}, st.title),
        ' ',
        h(
          'span',
          { class: 'status', 'data-state': st.check.state, title: st.check.text },
          st.check.state === 'ok' ? '✓ checked' : st.check.state === 'failed' ? '✗ check failed' : '? not checked',
        ),
        formulaEl(st.math),
        h('div', { class: 'rule' }, st.rule),
      ),
    ),
  );
  show(list, (v?.steps?.length ?? 0) > 0);
}

// ---------------------------------------------------------------------------------------------
// Check an answer

export function showCheck(v: CheckView | undefined): void {
  const verdict = byId('verdict');
  verdict.textContent = v?.verdict ?? '';
  if (v) verdict.dataset.verdict = v.verdict;
  else delete verdict.dataset.verdict;
  // The explanation usually opens with the verdict ("transposed: …"); the badge already says it.
  byId('explanation').textContent =
    v === undefined ? '' : `: ${v.explanation.replace(new RegExp(`^${v.verdict}:\\s*`), '')}`;
  const facts: Node[] = [];
  const fact = (term: string, ...dd: (Node | string)[]) => facts.push(h('dt', {}, term), h('dd', {}, ...dd));
  if (v) {
    if (v.diagnosis !== undefined) fact('Diagnosis', v.diagnosis.replace(/-/g, ' '));
    fact(
      'Expected',
      formulaEl(v.expected.math, { 'data-testid': 'expected' }),
      h('code', {}, v.expected.text),
      ` (${v.expected.shape})`,
    );
    if (v.answer) {
      fact(
        v.answer.syntax === 'latex' ? 'Answer, read from LaTeX' : 'Answer, as read',
        ...(v.answer.math ? [formulaEl(v.answer.math)] : []),
        h('code', {}, v.answer.text),
        v.answer.shape ? ` (${v.answer.shape})` : '',
      );
    }
    if (v.factor !== undefined) fact('Factor', `the answer is ${v.factor} times the derivative`);
    const c = v.counterexample;
    if (c) {
      const rows = c.at.map(([name, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, h('pre', { class: 'value' }, value))),
      );
      rows.push(
        h('tr', {}, h('th', { scope: 'row' }, 'expected'), h('td', {}, h('pre', { class: 'value' }, c.expected))),
      );
      rows.push(h('tr', {}, h('th', { scope: 'row' }, 'answer'), h('td', {}, h('pre', { class: 'value' }, c.answer))));
      fact(
        'Counterexample',
        h('div', { class: 'scroll' }, h('table', { 'data-testid': 'counterexample' }, h('tbody', {}, ...rows))),
      );
    }
  }
  byId('verdict-facts').replaceChildren(...facts);
}

// ---------------------------------------------------------------------------------------------
// Backprop

/** The library's standalone walkthrough page, placed in a shadow root so that its styles stay its own. */
export function showBackprop(v: BackpropView | undefined): void {
  setStatus(byId('backprop-check'), v?.check);
  const host = byId('walkthrough');
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  if (v === undefined) {
    root.replaceChildren();
    return;
  }
  const doc = new DOMParser().parseFromString(v.html, 'text/html');
  const styles = [...doc.querySelectorAll('style')];
  const body = h('div', { class: 'page' });
  body.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  root.replaceChildren(
    ...styles.map((s) => document.importNode(s, true)),
    h('style', {}, '.page{padding:.5rem 1rem;font-family:Helvetica,Arial,sans-serif}.page h1{font-size:1.2rem}'),
    body,
  );
}

// ---------------------------------------------------------------------------------------------
// Code

const TARGET_NAMES: Readonly<Record<CodeView['target'], string>> = {
  numpy: 'NumPy',
  torch: 'PyTorch',
  jax: 'JAX',
  ts: 'TypeScript',
};

/** The generated module as text, with how to call it (parameters renamed where a name is a keyword). */
export function showCode(v: CodeView | undefined): void {
  byId('code').textContent = v?.code ?? '';
  const renamed = v === undefined ? [] : Object.entries(v.parameters).filter(([n, p]) => n !== p);
  byId('code-about').textContent =
    v === undefined
      ? ''
      : `${TARGET_NAMES[v.target]}: call ${v.function} with one named argument per input${
          renamed.length > 0 ? ` (renamed: ${renamed.map(([n, p]) => `${n} → ${p}`).join(', ')})` : ''
        }; it returns the value and the derivative, in the layout the header states.`;
}
