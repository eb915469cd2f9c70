/**
 * The batch protocol (JSON Lines): one request object per line in, exactly one response object per
 * request out, in order. This module is pure: a line in, a response out; it never throws.
 *
 *   request   {"id", "task": "diff"|"eval"|"check"|"backprop"|"codegen", "expr", "wrt", "vars": {name: [dims]}, "order",
 *              "layout", "vec": "rows"|"cols", "symmetric": "entrywise"|"projected", "at": {name: number | list | list of rows}, "answer", "check", "inline"}
 *   diff   →  {"id", "ok": true, "expression", "latex", "bindings"?, "inline"?, "shape", "kind", "convention", "index"?,
 *              "value"?, "check"?, "warnings"?, "ms"}
 *             ("check" as in `matcalc diff --format json`: the report, or {"ok": null, "skipped"} when it cannot run;
 *              "expression" a program `t1 = …; result` when the result names shared parts, listed in "bindings")
 *   eval   →  {"id", "ok": true, "value", "shape", "warnings"?}
 *   check  →  {"id", "ok": true, "verdict", "explanation", ...the homework checker's result}
 *   backprop → {"id", "ok": true, ...the walkthrough that `matcalc backprop --format json` prints}
 *   codegen → {"id", "ok": true, "code", "function", "target", "parameters"} (request: "expr", "wrt" (a name or a
 *             list), "vars", "order", "layout", "target": "numpy"|"torch"|"jax"|"ts", "check": true for the self-test)
 * "expr" (and a check's "answer") may be a program: `z1 = W1*x + b1; h1 = relu(z1); L = sum(h1)`.
 *   error  →  {"id", "ok": false, "error": {"kind", "message"}}
 *
 * Dims in `vars` are names or positive integers (`[]` is a scalar); a declaration may also be a
 * string such as "matrix(n,n) spd". Names are bound from the shapes of the `at` values, and a value
 * whose shape disagrees is a shape error. Error kinds are the library's (syntax, shape, unknown,
 * domain, limit, request, unsupported) plus "internal" for a bug in matcalc. A line that is not
 * JSON, or not an object, answers with id null. Unknown fields are ignored.
 */
import { derivative } from '../api/derivative.js';
import { evaluateProgram, shapeOf } from '../api/basic.js';
import { type Values, declareGivenConstants, toEnv } from '../api/values.js';
import { check } from '../check/check.js';
import { codegen } from '../codegen/codegen.js';
import { TARGETS, type Target } from '../codegen/dialect.js';
import { RequestError } from '../errors.js';
import type { Env } from '../numeric/evaluate.js';
import { type Nested, toNested } from '../numeric/tensor.js';
import { isName } from '../parse/elaborate.js';
import { type VarDecl, parseVarSpec, readDeclarations } from '../parse/parse.js';
import { readProgram } from '../parse/program.js';
import { walkthroughOf, walkthroughJson } from './commands/backprop.js';
import { describeError, indexField, jsonDims, resultJson, runCheck, verifyJson, warningsJson } from './output.js';

export type Response = Record<string, unknown>;

/** Longest request line read (a guard against a runaway producer; expressions have their own limit). */
const MAX_LINE = 16 * 1024 * 1024;

type Request = Readonly<Record<string, unknown>>;

/** The response to one line of input. */
export function answerLine(line: string): Response {
  if (line.length > MAX_LINE)
    return failure(null, {
      kind: 'limit',
      message: `the request is ${line.length} characters long; the limit is ${MAX_LINE}`,
    });
  let req: unknown;
  try {
    // A byte-order mark starts the first line of a file saved by some editors.
    req = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  } catch (err) {
    return failure(null, { kind: 'request', message: `the line is not JSON: ${(err as Error).message}` });
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return failure(null, {
      kind: 'request',
      message: 'a request must be a JSON object such as {"id": 1, "task": "diff", "expr": "x\'*A*x", "wrt": "x"}',
    });
  }
  return answerRequest(req as Request);
}

