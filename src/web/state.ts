/**
 * The playground's state and its URL hash, so that a result is a link (docs/web.md):
 *
 *   #expr=x'*A*x&wrt=x&order=1&vars={"A":"matrix(n,n) symmetric"}&tab=diff
 *
 * Each value is URI-encoded (encodeURIComponent; a literal '+' stays a plus, it is not a space).
 * `expr`, `wrt`, `order`, `vars` and `tab` are the documented core; `layout`, `vec` (`cols`),
 * `symmetric` (`projected`), `steps`, `answer`, `target` and `at` carry the rest of the controls. Keys at their default are left out of the hash. Anything
 * unreadable is skipped with a note for the user, never an exception: a link from an older or
 * newer page still opens.
 *
 * `vars` is the batch protocol's form: {"x": ["n"], "S": "matrix(n,n) spd"} (dims, or a declaration
 * as --var reads it; {"dims": [...], "props": [...]} is accepted too). The page does not parse the
 * declaration strings itself: the worker reads them with the library's parseVarSpec, so this module
 * stays free of the library.
 */
import type { Layout, Nested, Prop, Target, VarDecl, VecOrder } from '../index.js';
import { CODE_TARGETS, type StepsRoute, TABS, type Tab } from './protocol.js';

/** A declaration as the page holds it: structured, or a string for the library to read. */
export type Decl = VarDecl | string;

export interface State {
  readonly expr: string;
  readonly wrt: string;
  readonly order: number;
  readonly vars: Readonly<Record<string, Decl>>;
  readonly tab: Tab;
  readonly layout: Layout;
  /** 'cols': the Matrix Cookbook's column-major vec in printed Jacobians. */
  readonly vec: VecOrder;
  /** The gradient with respect to a symmetric matrix projected onto symmetric matrices, (G + G')/2. */
  readonly symmetric: boolean;
  readonly steps?: StepsRoute;
  readonly answer: string;
  /** The library the Code tab writes for. */
  readonly target: Target;
  readonly at: Readonly<Record<string, Nested>>;
}

export const MAX_ORDER = 6;

export const INITIAL: State = {
  expr: "x'*A*x",
  wrt: 'x',
  order: 1,
  vars: {},
  tab: 'diff',
  layout: 'numerator',
  vec: 'rows',
  symmetric: false,
  answer: '',
  target: 'numpy',
  at: {},
};

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function readJson(text: string, what: string, notes: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    notes.push(`the link's ${what} is not JSON and was ignored`);
    return undefined;
  }
}

const isDim = (d: unknown): d is string | number =>
  (typeof d === 'number' && Number.isInteger(d) && d > 0) || (typeof d === 'string' && NAME.test(d));

function readDecl(name: string, v: unknown, notes: string[]): Decl | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length <= 2 && v.every(isDim)) return { dims: v };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const { dims, props } = v as { dims?: unknown; props?: unknown };
    if (
      Array.isArray(dims) &&
      dims.length <= 2 &&
      dims.every(isDim) &&
      (props === undefined || (Array.isArray(props) && props.every((p) => typeof p === 'string')))
    ) {
      return { dims, ...(props !== undefined ? { props: props as Prop[] } : {}) };
    }
  }
  notes.push(`the declaration of ${name} in the link was not understood and was ignored`);
  return undefined;
}

const isNested = (v: unknown): v is Nested =>
  (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every(isNested));

