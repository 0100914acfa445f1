import { describe, expect, it } from 'vitest';
import { RingSeries, pushBounded } from './ring-buffer.js';

describe('RingSeries', () => {
  it('keeps samples in order until full', () => {
    const ring = new RingSeries(4, 2);
    ring.push(1, [10, 20]);
    ring.push(2, [11, null]);
    expect(ring.toArrays()).toEqual([
      [1, 2],
      [10, 11],
      [20, null],
    ]);
    expect(ring.last(0)).toBe(11);
    expect(ring.last(1)).toBeNull();
  });

  it('overwrites the oldest sample once full, so memory stays bounded', () => {
    const ring = new RingSeries(3, 1);
    for (let i = 1; i <= 10_000; i += 1) ring.push(i, [i * 2]);
    expect(ring.length).toBe(3);
    expect(ring.toArrays()).toEqual([
      [9998, 9999, 10000],
      [19996, 19998, 20000],
    ]);
  });

  it('rejects a zero capacity', () => {
    expect(() => new RingSeries(0, 1)).toThrow(RangeError);
  });

  it('clears', () => {
    const ring = new RingSeries(2, 1);
    ring.push(1, [1]);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.toArrays()).toEqual([[], []]);
  });
});

describe('pushBounded', () => {
  it('keeps the newest items', () => {
    expect(pushBounded([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(pushBounded([1], [2], 4)).toEqual([1, 2]);
  });
});
