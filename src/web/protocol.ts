/**
 * The messages between the playground's page (page.ts) and its Web Worker (worker.ts).
 *
 * The page sends one Request per change of state and keeps only the answer to its latest one (the
 * id says which). Everything here is plain data, safe for structured cloning. The worker does all
 * the mathematics and also renders LaTeX to HTML with KaTeX, so the page script carries neither
 * mathjs nor KaTeX's JavaScript: it only places strings into the DOM (KaTeX escapes what it renders).
 */
import type {
  Declarations,
  Diagnosis,
  ErrorKind,
  Layout,
  Nested,
  Prop,
  ResultKind,
  Target,
  Verdict,
  VecOrder,
} from '../index.js';

/**
 * The Code tab's targets, in the order its select lists them. The page may not import the library's
 * TARGETS (that would bundle the library into the page script); the two types below make a target
 * added to the library a compile error here until it is listed.
 */
export const CODE_TARGETS = ['numpy', 'torch', 'jax', 'ts'] as const satisfies readonly Target[];
type Unlisted = Exclude<Target, (typeof CODE_TARGETS)[number]>;
export const ALL_TARGETS_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

export type Tab = 'diff' | 'check' | 'backprop' | 'code';
export const TABS: readonly Tab[] = ['diff', 'check', 'backprop', 'code'];

/** What every tab starts from: the function, its declarations, and the variable and order asked for. */
export interface Question {
  readonly expr: string;
  /** Declarations: structured, or text such as "matrix(n,n) spd" (the library reads both). */
  readonly vars: Declarations;
  /** '' lets the worker choose (see Analysis.wrt). */
  readonly wrt: string;
  readonly order: number;
}

export type StepsRoute = 'differential' | 'chain';

export type Request =
  | {
      readonly id: number;
      readonly task: 'diff';
      readonly question: Question;
      readonly layout: Layout;
      readonly vec?: VecOrder;
      readonly symmetricGradient?: boolean;
      readonly steps?: StepsRoute;
    }
  | { readonly id: number; readonly task: 'check'; readonly question: Question; readonly answer: string }
  | {
      readonly id: number;
      readonly task: 'backprop';
      readonly question: Question;
      readonly at: Readonly<Record<string, Nested>>;
    }
  | {
      readonly id: number;
      readonly task: 'code';
      readonly question: Question;
      readonly layout: Layout;
      readonly target: Target;
    };

/** Which input an error belongs to, so the page can show it beside that input. */
export type ErrorSource = 'expr' | 'vars' | 'wrt' | 'answer' | 'values';

export interface ErrorInfo {
  readonly kind: ErrorKind | 'internal';
  readonly message: string;
  readonly source: ErrorSource;
  /** 1-based column in the source text, for syntax errors. */
  readonly column?: number;
}

/** A formula: its LaTeX source and KaTeX's rendering of it (HTML with MathML and the TeX annotation). */
export interface Formula {
  readonly tex: string;
  readonly html: string;
}

export interface VarInfo {
  readonly name: string;
  /** Tensor-layout dims: [] scalar, [n] vector, [m, n] matrix. */
  readonly dims: readonly (string | number)[];
  readonly props: readonly Prop[];
  /** "scalar", "n", "m×n". */
  readonly text: string;
}

/** The function itself, as the declarations table and the wrt control need it. */
export interface Analysis {
  readonly f: Formula;
  readonly shape: string;
  readonly vars: readonly VarInfo[];
  /** A program's named steps (not its output): the derivative may also be taken with respect to one. */
  readonly intermediates: readonly string[];
  /** The variable the derivative is taken with respect to: the one asked for, or a chosen one. */
  readonly wrt: string;
  /** The properties a declaration may carry (the library's list). */
  readonly props: readonly Prop[];
}

/** The outcome of a finite-difference check, as a status and a sentence. */
export interface CheckStatus {
  readonly state: 'ok' | 'failed' | 'skipped';
  readonly text: string;
}

export interface StepView {
  readonly title: string;
  readonly rule: string;
  readonly math: Formula;
  readonly check: CheckStatus;
}

export interface DiffView {
  readonly task: 'diff';
  readonly kind: ResultKind;
  /** `heading = result`, rendered. */
  readonly math: Formula;
  /** The result in the input syntax: a program `t1 = …; result` when shared parts are named. */
  readonly text: string;
  readonly shape: string;
  readonly convention: string;
  readonly index?: { readonly text: string; readonly math: Formula };
  readonly check: CheckStatus;
  readonly steps?: readonly StepView[];
}

export interface CheckView {
  readonly task: 'check';
  readonly verdict: Verdict;
  readonly explanation: string;
  readonly diagnosis?: Diagnosis;
  readonly expected: { readonly text: string; readonly shape: string; readonly math: Formula };
  readonly answer?: {
    readonly text: string;
    readonly syntax: 'input' | 'latex';
    readonly shape?: string;
    readonly math?: Formula;
  };
  readonly factor?: number;
  readonly counterexample?: {
    readonly at: readonly (readonly [string, string])[];
    readonly expected: string;
    readonly answer: string;
  };
}

export interface BackpropView {
  readonly task: 'backprop';
  /** The library's standalone HTML page for the walkthrough (graph, table, backward pass). */
  readonly html: string;
  readonly check: CheckStatus;
  /** The values used: those given, and defaults for the inputs that had none. */
  readonly at: Readonly<Record<string, Nested>>;
}

/** The generated module (`matcalc codegen`): its source, its function, and the parameter names. */
export interface CodeView {
  readonly task: 'code';
  readonly code: string;
  readonly function: string;
  readonly target: Target;
  readonly parameters: Readonly<Record<string, string>>;
}

export type View = DiffView | CheckView | BackpropView | CodeView;

export interface Response {
  readonly id: number;
  /** Absent when the expression itself could not be read (then `outcome` holds that error). */
  readonly analysis?: Analysis;
  readonly outcome: { readonly ok: true; readonly view: View } | { readonly ok: false; readonly error: ErrorInfo };
  /** Time the worker spent on the request, in ms. */
  readonly ms: number;
}
