/**
 * Writes docs/tutorial-backprop.md from real outputs: every block below is printed by running the
 * `matcalc` CLI (src/cli/main.ts, through tsx) or, where the CLI has no switch for it (the
 * layer-by-layer view, the tables of activations and losses), by the backprop API the CLI calls.
 * Nothing in the page is typed by hand except the prose around the blocks.
 *
 *   npx tsx scripts/gen-tutorial.ts          # rewrites docs/tutorial-backprop.md
 *   npx tsx scripts/gen-tutorial.ts --check  # exits 1 if the committed page is out of date
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './generated.js';
import { ACTIVATIONS, LOSSES, backprop, checkWalkthrough, mlp, renderText } from '../src/backprop/index.js';
import { toLatex } from '../src/print/latex.js';
import { toText } from '../src/print/text.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'tutorial-backprop.md');

/** Quotes an argument the way a reader would type it in a POSIX shell. */
const quote = (a: string): string =>
  /^[\w@%+=:,./-]+$/.test(a) ? a : a.includes("'") ? `"${a.replace(/(["\\$`])/g, '\\$1')}"` : `'${a}'`;

/** Runs `matcalc ARGS` and returns a fenced block with the command and its output. */
function cli(args: readonly string[], lang = 'text', transform: (s: string) => string = (s) => s): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (r.status !== 0) throw new Error(`matcalc ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  const command = `$ matcalc ${args.map(quote).join(' ')}`;
  return lang === 'text'
    ? fence('text', `${command}\n${transform(r.stdout).trimEnd()}`)
    : `${fence('sh', command)}\n${fence(lang, transform(r.stdout).trimEnd())}`;
}

const fence = (lang: string, body: string): string => `\`\`\`${lang}\n${body}\n\`\`\``;

const notesAt = JSON.stringify({ x: -2, y: 5, z: -4 });
const neuronAt = JSON.stringify({ w: [1, -1], x: [0.5, 2], b: 0.1 });
const netAt = JSON.stringify({
  x: [1, -1, 0.5],
  W1: [
    [0.2, -0.4, 0.1],
    [0.5, 0.3, -0.2],
  ],
  b1: [0.1, -0.1],
  W2: [
    [0.3, -0.6],
    [-0.2, 0.4],
    [0.7, 0.1],
  ],
  b2: [0, 0.1, -0.1],
  t: [0, 1, 0],
});
const batchAt = JSON.stringify({
  X: [
    [1, 2],
    [0, -1],
    [3, 1],
  ],
  W: [
    [0.5, -1],
    [2, 0.25],
  ],
  Y: [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
});

/** The activations' local Jacobians and adjoint rules, from walkthroughs of 2-layer networks. */
function activationTable(): string {
  const rows = [
    '| activation | local Jacobian ∂h/∂z | adjoint rule: ∂L/∂z from G = ∂L/∂h | checked |',
    '| --- | --- | --- | --- |',
  ];
  for (const activation of ACTIVATIONS) {
    const m = mlp({ depth: 2, activation, loss: 'squared' });
    const w = backprop(m.expr, m.sample(11), { vars: m.vars, layers: m.layers });
    const h = w.node('h1');
    const ok = checkWalkthrough(w).ok ? 'yes' : 'NO';
    const local = h.edges.map((e) => `\`${toText(e.local.expr)}\` (${e.from})`).join('<br>');
    const rule = h.edges.map((e) => `\`${toText(e.vjp!).replace(/G_h1/g, 'G')}\``).join('<br>');
    rows.push(`| ${activation} | ${local} | ${rule} | ${ok} |`);
  }
  return rows.join('\n');
}

/** ∂L/∂s of each loss, from one-layer networks. */
function lossTable(): string {
  const rows = ['| loss | L | ∂L/∂s | checked |', '| --- | --- | --- | --- |'];
  for (const loss of LOSSES) {
    const m = mlp({ depth: 1, loss });
    const w = backprop(m.expr, m.sample(3), { vars: m.vars, layers: m.layers });
    const last = w.layers[w.layers.length - 1]!;
    const g = last.steps[last.steps.length - 1]!;
    rows.push(
      `| ${loss} | \`${m.expr.split('; ').pop()!.replace(/^L = /, '')}\` | \`${toText(g.formula)}\` | ${checkWalkthrough(w).ok ? 'yes' : 'NO'} |`,
    );
  }
  return rows.join('\n');
}

/** The layer-by-layer part of a walkthrough of a 3-layer network (API: backprop with layers). */
function layerView(): string {
  const m = mlp({ depth: 3, activation: 'relu', loss: 'softmax-ce' });
  const w = backprop(m.expr, m.sample(2), { vars: m.vars, layers: m.layers });
  const text = renderText(w);
  const from = text.indexOf('\nlayer 1:');
  return [
    fence(
      'ts',
      [
        "import { backprop, mlp, renderText } from './src/backprop/index.js';",
        "const net = mlp({ depth: 3, activation: 'relu', loss: 'softmax-ce' });",
        `net.expr; // ${m.expr}`,
        'const w = backprop(net.expr, net.sample(2), { vars: net.vars, layers: net.layers });',
        'console.log(renderText(w));  // the layer-by-layer part:',
      ].join('\n'),
    ),
    fence('text', text.slice(from + 1).trimEnd()),
  ].join('\n');
}

function page(): string {
  const sigmoidLocal = toLatex(backprop('sum(sigmoid(z))', { z: [0.5, -1] }).node('v1').edges[0]!.local.expr);
  return `<!-- Generated by scripts/gen-tutorial.ts from real outputs; edit the script, not this page. -->
# Backpropagation, step by step

matcalc grew out of deep-learning course notes (DAVIAN Lab winter study, week 4.1: *Neural
Network*). Their method: to get the gradient of the loss with respect to any weight, multiply the
**upstream gradient**, which comes backward from the loss, by the **local gradient** of the
operation; where a value feeds several operations, add the contributions (sum over paths). matcalc
builds the computational graph of any expression — one node per operation, shared subexpressions
shared — and shows exactly this: the forward value of every node, the local gradient on every edge,
the upstream gradient of every node, and the gradient of every input. Every number is a symbolic
formula evaluated at the point, and the CLI checks each one against central finite differences.

## 1. The notes' example

*q = x + y and f = q·z. df/dz can be calculated directly from f = q·z; df/dx's upstream gradient is
df/dq and its local gradient is dq/dx.* A program of named steps names the nodes of the graph:

${cli(['backprop', 'q = x + y; f = q*z', '--at', notesAt])}

f = −12, ∂f/∂z = q = 3, ∂f/∂q = z = −4, and ∂f/∂x = ∂f/∂q · ∂q/∂x = (−4)(1) = −4, as in the notes.
The same walkthrough as LaTeX (a KaTeX-valid \`array\`, then the backward pass):

${cli(['backprop', 'q = x + y; f = q*z', '--at', notesAt, '--format', 'latex'], 'latex')}

as JSON — \`{"value", "gradients", "nodes": [{"id", "op", "inputs", "value", "local", "upstream"}]}\`,
with each local gradient's formula, value, adjoint rule and contribution:

${cli(['backprop', 'q = x + y; f = q*z', '--at', notesAt, '--format', 'json', '--no-check'], 'json', (s) => JSON.stringify(JSON.parse(s), null, 2))}

and as a Graphviz graph (\`| dot -Tsvg > graph.svg\`); \`--format html\` writes a standalone page
with the graph drawn in SVG — laid out in layers by dagre, edges routed around the boxes — and the
formulas rendered by KaTeX.

${cli(['backprop', 'q = x + y; f = q*z', '--at', notesAt, '--format', 'dot'], 'dot')}

## 2. Vectors and matrices: upstream × local becomes a vector–Jacobian product

For vector and matrix nodes the local gradient is a Jacobian, and "upstream × local" is carried
out as the adjoint rule of the operation: for Y = A·X the upstream G of Y gives Aᵀ·G for X, for
Y = X·B it gives G·Bᵀ, and an elementwise function gives G ⊙ f′(Z). A single neuron:

${cli(['backprop', "sigmoid(w'*x + b)", '--at', neuronAt])}

The local Jacobians are printed in their compact forms, e.g. the sigmoid's
$\\partial h/\\partial z = ${sigmoidLocal}$; relu gives diag(z > 0), softmax diag(s) − s sᵀ in its
own output s. For each activation (from 2-layer networks; "checked" = every upstream and local
gradient of the walkthrough agrees with finite differences):

${activationTable()}

A batched linear layer, rows of X being examples: ∂L/∂W = Xᵀ·G and ∂L/∂X = G·Wᵀ.

${cli(['backprop', 'sum((X*W - Y).^2)', '--at', batchAt])}

## 3. A network, layer by layer

The notes' two-layer score s = W₂ f(W₁ x), with a bias per layer, a sigmoid and the softmax
cross-entropy loss:

${cli(['backprop', "z1 = W1*x + b1; h1 = sigmoid(z1); s = W2*h1 + b2; L = -t'*log(softmax(s))", '--at', netAt, '--wrt', 'W1,b1,W2,b2'])}

*We have to get the gradient of W_n for the update and X_n to deliver it to the next layer;
dL/dX_{n+1} is received from the (n+1)th layer.* The API's \`mlp()\` builds such networks (any depth;
activations ${ACTIVATIONS.join(', ')}; losses ${LOSSES.join(', ')}) together with their layers, and
\`backprop\` then shows, for each layer, ∂L/∂W_i and ∂L/∂X_i from the gradient it receives. G_v
stands for ∂L/∂v:

${layerView()}

The losses and the gradient they send back to the scores s (t is the target: one-hot for
softmax-ce and hinge). The hinge loss is the multiclass SVM loss Σ_{j≠y} max(0, s_j − s_y + 1),
written with the functions of the language as sum(relu(s − tᵀs + 1)) − 1: the j = y term is
relu(1) = 1. The softmax cross-entropy's gradient comes out as the engine derives it,
(tᵀ ⊘ softmax(s)ᵀ) softmax(s) softmax(s) − t = (Σᵢ tᵢ) softmax(s) − t, which is the familiar
softmax(s) − t for a one-hot t.

${lossTable()}

## 4. Derivations step by step

\`matcalc diff --steps\` prints a derivation whose every line is checked by finite differences:
each differential against the directional derivative at random points and directions, each
gradient form against the finite-difference gradient. By differentials (the default):

${cli(['diff', "x'*A*x", '--wrt', 'x', '--steps'])}

By the chain rule, upstream × local, node by node from the loss back to the variable:

${cli(['diff', 'sum((W*x - y).^2)', '--wrt', 'W', '--steps', 'chain'])}

---
Regenerate this page with \`npx tsx scripts/gen-tutorial.ts\`.
`;
}

writeOrCheck(target, page(), 'scripts/gen-tutorial.ts');
