/**
 * Nested central differences of order k ≥ 2 (src/numeric/fd-higher.ts) against derivatives known in
 * closed form, written out here by hand: the truth that verify() compares every higher order with.
 */
import { describe, expect, it } from 'vitest';
import { contract, entrywiseTuples, fdHigher, fdHigherAlong } from '../../src/numeric/fd-higher.js';
import { DomainError } from '../../src/errors.js';
import type { Env } from '../../src/numeric/evaluate.js';
import { type Tensor, tensor } from '../../src/numeric/tensor.js';

const at = (x: number[]): Env => new Map([['x', tensor([x.length], x)]]);
const scalar = (v: number): Tensor => tensor([], [v]);

describe('fdHigher: every entry of the k-th derivative of f itself', () => {
  it('f = x0²·x1 + sin(x0·x1): the full Hessian, mixed entries included', () => {
    const f = (e: Env): Tensor => {
      const [a, b] = e.get('x')!.data as unknown as [number, number];
      return scalar(a * a * b + Math.sin(a * b));
    };
    const [a, b] = [0.7, -1.3];
    const est = fdHigher(f, at([a, b]), 'x', 2);
    const s = Math.sin(a * b),
      c = Math.cos(a * b);
    const want = [2 * b - b * b * s, 2 * a + c - a * b * s, 2 * a + c - a * b * s, -a * a * s];
    expect(est.value.dims).toEqual([2, 2]);
    Array.from(est.value.data).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-8));
  });

  it('f = Σ exp(x): orders 3 to 6 are exp on the diagonal and 0 elsewhere', () => {
    const f = (e: Env): Tensor => scalar(Array.from(e.get('x')!.data).reduce((s, v) => s + Math.exp(v), 0));
    const x = [0.2, -0.4];
    for (const k of [3, 4, 5, 6]) {
      const est = fdHigher(f, at(x), 'x', k);
      expect(est.value.dims).toEqual(Array.from({ length: k }, () => 2));
      const last = est.value.data.length - 1;
      Array.from(est.value.data).forEach((v, i) => {
        const want = i === 0 ? Math.exp(x[0]!) : i === last ? Math.exp(x[1]!) : 0;
        expect(Math.abs(v - want), `order ${k}, entry ${i}`).toBeLessThan(1e-4 * 10 ** (k - 3));
      });
    }
  });

  it('a vector f: dims(f) + k·dims(x), and a step that leaves the domain is retried smaller', () => {
    // f = [log(x0), x0·x1³]; log's domain ends at 0, close to x0 = 0.05.
    const f = (e: Env): Tensor => {
      const [a, b] = e.get('x')!.data as unknown as [number, number];
      if (a <= 0) throw new DomainError('log of a non-positive number');
      return tensor([2], [Math.log(a), a * b ** 3]);
    };
    const est = fdHigher(f, at([0.05, 2]), 'x', 3);
    expect(est.value.dims).toEqual([2, 2, 2, 2]);
    const d = Array.from(est.value.data);
    expect(Math.abs(d[0]! / (2 / 0.05 ** 3) - 1)).toBeLessThan(1e-6); // ∂³log(x0)/∂x0³ = 2/x0³
    // ∂³(x0·x1³)/∂x0∂x1² = 6·x1 in every ordering; ∂³/∂x1³ = 6·x0.
    for (const i of [8 + 3, 8 + 5, 8 + 6]) expect(Math.abs(d[i]! - 12)).toBeLessThan(1e-6);
    expect(Math.abs(d[15]! - 0.3)).toBeLessThan(1e-6);
  });

  it('a kink within reach shows as a large error estimate', () => {
    const f = (e: Env): Tensor => {
      const v = e.get('x')!.data[0]!;
      return scalar(Math.max(v, 0) ** 2);
    };
    const est = fdHigher(f, at([1e-4]), 'x', 2);
    expect(Math.abs(est.value.data[0]! - 2) > 1e-3 || est.error.data[0]! > 1e-3).toBe(true);
  });

  it('entrywiseTuples counts index tuples i1 ≤ … ≤ ik', () => {
    expect(entrywiseTuples(4, 2)).toBe(10);
    expect(entrywiseTuples(9, 3)).toBe(165);
  });
});

describe('fdHigherAlong: the k-th derivative along directions, against the tensor contracted', () => {
  it('f = (x·x)²: d²f[u, v] = 8(x·u)(x·v) + 4(x·x)(u·v)', () => {
    const dot = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).reduce((s, v, i) => s + v * q[i]!, 0);
    const f = (e: Env): Tensor => {
      const x = e.get('x')!.data;
      return scalar(dot(x, x) ** 2);
    };
    const x = [0.5, -1, 2],
      u = tensor([3], [1, 0.2, -0.3]),
      v = tensor([3], [-0.5, 0.4, 0.1]);
    const est = fdHigherAlong(f, at(x), 'x', [u, v]);
    const want = 8 * dot(x, u.data) * dot(x, v.data) + 4 * dot(x, x) * dot(u.data, v.data);
    expect(Math.abs(est.value.data[0]! - want)).toBeLessThan(1e-8);
    const hessian = fdHigher(f, at(x), 'x', 2).value;
    expect(Math.abs(contract(hessian, [3], [u, v]).data[0]! - want)).toBeLessThan(1e-7);
  });
});
