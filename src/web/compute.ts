/**
 * What the playground's worker computes: one Request in, one Response out, through matcalc's public
 * API only (src/index.ts) and KaTeX. Kept apart from worker.ts (which only wires messages) so that
 * it runs the same in Node, where the unit tests call it, as in the browser.
 *
 * Every request first reads the function (Analysis: its variables and shapes, for the declarations
 * table and the wrt control), then does its task. Errors are returned, never thrown: each is a typed
 * ErrorInfo that names the input it belongs to, with the column for syntax errors.
 */
import katex from 'katex';
import {
  type Declarations,
  type Derivative,
  type Nested,
  MatcalcError,
  ParseError,
  backprop,
  check,
  checkWalkthrough,
  codegen,
  derivationSteps,
  derivative,
  latexHeading,
  parse,
  parseProgram,
  type Program,
  PROPS,
  programForm,
  renderBackpropHtml,
  shapeOf,
  KATEX_OPTIONS,
  toLatex,
  verifySteps,
  whereLatex,
} from '../index.js';
import { defaultValues } from './values.js';
import { formatValue } from './format.js';
import type {
  Analysis,
  BackpropView,
  CodeView,
  CheckStatus,
  CheckView,
  DiffView,
  ErrorInfo,
  ErrorSource,
  Formula,
  Question,
  Request,
  Response,
  StepView,
  VarInfo,
  View,
} from './protocol.js';

/** A failure already described for the page. */
class Shown extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

export function errorInfo(err: unknown, source: ErrorSource): ErrorInfo {
  if (err instanceof Shown) return err.info;
  if (err instanceof ParseError)
    return {
      kind: err.kind,
      message: err.message,
      source,
      ...(err.column !== undefined ? { column: err.column } : {}),
    };
  if (err instanceof MatcalcError) return { kind: err.kind, message: err.message, source };
  if (err instanceof RangeError && /call stack/i.test(err.message))
    return { kind: 'limit', message: 'the expression is nested too deeply to process', source };
  return {
    kind: 'internal',
    message: `${err instanceof Error ? err.message : String(err)} (this is a bug in matcalc)`,
    source,
  };
}

/** Runs `fn`, describing any error as one of `source`. */
function attempt<T>(source: ErrorSource, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new Shown(errorInfo(err, source));
  }
}

