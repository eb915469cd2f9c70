/**
 * Stage 2 of parsing: Surface → typed IR.
 *
 * Two passes over the Surface tree. The first infers dimensions with the shared shape rules and a
 * union-find unifier (shape/infer.ts), recording the shape of every node whose size comes only from
 * context (`vector(1)`, `eye`, conventional variables). The second builds IR through the checked
 * constructors, with every dimension resolved. The same function elaborates user input and the
 * templates of rules/ (there, names are bound to IR expressions).
 */
import { ParseError, ShapeError, UnknownError } from '../errors.js';
import * as b from '../ir/build.js';
import type { BinaryKind, Expr, Prop, Var } from '../ir/expr.js';
import { FUNCTIONS, checkArity, isFnName } from '../ir/functions.js';
import { OPERATORS } from '../ir/operators.js';
import { FN_WORDS } from './latex-vocabulary.js';
import { type Operand, type Unifier, binaryShape, callShape } from '../shape/rules.js';
import { DimUnifier, isFlexible } from '../shape/infer.js';
import {
  type Dim,
  type Shape,
  SCALAR,
  dimFactors,
  formatDim,
  formatShape,
  mapDims,
  mulDim,
  matrixShape,
  tensorDims,
  transposeShape,
  vectorShape,
} from '../shape/shape.js';
import { type Surface, type SurfaceOp, surfaceText } from './surface.js';

/** A declared variable: dims [] scalar, [n] vector, [m, n] matrix; names or positive integers. */
export interface VarDecl {
  readonly dims: readonly Dim[];
  readonly props?: readonly Prop[];
}

export interface Scope {
  /** Names bound to IR (rule templates, already-parsed variables). */
  readonly exprs?: ReadonlyMap<string, Expr>;
  /** Declared variables. */
  readonly decls?: Readonly<Record<string, VarDecl>>;
  /** Whether undeclared names are typed by the a–g / h–z / A–Z convention (else they are unknown). */
  readonly convention?: boolean;
  /** Names to elaborate as variables although the text may not use them (a declared wrt). */
  readonly also?: readonly string[];
  /** Filled with every variable built, including those that folding removes from the result (0*x). */
  readonly seen?: Map<string, Var>;
}

/** Names that are functions or constants of the language, never variables — except the constants e and pi (isConstantName). */
const RESERVED = new Set(['eye', 'commutation', 'vector', 'matrix', 'pi', 'e']);

/** e and pi are the constants unless the user declares them (or binds them: rule templates never do). */
const isConstantName = (name: string, scope: Scope): boolean =>
  (name === 'pi' || name === 'e') &&
  !scope.exprs?.has(name) &&
  !(scope.decls !== undefined && Object.hasOwn(scope.decls, name));

/** Whether `name` is taken by the language (a function or a constant), so it cannot name a variable. */
const isReservedName = (name: string): boolean => RESERVED.has(name) || isFnName(name);

/** A variable or dimension name: a letter, then letters, digits and underscores. */
export const isName = (s: string): boolean => /^[A-Za-z][A-Za-z0-9_]*$/.test(s);

/** The naming convention of matrixcalculus.org: a–g scalars, h–z vectors, A–Z matrices. */
function conventionalKind(name: string): 'scalar' | 'vector' | 'matrix' {
  const c = name[0]!;
  if (c >= 'A' && c <= 'Z') return 'matrix';
  if (c >= 'a' && c <= 'g') return 'scalar';
  return 'vector';
}

/** The binary IR kind (and so the shape rule) an infix operator builds: the table's ir column (a - b and a > b build on a + b). */
function binaryKind(op: SurfaceOp): BinaryKind {
  const kind = OPERATORS[op].ir;
  if (kind === 'neg' || kind === 'transpose') throw new Error(`internal error: ${op} is not a binary operator`);
  return kind;
}

function declShape(name: string, d: VarDecl): Shape {
  for (const dim of d.dims) {
    if (typeof dim === 'number' ? !(Number.isInteger(dim) && dim > 0) : !isName(dim)) {
      throw new ShapeError(
        `the declared shape of ${name} has a bad dimension ${JSON.stringify(dim)}: use a name or a positive integer`,
      );
    }
  }
  switch (d.dims.length) {
    case 0:
      return SCALAR;
    case 1:
      return vectorShape(d.dims[0]!);
    case 2:
      return matrixShape(d.dims[0]!, d.dims[1]!);
    default:
      throw new ShapeError(
        `${name} is declared with ${d.dims.length} dimensions; variables are scalars, vectors or matrices`,
      );
  }
}

