import { describe, expect, it } from 'vitest';
import { createGroupCommit, type Settled } from './group-commit.js';

interface Req {
  key: string;
  weight?: number;
  fail?: boolean;
}

/** A fake transport: records what each send carried and lets the test decide when it returns. */
function harness(limits: { maxBatch?: number; maxWeight?: number; maxInFlight?: number } = {}) {
  const sends: Array<{ kind: 'single' | 'batch'; keys: string[]; release: () => void }> = [];
  let inFlight = 0;
  let maxSeen = 0;
  const hold = <T>(kind: 'single' | 'batch', keys: string[], value: () => T): Promise<T> => {
    inFlight++;
    maxSeen = Math.max(maxSeen, inFlight);
    return new Promise<T>((resolve) => {
      sends.push({ kind, keys, release: () => { inFlight--; resolve(value()); } });
    });
  };
  const group = createGroupCommit<Req, string>({
    key: (r) => r.key,
    weight: (r) => r.weight ?? 1,
    single: (r) => hold('single', [r.key], () => `single:${r.key}`).then((v) => (r.fail === true ? Promise.reject(new Error(`no ${r.key}`)) : v)),
    batch: (rs) =>
      hold('batch', rs.map((r) => r.key), () =>
        rs.map((r): Settled<string> => (r.fail === true ? { ok: false, error: new Error(`no ${r.key}`) } : { ok: true, value: `batch:${r.key}` })),
      ),
    maxBatch: limits.maxBatch ?? 8,
    maxWeight: limits.maxWeight ?? 100,
    maxInFlight: limits.maxInFlight ?? 2,
  });
  return { group, sends, maxInFlight: () => maxSeen };
}

/** Lets pending setImmediate callbacks (the coalescing point) run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('sends a lone request at once, alone, without waiting for a later turn', async () => {
    const { group, sends } = harness();
    const result = group.submit({ key: 'a' });
    expect(sends).toEqual([expect.objectContaining({ kind: 'single', keys: ['a'] })]);
    sends[0]!.release();
    await expect(result).resolves.toBe('single:a');
  });

  it('gathers requests that arrive while one is in flight into one batch', async () => {
    const { group, sends } = harness();
    const first = group.submit({ key: 'a' });
    const rest = ['b', 'c', 'd'].map((key) => group.submit({ key }));
    await turn();
    expect(sends.map((s) => [s.kind, s.keys])).toEqual([['single', ['a']], ['batch', ['b', 'c', 'd']]]);
    sends.forEach((s) => s.release());
    await expect(first).resolves.toBe('single:a');
    await expect(Promise.all(rest)).resolves.toEqual(['batch:b', 'batch:c', 'batch:d']);
  });

  it('never puts one key in a batch twice, and sends a key again only after its previous send settled', async () => {
    const { group, sends } = harness({ maxInFlight: 4 });
    const order: string[] = [];
    const track = (label: string, p: Promise<string>) => p.then((v) => order.push(`${label}=${v}`));
    const a1 = track('a1', group.submit({ key: 'a' }));
    const a2 = track('a2', group.submit({ key: 'a' }));
    const b = track('b', group.submit({ key: 'b' }));
    const a3 = track('a3', group.submit({ key: 'a' }));
    await turn();
    // a1 in flight: a2 and a3 wait; b goes.
    expect(sends.map((s) => s.keys)).toEqual([['a'], ['b']]);
    sends[1]!.release();
    await b;
    sends[0]!.release();
    await a1;
    await turn();
    expect(sends.map((s) => s.keys)).toEqual([['a'], ['b'], ['a']]);
    sends[2]!.release();
    await a2;
    await turn();
    expect(sends.map((s) => s.keys)).toEqual([['a'], ['b'], ['a'], ['a']]);
    sends[3]!.release();
    await a3;
    expect(order.filter((o) => o.startsWith('a'))).toEqual(['a1=single:a', 'a2=single:a', 'a3=single:a']);
  });

  it('keeps at most maxInFlight sends out and sends what queued meanwhile when one returns', async () => {
    const { group, sends, maxInFlight } = harness({ maxInFlight: 2, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((key) => group.submit({ key }));
    await turn();
    expect(sends.map((s) => s.keys)).toEqual([['a'], ['b', 'c']]);
    sends[0]!.release();
    await turn();
    await turn();
    expect(sends.map((s) => s.keys)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
    for (let i = 1; i < sends.length; i++) {
      sends[i]!.release();
      await turn();
      await turn();
    }
    await Promise.all(all);
    expect(sends.flatMap((s) => s.keys)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(maxInFlight()).toBe(2);
  });

  it("bounds a batch's weight, but still sends a request heavier than the bound, alone", async () => {
    const { group, sends } = harness({ maxWeight: 10, maxInFlight: 3 });
    void group.submit({ key: 'x' });
    void group.submit({ key: 'heavy', weight: 50 });
    void group.submit({ key: 'p', weight: 6 });
    void group.submit({ key: 'q', weight: 6 });
    await turn();
    expect(sends.map((s) => s.keys)).toEqual([['x'], ['heavy'], ['p']]);
    sends.forEach((s) => s.release());
    await turn();
    await turn();
    expect(sends.map((s) => s.keys).at(-1)).toEqual(['q']);
  });

  it("settles each request with its own outcome: one entry's failure is not its neighbours'", async () => {
    const { group, sends } = harness();
    void group.submit({ key: 'lead' });
    const ok = group.submit({ key: 'ok' });
    const failed = group.submit({ key: 'bad', fail: true });
    await turn();
    sends.forEach((s) => s.release());
    await expect(ok).resolves.toBe('batch:ok');
    await expect(failed).rejects.toThrow('no bad');
  });

  it('rejects every request of a batch whose send failed as a whole', async () => {
    const boom = new Error('connection lost');
    const group = createGroupCommit<Req, string>({
      key: (r) => r.key,
      weight: () => 1,
      single: () => new Promise<string>(() => undefined),
      batch: () => Promise.reject(boom),
      maxBatch: 8,
      maxWeight: 100,
      maxInFlight: 2,
    });
    void group.submit({ key: 'lead' });
    const results = await Promise.allSettled([group.submit({ key: 'a' }), group.submit({ key: 'b' })]);
    expect(results).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
    expect(group.counts()).toEqual({ single: 1, batched: 1, batchedRequests: 2 });
  });
});
