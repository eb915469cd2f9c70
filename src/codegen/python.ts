/**
 * The Python targets: NumPy, PyTorch and JAX, three dialects of one array language. Operators bind
 * as in Python (`**` right-associative above unary minus, `*` `/` `@` left-associative, `.T` and
 * indexing postfix); each library spells the functions its own way, in one table per library keyed
 * by the operator table's function names (a new function is a compile error here until all three
 * spell it). Where a library has no function (NumPy has no sigmoid or erf) a small helper is emitted
 * once at module level, written with that library only (and `math.erf`, from the standard library).
 *
 * Scalars are 0-d arrays or Python floats; vectors and rows are 1-d; matrices 2-d; float64
 * throughout (JAX needs `jax_enable_x64`, which the module sets).
 */
import { CODE, type Code, type Dialect, type FnSpellings, type OpSpellings, atom } from './dialect.js';

const P = CODE;

/** Python's operators; a library's matrix product is `@` in all three. */
const PY_OPS: OpSpellings = {
  add: { prec: P.sum, assoc: 'left', template: '#1 + #2' },
  sub: { prec: P.sum, assoc: 'left', template: '#1 - #2' },
  mul: { prec: P.product, assoc: 'left', template: '#1 @ #2' },
  div: { prec: P.product, assoc: 'left', template: '#1 / #2' },
  emul: { prec: P.product, assoc: 'left', template: '#1 * #2' },
  ediv: { prec: P.product, assoc: 'left', template: '#1 / #2' },
  // -x ** 2 is -(x ** 2): the base must bind tighter than a prefix minus.
  pow: { prec: P.power, assoc: 'right', least: { left: P.postfix }, template: '#1 ** #2' },
  epow: { prec: P.power, assoc: 'right', least: { left: P.postfix }, template: '#1 ** #2' },
  neg: { prec: P.prefix, assoc: 'right', least: { right: P.prefix }, template: '-#1' },
  transpose: { prec: P.postfix, assoc: 'left', least: { left: P.postfix }, template: '#1.T' },
  gt: { prec: P.compare, assoc: 'none', template: '#1 > #2' },
};

const pyNumber = (v: number): Code => {
  const text = String(v).replace('e+', 'e');
  return v < 0 ? { text, prec: P.prefix, signed: true } : atom(text);
};