/** Whether a tree has nodes whose size only inference can tell (vector(1), eye, …). Cached per tree. */
const inferenceNeeded = new WeakMap<Surface, boolean>();
function needsInference(s: Surface): boolean {
  let r = inferenceNeeded.get(s);
  if (r === undefined) {
    r =
      s.t === 'name'
        ? s.name === 'eye' || s.name === 'pi' || s.name === 'e'
        : s.t === 'call'
          ? s.fn === 'vector' ||
            s.fn === 'matrix' ||
            s.fn === 'eye' ||
            s.fn === 'commutation' ||
            s.args.some(needsInference)
          : s.t === 'op'
            ? s.args.some(needsInference)
            : false;
    inferenceNeeded.set(s, r);
  }
  return r;
}

/**
 * The fast path for rule templates whose every name is bound to IR: no dimension is unknown, so the
 * constructors alone build and check the tree (rules are instantiated thousands of times).
 */
function buildBound(s: Surface, exprs: ReadonlyMap<string, Expr>): Expr {
  switch (s.t) {
    case 'num':
      return b.num(s.value);
    case 'name': {
      const e = exprs.get(s.name);
      if (e === undefined) throw new UnknownError(`unknown name ${s.name}`);
      return e;
    }
    case 'call':
      return b.callByName(
        functionCalled(s),
        s.args.map((a) => buildBound(a, exprs)),
      );
    case 'op':
      return applyOp(
        s.op,
        s.args.map((a) => buildBound(a, exprs)),
      );
  }
}

/** An operator of the input syntax applied to built operands, through the checked constructors. */
function applyOp(op: SurfaceOp, args: readonly Expr[]): Expr {
  const [x, y] = args as [Expr, Expr];
  switch (op) {
    case 'neg':
      return b.neg(x);
    case 'transpose':
      return b.transpose(x);
    case 'add':
      return b.add(x, y);
    case 'sub':
      return b.sub(x, y);
    case 'mul':
      return b.mul(x, y);
    case 'div':
      return b.div(x, y);
    case 'emul':
      return b.emul(x, y);
    case 'ediv':
      return b.ediv(x, y);
    case 'pow':
      return b.pow(x, y);
    case 'epow':
      return b.epow(x, y);
    case 'gt':
      return b.call('step', [b.sub(x, y)]);
  }
}