function answerRequest(req: Request): Response {
  const id = req.id ?? null;
  try {
    switch (req.task) {
      case 'diff':
        return { id, ok: true, ...diffTask(req) };
      case 'eval':
        return { id, ok: true, ...evalTask(req) };
      case 'check':
        return { id, ok: true, ...checkTask(req) };
      case 'backprop':
        return { id, ok: true, ...backpropTask(req) };
      case 'codegen':
        return { id, ok: true, ...codegenTask(req) };
      default:
        throw new RequestError(
          req.task === undefined
            ? 'the request has no "task"; use "diff", "eval", "check", "backprop" or "codegen"'
            : `unknown task ${JSON.stringify(req.task)}; use "diff", "eval", "check", "backprop" or "codegen"`,
        );
    }
  } catch (err) {
    return failure(id, errorBody(err));
  }
}

const failure = (id: unknown, error: { kind: string; message: string }): Response => ({ id, ok: false, error });

/** Any exception as a protocol error; a non-matcalc exception is a bug, reported as "internal". */
export function errorBody(err: unknown): { kind: string; message: string } {
  const { kind, message } = describeError(err);
  return { kind, message: kind === 'internal' ? `internal error: ${message}` : message };
}

// ---------------------------------------------------------------------------------------------
// Tasks

function diffTask(req: Request): Response {
  const expr = text(req, 'expr'),
    wrt = text(req, 'wrt');
  const vars = declareGivenConstants(declsFromJson(req.vars), optionalAt(req.at));
  const order = optionalOrder(req.order);
  const layout = optionalLayout(req.layout);
  const vec = optionalVec(req.vec);
  const at = optionalAt(req.at);
  const t0 = performance.now();
  const symmetricGradient = optionalSymmetric(req.symmetric);
  const d = derivative(expr, wrt, {
    vars,
    symmetricGradient,
    ...(order !== undefined ? { order } : {}),
    ...(layout !== undefined ? { layout } : {}),
    ...(vec !== undefined ? { vec } : {}),
  });
  const ms = performance.now() - t0;
  const value = at === undefined ? undefined : toNested(d.evaluate(at));
  const checked = req.check === true ? verifyJson(runCheck(() => d.verify())) : undefined;
  return {
    ...resultJson(d, { inline: req.inline === true }),
    shape: jsonDims(d.shape),
    kind: d.kind,
    convention: d.convention,
    ...indexField(d),
    ...(value !== undefined ? { value } : {}),
    ...(checked !== undefined ? { check: checked } : {}),
    ...warningsJson(d.warnings),
    ms: Math.round(ms * 1000) / 1000,
  };
}

function evalTask(req: Request): Response {
  const at = optionalAt(req.at) ?? new Map();
  // e and pi given values are the user's variables; variables simplification removed (0*x) still size the result.
  const program = readProgram(text(req, 'expr'), {
    vars: readDeclarations(declareGivenConstants(declsFromJson(req.vars), at)),
  });
  const e = program.root;
  return {
    value: toNested(evaluateProgram(program, at)),
    shape: jsonDims(shapeOf(e).dims),
    ...warningsJson(program.warnings),
  };
}

function backpropTask(req: Request): Response {
  const at = optionalAt(req.at);
  if (at === undefined) throw new RequestError('the request has no "at": backprop needs the values of the inputs');
  const wrt = req.wrt === undefined || req.wrt === null ? undefined : Array.isArray(req.wrt) ? req.wrt : [req.wrt];
  if (wrt !== undefined && !wrt.every((x): x is string => typeof x === 'string'))
    throw new RequestError('"wrt" must be a name or a list of names');
  const { w, check } = walkthroughOf(text(req, 'expr'), at, declsFromJson(req.vars), {
    ...(wrt !== undefined ? { wrt } : {}),
    ...(req.upstream !== undefined ? { upstream: req.upstream as Nested } : {}),
    check: req.check !== false,
  });
  return walkthroughJson(w, check);
}

