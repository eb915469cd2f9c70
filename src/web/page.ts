/**
 * The playground page: holds the state, keeps it in the URL hash, sends it to the worker and shows
 * the answer. Nothing here does mathematics or imports the library (only its types): the worker
 * computes, KaTeX renders there, and this script stays small.
 *
 * Flow: an edit changes the state → (debounced while typing) the hash is rewritten and one request
 * for the current tab goes to the worker → its answer fills the function, the declarations, the wrt
 * choices and the tab's view. Opening a link reads the hash first, so the result appears without
 * any typing; editing the hash by hand (hashchange) does the same.
 */
import type { Nested, VarDecl } from '../index.js';
import { WorkerClient } from './client.js';
import { byId, debounce, h, setRendered, show } from './dom.js';
import { EXAMPLES } from './examples.js';
import { type Analysis, CODE_TARGETS, type Response, TABS, type Tab } from './protocol.js';
import { type State, INITIAL, MAX_ORDER, formatHash, parseHash } from './state.js';
import { showDeclarations, showValues } from './tables.js';
import { clearErrors, showBackprop, showCheck, showCode, showDiff, showError } from './views.js';

let state: State = INITIAL;
let analysis: Analysis | undefined;
let writtenHash = '';
let firstResult = true;

let restarts = 0;
const client = new WorkerClient('worker.js', receive, () => {
  document.body.dataset.workerRestarts = String(++restarts);
});

// ---------------------------------------------------------------------------------------------
// State → hash → worker

function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
}

function writeHash(): void {
  const names = analysis ? new Set(analysis.vars.map((v) => v.name)) : undefined;
  writtenHash = `#${formatHash(state, names)}`;
  if (location.hash !== writtenHash) history.replaceState(null, '', writtenHash);
}

function update(): void {
  writeHash();
  document.body.classList.add('busy');
  byId('status').textContent = 'computing…';
  const question = { expr: state.expr, vars: state.vars, wrt: state.wrt, order: state.order };
  switch (state.tab) {
    case 'diff':
      client.send({
        task: 'diff',
        question,
        layout: state.layout,
        vec: state.vec,
        symmetricGradient: state.symmetric,
        ...(state.steps ? { steps: state.steps } : {}),
      });
      break;
    case 'check':
      client.send({ task: 'check', question, answer: state.answer });
      break;
    case 'backprop':
      client.send({ task: 'backprop', question, at: state.at });
      break;
    case 'code':
      client.send({ task: 'code', question, layout: state.layout, target: state.target });
      break;
  }
}

const updateSoon = debounce(update, 180);

function receive(r: Response): void {
  document.body.classList.remove('busy');
  clearErrors();
  if (r.analysis) {
    analysis = r.analysis;
    if (state.wrt !== r.analysis.wrt) setState({ wrt: r.analysis.wrt });
    showAnalysis(r.analysis);
  } else {
    analysis = undefined;
    setRendered(byId('fn'), '');
  }
  writeHash();
  if (r.outcome.ok) {
    const v = r.outcome.view;
    if (v.task === 'diff') showDiff(v);
    if (v.task === 'check') showCheck(v);
    if (v.task === 'code') showCode(v);
    if (v.task === 'backprop') {
      showBackprop(v);
      if (analysis) showValues(analysis.vars, v.at, setValue);
    }
  } else {
    const err = r.outcome.error;
    showError(err, err.source === 'answer' ? state.answer : state.expr);
    // What the tab showed belonged to other input: do not leave it looking current.
    if (err.source === 'answer') showCheck(undefined);
    else if (err.source === 'values') showBackprop(undefined);
    else {
      showDiff(undefined);
      showCheck(undefined);
      showBackprop(undefined);
      showCode(undefined);
    }
  }
  byId('status').textContent = `computed in ${r.ms.toFixed(0)} ms`;
  performance.mark(firstResult ? 'matcalc:first-result' : 'matcalc:result', { detail: { id: r.id, ms: r.ms } });
  firstResult = false;
  document.body.dataset.responses = String(r.id);
}

function showAnalysis(a: Analysis): void {
  setRendered(byId('fn'), a.f.html);
  showDeclarations(a, state.vars, setDeclaration);
  const wrt = byId<HTMLSelectElement>('wrt');
  const options = [...a.vars.map((v) => v.name), ...a.intermediates];
  if ([...wrt.options].map((o) => o.value).join() !== options.join()) {
    wrt.replaceChildren(
      ...a.vars.map((v) => h('option', { value: v.name }, `${v.name} (${v.text})`)),
      ...a.intermediates.map((n) => h('option', { value: n }, `${n} (intermediate)`)),
    );
  }
  wrt.value = a.wrt;
}

function setDeclaration(name: string, d: VarDecl | undefined): void {
  const vars = { ...state.vars };
  if (d === undefined) delete vars[name];
  else vars[name] = d;
  setState({ vars });
  update();
}

function setValue(name: string, v: Nested): void {
  setState({ at: { ...state.at, [name]: v } });
  updateSoon();
}

// ---------------------------------------------------------------------------------------------
// Controls