/** Reads a hash (with or without its '#'); `notes` says what was skipped. */
export function parseHash(hash: string): { state: State; notes: string[] } {
  const notes: string[] = [];
  const params = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    try {
      params.set(key, decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1)));
    } catch {
      notes.push(`the link's ${key} is not properly encoded and was ignored`);
    }
  }
  const get = (k: string): string | undefined => params.get(k);
  let state: State = { ...INITIAL, ...(get('expr') !== undefined ? { expr: get('expr')!, wrt: '' } : {}) };
  const wrt = get('wrt');
  if (wrt !== undefined) state = { ...state, wrt: NAME.test(wrt) ? wrt : '' };
  const order = get('order');
  if (order !== undefined) {
    const n = Number(order);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_ORDER) state = { ...state, order: n };
    else
      notes.push(
        `the order in the link must be a whole number from 1 to ${MAX_ORDER}; ${JSON.stringify(order)} was ignored`,
      );
  }
  const vars = get('vars');
  if (vars !== undefined && vars !== '') {
    const json = readJson(vars, 'vars', notes);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const decls: Record<string, Decl> = {};
      for (const [name, v] of Object.entries(json)) {
        if (!NAME.test(name)) {
          notes.push(`${JSON.stringify(name)} in the link's vars is not a variable name`);
          continue;
        }
        const d = readDecl(name, v, notes);
        if (d !== undefined) decls[name] = d;
      }
      state = { ...state, vars: decls };
    } else if (json !== undefined) notes.push('the link\'s vars must be an object such as {"x": ["n"]}');
  }
  const tab = get('tab');
  if (tab !== undefined) {
    if ((TABS as readonly string[]).includes(tab)) state = { ...state, tab: tab as Tab };
    else notes.push(`there is no tab ${JSON.stringify(tab)}`);
  }
  const layout = get('layout');
  if (layout === 'numerator' || layout === 'denominator') state = { ...state, layout };
  const vec = get('vec');
  if (vec === 'rows' || vec === 'cols') state = { ...state, vec };
  if (get('symmetric') === 'projected') state = { ...state, symmetric: true };
  const steps = get('steps');
  if (steps === 'differential' || steps === 'chain') state = { ...state, steps };
  const target = get('target');
  if (target !== undefined) {
    if ((CODE_TARGETS as readonly string[]).includes(target)) state = { ...state, target: target as Target };
    else notes.push(`there is no code target ${JSON.stringify(target)} (${CODE_TARGETS.join(', ')})`);
  }
  const answer = get('answer');
  if (answer !== undefined) state = { ...state, answer };
  const at = get('at');
  if (at !== undefined && at !== '') {
    const json = readJson(at, 'values (at)', notes);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      state = {
        ...state,
        at: Object.fromEntries(Object.entries(json).filter(([n, v]) => NAME.test(n) && isNested(v))) as Record<
          string,
          Nested
        >,
      };
    }
  }
  return { state, notes };
}

/** A declaration in the batch protocol's form: dims alone, or "matrix(n,n) spd" when it has properties. */
export function declJson(d: Decl): unknown {
  if (typeof d === 'string') return d;
  const props = d.props ?? [];
  if (props.length === 0) return d.dims;
  const shape =
    d.dims.length === 0 ? 'scalar' : d.dims.length === 1 ? `vector(${d.dims[0]})` : `matrix(${d.dims.join(',')})`;
  return `${shape} ${props.join(' ')}`;
}

const enc = (s: string): string => encodeURIComponent(s).replace(/%2C/g, ',').replace(/%3A/g, ':');

/** The hash for a state (without '#'); `names` limits vars and values to the expression's variables. */
export function formatHash(s: State, names?: ReadonlySet<string>): string {
  const keep = <T>(rec: Readonly<Record<string, T>>) =>
    Object.entries(rec).filter(([n]) => names === undefined || names.has(n));
  const vars = keep(s.vars);
  const at = keep(s.at);
  const parts: [string, string][] = [['expr', s.expr]];
  if (s.wrt !== '') parts.push(['wrt', s.wrt]);
  if (s.order !== 1) parts.push(['order', String(s.order)]);
  if (vars.length > 0) parts.push(['vars', JSON.stringify(Object.fromEntries(vars.map(([n, d]) => [n, declJson(d)])))]);
  if (s.tab !== 'diff') parts.push(['tab', s.tab]);
  if (s.layout !== 'numerator') parts.push(['layout', s.layout]);
  if (s.vec !== 'rows') parts.push(['vec', s.vec]);
  if (s.symmetric) parts.push(['symmetric', 'projected']);
  if (s.steps !== undefined) parts.push(['steps', s.steps]);
  if (s.answer !== '') parts.push(['answer', s.answer]);
  if (s.target !== 'numpy') parts.push(['target', s.target]);
  if (at.length > 0 && s.tab === 'backprop') parts.push(['at', JSON.stringify(Object.fromEntries(at))]);
  return parts.map(([k, v]) => `${k}=${enc(v)}`).join('&');
}
