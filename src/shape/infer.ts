/**
 * Dimension inference by union-find (Hindley–Milner style unification restricted to dimensions).
 *
 * Rigid dimensions are declared names or numbers; they unify only with themselves. Flexible ones
 * (written '?1', '?2', …) come from variables typed by the naming convention and from `vector(1)`,
 * `eye`, …; they unify with anything. `A*x` with A and x both conventional binds A's column count to
 * x's length. After inference, every flexible class that stayed free gets a readable name.
 */
import type { Dim } from './shape.js';
import type { Unifier } from './rules.js';

export const isFlexible = (d: Dim): boolean => typeof d === 'string' && d.startsWith('?');

export class DimUnifier implements Unifier {
  private parent = new Map<Dim, Dim>();
  private counter = 0;

  fresh(): Dim {
    return `?${++this.counter}`;
  }

  find(d: Dim): Dim {
    let root = d;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    // path compression
    let cur = d;
    while (this.parent.has(cur)) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  unify(a: Dim, b: Dim): Dim | null {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return ra;
    if (isFlexible(ra)) { this.parent.set(ra, rb); return rb; }
    if (isFlexible(rb)) { this.parent.set(rb, ra); return ra; }
    return null;
  }

  /**
   * A resolver that maps every dim to its class's rigid representative, naming free classes from
   * `pool` in the order they are first resolved and skipping names already taken.
   */
  resolver(taken: ReadonlySet<string>, pool: readonly string[] = DIM_NAMES): (d: Dim) => Dim {
    const names = new Map<Dim, Dim>();
    const used = new Set(taken);
    let i = 0;
    const nextName = (): string => {
      for (;;) {
        const name = i < pool.length ? pool[i]! : `n${i - pool.length + 1}`;
        i++;
        if (!used.has(name)) { used.add(name); return name; }
      }
    };
    return (d: Dim) => {
      const r = this.find(d);
      if (!isFlexible(r)) return r;
      let name = names.get(r);
      if (name === undefined) { name = nextName(); names.set(r, name); }
      return name;
    };
  }
}

const DIM_NAMES: readonly string[] = ['n', 'm', 'k', 'p', 'q', 'r', 's', 't', 'l', 'd'];
