/**
 * Remembers which source text an error came from, so that the error line can point at the column
 * of a syntax error under the expression the user typed.
 */
const sources = new WeakMap<object, string>();

/** Runs `fn`; an error it throws is tagged with `src` and rethrown. */
export function withSource<T>(src: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (typeof err === 'object' && err !== null && !sources.has(err)) sources.set(err, src);
    throw err;
  }
}

export const sourceOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null ? sources.get(err) : undefined;
