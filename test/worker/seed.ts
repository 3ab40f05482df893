/**
 * Seeds the real local KV of the test isolate through the project's own pipeline:
 * normalise, deduplicate, build (search index included), publish, switch the pointer.
 */
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Article, RawArticle } from '../../src/core/content/article.ts';
import { type InputRecord, runPipeline } from '../../src/core/content/pipeline.ts';
import { nextBuild, publishSnapshot } from '../../src/core/snapshot/publish.ts';
import { buildSnapshot, type BuiltSnapshot } from '../../src/core/snapshot/build.ts';
import { buildIncremental } from '../../src/core/snapshot/incremental.ts';
import type { Pointer } from '../../src/core/snapshot/format.ts';
import { bindingStore } from '../../src/storage/kv-binding.ts';

type Records = readonly (RawArticle | Record<string, unknown>)[] | readonly InputRecord[];

const toInputs = (records: Records): InputRecord[] =>
  records.map((r, i) =>
    typeof r === 'object' && r !== null && 'origin' in r
      ? (r as InputRecord)
      : { value: r, origin: { file: 'test', line: i + 1 } },
  );

export async function seedSnapshot(
  records: Records,
  /** `extra`: approved reader news to fold in, as the build does. */
  options: { builtAt?: Date; extra?: readonly Article[] } = {},
): Promise<{ pointer: Pointer; built: BuiltSnapshot }> {
  const { articles, stats } = runPipeline(
    toInputs(records),
    options.extra ? { extra: options.extra } : {},
  );
  const store = bindingStore(env.NEWS);
  const base = await nextBuild(store);
  const built = buildSnapshot(articles, stats, {
    base,
    ...(options.builtAt ? { builtAt: options.builtAt } : {}),
  });
  const pointer = await publishSnapshot(store, built);
  return { pointer, built };
}

/** The next snapshot from the live one plus `records`, as `build:snapshot --incremental` makes it. */
export async function seedIncremental(records: Records): Promise<{ pointer: Pointer }> {
  const store = bindingStore(env.NEWS);
  const built = await buildIncremental(
    store,
    await nextBuild(store),
    runPipeline(toInputs(records)),
  );
  return { pointer: await publishSnapshot(store, built) };
}

/** A record with everything optional filled in, for tests that only care about a few fields. */
export function article(overrides: Partial<RawArticle> & { title: string }): RawArticle {
  return {
    source: 'Test Wire',
    section: 'world',
    lang: 'en',
    published: '2024-07-15T10:00:00Z',
    body: `${overrides.title}. A paragraph of body text.`,
    url: `https://news.example/${encodeURIComponent(overrides.title.toLowerCase().replace(/\s+/g, '-'))}`,
    ...overrides,
  };
}

/** GET through the Worker, expecting 200, and the JSON body. */
export async function getJson<T = Record<string, unknown>>(path: string): Promise<T> {
  const res = await exports.default.fetch(`http://edge.test${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}
