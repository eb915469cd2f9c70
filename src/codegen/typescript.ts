/**
 * The TypeScript target: an ES module without dependencies. The generated function takes one object
 * of nested arrays (a scalar a number, a vector number[], a matrix number[][]) keyed by parameter
 * name and returns [value, derivative] (or [value, [derivatives…]]) as nested arrays in matcalc's
 * layout. Inside, tensors are row-major Float64Arrays with explicit dims, operated on by the runtime
 * every module carries (ts-runtime.ts); every operator and function of the operator table is one
 * call of it, spelled in the tables below (keyed by the table's names, so a new row is a compile
 * error here too).
 */
import { CODE, type Code, type Dialect, type FnSpellings, type OpSpellings, atom } from './dialect.js';
import { dimsText, headerLines } from './python-module.js';
import type { Plan } from './plan.js';
import { TS_RUNTIME } from './ts-runtime.js';
import { typescriptSelfTest } from './ts-selftest.js';

/** Every operator is a call: operands never need parentheses. */
const callOp = (template: string) => ({ prec: CODE.atom, assoc: 'none', least: { left: 0, right: 0 }, signedRight: true, template }) as const;

const TS_OPS: OpSpellings = {
  add: callOp('add(#1, #2)'),
  sub: callOp('sub(#1, #2)'),
  mul: callOp('matmul(#1, #2)'),
  div: callOp('div(#1, #2)'),
  emul: callOp('mul(#1, #2)'),
  ediv: callOp('div(#1, #2)'),
  pow: callOp('pow(#1, #2)'),
  epow: callOp('pow(#1, #2)'),
  neg: callOp('neg(#1)'),
  transpose: callOp('transpose(#1)'),
  gt: callOp('zip(#1, #2, (p, q) => (p > q ? 1 : 0))'),
};

const m = (f: string) => ({ template: `map(#1, ${f})` });
const reduction = (r: string) => ({ template: `reduce(#1, '${r}')`, axis: `reduce(#1, '${r}', #d)` });

const TS_FNS = {
  exp: m('Math.exp'), log: m('Math.log'), sqrt: m('Math.sqrt'), sin: m('Math.sin'), cos: m('Math.cos'), tan: m('Math.tan'),
  tanh: m('Math.tanh'), sinh: m('Math.sinh'), cosh: m('Math.cosh'), asin: m('Math.asin'), acos: m('Math.acos'), atan: m('Math.atan'),
  erf: m('erf'), gelu: m('gelu'), silu: m('silu'), softsign: m('softsign'), log1p: m('Math.log1p'), expm1: m('Math.expm1'),
  abs: m('Math.abs'), sign: m('Math.sign'), sigmoid: m('sigmoid'), relu: m('relu'), softplus: m('softplus'), step: m('step'),
  leaky_relu: { template: 'leakyRelu(#1, #p)' },
  elu: { template: 'elu(#1, #p)' },
  maximum: { template: 'zip(#1, #2, Math.max)' },
  minimum: { template: 'zip(#1, #2, Math.min)' },
  sum: reduction('sum'), mean: reduction('mean'), var: reduction('var'), std: reduction('std'), max: reduction('max'), min: reduction('min'),
  norm1: { template: 'norm1(#1)' },
  norm2: { template: 'norm2(#1)' },
  tr: { template: 'trace(#1)' },
  det: { template: 'det(#1)' },
  logdet: { template: 'logdet(#1)' },
  norm: { template: 'normP(#1, #p)' },
  logsumexp: { template: 'logsumexp(#1)', axis: 'logsumexp(#1, #d)' },
  inv: { template: 'inv(#1)' },
  diag: { template: 'diagOf(#1)' },
  softmax: { template: 'softmax(#1)', axis: 'softmax(#1, #d)' },
  log_softmax: { template: 'logSoftmax(#1)', axis: 'logSoftmax(#1, #d)' },
  kron: 'structural',
  vec: 'structural',
} satisfies FnSpellings;

