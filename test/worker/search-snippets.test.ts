/**
 * Snippets that show why a result matched: the window is cut from the whole article (one
 * bulk read of the page's article records), not only from the first 240 characters the
 * index stores. test/fixtures/search/long-articles.json: a match report that names the
 * scorer at character 751 of 2,323, a city guide whose planetarium is at character 1,401.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RawArticle } from '../../src/core/content/article.ts';
import { articleV2Key } from '../../src/core/snapshot/keys.ts';
import type { Pointer } from '../../src/core/snapshot/format.ts';
import { SNIPPET_CHARS } from '../../src/core/search/highlight.ts';
import { forgetApprovedNews } from '../../src/storage/submissions.ts';
import long from '../fixtures/search/long-articles.json';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { article, seedSnapshot } from './seed.ts';
import { approve, postNews } from './submissions-helpers.ts';

interface Item {
  id: string;
  title: string;
  snippet: string;
  highlights: { title: [number, number][]; snippet: [number, number][] };
}

async function search(q: string): Promise<{ items: Item[]; timing: string }> {
  const res = await exports.default.fetch(`http://edge.test/v1/search?q=${encodeURIComponent(q)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return {
    items: ((await res.json()) as { items: Item[] }).items,
    timing: res.headers.get('server-timing') ?? '',
  };
}

const marked = (item: Item) => item.highlights.snippet.map(([s, e]) => item.snippet.slice(s, e));
const records = long as RawArticle[];
const flat = (title: RegExp) =>
  records
    .find((r) => title.test(r.title))!
    .body!.replace(/<\/?p>/g, '')
    .replace(/\s+/g, ' ');

const crane = article({
  title: 'Harbour crane returns after repairs',
  body: `${'The quay was busy all week with cargo from the north. '.repeat(8)}The refitted crane lifted its first container on Friday.`,
});

let pointer: Pointer;
beforeAll(async () => {
  ({ pointer } = await seedSnapshot([
    ...records,
    article({
      title: 'Ferry timetable changes for the winter',
      body: 'From Monday the first ferry leaves at seven. https://ferry.example/timetable',
    }),
    crane,
    article({
      title: 'Museum opens its doors late on Thursdays',
      body: `${'The galleries stay open until nine, with guided tours every hour. '.repeat(6)}The new sundial room is on the second floor.`,
    }),
  ]));
});

describe('search snippets from the whole article', () => {
  it('shows the scorer named at character 751 of a match report, highlighted', async () => {
    expect(flat(/^Late deflection/).indexOf('Wieczorek')).toBe(751);
    const [hit] = (await search('Wieczorek')).items;
    expect(hit?.title).toMatch(/^Late deflection/);
    expect(marked(hit!)).toEqual(['Wieczorek']);
    // The window starts 40 characters before him at a word boundary, after the ellipsis of a cut
    // (his sentence starts further back than 80).
    expect(hit!.snippet).toMatch(/^…dropped kindly at the far post, and Tomasz Wieczorek, signed /);
    expect(hit!.snippet.length).toBeLessThanOrEqual(SNIPPET_CHARS + 2);
    expect(hit!.snippet.endsWith('…')).toBe(true);
  });

  it('shows an inflected match at character 1,401 of a city guide', async () => {
    expect(flat(/^Один день/).indexOf('планетарий')).toBe(1401);
    // Looked up in the plural: the stem matches the singular in the text.
    const [hit] = (await search('планетарии')).items;
    expect(hit?.title).toMatch(/^Один день/);
    expect(marked(hit!)).toEqual(['планетарий']);
    expect(hit!.snippet).toMatch(/^…В его глубине прячется планетарий, построенный/);
  });

  it('prefers the window that holds more of the query words', async () => {
    // "left" alone first appears earlier ("With twenty minutes left"); "Wieczorek ... left
    // foot" is the window with both words.
    const [hit] = (await search('Wieczorek left')).items;
    expect(marked(hit!)).toEqual(['Wieczorek', 'left']);
    expect(hit!.snippet).toContain('Tomasz Wieczorek');
  });

  it('keeps the lead when only the title matched, and skips a bare link', async () => {
    const [hit] = (await search('timetable')).items;
    expect(hit?.title).toMatch(/^Ferry timetable/);
    // The body's link holds "timetable" inside a URL: the tokenizer sees it as a word.
    expect(hit!.highlights.title).toEqual([[6, 15]]);
    const [lead] = (await search('leaders')).items;
    expect(lead?.title).toMatch(/^Late deflection/);
    expect(lead!.snippet).toMatch(/^The home side needed a point/);
    expect(lead!.highlights.snippet).toEqual([]);
  });

  it('says in Server-Timing what the article read cost, and reads nothing once parsed', async () => {
    const cold = await search('sundial');
    const [, reads, bytes] = /snippets;dur=[\d.]+;desc="(\d+) reads, (\d+) bytes"/.exec(
      cold.timing,
    )!;
    expect(Number(reads)).toBe(1);
    expect(Number(bytes)).toBeGreaterThan(400);
    expect(marked(cold.items[0]!)).toEqual(['sundial']);
    // Same article, another query (the edge cache keys by query): the parsed article is kept.
    const warm = await search('sundial room');
    expect(warm.timing).toMatch(/snippets;dur=[\d.]+;desc="0 reads, 0 bytes"/);
  });

  it('keeps the stored snippet of an article whose record cannot be read, and logs it', async () => {
    if (pointer.format !== 2) throw new Error('the test seeds a format-2 snapshot');
    // Its id as the pipeline gives it (reading it through search would cache the article).
    const id = runPipeline([{ value: crane, origin: { file: 'test', line: 1 } }]).articles[0]!.id;
    await env.NEWS.put(articleV2Key(pointer.manifest.epoch, id), '{"r":[[1,');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [hit] = (await search('refitted crane')).items;
    expect(hit?.id).toBe(id);
    // The stored text is the first 240 characters: the match past them is not in it.
    expect(hit!.snippet).toMatch(/^The quay was busy/);
    expect(hit!.highlights.snippet).toEqual([]);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(new RegExp(`^search: stored snippet kept for ${id}: `)),
    ]);
    warn.mockRestore();
  });

  it('cuts the snippet of approved reader news from its body in memory', async () => {
    const body = `${'Volunteers met at the library on Saturday morning to sort donated books. '.repeat(5)}By noon the lighthouse keeper had brought three boxes of sea charts.`;
    const { id } = (
      await postNews({ title: 'Book sorting day at the library', text: body, lang: 'en' })
    ).body;
    expect((await approve(id)).status).toBe(200);
    forgetApprovedNews();
    const { items, timing } = await search('lighthouse keeper');
    expect(items.map((i) => i.id)).toEqual([`n-${id}`]);
    expect(marked(items[0]!)).toEqual(['lighthouse', 'keeper']);
    expect(timing).toMatch(/snippets;dur=[\d.]+;desc="0 reads, 0 bytes"/);
  });
});
