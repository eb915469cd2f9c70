/**
 * Neural-network expressions for backprop walkthroughs: an n-layer perceptron as a program of named
 * steps, with its variable declarations, its layers (for the layer-by-layer view) and a sampler of
 * test points.
 *
 * Vector form (one example x):          Batched form (rows of X are examples):
 *   z1 = W1*x + b1                        Z1 = X*W1 + vector(1)*b1'
 *   h1 = act(z1)                          H1 = act(Z1)
 *   …                                     …
 *   s  = Wn*h(n-1) + bn   (scores)        S  = H(n-1)*Wn + vector(1)*bn'
 *   L  = loss(s, t)                       L  = loss(S, T)
 * A maxout layer has two affine maps, h = max(W*x + b, V*x + c), named z and u.
 *
 * Losses (t the target; one-hot for the two classification losses):
 *   squared       sum((s - t).^2)
 *   softmax-ce    -t'*log(softmax(s))         (= logsumexp(s) - t'*s when sum(t) = 1);
 *                 batched, -sum(T.*log_softmax(S, 1)), each row of S a softmax of its own
 *   bce           -(t'*log(sigmoid(s)) + (1 - t)'*log(1 - sigmoid(s)))
 *   hinge         sum(relu(s - t'*s + 1)) - 1  (multiclass SVM: Σ_{j≠y} max(0, s_j - s_y + 1); the
 *                 j = y term of the sum is relu(1) = 1, hence the - 1)
 * A softmax activation of a batch is softmax(Z, 1), row by row. The batched form has no hinge loss
 * (it would need each example's class score, row by row).
 */
import { RequestError, UnsupportedError } from '../errors.js';
import type { VarDecl } from '../parse/parse.js';
import { type Rng, rng } from '../numeric/random.js';
import { type Tensor, tensor } from '../numeric/tensor.js';
import type { LayerSpec } from './graph.js';

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'maxout', 'softplus', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const LOSSES = ['squared', 'softmax-ce', 'bce', 'hinge'] as const;
export type Loss = (typeof LOSSES)[number];

export interface MlpOptions {
  /** Number of affine layers (1 to 20); depth 1 is a linear model under the loss. */
  readonly depth: number;
  /** Hidden activation (default sigmoid). */
  readonly activation?: Activation;
  readonly loss?: Loss;
  /** Rows of X are examples (default false: one example x). */
  readonly batched?: boolean;
  /** Slope parameter of leaky_relu (default 0.1) and elu (default 1). */
  readonly alpha?: number;
}

export interface Mlp {
  /** The program: `z1 = W1*x + b1; h1 = sigmoid(z1); …; L = …`. */
  readonly expr: string;
  readonly vars: Readonly<Record<string, VarDecl>>;
  readonly layers: readonly LayerSpec[];
  readonly output: 'L';
  /** Dimension names, input first: n0, n1, …, n<depth> (and m, the batch size). */
  readonly dims: readonly string[];
  /**
   * A point: weights N(0, 1)/sqrt(fan-in), biases and inputs N(0, 1), targets suited to the loss
   * (one-hot, or in (0, 1) for bce). `sizes` gives n0 … n<depth> (default 3 each), `batch` m (default 2).
   */
  sample(seed: number, sizes?: readonly number[], batch?: number): Map<string, Tensor>;
}

const MAX_DEPTH = 20;

