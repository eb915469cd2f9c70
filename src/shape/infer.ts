/**
 * Dimension inference by union-find (Hindley–Milner style unification restricted to dimensions).
 *
 * Rigid dimensions are declared names or numbers; they unify only with themselves. Flexible ones
 * (written '?1', '?2', …) come from variables typed by the naming convention and from `vector(1)`,
 * `eye`, …; they unify with anything. `A*x` with A and x both conventional binds A's column count to
 * x's length. A product dimension (kron's k·n) unifies factor by factor: common factors cancel, and
 * one flexible factor left on a side is the product of what is left on the other (?1·n·n against
 * n·n·n binds ?1 to n), so a printed matrix(1) under a Kronecker product reads back with its size.
 * After inference, every flexible class that stayed free gets a readable name.
 */
import { type Dim, dimFactors, mulDim } from './shape.js';
import type { Unifier } from './rules.js';

export const isFlexible = (d: Dim): boolean => typeof d === 'string' && d.startsWith('?');

const isProduct = (d: Dim): boolean => typeof d === 'string' && d.includes('·');

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
    const ra = this.normal(a),
      rb = this.normal(b);
    if (ra === rb) return ra;
    if (isProduct(ra) || isProduct(rb)) {
      const solved = this.cancel(ra, rb) ?? this.cancel(rb, ra);
      if (solved !== undefined) return solved ? this.normal(a) : null;
    }
    if (isFlexible(ra)) {
      this.parent.set(ra, rb);
      return rb;
    }
    if (isFlexible(rb)) {
      this.parent.set(rb, ra);
      return ra;
    }
    return null;
  }

  /** A dim with each factor of a product replaced by its class's representative. */
  private normal(d: Dim): Dim {
    if (!isProduct(d)) return this.find(d);
    return this.find(dimFactors(d).reduce<Dim>((acc, f) => mulDim(acc, this.find(f)), 1));
  }

  /**
   * p = q with their common factors cancelled, when what is left of p is one flexible factor and what
   * is left of q has none (rigid names and numbers): that factor is bound to the rest of q. True when
   * bound, false when it cannot hold, undefined when this rule does not apply.
   */
  private cancel(p: Dim, q: Dim): boolean | undefined {
    const rest = [...dimFactors(q)];
    const left = dimFactors(p).filter((f) => {
      const i = rest.indexOf(f);
      if (i < 0) return true;
      rest.splice(i, 1);
      return false;
    });
    const [only, ...more] = left;
    // Nothing in common: the plain rule links the two (and this one would only call itself again).
    if (left.length === dimFactors(p).length) return undefined;
    if (only === undefined || more.length > 0 || !isFlexible(only) || rest.some(isFlexible)) return undefined;
    return (
      this.unify(
        only,
        rest.reduce<Dim>((acc, f) => mulDim(acc, f), 1),
      ) !== null
    );
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
        if (!used.has(name)) {
          used.add(name);
          return name;
        }
      }
    };
    const resolve = (d: Dim): Dim => {
      const r = this.find(d);
      if (isProduct(r)) return dimFactors(r).reduce<Dim>((acc, f) => mulDim(acc, resolve(f)), 1);
      if (!isFlexible(r)) return r;
      let name = names.get(r);
      if (name === undefined) {
        name = nextName();
        names.set(r, name);
      }
      return name;
    };
    return resolve;
  }
}

const DIM_NAMES: readonly string[] = ['n', 'm', 'k', 'p', 'q', 'r', 's', 't', 'l', 'd'];
