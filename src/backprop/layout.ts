/**
 * Layered layout of a computational graph, left to right, by dagre (@dagrejs/dagre: Sugiyama's
 * method — ranks by network simplex, crossings reduced by barycentric ordering, coordinates by
 * Brandes–Köpf). Pure and free of Node APIs, so the web page can lay out the same graph in a browser.
 *
 * dagre gives every node a centre, and every edge one point per rank it crosses (a dummy node with
 * a slot of its own in that rank) plus, for a labelled edge, a slot for its label. The points are
 * then routed so that no segment can cross a box: within a rank's band (the x-range of its widest
 * box) an edge runs horizontally at its own slot, which no box of that rank covers; between bands,
 * where no box lives, it runs diagonally. An edge thus leaves its source's right side and enters its
 * target's left side. A label sits just above its edge, in a slot dagre reserves (twice the label's
 * height, the edge along its middle), so it is clear of every box and every other edge.
 *
 * dagre is loaded on first use (loadDagre), never at import time: the CLI's start-up is a feature.
 */

/** What to lay out: boxes with their sizes, edges with an optional label size. */
export interface GraphSpec {
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly width: number; readonly height: number }>;
  readonly edges: ReadonlyArray<{
    readonly from: string;
    readonly to: string;
    readonly label?: { readonly width: number; readonly height: number };
  }>;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}
/** x, y: the top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface PlacedNode extends Rect {
  readonly id: string;
}
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  /** A polyline from the source's right side to the target's left side. */
  readonly points: readonly Point[];
  readonly label: Rect | null;
}
export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export interface LayoutOptions {
  /** Gap between ranks (default 56). */
  readonly rankGap?: number;
  /** Gap between boxes of one rank (default 24). */
  readonly nodeGap?: number;
  /** Margin around the drawing (default 16). */
  readonly margin?: number;
}

/** dagre's API (its default export), for use inside this module only. */
type DagreApi = typeof import('@dagrejs/dagre').default;

/**
 * dagre's module (its default export) as loadDagre gives it or a caller imported it, opaque in the
 * public types: dagre's own declarations do not compile under NodeNext resolution with skipLibCheck
 * off, so matcalc's shipped declarations must not mention them.
 */
export interface Dagre {
  readonly layout: unknown;
  readonly graphlib: unknown;
}

/** Space between a label and its edge. */
const LABEL_GAP = 2;

let loaded: Promise<Dagre> | undefined;

/** dagre, imported on first use. */
export function loadDagre(): Promise<Dagre> {
  loaded ??= import('@dagrejs/dagre').then((m) => (m as { default?: Dagre }).default ?? (m as unknown as Dagre));
  return loaded;
}

/** Lays the graph out, loading dagre if needed. */
export async function layoutGraph(spec: GraphSpec, opts: LayoutOptions = {}): Promise<GraphLayout> {
  return layoutWith(await loadDagre(), spec, opts);
}

interface NodeLabel {
  width: number;
  height: number;
  x?: number;
  y?: number;
}
interface EdgeLabel {
  width?: number;
  height?: number;
  labelpos?: 'c';
  points?: Point[];
  x?: number;
  y?: number;
}

