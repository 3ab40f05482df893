/**
 * Serialised, spaced, coalescing writes per key. Workers KV accepts one write per second
 * to the same key (https://developers.cloudflare.com/kv/platform/limits/), and two writes
 * of a rebuilt value racing each other could land in the wrong order.
 *
 * `run(key, write)`: at most one write per key at a time, `gapMs` apart. A caller arriving
 * while a write for the key waits to start shares that write. `write` must read the state
 * it writes synchronously when called (before its first `await`): then the write that
 * starts last carries every change committed before it started, and since writes to a key
 * never overlap, the last one to land holds the latest state.
 */
interface Lane {
  tail: Promise<void>;
  /** The write that has not started yet, if any: later callers join it. */
  next: Promise<void> | null;
  lastStart: number;
}

export class KeyedWriteQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly gapMs: number;
  private readonly wait: (ms: number) => Promise<unknown>;
  private readonly clock: () => number;

  constructor(
    gapMs: number,
    wait: (ms: number) => Promise<unknown>,
    clock: () => number = () => Date.now(),
  ) {
    this.gapMs = gapMs;
    this.wait = wait;
    this.clock = clock;
  }

  run(key: string, write: () => Promise<void>): Promise<void> {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      if (this.lanes.size > 1_000) this.prune();
      lane = { tail: Promise.resolve(), next: null, lastStart: Number.NEGATIVE_INFINITY };
      this.lanes.set(key, lane);
    }
    if (lane.next !== null) return lane.next;
    const l = lane;
    const started = l.tail
      .catch(() => undefined)
      .then(async () => {
        // Clamped: a clock moved back (tests pin it) must not turn into a long sleep.
        const pause = Math.min(this.gapMs, Math.max(0, l.lastStart + this.gapMs - this.clock()));
        if (pause > 0) await this.wait(pause);
        l.next = null;
        l.lastStart = this.clock();
        await write();
      });
    l.next = started;
    l.tail = started;
    return started;
  }

  /** Forgets idle keys (nothing waiting, last write over a gap ago). */
  private prune(): void {
    const idle = this.clock() - this.gapMs;
    for (const [key, lane] of this.lanes)
      if (lane.next === null && lane.lastStart < idle) this.lanes.delete(key);
  }
}