/** Elaborates a Surface tree to IR in the given scope. */
export function elaborate(root: Surface, scope: Scope): Expr {
  if (scope.convention === false && scope.decls === undefined && scope.exprs !== undefined && !needsInference(root)) {
    return buildBound(root, scope.exprs);
  }
  const u = new DimUnifier();
  const nodeShape = new Map<Surface, Shape>();
  const varShape = new Map<string, Shape>();
  const props = new Map<string, readonly Prop[]>();
  const rigidNames = new Set<string>();

  const lookupVar = (name: string): Shape => {
    const known = varShape.get(name);
    if (known) return known;
    const bound = scope.exprs?.get(name);
    let s: Shape;
    if (bound) s = bound.shape;
    else if (scope.decls && Object.hasOwn(scope.decls, name)) {
      const d = scope.decls[name]!;
      s = declShape(name, d);
      props.set(name, d.props ?? []);
    } else if (scope.convention !== false) {
      if (isReservedName(name)) {
        throw new UnknownError(
          `${name} is a function and needs arguments, e.g. ${name}(${name === 'vector' || name === 'matrix' ? 1 : 'x'})`,
        );
      }
      if (!isName(name)) throw new UnknownError(`${name} is not a valid variable name`);
      const kind = conventionalKind(name);
      s = kind === 'scalar' ? SCALAR : kind === 'vector' ? vectorShape(u.fresh()) : matrixShape(u.fresh(), u.fresh());
    } else {
      throw new UnknownError(`unknown name ${name}`);
    }
    for (const d of tensorDims(s)) reserve(d);
    varShape.set(name, s);
    return s;
  };
  /** Keeps the names in a rigid dimension (each factor of k·n) from being given to a free one. */
  const reserve = (d: Dim): void => {
    for (const f of dimFactors(d)) if (typeof f === 'string' && !isFlexible(f)) rigidNames.add(f);
  };
  // A declared dimension is the question's even where this text does not use its variable: a free
  // size named like it (the matrix(0) of a zero Jacobian, read back in the question's declarations)
  // would be bound to the declared size when evaluated.
  for (const d of Object.values(scope.decls ?? {}))
    for (const dim of d.dims) if (typeof dim === 'string' && isName(dim)) rigidNames.add(dim);

  // Pass 1: infer.
  const infer = (s: Surface): Shape => {
    const shape = inferNode(s);
    nodeShape.set(s, shape);
    return shape;
  };
  // Messages name inference's unknowns ('?1') the way the result would: n, m, k, …
  let displayDim: ((d: Dim) => Dim) | undefined;
  const shown = (d: Dim): Dim => {
    displayDim ??= u.resolver(rigidNames);
    return displayDim(d);
  };
  const unifier: Unifier = { unify: (x, y) => u.unify(x, y), show: (d) => formatDim(shown(d)) };
  const operand = (s: Surface, shape: Shape): Operand => {
    const value = literalValue(s);
    return {
      shape,
      label: () => surfaceText(s),
      display: () => formatShape(mapDims(shape, shown)),
      ...(value === undefined ? {} : { value }),
    };
  };
  const inferNode = (s: Surface): Shape => {
    switch (s.t) {
      case 'num':
        return SCALAR;
      case 'name':
        if (s.name === 'eye') {
          const n = u.fresh();
          return matrixShape(n, n);
        }
        if (isConstantName(s.name, scope)) return SCALAR;
        return lookupVar(s.name);
      case 'op': {
        const shapes = s.args.map(infer);
        if (s.op === 'neg') return shapes[0]!;
        if (s.op === 'transpose') return transposeShape(shapes[0]!);
        return binaryShape(binaryKind(s.op), operand(s.args[0]!, shapes[0]!), operand(s.args[1]!, shapes[1]!), unifier);
      }
      case 'call': {
        if (s.fn === 'vector' || s.fn === 'matrix') {
          checkFill(s);
          return s.fn === 'vector' ? vectorShape(u.fresh()) : matrixShape(u.fresh(), u.fresh());
        }
        if (s.fn === 'eye') {
          const n = s.args.length === 0 ? u.fresh() : eyeSize(s);
          reserve(n);
          return matrixShape(n, n);
        }
        if (s.fn === 'commutation') {
          const [m, n] = commutationSizes(s);
          reserve(m);
          reserve(n);
          const mn = mulDim(m, n);
          return matrixShape(mn, mn);
        }
        const fn = functionCalled(s);
        if (!isFnName(fn)) throw new UnknownError(`unknown function ${fn}${suggest(fn)}`);
        checkArity(fn, s.args.length); // before callShape, which reads the arguments it expects
        const shapes = s.args.map(infer);
        return callShape(
          fn,
          s.args.map((a, i) => operand(a, shapes[i]!)),
          unifier,
        );
      }
    }
  };
  infer(root);
  for (const name of scope.also ?? []) lookupVar(name);

  // Pass 2: build, with every dimension resolved.
  const resolve = u.resolver(rigidNames);
  // Name conventional vectors' dims before matrices', so W*x reads W: m×n, x: n.
  const shapes = [...varShape.values()];
  for (const s of [...shapes.filter((v) => v.kind === 'vector'), ...shapes.filter((v) => v.kind !== 'vector')])
    tensorDims(s).forEach(resolve);
  const resolved = (s: Surface): Shape => mapDims(nodeShape.get(s)!, resolve);
  const vars = new Map<string, Expr>();
  const varExpr = (name: string): Expr => {
    const bound = scope.exprs?.get(name);
    if (bound) return bound;
    const v = vars.get(name);
    if (!v) {
      const made = b.variable(name, mapDims(varShape.get(name)!, resolve), props.get(name) ?? []);
      scope.seen?.set(name, made);
      vars.set(name, made);
      return made;
    }
    return v;
  };
  const memo = new Map<Surface, Expr>();
  const build = (s: Surface): Expr => {
    let e = memo.get(s);
    if (!e) {
      e = buildNode(s);
      memo.set(s, e);
    }
    return e;
  };
  const buildNode = (s: Surface): Expr => {
    switch (s.t) {
      case 'num':
        return b.num(s.value);
      case 'name':
        if (s.name === 'eye') return b.eye((resolved(s) as { n: Dim }).n);
        if (isConstantName(s.name, scope)) return b.num(s.name === 'pi' ? Math.PI : Math.E);
        return varExpr(s.name);
      case 'op':
        return applyOp(s.op, s.args.map(build));
      case 'call': {
        if (s.fn === 'vector' || s.fn === 'matrix') {
          const fill = (s.args[0] as { value: number }).value;
          const shape = resolved(s);
          return fill === 0 ? b.zero(shape) : fill === 1 ? b.ones(shape) : b.mul(b.num(fill), b.ones(shape));
        }
        if (s.fn === 'eye') return b.eye((resolved(s) as { n: Dim }).n);
        if (s.fn === 'commutation') {
          const [m, n] = commutationSizes(s);
          return b.commutation(m, n);
        }
        return b.callByName(functionCalled(s), s.args.map(build));
      }
    }
  };
  const out = build(root);
  for (const name of scope.also ?? []) varExpr(name);
  return out;
}