/** Lays the graph out with a dagre already loaded (synchronous). */
export function layoutWith(dagre: Dagre, spec: GraphSpec, opts: LayoutOptions = {}): GraphLayout {
  const margin = opts.margin ?? 16;
  const api = dagre as unknown as DagreApi;
  const g = new api.graphlib.Graph<Record<string, unknown>, NodeLabel, EdgeLabel>();
  g.setGraph({
    rankdir: 'LR',
    ranksep: opts.rankGap ?? 56,
    nodesep: opts.nodeGap ?? 24,
    edgesep: 14,
    marginx: margin,
    marginy: margin,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of spec.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of spec.edges) {
    // The slot is twice the label's height: the edge runs along its middle, the label just above.
    g.setEdge(
      e.from,
      e.to,
      e.label ? { width: e.label.width, height: 2 * e.label.height + 2 * LABEL_GAP, labelpos: 'c' } : {},
    );
  }
  api.layout(g);

  const nodes: PlacedNode[] = spec.nodes.map((n) => {
    const l = g.node(n.id);
    return { id: n.id, x: l.x! - n.width / 2, y: l.y! - n.height / 2, width: n.width, height: n.height };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Rank bands: every box of a rank has the same centre x; a band spans its widest box (or label).
  const bands: Array<{ cx: number; half: number }> = [];
  const band = (cx: number, half: number): void => {
    const hit = bands.find((b) => Math.abs(b.cx - cx) < 0.5);
    if (hit) hit.half = Math.max(hit.half, half);
    else bands.push({ cx, half });
  };
  for (const n of nodes) band(n.x + n.width / 2, n.width / 2);
  const raw = spec.edges.map((e) => g.edge(e.from, e.to));
  for (const l of raw) {
    if (l.x !== undefined && l.width) band(l.x, l.width / 2);
    for (const p of (l.points ?? []).slice(1, -1)) band(p.x, 0);
  }
  const bandAt = (x: number): { l: number; r: number } => {
    let best = bands[0]!;
    for (const b of bands) if (Math.abs(b.cx - x) < Math.abs(best.cx - x)) best = b;
    return { l: best.cx - best.half, r: best.cx + best.half };
  };

  const edges: PlacedEdge[] = spec.edges.map((e, i) => {
    const l = raw[i]!;
    const src = byId.get(e.from)!,
      dst = byId.get(e.to)!;
    const sy = src.y + src.height / 2,
      ty = dst.y + dst.height / 2;
    const points: Point[] = [
      { x: src.x + src.width, y: sy },
      { x: bandAt(src.x + src.width / 2).r, y: sy },
    ];
    for (const p of (l.points ?? []).slice(1, -1)) {
      const b = bandAt(p.x);
      points.push({ x: b.l, y: p.y }, { x: b.r, y: p.y });
    }
    points.push({ x: bandAt(dst.x + dst.width / 2).l, y: ty }, { x: dst.x, y: ty });
    const label =
      e.label && l.x !== undefined && l.y !== undefined
        ? {
            x: l.x - e.label.width / 2,
            y: l.y - LABEL_GAP - e.label.height,
            width: e.label.width,
            height: e.label.height,
          }
        : null;
    return { from: e.from, to: e.to, points: simplify(points), label };
  });
  return framed({ width: 0, height: 0, nodes, edges }, margin);
}

/**
 * The drawing moved to start at the margin and sized to hold everything: dagre frames boxes and
 * labels but not the routes of long edges, whose slots may lie outside them.
 */
function framed(lay: GraphLayout, margin: number): GraphLayout {
  const rects: Rect[] = [...lay.nodes, ...lay.edges.flatMap((e) => (e.label === null ? [] : [e.label]))];
  const points = lay.edges.flatMap((e) => e.points);
  const minX = Math.min(...rects.map((r) => r.x), ...points.map((p) => p.x));
  const minY = Math.min(...rects.map((r) => r.y), ...points.map((p) => p.y));
  const maxX = Math.max(...rects.map((r) => r.x + r.width), ...points.map((p) => p.x));
  const maxY = Math.max(...rects.map((r) => r.y + r.height), ...points.map((p) => p.y));
  const dx = margin - minX,
    dy = margin - minY;
  const move = <T extends Point>(p: T): T => ({ ...p, x: p.x + dx, y: p.y + dy });
  return {
    width: Math.ceil(maxX - minX + 2 * margin),
    height: Math.ceil(maxY - minY + 2 * margin),
    nodes: lay.nodes.map(move),
    edges: lay.edges.map((e) => ({ ...e, points: e.points.map(move), label: e.label === null ? null : move(e.label) })),
  };
}

/** Drops repeated points and the middle of three collinear ones (a straight run is one segment). */
function simplify(ps: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of ps) {
    const last = out[out.length - 1];
    if (last !== undefined && Math.abs(last.x - p.x) < 1e-9 && Math.abs(last.y - p.y) < 1e-9) continue;
    const before = out[out.length - 2];
    if (
      before !== undefined &&
      last !== undefined &&
      Math.abs((last.x - before.x) * (p.y - before.y) - (last.y - before.y) * (p.x - before.x)) < 1e-6
    )
      out.pop();
    out.push(p);
  }
  return out;
}

/** Whether the segment a–b passes through the interior of r (touching its border does not count). */
export function segmentCrossesRect(a: Point, b: Point, r: Rect): boolean {
  // Liang–Barsky clipping against the open rectangle.
  const eps = 1e-6;
  const x0 = r.x + eps,
    x1 = r.x + r.width - eps,
    y0 = r.y + eps,
    y1 = r.y + r.height - eps;
  let t0 = 0,
    t1 = 1;
  const dx = b.x - a.x,
    dy = b.y - a.y;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
    return true;
  };
  return clip(-dx, a.x - x0) && clip(dx, x1 - a.x) && clip(-dy, a.y - y0) && clip(dy, y1 - a.y) && t0 < t1;
}

/** Whether two rectangles overlap (sharing a border does not count). */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
