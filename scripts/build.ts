/**
 * Builds a content snapshot and publishes it.
 *
 *   node scripts/build.ts [inputs...] [--local | --remote | --dry-run] [--incremental]
 *                         [--skip-invalid] [--json] [--persist-to DIR] [--keep N] [--no-lease]
 *
 * Inputs default to the sample in scripts/sample. `--local` (default) writes into the KV
 * that `wrangler dev` reads; `--remote` into the Cloudflare namespace; `--dry-run` only
 * builds and prints the summary. `--incremental` builds the next snapshot from the live one
 * plus the inputs (src/core/snapshot/incremental.ts). `--json` prints the summary as one JSON
 * line on stdout (the readable one goes to stderr). `--keep N` prunes all but the N newest
 * older snapshots. A publish holds the publish lease (scripts/lib/publish-lease.ts): the lease
 * file beside local KV, or with `--remote` the deployed Worker's (EDGE_NEWS_URL, ADMIN_TOKEN);
 * `--no-lease` publishes without it, only where no other publisher can run.
 */
import { parseArgs } from 'node:util';
import type { KvStore } from '../src/core/lib/kv-store.ts';
import { type BuildStats, runPipeline } from '../src/core/content/pipeline.ts';
import { nextBuild, pruneSnapshots, publishSnapshot } from '../src/core/snapshot/publish.ts';
import { RecordError } from '../src/core/content/records.ts';
import type { BuiltSnapshot } from '../src/core/snapshot/build.ts';
import { streamBuild } from './lib/stream-build.ts';
import { buildIncremental, type DeltaSummary } from '../src/core/snapshot/incremental.ts';
import { inputFiles, readRecords, streamRecords } from './lib/inputs.ts';
import { DEFAULT_PERSIST, openLocalKv } from './lib/local-kv.ts';
import { scriptLease, underLease } from './lib/publish-lease.ts';
import { livePointer } from '../src/core/ingest/publish.ts';
import { formatBytes, progress } from './lib/progress.ts';
import { openRemoteKv } from './lib/remote-kv.ts';
import { approvedNewsFromStore } from '../src/storage/submissions.ts';

/** The sample's inputs (scripts/sample/README.md); stories.json beside them is its source. */
export const SAMPLE_INPUTS = ['scripts/sample/news-page.jsonl', 'scripts/sample/feeds'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    local: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    incremental: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    keep: { type: 'string' },
    'no-lease': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const started = performance.now();
  if ([values.local, values.remote, values['dry-run']].filter(Boolean).length > 1)
    throw new Error('choose one of --local, --remote, --dry-run');
  if (values.incremental && values['dry-run'])
    throw new Error('--incremental reads the live snapshot: use it with --local or --remote');
  if (values.incremental && positionals.length === 0)
    throw new Error('--incremental needs the files to add');
  const files = await inputFiles(positionals.length > 0 ? positionals : SAMPLE_INPUTS);
  console.error(`Reading ${files.length} input file(s)`);

  let target: { store: KvStore; close: () => Promise<void> } | null = null;
  if (!values['dry-run']) {
    target = values.remote
      ? await openRemoteKv()
      : await openLocalKv(values['persist-to'] ? { persistTo: values['persist-to'] } : {});
  }
  try {
    const store = target?.store ?? null;
    const lease = store
      ? scriptLease({
          remote: values.remote,
          persist: values['persist-to'] ?? DEFAULT_PERSIST,
          noLease: values['no-lease'],
        })
      : null;
    // From reading the live snapshot to switching the pointer (and pruning), one publisher at
    // a time: the same lease as `npm run ingest` and the Worker's cron (docs/ingest.md).
    const { built, stats, delta, compacted } = await underLease(
      lease,
      `build:snapshot pid ${process.pid}`,
      async (live) => {
        if (store) await livePointer(store, { expectedLive: live });
        const made = await buildAndPublish(store, files);
        return { ...made, snapshot: made.built.id };
      },
    );
    const c = built.counts;
    const written = built.manifest.written;
    const ms = Math.round(performance.now() - started);
    const summary = [
      `snapshot  ${built.id}${target ? ' (live)' : ' (dry run: not published)'}`,
      `read      ${stats.read} records from ${files.length} file(s)`,
      `skipped   ${stats.skipped} invalid`,
      `merged    ${stats.merged} duplicates (same URL or same title)`,
      `grouped   ${stats.grouped} near-duplicates`,
      ...(values.incremental
        ? [
            `added     ${delta.added} new articles, ${delta.merged} joined existing ones`,
            `changed   ${delta.changed} archive articles (${delta.removed} left the lists)`,
          ]
        : []),
      `articles  ${c.articles} in ${c.sections} sections`,
      `pages     ${c.feed_pages} feed pages`,
      `search    ${built.manifest.search.segments.length} segment(s)${compacted}`,
      `keys      ${c.keys} (${written.keys} written, ${written.reused} reused)`,
      `bytes     ${formatBytes(c.bytes)} (${formatBytes(written.bytes)} written)`,
      `time      ${(ms / 1000).toFixed(2)} s`,
    ].join('\n');
    if (values.json) {
      console.error(summary);
      console.log(
        JSON.stringify({
          snapshot: built.id,
          articles: c.articles,
          added: delta.added,
          merged: delta.merged,
          keys_written: written.keys,
          bytes_written: written.bytes,
          keys_reused: written.reused,
          segments: built.manifest.search.segments.length,
          ms,
        }),
      );
    } else console.log(summary);
  } finally {
    await target?.close();
  }
}

