/**
 * KeyedWriteQueue: per-key serialisation, spacing and coalescing, with a manual clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedWriteQueue } from '../../src/storage/submissions/write-queue.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A fake clock whose `wait` advances it, and a store whose `put` completes when released. */
function harness(gapMs = 1_000) {
  let now = 0;
  const waits: number[] = [];
  const queue = new KeyedWriteQueue(
    gapMs,
    async (ms) => {
      waits.push(ms);
      now += ms;
    },
    () => now,
  );
  return { queue, waits, advance: (ms: number) => (now += ms), now: () => now };
}

describe('KeyedWriteQueue', () => {
  it('spaces writes to one key by the gap and runs other keys at once', async () => {
    const { queue, waits } = harness();
    const starts: string[] = [];
    await queue.run('a', async () => void starts.push('a1'));
    await queue.run('a', async () => void starts.push('a2'));
    await queue.run('b', async () => void starts.push('b1'));
    expect(starts).toEqual(['a1', 'a2', 'b1']);
    expect(waits).toEqual([1_000]);
  });

  it('never overlaps writes to one key; callers arriving while one waits share it', async () => {
    const { queue } = harness();
    let state = 0;
    const landed: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const write = () => {
      const snapshot = state; // read synchronously at start, as the store does
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return tick().then(() => {
        inFlight--;
        landed.push(snapshot);
      });
    };
    state++;
    const calls: Promise<void>[] = [queue.run('k', write)];
    await Promise.resolve(); // the first write starts (reads state 1) and is in flight
    await Promise.resolve();
    for (let i = 0; i < 9; i++) {
      state++;
      calls.push(queue.run('k', write));
    }
    await Promise.all(calls);
    expect(maxInFlight).toBe(1);
    // The nine that arrived during the first write shared one follow-up, which read state 10.
    expect(landed).toEqual([1, 10]);
  });

  it('the last write to land always carries the latest state (any interleaving)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ key: fc.constantFrom('x', 'y'), ticks: fc.integer({ min: 0, max: 3 }) }),
          { minLength: 1, maxLength: 30 },
        ),
        async (ops) => {
          const { queue } = harness(10);
          const state = { x: 0, y: 0 };
          const stored = { x: 0, y: 0 };
          const calls: Promise<void>[] = [];
          for (const op of ops) {
            state[op.key]++;
            calls.push(
              queue.run(op.key, () => {
                const value = state[op.key];
                return (async () => {
                  for (let t = 0; t < op.ticks; t++) await tick();
                  stored[op.key] = value;
                })();
              }),
            );
            if (op.ticks % 2) await tick();
          }
          await Promise.all(calls);
          expect(stored).toEqual(state);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a failed write rejects its callers and does not block the next one', async () => {
    const { queue } = harness();
    await expect(queue.run('k', () => Promise.reject(new Error('KV 429')))).rejects.toThrow(
      'KV 429',
    );
    let ran = false;
    await queue.run('k', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('never waits longer than the gap, even when the clock moved back', async () => {
    const { queue, waits, advance } = harness();
    await queue.run('k', async () => undefined);
    advance(-86_400_000);
    await queue.run('k', async () => undefined);
    expect(waits).toEqual([1_000]);
  });
});
