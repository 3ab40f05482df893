/**
 * `npm run bench:local-kv`: keys per second written into the local KV of `wrangler dev`
 * (scripts/lib/local-kv.ts), through Miniflare's binding (the path before: one put at a
 * time inside Miniflare's KV object, 64 in flight) beside the direct bulk writer (the path
 * now). Each run writes `--keys` fresh values into a new directory; values are sized like
 * snapshot values (1-8 KiB, article revisions and feed pages).
 *
 *   node scripts/bench/local-kv.ts [--keys 5000] [--runs 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KvEntry } from '../../src/core/lib/kv-store.ts';
import { openLocalKv } from '../lib/local-kv.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: { keys: { type: 'string', default: '5000' }, runs: { type: 'string', default: '3' } },
});
const keys = Number(values.keys);
const runs = Number(values.runs);

function entries(n: number): KvEntry[] {
  const text = 'Новини дня: the quick brown fox jumps over the lazy dog. ';
  return Array.from({ length: n }, (_, i) => ({
    key: `news:bench:${i}`,
    value: JSON.stringify({ i, body: text.repeat(16 + ((i * 7919) % 128)) }),
  }));
}

async function run(via: 'binding' | 'disk'): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-local-kv-'));
  const kv = await openLocalKv({ persistTo: dir, via });
  try {
    const batch = entries(keys);
    const started = performance.now();
    await kv.store.putMany(batch);
    const rate = keys / ((performance.now() - started) / 1000);
    // The last value reads back through the binding: the writes are really there.
    if ((await kv.store.get(batch.at(-1)!.key)) !== batch.at(-1)!.value)
      throw new Error(`${via}: a written value did not read back`);
    return rate;
  } finally {
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const rates: Record<'binding' | 'disk', number[]> = { binding: [], disk: [] };
for (let r = 0; r < runs; r++) {
  for (const via of ['binding', 'disk'] as const) {
    const rate = await run(via);
    rates[via].push(rate);
    console.error(`  run ${r + 1}/${runs} ${via.padEnd(7)} ${Math.round(rate)} keys/s`);
  }
}
const before = median(rates.binding);
const after = median(rates.disk);
console.log(`local KV writes, ${keys} keys a run, median of ${runs}:`);
console.log(`  through the binding (before)  ${Math.round(before)} keys/s`);
console.log(`  bulk writer (now)             ${Math.round(after)} keys/s`);
console.log(`  ratio                         ${(after / before).toFixed(1)}x`);
