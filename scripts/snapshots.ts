/**
 * Snapshot history in KV:
 *
 *   node scripts/snapshots.ts list                 [--local | --remote] [--persist-to DIR]
 *   node scripts/snapshots.ts rollback [ID]        (default: the one before the live one)
 *   node scripts/snapshots.ts delete ID
 *   node scripts/snapshots.ts prune --keep N       (keeps the live one and N others)
 *
 * rollback, delete and prune hold the publish lease (scripts/lib/publish-lease.ts), as builds
 * and the poll do: a sweep during a publish could remove the values it is writing. With
 * `--remote` that is the deployed Worker's lease (EDGE_NEWS_URL, ADMIN_TOKEN); `--no-lease`
 * only where no other publisher can run.
 */
import { parseArgs } from 'node:util';
import {
  activateSnapshot,
  deleteSnapshot,
  listSnapshots,
  previousSnapshot,
  pruneSnapshots,
} from '../src/core/snapshot/publish.ts';
import { DEFAULT_PERSIST, openLocalKv } from './lib/local-kv.ts';
import { scriptLease, underLease } from './lib/publish-lease.ts';
import { formatBytes, progress } from './lib/progress.ts';
import { openRemoteKv } from './lib/remote-kv.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    local: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    keep: { type: 'string' },
    'no-lease': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const [command = 'list', arg] = positionals;
  const kv = values.remote
    ? await openRemoteKv()
    : await openLocalKv(values['persist-to'] ? { persistTo: values['persist-to'] } : {});
  const lease = () =>
    scriptLease({
      remote: values.remote,
      persist: values['persist-to'] ?? DEFAULT_PERSIST,
      noLease: values['no-lease'],
    });
  const holder = `snapshots ${command} pid ${process.pid}`;
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
        // The lease records the rolled-back-to snapshot as the last one made live.
        const pointer = await underLease(lease(), holder, async () => {
          const target = arg ?? (await previousSnapshot(kv.store));
          if (!target) throw new Error('there is no earlier snapshot to roll back to');
          return activateSnapshot(kv.store, target);
        });
        console.log(`Live snapshot is now ${pointer.snapshot} (built ${pointer.built_at}).`);
        break;
      }
      case 'delete': {
        if (!arg) throw new Error('delete needs a snapshot id: see `list`');
        const swept = await underLease(lease(), holder, async () => ({
          ...(await deleteSnapshot(kv.store, arg, progress)),
          snapshot: null,
        }));
        console.log(`Deleted snapshot ${arg} (${swept.keys} keys no kept snapshot names).`);
        break;
      }
      case 'prune': {
        const keep = Number(values.keep ?? '2');
        if (!Number.isInteger(keep) || keep < 0) throw new Error('--keep takes a whole number');
        const { snapshots, keys } = await underLease(lease(), holder, async () => ({
          ...(await pruneSnapshots(kv.store, keep, progress)),
          snapshot: null,
        }));
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
