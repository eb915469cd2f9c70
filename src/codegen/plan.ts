/**
 * A generated function before it is written out: its parameters, the sizes it reads off them, its
 * statements and its results, in the code of one target. The writer (python-module.ts) only lays
 * this out with comments.
 *
 * The function computes f and its derivatives from one DAG: f and every derivative are roots of one
 * program form (print/program.ts), so a node shared between them (the forward value inside a
 * gradient, a factor of two derivatives) is computed once, into a name — the user's own name for
 * the program's intermediates (z1, h1), t1, t2, … for the rest. Each binding is then lowered
 * (lower.ts); a binding whose value is structured (diag(v), A ⊗ B, s·I) stays symbolic and only its
 * dense parts are named.
 */
import { type Derivative, derivative } from '../api/derivative.js';
import { RequestError, UnsupportedError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import { allVarsOf, postorder, varsOf } from '../ir/walk.js';
import type { Declarations } from '../parse/parse.js';
import { programFormOf } from '../print/program.js';
import { type Dim, type Shape, dimFactors, tensorDims } from '../shape/shape.js';
import type { Layout } from '../diff/derivative.js';
import { type Code, type Dialect, atom } from './dialect.js';
import { type Scope, type Value, dense, lower, materialiseTo } from './lower.js';

export interface PlanOptions {
  readonly order?: number;
  readonly layout?: Layout;
  readonly vars?: Declarations;
}

export interface Parameter {
  /** The variable's name in matcalc. */
  readonly original: string;
  /** Its name in the generated code (renamed when it is a word of the target language). */
  readonly name: string;
  readonly shape: Shape;
  readonly props: readonly string[];
}

export interface Statement {
  readonly name: string;
  readonly code: Code;
}

export interface Output {
  readonly name: string;
  readonly code: Code;
  /** Symbolic dims of the value in its layout. */
  readonly dims: readonly Dim[];
}

export interface Plan {
  readonly expr: string;
  readonly wrt: readonly string[];
  /** Whether wrt was given as one name (the function returns one derivative) rather than a list. */
  readonly single: boolean;
  readonly order: number;
  readonly derivatives: readonly Derivative[];
  readonly parameters: readonly Parameter[];
  /** Sizes read off the parameters: `n = x.shape[0]`, in order of first use. */
  readonly sizes: readonly Statement[];
  readonly statements: readonly Statement[];
  readonly value: Output;
  readonly outputs: readonly Output[];
  readonly helpers: readonly string[];
}

/** Builds the plan of the function returning f and its derivatives with respect to each of `wrt`. */
export function plan(
  expr: string,
  wrt: string | readonly string[],
  d: Dialect,
  reserved: ReadonlySet<string>,
  opts: PlanOptions = {},
): Plan {
  const names = typeof wrt === 'string' ? [wrt] : [...wrt];
  if (names.length === 0)
    throw new RequestError('codegen needs at least one variable to differentiate with respect to (--wrt)');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new RequestError(`${twice} is named twice in --wrt`);
  const order = opts.order ?? 1;
  const ds = names.map((w) =>
    derivative(expr, w, {
      order,
      ...(opts.layout ? { layout: opts.layout } : {}),
      ...(opts.vars ? { vars: opts.vars } : {}),
    }),
  );
  for (const x of ds) {
    if (x.kind === 'differential') {
      throw new UnsupportedError(
        `code generation needs a matrix form, and d${order > 1 ? `^${order}` : ''}f/d${x.wrt.name}${order > 1 ? `^${order}` : ''} has none (${x.symbolic.note ?? 'it is given as a differential'}); try a lower order`,
      );
    }
  }
  const program = ds[0]!.program;
  const root = program.root;
  const intermediate = ds.find((x) => x.f !== root);
  if (intermediate !== undefined) {
    throw new UnsupportedError(
      `${intermediate.wrt.name} is an intermediate of the program; code generation differentiates with respect to inputs only (${allVarsOf(
        root,
      )
        .map((v) => v.name)
        .join(', ')})`,
    );
  }
  const results = ds.map((x) => x.expr);
  const inputs: Var[] = allVarsOf(root, ...ds.map((x) => x.wrt as Expr));

  const idents = identifiers(reserved);
  const parameters: Parameter[] = inputs.map((v) => ({
    original: v.name,
    name: idents.claim(v.name),
    shape: v.shape,
    props: v.props,
  }));
  // f is computed once: when a derivative uses it, it is a binding (under its own name, or f's).
  const userNames = new Map(program.names);
  if (!userNames.has(root) && results.some((e) => postorder(e).includes(root)))
    userNames.set(root, program.output ?? 'f');
  const form = programFormOf([root, ...results], {
    names: userNames,
    taken: [...reserved, ...parameters.map((p) => p.name), ...inputs.map((v) => v.name)],
    minLength: 0,
  });

  const values = new Map<string, Value>(parameters.map((p) => [p.original, dense(atom(p.name), p.shape)]));
  const statements: Statement[] = [];
  const helpers = new Set<string>();
  const usedDims = new Map<string, string>();
  const dimName = (name: string): string => {
    let local = usedDims.get(name);
    if (local === undefined) {
      local = idents.claim(name);
      usedDims.set(name, local);
    }
    return local;
  };
  const scope: Scope = {
    d,
    lookup: (name) => values.get(name) ?? fail(`internal error: ${name} is not defined`),
    dim: (x) =>
      dimFactors(x)
        .map((f) => (typeof f === 'number' ? String(f) : dimName(f)))
        .join(' * '),
    temp: (code) => {
      const name = idents.fresh('s');
      statements.push({ name, code });
      return atom(name);
    },
    helper: (h) => {
      helpers.add(h);
    },
  };
  for (const binding of form.bindings) {
    const name = idents.claim(binding.name);
    const v = lower(binding.expr, scope);
    values.set(binding.name, nameParts(v, name, statements, idents));
  }

  const output = (e: Expr, dims: readonly Dim[], name: string): Output => {
    const code = materialiseTo(lower(e, scope), tensorDims(e.shape), dims, scope);
    // A scalar that depends on nothing (d(2*a)/da = 2) is still returned as an array of the target.
    return { name, code: e.shape.kind === 'scalar' && varsOf(e).length === 0 ? d.scalarArray(code) : code, dims };
  };
  const value = output(form.results[0]!, tensorDims(root.shape), idents.claim('value'));
  const outputs = ds.map((x, i) =>
    output(
      form.results[i + 1]!,
      x.shape,
      idents.claim(`d_${parameters.find((p) => p.original === x.wrt.name)?.name ?? x.wrt.name}`),
    ),
  );
  const sizes = [...usedDims].map(([dim, local]) => ({ name: local, code: atom(sizeOf(dim, parameters, d)) }));
  return {
    expr,
    wrt: names,
    single: typeof wrt === 'string',
    order,
    derivatives: ds,
    parameters,
    sizes,
    statements,
    value,
    outputs,
    helpers: [...helpers],
  };
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** A binding's value under its name: a dense value is one statement; structure keeps its form with its dense parts named. */
function nameParts(v: Value, name: string, statements: Statement[], idents: Identifiers): Value {
  const put = (code: Code, as: string): Code => {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(code.text)) return code;
    statements.push({ name: as, code });
    return atom(as);
  };
  switch (v.tag) {
    case 'dense':
      return dense(put(v.code, name), v.shape);
    case 'eye':
      return v.scale === undefined ? v : { ...v, scale: put(v.scale, name) };
    case 'diag':
      return { ...v, v: put(v.v, name) };
    case 'kron':
      return { ...v, a: put(v.a, idents.fresh(`${name}_a`)), b: put(v.b, idents.fresh(`${name}_b`)) };
    case 'commutation':
      return v;
  }
}

/** The size of dimension `dim`: the first parameter axis of that size. */
function sizeOf(dim: string, parameters: readonly Parameter[], d: Dialect): string {
  for (const p of parameters) {
    const axis = tensorDims(p.shape).indexOf(dim);
    if (axis >= 0) return d.size(p.name, axis);
  }
  throw new UnsupportedError(
    `the size ${dim} cannot be read off any parameter (it appears only inside a product of sizes); declare a variable with the dimension ${dim}`,
  );
}

interface Identifiers {
  /** The name itself, or with a trailing underscore when it is a reserved word or already taken. */
  claim(name: string): string;
  /** A new name from a stem: stem1, stem2, … */
  fresh(stem: string): string;
}

function identifiers(reserved: ReadonlySet<string>): Identifiers {
  const taken = new Set<string>();
  const claim = (name: string): string => {
    let n = name;
    while (reserved.has(n) || taken.has(n)) n += '_';
    taken.add(n);
    return n;
  };
  return {
    claim,
    fresh: (stem) => {
      let i = 1;
      while (reserved.has(`${stem}${i}`) || taken.has(`${stem}${i}`)) i++;
      return claim(`${stem}${i}`);
    },
  };
}
