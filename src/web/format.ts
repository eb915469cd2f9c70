/**
 * Numbers and values as short text for the page (counterexamples, values): six significant digits,
 * a vector as [a, b, c], a matrix as aligned rows, higher ranks as nested lists.
 */
import type { Nested } from '../index.js';

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

export function formatValue(v: Nested): string {
  if (typeof v === 'number') return formatNumber(v);
  if (v.every((x) => typeof x === 'number')) return `[${(v as number[]).map(formatNumber).join(', ')}]`;
  if (v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) {
    const cells = (v as number[][]).map((r) => r.map(formatNumber));
    const width = cells[0]!.map((_, j) => Math.max(...cells.map((r) => r[j]!.length)));
    return cells
      .map(
        (r, i) =>
          `${i === 0 ? '[' : ' '}${r.map((c, j) => c.padStart(width[j]!)).join('  ')}${i === cells.length - 1 ? ']' : ''}`,
      )
      .join('\n');
  }
  return JSON.stringify(v);
}
