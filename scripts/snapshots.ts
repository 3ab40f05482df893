/**
 * Snapshot history in KV:
 *
 *   node scripts/snapshots.ts list                 [--local | --remote] [--persist-to DIR]
 *   node scripts/snapshots.ts rollback [ID]        (default: the one before the live one)
 *   node scripts/snapshots.ts delete ID
 *   node scripts/snapshots.ts prune --keep N       (keeps the live one and N others)
 */
import { parseArgs } from 'node:util';
import {
  activateSnapshot,
  deleteSnapshot,
  listSnapshots,
  previousSnapshot,
  pruneSnapshots,
} from '../src/core/snapshot/publish.ts';
import { openLocalKv } from './lib/local-kv.ts';
import { formatBytes, progress } from './lib/progress.ts';
import { openRemoteKv } from './lib/remote-kv.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    local: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    keep: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const [command = 'list', arg] = positionals;
  const kv = values.remote
    ? await openRemoteKv()
    : await openLocalKv(values['persist-to'] ? { persistTo: values['persist-to'] } : {});
  try {
    switch (command) {
      case 'list': {
        const all = await listSnapshots(kv.store);
        if (all.length === 0) console.log('No snapshots yet: run `npm run build:snapshot`.');
        for (const { manifest: m, live } of all) {
          console.log(
            `${live ? '*' : ' '} ${m.snapshot}  built ${m.built_at}  ${String(m.counts.articles).padStart(7)} articles  ${String(m.counts.keys).padStart(7)} keys  ${formatBytes(m.counts.bytes)}`,
          );
        }
        break;
      }
      case 'rollback': {
        const target = arg ?? (await previousSnapshot(kv.store));
        if (!target) throw new Error('there is no earlier snapshot to roll back to');
        const pointer = await activateSnapshot(kv.store, target);
        console.log(`Live snapshot is now ${pointer.snapshot} (built ${pointer.built_at}).`);
        break;
      }
      case 'delete': {
        if (!arg) throw new Error('delete needs a snapshot id: see `list`');
        const swept = await deleteSnapshot(kv.store, arg, progress);
        console.log(`Deleted snapshot ${arg} (${swept.keys} keys no kept snapshot names).`);
        break;
      }
      case 'prune': {
        const keep = Number(values.keep ?? '2');
        if (!Number.isInteger(keep) || keep < 0) throw new Error('--keep takes a whole number');
        const { snapshots, keys } = await pruneSnapshots(kv.store, keep, progress);
        console.log(
          snapshots.length || keys
            ? `Deleted ${snapshots.length} snapshot(s)${snapshots.length ? `: ${snapshots.join(', ')}` : ''} and ${keys} key(s) no kept snapshot names.`
            : 'Nothing to prune.',
        );
        break;
      }
      default:
        throw new Error(`unknown command "${command}": use list, rollback, delete or prune`);
    }
  } finally {
    await kv.close();
  }
}

main().catch((error: unknown) => {
  console.error(`snapshots: ${(error as Error).message}`);
  process.exitCode = 1;
});
