/**
 * The query examples of README.md and docs/search.md are true on the sample that `npm start`
 * serves (scripts/sample/news-page.jsonl): each runs through the Worker and finds what the
 * text says. A new example is covered the day it is written in one of the forms below.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import readme from '../../README.md?raw';
import docs from '../../docs/search.md?raw';
import sample from '../../scripts/sample/news-page.jsonl?raw';
import { seedSnapshot } from './seed.ts';

interface Body {
  total: number;
  corrections: { from: string; to: string; kind: string }[];
  items: { title: string }[];
}

async function search(q: string): Promise<Body> {
  const res = await exports.default.fetch(`http://edge.test/v1/search?q=${encodeURIComponent(q)}`);
  expect(res.status, q).toBe(200);
  return (await res.json()) as Body;
}

/** `value` holds everything `documented` states; the string "…" stands for any value. */
function holds(value: unknown, documented: unknown): boolean {
  if (documented === '…') return true;
  if (Array.isArray(documented))
    return (
      Array.isArray(value) &&
      value.length >= documented.length &&
      documented.every((d, i) => holds(value[i], d))
    );
  if (documented !== null && typeof documented === 'object')
    return (
      value !== null &&
      typeof value === 'object' &&
      Object.entries(documented).every(([k, d]) => holds((value as Record<string, unknown>)[k], d))
    );
  return value === documented;
}

/** The rows of the table under "### Examples on the sample": query, correction, first title. */
const section = docs.slice(docs.indexOf('### Examples on the sample'));
const table = [
  ...section.slice(0, section.indexOf('\n#', 4)).matchAll(/^\| `([^`]+)` \| (.+?) \| (.+?) \|$/gm),
].map((m) => ({
  q: m[1]!,
  reads: m[2]!,
  first: m[3]!,
}));
/** Every "`latin` → `cyrillic`" of either text: a query and the correction it gets. */
const arrows = [...`${readme}\n${docs}`.matchAll(/`([a-z']+)` → `([а-яёіїєґ' ]+)`/g)].map((m) => ({
  q: m[1]!,
  to: m[2]!,
}));
/** Search URLs with a query in them. */
const urls = [...`${readme}\n${docs}`.matchAll(/\/v1\/search\?q=([^&`\s)]+)/g)].map((m) =>
  decodeURIComponent(m[1]!),
);

beforeAll(async () => {
  await seedSnapshot(
    sample
      .split('\n')
      .filter(Boolean)
      .map((line, i) => ({
        value: JSON.parse(line) as unknown,
        origin: { file: 'news-page.jsonl', line: i + 1 },
      })),
  );
});

describe('the documented search examples, on the sample', () => {
  it('finds the section of examples and the corrections written inline', () => {
    expect(table.length).toBeGreaterThanOrEqual(8);
    expect(arrows.map((a) => a.q)).toEqual(expect.arrayContaining(['vjcrdf', 'lukashenko']));
  });

  it.each(table)('$q: $reads, first "$first"', async ({ q, reads, first }) => {
    const body = await search(q);
    expect(body.items[0]?.title, JSON.stringify(body.items.map((i) => i.title))).toBe(first);
    const corrected = /^`([^`]+)` \((layout|transliteration|typo)\)$/.exec(reads);
    if (reads === '—') expect(body.corrections).toEqual([]);
    else {
      expect(corrected, `"${reads}" is "—" or "\`word\` (kind)"`).not.toBeNull();
      expect(body.corrections).toContainEqual({
        from: expect.any(String),
        to: corrected![1],
        kind: corrected![2],
      });
    }
  });

  it('reads every inline example as it says', async () => {
    for (const { q, to } of arrows)
      expect(
        (await search(q)).corrections.map((c) => c.to),
        q,
      ).toContain(to);
  });

  it('finds something for every search URL the texts give', async () => {
    for (const q of urls) expect((await search(q)).total, q).toBeGreaterThan(0);
  });

  it('answers the JSON example of the API section as shown', async () => {
    const block = /`GET \/v1\/search\?[^`]*`\n\n```json\n([\s\S]+?)\n```/.exec(docs);
    expect(block).not.toBeNull();
    const documented = JSON.parse(block![1]!) as { query: string };
    const res = await exports.default.fetch(
      `http://edge.test/v1/search?q=${encodeURIComponent(documented.query)}`,
    );
    const body: unknown = await res.json();
    expect(holds(body, documented), JSON.stringify(body)).toBe(true);
  });
});