/** Puts the state into the controls (after a link is opened or an example picked). */
function fillControls(): void {
  byId<HTMLTextAreaElement>('expr').value = state.expr;
  byId<HTMLInputElement>('order').value = String(state.order);
  byId<HTMLSelectElement>('layout').value = state.layout;
  byId<HTMLSelectElement>('target').value = state.target;
  byId<HTMLSelectElement>('vec').value = state.vec;
  byId<HTMLSelectElement>('symmetric').value = state.symmetric ? 'projected' : 'entrywise';
  byId<HTMLSelectElement>('steps').value = state.steps ?? '';
  byId<HTMLTextAreaElement>('answer').value = state.answer;
  selectTab(state.tab, false);
}

function showNotes(notes: readonly string[]): void {
  const el = byId('notes');
  el.textContent = notes.length > 0 ? `Note: ${notes.join('; ')}.` : '';
  show(el, notes.length > 0);
}

function readLink(): void {
  const { state: s, notes } = parseHash(location.hash);
  state = s;
  showNotes(notes);
  fillControls();
  update();
}

function selectTab(tab: Tab, focus: boolean): void {
  for (const t of TABS) {
    const button = byId(`tab-${t}`);
    const selected = t === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    show(byId(`panel-${t}`), selected);
    if (selected && focus) button.focus();
  }
}

function wireTabs(): void {
  const buttons = TABS.map((t) => byId(`tab-${t}`));
  buttons.forEach((b, i) => {
    const tab = TABS[i]!;
    b.addEventListener('click', () => {
      setState({ tab });
      selectTab(tab, false);
      update();
    });
    b.addEventListener('keydown', (e) => {
      const j =
        e.key === 'ArrowRight'
          ? (i + 1) % TABS.length
          : e.key === 'ArrowLeft'
            ? (i + TABS.length - 1) % TABS.length
            : e.key === 'Home'
              ? 0
              : e.key === 'End'
                ? TABS.length - 1
                : -1;
      if (j < 0) return;
      e.preventDefault();
      setState({ tab: TABS[j]! });
      selectTab(TABS[j]!, true);
      update();
    });
  });
}

function wireTheme(): void {
  const button = byId('theme');
  const dark = (): boolean =>
    document.documentElement.dataset.theme === 'dark' ||
    (document.documentElement.dataset.theme === undefined && matchMedia('(prefers-color-scheme: dark)').matches);
  const label = () => {
    button.textContent = dark() ? 'Light theme' : 'Dark theme';
    button.setAttribute('aria-pressed', String(dark()));
  };
  try {
    const saved = localStorage.getItem('matcalc-theme');
    if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved;
  } catch {
    /* storage unavailable (file://, privacy settings): follow the system */
  }
  label();
  button.addEventListener('click', () => {
    const next = dark() ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem('matcalc-theme', next);
    } catch {
      /* not kept */
    }
    label();
  });
}

function wireControls(): void {
  const expr = byId<HTMLTextAreaElement>('expr');
  expr.addEventListener('input', () => {
    performance.mark('matcalc:input');
    setState({ expr: expr.value });
    updateSoon();
  });
  const wrt = byId<HTMLSelectElement>('wrt');
  wrt.addEventListener('change', () => {
    setState({ wrt: wrt.value });
    update();
  });
  const order = byId<HTMLInputElement>('order');
  order.addEventListener('input', () => {
    const n = Number(order.value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_ORDER) {
      order.setAttribute('aria-invalid', 'true');
      return;
    }
    order.removeAttribute('aria-invalid');
    setState({ order: n });
    updateSoon();
  });
  const layout = byId<HTMLSelectElement>('layout');
  layout.addEventListener('change', () => {
    setState({ layout: layout.value === 'denominator' ? 'denominator' : 'numerator' });
    update();
  });
  const target = byId<HTMLSelectElement>('target');
  target.addEventListener('change', () => {
    const t = CODE_TARGETS.find((x) => x === target.value);
    if (t !== undefined) setState({ target: t });
    update();
  });
  const vec = byId<HTMLSelectElement>('vec');
  vec.addEventListener('change', () => {
    setState({ vec: vec.value === 'cols' ? 'cols' : 'rows' });
    update();
  });
  const symmetric = byId<HTMLSelectElement>('symmetric');
  symmetric.addEventListener('change', () => {
    setState({ symmetric: symmetric.value === 'projected' });
    update();
  });
  const steps = byId<HTMLSelectElement>('steps');
  steps.addEventListener('change', () => {
    const { steps: _dropped, ...rest } = state;
    state = steps.value === 'differential' || steps.value === 'chain' ? { ...rest, steps: steps.value } : rest;
    update();
  });
  const answer = byId<HTMLTextAreaElement>('answer');
  answer.addEventListener('input', () => {
    setState({ answer: answer.value });
    updateSoon();
  });

  const examples = byId<HTMLSelectElement>('examples');
  examples.append(...EXAMPLES.map((ex, i) => h('option', { value: String(i) }, ex.label)));
  examples.addEventListener('change', () => {
    const ex = EXAMPLES[Number(examples.value)];
    if (ex === undefined) return;
    state = { ...INITIAL, wrt: '', ...ex.state };
    examples.value = '';
    showNotes([]);
    fillControls();
    update();
  });

  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.addEventListener('click', () => {
      const text = byId(button.dataset.copy!).textContent ?? '';
      void navigator.clipboard?.writeText(text).then(() => {
        button.textContent = 'Copied';
        setTimeout(() => {
          button.textContent = 'Copy';
        }, 1500);
      });
    });
  }
  addEventListener('hashchange', () => {
    if (location.hash !== writtenHash) readLink();
  });
}

wireTheme();
wireTabs();
wireControls();
readLink();