/** A size written in the input: a dimension name, a positive integer, or a product of them (k*n). */
function sizeOf(a: Surface, usage: string): Dim {
  if (a.t === 'num' && Number.isInteger(a.value) && a.value > 0) return a.value;
  if (a.t === 'name') return a.name;
  if (a.t === 'op' && a.op === 'mul') return mulDim(sizeOf(a.args[0]!, usage), sizeOf(a.args[1]!, usage));
  throw new ParseError(usage);
}

/** The number a literal stands for: 2, or -1 (a unary minus of a number); undefined for anything else. */
export function literalValue(s: Surface): number | undefined {
  if (s.t === 'num') return s.value;
  if (s.t === 'op' && s.op === 'neg' && s.args[0]!.t === 'num') return -s.args[0]!.value;
  return undefined;
}

/**
 * The function a call means. max and min with a second argument are the reductions along a dim
 * when that argument is an integer literal (NumPy's max(X, 1)), and otherwise the elementwise
 * maximum and minimum they were before reductions existed: max(0, x), max(x, y), max(x, 0.5).
 * parse/warnings.ts flags max(x, 0), whose meaning changed.
 */
export function functionCalled(s: Extract<Surface, { t: 'call' }>): string {
  if ((s.fn === 'max' || s.fn === 'min') && s.args.length === 2 && !Number.isInteger(literalValue(s.args[1]!)))
    return `${s.fn}imum`;
  return s.fn;
}

/** eye(n), eye(3), eye(k*n): an identity whose size is given rather than inferred. */
function eyeSize(s: Extract<Surface, { t: 'call' }>): Dim {
  if (s.args.length !== 1) throw new ParseError('eye takes one size at most, e.g. eye(n)');
  return sizeOf(
    s.args[0]!,
    'eye takes one size: a dimension name or a positive integer, e.g. eye(n); without it the size is inferred',
  );
}

/** commutation(m, n): the commutation matrix K_{m,n}, whose two sizes are always given. */
function commutationSizes(s: Extract<Surface, { t: 'call' }>): [Dim, Dim] {
  const usage =
    "commutation takes two sizes, dimension names or positive integers, e.g. commutation(m, n) (mn×mn, K vec(A) = vec(A') for A m×n)";
  if (s.args.length !== 2) throw new ParseError(usage);
  return [sizeOf(s.args[0]!, usage), sizeOf(s.args[1]!, usage)];
}

function checkFill(s: Extract<Surface, { t: 'call' }>): void {
  const a = s.args[0];
  if (s.args.length !== 1 || a === undefined || a.t !== 'num') {
    throw new ParseError(
      `${s.fn}(c) takes one number c and means the ${s.fn} of that constant, e.g. ${s.fn}(1) is all ones; its size is inferred`,
    );
  }
}

/** Names that look like functions but are other constructs of the language. */
const NOT_FUNCTIONS: Readonly<Record<string, string>> = {
  transpose: "the postfix '",
  ones: 'vector(1) or matrix(1)',
  identity: 'eye',
};

/** A hint for an unknown function: a spelling the vocabulary table knows (trace → tr, ln → log), or the name in another case. */
function suggest(name: string): string {
  const lower = name.toLowerCase();
  const alias =
    NOT_FUNCTIONS[lower] ??
    FN_WORDS.get(name) ??
    FN_WORDS.get(lower) ??
    Object.keys(FUNCTIONS).find((f) => f.toLowerCase() === lower);
  return alias === undefined ? '' : `; did you mean ${alias}?`;
}