export function mlp(opts: MlpOptions): Mlp {
  const { depth } = opts;
  const activation = opts.activation ?? 'sigmoid';
  const loss = opts.loss ?? 'squared';
  const batched = opts.batched ?? false;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH)
    throw new RequestError(`the depth must be an integer from 1 to ${MAX_DEPTH}, not ${depth}`);
  if (!(ACTIVATIONS as readonly string[]).includes(activation))
    throw new RequestError(`unknown activation ${activation}; use one of ${ACTIVATIONS.join(', ')}`);
  if (!(LOSSES as readonly string[]).includes(loss))
    throw new RequestError(`unknown loss ${loss}; use one of ${LOSSES.join(', ')}`);
  if (batched && loss === 'hinge') {
    throw new UnsupportedError(
      "the hinge loss needs the score of each example's class, row by row, which the batched form does not write; use the vector form (one example)",
    );
  }
  const alpha = opts.alpha ?? (activation === 'elu' ? 1 : 0.1);

  const dims = Array.from({ length: depth + 1 }, (_, i) => `n${i}`);
  const vars: Record<string, VarDecl> = {};
  const lines: string[] = [];
  const layers: LayerSpec[] = [];
  /** Each weight matrix's fan-in dimension (its layer's input size). */
  const fanIn = new Map<string, string>();
  const X = batched ? 'X' : 'x';
  vars[X] = { dims: batched ? ['m', 'n0'] : ['n0'] };
  const affine = (W: string, bias: string, input: string): string =>
    batched ? `${input}*${W} + vector(1)*${bias}'` : `${W}*${input} + ${bias}`;
  const declareAffine = (W: string, bias: string, i: number): void => {
    vars[W] = { dims: batched ? [dims[i - 1]!, dims[i]!] : [dims[i]!, dims[i - 1]!] };
    vars[bias] = { dims: [dims[i]!] };
    fanIn.set(W, dims[i - 1]!);
  };
  const act = (z: string): string => {
    switch (activation) {
      case 'leaky_relu':
      case 'elu':
        return `${activation}(${z}, ${alpha})`;
      case 'maxout':
        throw new Error('internal error: maxout is two maps');
      // Each example (row) of a batch normalised by itself.
      case 'softmax':
        return batched ? `softmax(${z}, 1)` : `softmax(${z})`;
      default:
        return `${activation}(${z})`;
    }
  };
  const name = (base: string, i: number): string => (batched ? base.toUpperCase() : base) + i;
  let input = X;
  for (let i = 1; i <= depth; i++) {
    const W = `W${i}`,
      bias = `b${i}`;
    declareAffine(W, bias, i);
    if (i === depth) {
      const s = batched ? 'S' : 's';
      lines.push(`${s} = ${affine(W, bias, input)}`);
      layers.push({ name: `layer ${i} (scores)`, input, output: s, params: [W, bias] });
      input = s;
      break;
    }
    const z = name('z', i),
      h = name('h', i);
    if (activation === 'maxout') {
      const V = `V${i}`,
        c = `c${i}`,
        u = name('u', i);
      declareAffine(V, c, i);
      lines.push(`${z} = ${affine(W, bias, input)}`, `${u} = ${affine(V, c, input)}`, `${h} = max(${z}, ${u})`);
      layers.push({ name: `layer ${i}`, input, output: h, params: [W, bias, V, c] });
    } else {
      lines.push(`${z} = ${affine(W, bias, input)}`, `${h} = ${act(z)}`);
      layers.push({ name: `layer ${i}`, input, output: h, params: [W, bias] });
    }
    input = h;
  }
  const s = input,
    t = batched ? 'T' : 't';
  vars[t] = { dims: batched ? ['m', dims[depth]!] : [dims[depth]!] };
  lines.push(`L = ${lossExpr(loss, s, t, batched)}`);
  layers.push({ name: 'loss', input: s, output: 'L', params: [] });

  const sample = (seed: number, sizes: readonly number[] = dims.map(() => 3), batch = 2): Map<string, Tensor> => {
    if (sizes.length !== depth + 1)
      throw new RequestError(`give ${depth + 1} sizes (n0 … n${depth}), not ${sizes.length}`);
    const r = rng(seed);
    const size = (d: string): number => (d === 'm' ? batch : sizes[Number(d.slice(1))]!);
    const out = new Map<string, Tensor>();
    for (const [v, decl] of Object.entries(vars)) {
      const shape = decl.dims.map((d) => size(String(d)));
      const t0 = tensor(shape);
      if (v === t) fillTarget(t0, loss, r, batched);
      else {
        const fan = fanIn.get(v);
        const scale = fan !== undefined ? 1 / Math.sqrt(size(fan)) : 1;
        for (let k = 0; k < t0.data.length; k++) t0.data[k] = scale * r.normal();
      }
      out.set(v, t0);
    }
    return out;
  };
  return { expr: lines.join('; '), vars, layers, output: 'L', dims: batched ? [...dims, 'm'] : dims, sample };
}

function lossExpr(loss: Loss, s: string, t: string, batched: boolean): string {
  switch (loss) {
    case 'squared':
      return `sum((${s} - ${t}).^2)`;
    case 'softmax-ce':
      return batched ? `-sum(${t}.*log_softmax(${s}, 1))` : `-${t}'*log(softmax(${s}))`;
    case 'bce':
      return batched
        ? `-(sum(${t}.*log(sigmoid(${s}))) + sum((1 - ${t}).*log(1 - sigmoid(${s}))))`
        : `-(${t}'*log(sigmoid(${s})) + (1 - ${t})'*log(1 - sigmoid(${s})))`;
    case 'hinge':
      return `sum(relu(${s} - ${t}'*${s} + 1)) - 1`;
  }
}

function fillTarget(t: Tensor, loss: Loss, r: Rng, batched: boolean): void {
  switch (loss) {
    case 'squared':
      for (let k = 0; k < t.data.length; k++) t.data[k] = r.normal();
      return;
    case 'bce':
      for (let k = 0; k < t.data.length; k++) t.data[k] = 0.1 + 0.8 * r.uniform();
      return;
    default: {
      const rows = batched ? t.dims[0]! : 1,
        cols = t.data.length / rows;
      for (let i = 0; i < rows; i++) t.data[i * cols + r.int(0, cols - 1)] = 1;
    }
  }
}