const tsNumber = (v: number): Code => (v < 0 ? { text: String(v), prec: CODE.prefix, signed: true } : atom(String(v)));
const list = (dims: readonly string[]): string => `[${dims.join(', ')}]`;

export const TYPESCRIPT: Dialect = {
  target: 'ts', ops: TS_OPS, fns: TS_FNS, helpers: {}, number: tsNumber,
  scalarArray: (c) => atom(`t(${c.text})`),
  eye: (n) => atom(`eye(${n})`),
  zeros: (dims) => atom(`full(${list(dims)}, 0)`),
  ones: (dims) => atom(`full(${list(dims)}, 1)`),
  einsum: (spec, args) => atom(`einsum('${spec}', ${args.map((a) => a.text).join(', ')})`),
  reshape: (x, dims) => {
    const of = x.reshaped ?? x;
    return { ...atom(`reshape(${of.text}, ${list(dims)})`), reshaped: of };
  },
  outer: (a, b) => atom(`outer(${a.text}, ${b.text})`),
  column: (x) => atom(`reshape(${x.text}, [-1, 1])`),
  row: (x) => atom(`reshape(${x.text}, [1, -1])`),
  scalarMatrix: (x) => atom(`reshape(t(${x.text}), [1, 1])`),
  diagMatrix: (v) => atom(`diagMatrix(${v.text})`),
  matrixPower: (x, p) => atom(`matrixPower(${x.text}, ${p.text})`),
  size: (name, axis) => `${name}.dims[${axis}]!`,
};

export const TS_RESERVED: ReadonlySet<string> = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements',
  'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
  'Math', 'Array', 'Float64Array', 'Number', 'Object', 'Error', 'String', 'Map', 'args',
  // the runtime's names
  'T', 'Arg', 'Nested', 'size', 'make', 't', 'fromNested', 'toNested', 'map', 'zip', 'add', 'sub', 'mul', 'div', 'pow', 'neg',
  'matmul', 'transpose', 'reshape', 'einsum', 'full', 'eye', 'outer', 'diagMatrix', 'diagOf', 'trace', 'lu', 'det', 'logdet',
  'inv', 'matrixPower', 'Reduction', 'reduceAll', 'reduce', 'norm1', 'norm2', 'normP', 'slices', 'lse', 'logsumexp', 'softmax', 'logSoftmax', 'erf', 'sigmoid',
  'softplus', 'gelu', 'silu', 'softsign', 'relu', 'step', 'leakyRelu', 'elu',
]);

/** value_and_gradient → valueAndGradient. */
export const camel = (words: readonly string[]): string => words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');

export function writeTypeScript(p: Plan, functionName: string, version: string, check = false): string {
  const lines = headerLines(p, { version, functionName }, 'TypeScript (an ES module without dependencies; nested arrays in and out)').map((l) => `// ${l}`.trimEnd());
  const ds = p.outputs.map((o) => `toNested(${o.name})`);
  const argType = `{ ${p.parameters.map((q) => `readonly ${q.name}: Nested`).join('; ')} }`;
  lines.push(
    '',
    `export function ${functionName}(args: ${argType}): [Nested, ${p.single ? 'Nested' : 'Nested[]'}] {`,
    ...p.parameters.map((q) => `  const ${q.name} = fromNested(args.${q.name});`),
    ...p.sizes.map((s) => `  const ${s.name} = ${s.code.text};`),
    ...p.statements.map((s) => `  const ${s.name} = ${s.code.text};`),
    ...[p.value, ...p.outputs].map((o) => `  const ${o.name} = ${o.code.text}; // dims ${dimsText(o.dims)}`),
    `  return [toNested(${p.value.name}), ${p.single ? ds[0] : `[${ds.join(', ')}]`}];`,
    '}',
    TS_RUNTIME,
  );
  if (check) lines.push(...typescriptSelfTest(p, functionName));
  return `${lines.join('\n')}\n`;
}
