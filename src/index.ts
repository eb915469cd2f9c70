/**
 * matcalc's public API. Everything a library user needs, and nothing else.
 *
 *   import { derivative } from 'matcalc';
 *   const d = derivative("x'*A*x", 'x');
 *   d.toString();   // "(A + A')*x"
 *   d.verify().ok;  // true: checked by central finite differences
 */
export {
  parse,
  parseVarSpec,
  parseVarAssignment,
  type ParseOptions,
  type VarDecl,
  type Declaration,
  type Declarations,
} from './parse/parse.js';
export type { Warning, WarningKind } from './parse/warnings.js';
export { derivative, type Derivative, type DerivativeOptions, type ResultKind } from './api/derivative.js';
export { textHeading, latexHeading } from './api/headings.js';
export {
  shapeOf,
  evaluate,
  verify,
  parseProgram,
  type ShapeInfo,
  type EvaluateOptions,
  type StandaloneVerifyOptions,
} from './api/basic.js';
export type { VerifyOptions, VerifyReport } from './api/verify.js';
export {
  check,
  gradeAll,
  type CheckOptions,
  type CheckResult,
  type Verdict,
  type Diagnosis,
  type Counterexample,
  type GradeItem,
  type GradeRow,
  type GradeSummary,
} from './check/check.js';
export {
  backprop,
  checkWalkthrough,
  mlp,
  renderText as renderBackpropText,
  renderLatex as renderBackpropLatex,
  renderJson as renderBackpropJson,
  renderDot,
  renderHtml as renderBackpropHtml,
  toJson as backpropJson,
  ACTIVATIONS,
  LOSSES,
  type Walkthrough,
  type BackpropOptions,
  type LayerSpec,
  type Mlp,
  type MlpOptions,
} from './backprop/index.js';
export { codegen, TARGETS, type Target, type CodegenOptions, type CodegenResult } from './codegen/codegen.js';
export { derivationSteps, verifySteps, type Step, type StepClaim, type Route } from './steps/steps.js';
export { latexToInput, parseLatex, looksLikeLatex, type LatexReadOptions } from './parse/latex.js';
export type { Layout, VecOrder } from './diff/derivative.js';
export { type Expr, type Var, type Prop, PROPS } from './ir/expr.js';
export type { Dim, Shape } from './shape/shape.js';
export { type Tensor, type Nested, toNested, fromNested } from './numeric/tensor.js';
export { toText } from './print/text.js';
export { KATEX_OPTIONS, toLatex } from './print/latex.js';
export {
  readProgram,
  type Program,
  type ProgramOptions,
  type Definition,
  type ProgramWarning,
} from './parse/program.js';
export {
  programForm,
  programText,
  programWhereText,
  whereLatex,
  whereText,
  type ProgramForm,
  type Binding,
} from './print/program.js';
export {
  MatcalcError,
  ParseError,
  ShapeError,
  UnknownError,
  DomainError,
  LimitError,
  RequestError,
  UnsupportedError,
  NoMatrixFormError,
  type ErrorKind,
} from './errors.js';