/** Builds the next snapshot from the inputs and, with a store, publishes it (and prunes). */
async function buildAndPublish(store: KvStore | null, files: readonly string[]) {
  // Approved reader news joins the snapshot (same ids as the Worker's live merge, so it
  // is never shown twice). A dry run has no KV to read it from.
  const approved = store ? await approvedNewsFromStore(store) : [];
  if (approved.length) console.error(`Folding in ${approved.length} approved reader news item(s)`);
  const base = store ? await nextBuild(store) : { generation: 1, parent: null };
  let built: BuiltSnapshot;
  let compacted = '';
  let stats: BuildStats;
  let delta: DeltaSummary;
  if (values.incremental && store) {
    // An incremental build's inputs are the delta: read whole, then through the pipeline.
    const records = await readRecords(files);
    const pipeline = runPipeline(records, { skipInvalid: values['skip-invalid'], extra: approved });
    listSkipped(pipeline.errors);
    stats = pipeline.stats;
    const next = await buildIncremental(store, base, pipeline, { onProgress: progress });
    delta = next.summary;
    built = next;
    if (next.compaction)
      compacted = ` (merged ${next.compaction.merged.length + 1} into one: ${next.compaction.kind === 'full' ? 'a new base' : 'the deltas'}, ${next.compaction.articles} articles)`;
  } else {
    // A full build streams (scripts/lib/stream-build.ts): it writes its values as it makes
    // them, and holds a compact draft per article, never the articles. A dry run drops them.
    let written = 0;
    // Read lazily: each record is normalised as it comes (scripts/lib/inputs.ts).
    const made = await streamBuild(
      streamRecords(files),
      async (batch) => {
        if (store) await store.putMany(batch);
        written += batch.length;
        progress('write', written, written);
      },
      { skipInvalid: values['skip-invalid'], extra: approved, base, onProgress: progress },
    );
    listSkipped(made.errors);
    built = made.built;
    stats = made.stats;
    delta = {
      added: built.counts.articles,
      merged: stats.merged + stats.grouped,
      changed: 0,
      removed: 0,
    };
  }
  if (store) {
    console.error(`Publishing snapshot ${built.id} (${values.remote ? 'remote' : 'local'} KV)`);
    await publishSnapshot(store, built, { onProgress: progress });
    if (values.keep !== undefined) {
      const pruned = await pruneSnapshots(store, Number(values.keep), progress);
      if (pruned.snapshots.length)
        console.error(
          `Pruned ${pruned.snapshots.length} old snapshot(s): ${pruned.snapshots.join(', ')}`,
        );
    }
  }
  return { built, stats, delta, compacted };
}

/** Every skipped record, named by file, line and field (only with --skip-invalid). */
function listSkipped(errors: readonly RecordError[]): void {
  for (const e of errors) console.error(`  skipped ${e.message}`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof RecordError
      ? `Build failed: ${error.message}\n(use --skip-invalid to skip and count bad records)`
      : `Build failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
});