/** What the three libraries share: the structural pieces, over a module prefix and a dtype argument. */
function pythonDialect(target: 'numpy' | 'torch' | 'jax', lib: string, dtype: string, fns: FnSpellings, helpers: Record<string, string>, scalarArray: (c: Code) => Code): Dialect {
  const tuple = (dims: readonly string[]): string => (dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`);
  const withDtype = dtype === '' ? '' : `, dtype=${dtype}`;
  const postfix = (text: string): Code => ({ text, prec: P.postfix, signed: false });
  const base = (x: Code): string => (x.prec >= P.postfix ? x.text : `(${x.text})`);
  return {
    target, ops: PY_OPS, fns, helpers, number: pyNumber, scalarArray,
    eye: (n) => atom(`${lib}.eye(${n}${withDtype})`),
    zeros: (dims) => atom(`${lib}.zeros(${tuple(dims)}${withDtype})`),
    ones: (dims) => atom(`${lib}.ones(${tuple(dims)}${withDtype})`),
    einsum: (spec, args) => atom(`${lib}.einsum('${spec}', ${args.map((a) => a.text).join(', ')})`),
    reshape: (x, dims) => {
      const of = x.reshaped ?? x;
      return { ...postfix(`${base(of)}.reshape(${dims.join(', ')})`), reshaped: of };
    },
    outer: (a, b) => atom(`${lib}.outer(${a.text}, ${b.text})`),
    column: (x) => postfix(`${base(x)}[:, None]`),
    row: (x) => postfix(`${base(x)}[None, :]`),
    scalarMatrix: (x) => postfix(`${base(x)}.reshape(1, 1)`),
    diagMatrix: (v) => atom(`${lib}.diag(${v.text})`),
    matrixPower: (x, p) => atom(`${lib}.linalg.matrix_power(${x.text}, ${Number.isInteger(Number(p.text)) ? String(Number(p.text)) : p.text})`),
    size: (name, axis) => `${name}.shape[${axis}]`,
  };
}

const COMMON = ['exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'sinh', 'cosh', 'log1p', 'expm1', 'abs', 'sign'] as const;

/** The elementwise functions every library names as matcalc does, under its module prefix. */
const same = (lib: string): Pick<FnSpellings, (typeof COMMON)[number]> =>
  Object.fromEntries(COMMON.map((n) => [n, { template: `${lib}.${n}(#1)` }])) as Pick<FnSpellings, (typeof COMMON)[number]>;

// ---------------------------------------------------------------------------------------------
// NumPy

const NUMPY_HELPERS: Record<string, string> = {
  _sigmoid: 'def _sigmoid(x):\n    return np.exp(-np.logaddexp(0, -x))',
  _erf: '_erf = np.vectorize(math.erf, otypes=[np.float64])',
  _logsumexp: [
    'def _logsumexp(z, axis=None, keepdims=False):',
    '    m = np.max(z, axis=axis, keepdims=True)',
    '    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))',
    '    return out if keepdims else np.squeeze(out, axis=axis)',
  ].join('\n'),
  _softmax: 'def _softmax(z, axis=None):\n    return np.exp(z - _logsumexp(z, axis, keepdims=True))',
  _log_softmax: 'def _log_softmax(z, axis=None):\n    return z - _logsumexp(z, axis, keepdims=True)',
};

const NUMPY_FNS = {
  ...same('np'),
  asin: { template: 'np.arcsin(#1)' }, acos: { template: 'np.arccos(#1)' }, atan: { template: 'np.arctan(#1)' },
  erf: { template: '_erf(#1)', helpers: ['_erf'] },
  gelu: { template: '#1 * (1 + _erf(#1 / np.sqrt(2))) / 2', helpers: ['_erf'], prec: P.product },
  silu: { template: '#1 * _sigmoid(#1)', helpers: ['_sigmoid'], prec: P.product },
  softsign: { template: '#1 / (1 + np.abs(#1))', prec: P.product },
  sigmoid: { template: '_sigmoid(#1)', helpers: ['_sigmoid'] },
  relu: { template: 'np.maximum(#1, 0)' },
  softplus: { template: 'np.logaddexp(0, #1)' },
  step: { template: 'np.heaviside(#1, 0)' },
  leaky_relu: { template: 'np.where(#1 > 0, #1, #p * #1)' },
  elu: { template: 'np.where(#1 > 0, #1, #p * np.expm1(np.minimum(#1, 0)))' },
  maximum: { template: 'np.maximum(#1, #2)' },
  minimum: { template: 'np.minimum(#1, #2)' },
  sum: { template: 'np.sum(#1)', axis: 'np.sum(#1, axis=#d)' },
  mean: { template: 'np.mean(#1)', axis: 'np.mean(#1, axis=#d)' },
  var: { template: 'np.var(#1)', axis: 'np.var(#1, axis=#d)' },
  std: { template: 'np.std(#1)', axis: 'np.std(#1, axis=#d)' },
  max: { template: 'np.max(#1)', axis: 'np.max(#1, axis=#d)' },
  min: { template: 'np.min(#1)', axis: 'np.min(#1, axis=#d)' },
  norm1: { template: 'np.sum(np.abs(#1))' },
  norm2: { template: 'np.linalg.norm(#1)' },
  tr: { template: 'np.trace(#1)' },
  det: { template: 'np.linalg.det(#1)' },
  logdet: { template: 'np.linalg.slogdet(#1)[1]' },
  norm: { template: 'np.sum(np.abs(#1) ** #p) ** (1 / #p)' },
  logsumexp: { template: '_logsumexp(#1)', axis: '_logsumexp(#1, #d)', helpers: ['_logsumexp'] },
  inv: { template: 'np.linalg.inv(#1)' },
  diag: { template: 'np.diag(#1)' },
  softmax: { template: '_softmax(#1)', axis: '_softmax(#1, #d)', helpers: ['_logsumexp', '_softmax'] },
  log_softmax: { template: '_log_softmax(#1)', axis: '_log_softmax(#1, #d)', helpers: ['_logsumexp', '_log_softmax'] },
  kron: 'structural',
  vec: 'structural',
} satisfies FnSpellings;

export const NUMPY: Dialect = pythonDialect('numpy', 'np', '', NUMPY_FNS, NUMPY_HELPERS, (c) => atom(`np.float64(${c.text})`));

// ---------------------------------------------------------------------------------------------
// PyTorch

const F = 'torch.nn.functional';

const TORCH_FNS = {
  ...same('torch'),
  asin: { template: 'torch.asin(#1)' }, acos: { template: 'torch.acos(#1)' }, atan: { template: 'torch.atan(#1)' },
  erf: { template: 'torch.special.erf(#1)' },
  gelu: { template: `${F}.gelu(#1)` },
  silu: { template: `${F}.silu(#1)` },
  softsign: { template: `${F}.softsign(#1)` },
  sigmoid: { template: 'torch.sigmoid(#1)' },
  relu: { template: 'torch.relu(#1)' },
  // threshold=inf: the exact log(1 + e^x), not PyTorch's linear tail above 20.
  softplus: { template: 'torch.logaddexp(torch.zeros_like(#1), #1)' },
  step: { template: '(#1 > 0).to(torch.float64)' },
  leaky_relu: { template: `${F}.leaky_relu(#1, #p)` },
  elu: { template: `${F}.elu(#1, #p)` },
  maximum: { template: 'torch.maximum(#1, #2)' },
  minimum: { template: 'torch.minimum(#1, #2)' },
  sum: { template: 'torch.sum(#1)', axis: 'torch.sum(#1, dim=#d)' },
  mean: { template: 'torch.mean(#1)', axis: 'torch.mean(#1, dim=#d)' },
  // correction=0: the population variance, as matcalc's (and NumPy's default).
  var: { template: 'torch.var(#1, correction=0)', axis: 'torch.var(#1, dim=#d, correction=0)' },
  std: { template: 'torch.std(#1, correction=0)', axis: 'torch.std(#1, dim=#d, correction=0)' },
  max: { template: 'torch.amax(#1)', axis: 'torch.amax(#1, dim=#d)' },
  min: { template: 'torch.amin(#1)', axis: 'torch.amin(#1, dim=#d)' },
  norm1: { template: 'torch.sum(torch.abs(#1))' },
  norm2: { template: 'torch.linalg.norm(#1)' },
  tr: { template: 'torch.trace(#1)' },
  det: { template: 'torch.linalg.det(#1)' },
  logdet: { template: 'torch.logdet(#1)' },
  norm: { template: 'torch.sum(torch.abs(#1) ** #p) ** (1 / #p)' },
  logsumexp: { template: 'torch.logsumexp(#1, dim=0)', axis: 'torch.logsumexp(#1, dim=#d)' },
  inv: { template: 'torch.linalg.inv(#1)' },
  diag: { template: 'torch.diagonal(#1)' },
  softmax: { template: 'torch.softmax(#1, dim=0)', axis: 'torch.softmax(#1, dim=#d)' },
  log_softmax: { template: 'torch.log_softmax(#1, dim=0)', axis: 'torch.log_softmax(#1, dim=#d)' },
  kron: 'structural',
  vec: 'structural',
} satisfies FnSpellings;

export const TORCH: Dialect = pythonDialect('torch', 'torch', 'torch.float64', TORCH_FNS, {}, (c) => atom(`torch.tensor(${c.text}, dtype=torch.float64)`));

// ---------------------------------------------------------------------------------------------
// JAX

const JAX_FNS = {
  ...same('jnp'),
  asin: { template: 'jnp.arcsin(#1)' }, acos: { template: 'jnp.arccos(#1)' }, atan: { template: 'jnp.arctan(#1)' },
  erf: { template: 'jax.scipy.special.erf(#1)' },
  gelu: { template: 'jax.nn.gelu(#1, approximate=False)' },
  silu: { template: 'jax.nn.silu(#1)' },
  softsign: { template: 'jax.nn.soft_sign(#1)' },
  sigmoid: { template: 'jax.nn.sigmoid(#1)' },
  relu: { template: 'jax.nn.relu(#1)' },
  softplus: { template: 'jax.nn.softplus(#1)' },
  step: { template: 'jnp.heaviside(#1, 0)' },
  leaky_relu: { template: 'jax.nn.leaky_relu(#1, #p)' },
  elu: { template: 'jax.nn.elu(#1, #p)' },
  maximum: { template: 'jnp.maximum(#1, #2)' },
  minimum: { template: 'jnp.minimum(#1, #2)' },
  sum: { template: 'jnp.sum(#1)', axis: 'jnp.sum(#1, axis=#d)' },
  mean: { template: 'jnp.mean(#1)', axis: 'jnp.mean(#1, axis=#d)' },
  var: { template: 'jnp.var(#1)', axis: 'jnp.var(#1, axis=#d)' },
  std: { template: 'jnp.std(#1)', axis: 'jnp.std(#1, axis=#d)' },
  max: { template: 'jnp.max(#1)', axis: 'jnp.max(#1, axis=#d)' },
  min: { template: 'jnp.min(#1)', axis: 'jnp.min(#1, axis=#d)' },
  norm1: { template: 'jnp.sum(jnp.abs(#1))' },
  norm2: { template: 'jnp.linalg.norm(#1)' },
  tr: { template: 'jnp.trace(#1)' },
  det: { template: 'jnp.linalg.det(#1)' },
  logdet: { template: 'jnp.linalg.slogdet(#1)[1]' },
  norm: { template: 'jnp.sum(jnp.abs(#1) ** #p) ** (1 / #p)' },
  logsumexp: { template: 'jax.nn.logsumexp(#1)', axis: 'jax.nn.logsumexp(#1, axis=#d)' },
  inv: { template: 'jnp.linalg.inv(#1)' },
  diag: { template: 'jnp.diag(#1)' },
  softmax: { template: 'jax.nn.softmax(#1)', axis: 'jax.nn.softmax(#1, axis=#d)' },
  log_softmax: { template: 'jax.nn.log_softmax(#1)', axis: 'jax.nn.log_softmax(#1, axis=#d)' },
  kron: 'structural',
  vec: 'structural',
} satisfies FnSpellings;

export const JAX: Dialect = pythonDialect('jax', 'jnp', '', JAX_FNS, {}, (c) => atom(`jnp.asarray(${c.text}, dtype=jnp.float64)`));
