/**
 * Backpropagation walkthroughs: computational graphs with forward values, local gradients and
 * upstream gradients (graph.ts), their renderings (render.ts, html.ts; the graph drawn by svg.ts at
 * the positions of layout.ts), finite-difference checks (verify.ts) and neural-network expressions
 * (mlp.ts).
 */
export {
  backprop,
  type BackpropOptions,
  type ChainStep,
  type EdgeStep,
  type LayerSpec,
  type LayerView,
  type Local,
  type Walkthrough,
  type WalkNode,
} from './graph.js';
export { renderText, renderLatex, renderJson, renderDot, toJson, type WalkthroughJson } from './render.js';
export { renderHtml, type HtmlOptions } from './html.js';
export { graphView, svgOf, renderSvg, type GraphView, type ViewEdge, type ViewNode } from './svg.js';
export {
  layoutGraph,
  layoutWith,
  loadDagre,
  type GraphLayout,
  type GraphSpec,
  type LayoutOptions,
  type PlacedEdge,
  type PlacedNode,
} from './layout.js';
export { checkWalkthrough, type CheckOptions, type CheckResult, type WalkthroughCheck } from './verify.js';
export { mlp, ACTIVATIONS, LOSSES, type Activation, type Loss, type Mlp, type MlpOptions } from './mlp.js';