export function formula(tex: string, display = true): Formula {
  return {
    tex,
    html: katex.renderToString(tex, {
      ...KATEX_OPTIONS,
      displayMode: display,
      output: 'htmlAndMathml',
      throwOnError: false,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The function

/** Names tried first when the page has not said which variable to differentiate by. */
const USUAL_WRT = ['x', 'X', 'w', 'W', 'theta', 'z', 'S', 'beta', 'u', 'v'];

function chooseWrt(vars: readonly VarInfo[], intermediates: readonly string[], asked: string): string {
  const names = vars.map((v) => v.name);
  if (names.includes(asked) || intermediates.includes(asked)) return asked;
  return USUAL_WRT.find((n) => names.includes(n)) ?? vars.find((v) => v.dims.length > 0)?.name ?? names[0] ?? '';
}

/** A name in LaTeX as the printers write it (W1 → W_{1}): read as a variable and printed. */
function nameTex(name: string, p: Program): string {
  return name === 'e' || name === 'pi' ? `\\mathit{${name}}` : toLatex(parse(name, { vars: p.vars }));
}

/** The function as read: `f = …`, or for a program its result in its own names with a where block. */
function programTex(p: Program): string {
  const name = p.output === undefined ? 'f' : nameTex(p.output, p);
  if (p.definitions.length === 0) return `${name} = ${toLatex(p.root)}`;
  const form = programForm(p.root, { names: p.names });
  return `${name} = ${toLatex(form.result)} \\qquad ${whereLatex(form.bindings)}`;
}

/** A question whose declarations the library has read without complaint. */
interface Resolved {
  readonly expr: string;
  readonly vars: Declarations;
  readonly order: number;
}

function resolve(q: Question): Resolved {
  // The library reads declarations (text or objects) itself; reading them on their own first lets a
  // bad one be shown beside the declarations rather than the expression.
  attempt('vars', () => parse('0', { vars: q.vars }));
  return { expr: q.expr, vars: q.vars, order: q.order };
}

/**
 * For backprop, as `matcalc backprop` does: a variable given a value but not declared takes the
 * value's shape (so `(x + y)*z` at x = -2, y = 5, z = -4 has scalars, whatever the letters say).
 */
function withValueShapes(q: Question, at: Readonly<Record<string, Nested>>): Question {
  const sizes = (v: Nested): number[] =>
    typeof v === 'number' ? [] : [v.length, ...(v.length > 0 ? sizes(v[0]!) : [])];
  const fromValues = Object.fromEntries(
    Object.entries(at)
      .filter(([name]) => !Object.hasOwn(q.vars, name))
      .map(([name, v]) => [name, { dims: sizes(v) }] as const)
      .filter(([, d]) => d.dims.length <= 2),
  );
  return { ...q, vars: { ...fromValues, ...q.vars } };
}

export function analyse(q: Resolved, asked: string): Analysis {
  const p = attempt('expr', () => parseProgram(q.expr, q.vars));
  const info = shapeOf(p.root);
  const intermediates = p.definitions.map((d) => d.name).filter((n) => n !== p.output);
  const vars: VarInfo[] = Object.entries(info.vars).map(([name, v]) => ({
    name,
    dims: v.dims,
    props: [...v.props] as VarInfo['props'],
    text: v.text,
  }));
  return {
    f: formula(programTex(p)),
    shape: info.text,
    vars,
    intermediates,
    wrt: chooseWrt(vars, intermediates, asked),
    props: PROPS,
  };
}

function checkStatus<R extends { readonly ok: boolean; readonly maxError: number }>(
  run: () => R,
  where: (r: R) => string,
): CheckStatus {
  let r: R;
  try {
    r = run();
  } catch (err) {
    if (err instanceof MatcalcError) return { state: 'skipped', text: `not run: ${err.message}` };
    throw err;
  }
  const e = r.maxError.toExponential(1);
  return r.ok
    ? { state: 'ok', text: `ok: agrees with central finite differences (max relative error ${e}; ${where(r)})` }
    : {
        state: 'failed',
        text: `FAILED: disagrees with central finite differences (max relative error ${e}; ${where(r)}); this is a bug in matcalc`,
      };
}

// ---------------------------------------------------------------------------------------------
// Tasks

const formatDims = (dims: readonly (string | number)[]): string => (dims.length === 0 ? 'scalar' : dims.join('×'));

/** A derivative with its shared parts named (the program form, as `matcalc diff` prints it): result, then where. */
function resultTex(d: Derivative): string {
  const form = d.programForm();
  return `${toLatex(form.result)}${form.bindings.length > 0 ? ` \\qquad ${whereLatex(form.bindings)}` : ''}`;
}

function diffView(req: Extract<Request, { task: 'diff' }>, q: Resolved, wrt: string): DiffView {
  const d: Derivative = attempt('wrt', () =>
    derivative(q.expr, wrt, {
      order: q.order,
      layout: req.layout,
      vars: q.vars,
      ...(req.vec ? { vec: req.vec } : {}),
      ...(req.symmetricGradient ? { symmetricGradient: true } : {}),
    }),
  );
  const index = d.kind === 'vec-jacobian' || d.kind === 'differential' ? d.toIndexNotation() : undefined;
  const check = checkStatus(
    () => d.verify(),
    (r) =>
      `${r.points} random point${r.points === 1 ? '' : 's'}, seed ${r.seed}${r.method === 'directional' ? ', random directions' : ''}`,
  );
  return {
    task: 'diff',
    kind: d.kind,
    math: formula(`${latexHeading(d)} = ${resultTex(d)}`),
    text: d.toProgramText(),
    shape: formatDims(d.shape),
    convention: d.convention,
    ...(index !== undefined ? { index: { text: index.text, math: formula(index.latex) } } : {}),
    check,
    ...(req.steps !== undefined ? { steps: stepViews(q, wrt, req.steps) } : {}),
  };
}

function stepViews(q: Resolved, wrt: string, route: 'differential' | 'chain'): StepView[] {
  const steps = attempt('wrt', () =>
    derivationSteps(q.expr, wrt, { vars: q.vars, route, ...(q.order > 1 ? { order: q.order } : {}) }),
  );
  return steps.map((st) => ({
    title: st.title,
    rule: st.rule,
    math: formula(st.latex),
    check: checkStatus(
      () => verifySteps([st])[0]!,
      (r) => `${r.points} random points`,
    ),
  }));
}

/** LaTeX of an expression in the question's terms, or nothing when it does not read back. */
function latexOf(text: string, vars: Declarations): Formula | undefined {
  try {
    return formula(toLatex(parse(text, { vars })));
  } catch {
    return undefined;
  }
}

function checkView(req: Extract<Request, { task: 'check' }>, q: Resolved, wrt: string): CheckView {
  if (req.answer.trim() === '')
    throw new Shown({ kind: 'request', message: 'type an answer to check', source: 'answer' });
  const r = attempt('wrt', () => check(q.expr, wrt, req.answer, { vars: q.vars, order: q.order }));
  const c = r.counterexample;
  const answerMath = r.answerInput !== undefined ? latexOf(r.answerInput, q.vars) : undefined;
  return {
    task: 'check',
    verdict: r.verdict,
    explanation: r.explanation,
    ...(r.diagnosis !== undefined ? { diagnosis: r.diagnosis } : {}),
    expected: {
      text: r.expected,
      shape: r.expectedShape,
      // The checker's expected result is derivative(): shown as the Derivative tab shows it.
      math: formula(resultTex(derivative(q.expr, wrt, { order: q.order, vars: q.vars }))),
    },
    ...(r.answerInput !== undefined
      ? {
          answer: {
            text: r.answerInput,
            syntax: r.syntax ?? 'input',
            ...(r.answerShape !== undefined ? { shape: r.answerShape } : {}),
            ...(answerMath ? { math: answerMath } : {}),
          },
        }
      : {}),
    ...(r.factor !== undefined ? { factor: r.factor } : {}),
    ...(c !== undefined
      ? {
          counterexample: {
            at: Object.entries(c.at).map(([n, v]) => [n, formatValue(v)] as const),
            expected: formatValue(c.expected),
            answer: formatValue(c.answer),
          },
        }
      : {}),
  };
}

function codeView(req: Extract<Request, { task: 'code' }>, q: Resolved, wrt: string): CodeView {
  const r = attempt('wrt', () =>
    codegen(q.expr, wrt, { target: req.target, order: q.order, layout: req.layout, vars: q.vars }),
  );
  return { task: 'code', code: r.code, function: r.function, target: r.target, parameters: r.parameters };
}

async function backpropView(
  req: Extract<Request, { task: 'backprop' }>,
  q: Resolved,
  analysis: Analysis,
): Promise<BackpropView> {
  const at: Record<string, Nested> = defaultValues(analysis.vars, req.at);
  const w = attempt('values', () => backprop(q.expr, at, { vars: q.vars }));
  const check = checkStatus(
    () => checkWalkthrough(w),
    (r) => {
      const kinks = r.results.filter((x) => x.kink).length;
      return `${r.results.length} upstream and local gradients${kinks ? `, ${kinks} near a kink and not judged` : ''}`;
    },
  );
  return { task: 'backprop', html: await renderBackpropHtml(w), check, at };
}

export async function compute(req: Request): Promise<Response> {
  const started = performance.now();
  const done = (r: Omit<Response, 'id' | 'ms'>): Response => ({ id: req.id, ...r, ms: performance.now() - started });
  let analysis: Analysis | undefined;
  try {
    const q = resolve(req.task === 'backprop' ? withValueShapes(req.question, req.at) : req.question);
    analysis = analyse(q, req.question.wrt);
    if (analysis.wrt === '' && req.task !== 'backprop') {
      throw new Shown({
        kind: 'request',
        message: 'the expression has no variable to differentiate with respect to',
        source: 'expr',
      });
    }
    let view: View;
    switch (req.task) {
      case 'diff':
        view = diffView(req, q, analysis.wrt);
        break;
      case 'check':
        view = checkView(req, q, analysis.wrt);
        break;
      case 'backprop':
        view = await backpropView(req, q, analysis);
        break;
      case 'code':
        view = codeView(req, q, analysis.wrt);
        break;
    }
    return done({ analysis, outcome: { ok: true, view } });
  } catch (err) {
    return done({ ...(analysis ? { analysis } : {}), outcome: { ok: false, error: errorInfo(err, 'expr') } });
  }
}