function codegenTask(req: Request): Response {
  const wrt = req.wrt;
  if (!(typeof wrt === 'string' || (Array.isArray(wrt) && wrt.every((w): w is string => typeof w === 'string')))) {
    throw new RequestError('"wrt" must be a name or a list of names');
  }
  const target = req.target ?? 'numpy';
  if (typeof target !== 'string' || !TARGETS.includes(target as Target))
    throw new RequestError(
      `"target" must be one of ${TARGETS.map((t) => `"${t}"`).join(', ')}, not ${JSON.stringify(target)}`,
    );
  const order = optionalOrder(req.order);
  const layout = optionalLayout(req.layout);
  const r = codegen(text(req, 'expr'), wrt, {
    target: target as Target,
    vars: declsFromJson(req.vars),
    check: req.check === true,
    ...(order !== undefined ? { order } : {}),
    ...(layout !== undefined ? { layout } : {}),
  });
  return { code: r.code, function: r.function, target: r.target, parameters: r.parameters };
}

function checkTask(req: Request): Response {
  const order = optionalOrder(req.order);
  const result = check(text(req, 'expr'), text(req, 'wrt'), text(req, 'answer'), {
    vars: declsFromJson(req.vars),
    ...(order !== undefined ? { order } : {}),
  });
  return { ...result };
}

// ---------------------------------------------------------------------------------------------
// Fields

function text(req: Request, field: string): string {
  const v = req[field];
  if (v === undefined) throw new RequestError(`the request has no "${field}"`);
  if (typeof v !== 'string') throw new RequestError(`"${field}" must be a string`);
  return v;
}

function optionalOrder(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new RequestError(`"order" must be a positive integer, not ${JSON.stringify(v)}`);
  return v;
}

function optionalLayout(v: unknown): 'numerator' | 'denominator' | undefined {
  if (v === undefined || v === null) return undefined;
  if (v !== 'numerator' && v !== 'denominator')
    throw new RequestError(`"layout" must be "numerator" or "denominator", not ${JSON.stringify(v)}`);
  return v;
}

/** "symmetric": "entrywise" (the default) or "projected" (the symmetric gradient (G + G')/2). */
function optionalSymmetric(v: unknown): boolean {
  if (v === undefined || v === null || v === 'entrywise') return false;
  if (v === 'projected') return true;
  throw new RequestError(`"symmetric" must be "entrywise" or "projected", not ${JSON.stringify(v)}`);
}

function optionalVec(v: unknown): 'rows' | 'cols' | undefined {
  if (v === undefined || v === null) return undefined;
  if (v !== 'rows' && v !== 'cols') throw new RequestError(`"vec" must be "rows" or "cols", not ${JSON.stringify(v)}`);
  return v;
}

/** The point, read once (toEnv checks it is an object of well-formed values). */
const optionalAt = (v: unknown): Env | undefined => (v === undefined || v === null ? undefined : toEnv(v as Values));

/**
 * `vars` as declarations: {"W": ["k", "n"], "x": ["n"], "a": [], "S": "matrix(n,n) spd"}.
 * Shared by the batch protocol and `matcalc grade`.
 */
export function declsFromJson(v: unknown): Record<string, VarDecl> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new RequestError('"vars" must be an object such as {"W": ["k", "n"], "x": ["n"]}');
  const out: Record<string, VarDecl> = {};
  for (const [name, spec] of Object.entries(v)) {
    if (!isName(name)) throw new RequestError(`"vars": ${JSON.stringify(name)} is not a variable name`);
    if (typeof spec === 'string') {
      try {
        out[name] = parseVarSpec(spec);
      } catch (err) {
        throw new RequestError(`"vars": ${name}: ${(err as Error).message}`);
      }
      continue;
    }
    if (!Array.isArray(spec) || spec.length > 2)
      throw new RequestError(
        `"vars": ${name} must be a list of at most two dimensions (names or positive integers), e.g. ["k", "n"]`,
      );
    const dims = spec.map((d: unknown) => {
      if (typeof d === 'number' && Number.isInteger(d) && d >= 1) return d;
      if (typeof d === 'string' && isName(d)) return d;
      throw new RequestError(
        `"vars": ${name} has the dimension ${JSON.stringify(d)}; a dimension is a name or a positive integer`,
      );
    });
    out[name] = { dims };
  }
  return out;
}
