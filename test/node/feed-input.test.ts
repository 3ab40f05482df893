import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../scripts/lib/inputs.ts';
import { RawArticle } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { decodeFeed, guessCyrillic } from '../../src/core/ingest/charset.ts';
import { parseFeedBytes, parseFeedFile } from '../../src/core/ingest/feed.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const sampleFeed = (name: string) => readFileSync(join(ROOT, 'scripts/sample/feeds', name), 'utf8');
const fixturePath = (name: string) => join(ROOT, 'test/fixtures/feeds', name);
const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

function expectRawArticles(records: readonly unknown[]) {
  for (const record of records) {
    const result = v.safeParse(RawArticle, record);
    expect(result.issues?.map((i) => i.message) ?? []).toEqual([]);
  }
}

describe('parseFeedFile: RSS 2.0 (sample feed)', () => {
  const { records } = parseFeedFile(sampleFeed('pc-gamer.rss.xml'), 'pc-gamer.rss.xml');

  it('maps every item to a RawArticle record', () => {
    expect(records).toHaveLength(3);
    expectRawArticles(records);
  });

  it('takes source, language and section from the channel and categories', () => {
    expect(records.map((r) => [r.source, r.lang, r.section])).toEqual([
      ['PC Gamer', 'en', 'games'],
      ['PC Gamer', 'en', 'games'],
      ['PC Gamer', 'en', 'games'],
    ]);
    expect(records[0]?.tags).toEqual(['Games', 'MMO']);
    expect(records[0]?.authors).toEqual(['PC Gamer staff']);
  });

  it('uses content:encoded as body and the description as summary, entities decoded', () => {
    expect(records[0]?.body).toBe(
      "<p>The writer did not expect a favorite cozy MMO to do a crossover with a <em>Finnish children's series</em>.</p>",
    );
    expect(records[0]?.summary).toBe(
      "A cozy MMO & a Finnish children's series: the crossover nobody expected.",
    );
    // No content:encoded: the description is the body, no separate summary.
    expect(records[2]?.summary).toBeNull();
    expect(records[2]?.body).toMatch(/^CD Projekt's Pawel Sasko/);
  });

  it('converts RFC 822 dates with offsets to ISO 8601 UTC', () => {
    expect(records.map((r) => r.published)).toEqual([
      '2024-07-14T15:20:00.000Z',
      '2024-07-15T16:30:00.000Z',
      '2024-07-16T09:45:00.000Z',
    ]);
  });

  it('finds images in media:content and in an image enclosure; keeps guid and link', () => {
    expect(records.map((r) => r.image)).toEqual([
      'https://edge-news.example/images/cozy-mmo.jpg',
      'https://edge-news.example/images/destiny-2-raid.jpg',
      null,
    ]);
    expect(records[1]?.id).toBe('pcgamer-2024-07-15-destiny-2-tornado');
    expect(records[1]?.url).toBe(
      'https://www.pcgamer.example/games/fps/destiny-2-raid-tornado-warnings/',
    );
  });

  it('lets options override section and source', () => {
    const { records: hinted } = parseFeedFile(sampleFeed('pc-gamer.rss.xml'), 'pc-gamer.rss.xml', {
      section: 'tech',
      source: 'PC Gamer UK',
    });
    expect(new Set(hinted.map((r) => `${r.source}/${r.section}`))).toEqual(
      new Set(['PC Gamer UK/tech']),
    );
  });
});

describe('parseFeedFile: Atom 1.0 (sample feed)', () => {
  const { records } = parseFeedFile(sampleFeed('yahoo-news.atom.xml'), 'yahoo-news.atom.xml');

  it('maps entries with xml:lang, category term as section and labels as tags', () => {
    expect(records).toHaveLength(3);
    expectRawArticles(records);
    expect(records.map((r) => [r.source, r.lang, r.section])).toEqual([
      ['Yahoo News', 'en', 'sport'],
      ['Yahoo News', 'en', 'world'],
      ['Yahoo News', 'en', 'sport'],
    ]);
    expect(records[0]?.tags).toEqual(['Sport', 'UFC']);
  });

  it('reads ids, alternate links, enclosure images, authors and offset dates', () => {
    expect(records[0]).toMatchObject({
      id: 'tag:news.yahoo.example,2024-07-14:ufc-denver-alhassan-brundage',
      url: 'https://news.yahoo.example/sports/ufc-denver-alhassan-brundage-no-contest',
      image: 'https://edge-news.example/images/ufc-denver.jpg',
      authors: ['MMA Fighting'],
      published: '2024-07-14T04:10:00.000Z',
    });
    // 20:15 at -04:00 is 00:15 UTC the next day.
    expect(records[2]?.published).toBe('2024-07-16T00:15:00.000Z');
  });

  it('uses content as body and an html summary as summary (HTML left for the normaliser)', () => {
    expect(records[1]?.body).toBe(
      "<p>President Joe Biden's anger is showing as the Democratic Party weighs his political future.</p>",
    );
    expect(records[1]?.summary).toBe(
      'President Biden&#39;s anger is showing as the <em>Democratic Party</em> weighs his future.',
    );
  });
});

describe('parseFeedFile: JSON Feed and RDF', () => {
  it('reads a JSON Feed 1.1 with a regional language tag, tags and authors', () => {
    const { records } = parseFeedFile(
      fixture('ukrainian-business.feed.json'),
      'ukrainian-business.feed.json',
    );
    expectRawArticles(records);
    expect(records[0]).toEqual({
      id: 'epravda-2024-07-16-lviv-meat',
      source: 'Економічна правда',
      section: 'business',
      lang: 'uk',
      published: '2024-07-16T09:35:00.000Z',
      title: 'У Львові зросли ціни на м’ясо на ринках',
      body: '<p>На ринках Львова подорожчало м’ясо, повідомляють продавці.</p>',
      url: 'https://www.epravda.example/news/2024/07/16/lviv-meat-prices/',
      summary: 'У Львові на ринках подорожчало м’ясо.',
      image: 'https://edge-news.example/images/lviv-market.jpg',
      image_credit: null,
      tags: ['business', 'Львів'],
      authors: ['Редакція'],
    });
    expect(records[1]).toMatchObject({
      section: null,
      published: '2024-07-16T09:10:00.000Z',
      body: 'У Києві тримається спекотна погода.',
      summary: null,
      url: null,
      authors: ['Олена Коваль'],
    });
  });

  it('reads an RSS 1.0 (RDF) feed with Dublin Core fields', () => {
    const { records } = parseFeedFile(fixture('rdf.xml'), 'rdf.xml');
    expectRawArticles(records);
    expect(records).toEqual([
      {
        id: 'https://www.culture.example/travel/ardon-gorge/',
        source: 'Культура.РФ',
        section: 'travel',
        lang: 'ru',
        published: '2024-07-14T12:20:00.000Z',
        title: 'Ардонское ущелье',
        body: 'Рассказ об Ардонском ущелье.',
        url: 'https://www.culture.example/travel/ardon-gorge/',
        summary: null,
        image: null,
        image_credit: null,
        tags: ['travel'],
        authors: ['Культура.РФ'],
      },
    ]);
  });
});

describe('parseFeedFile: bad input fails with the file name first', () => {
  it('rejects a truncated feed', () => {
    expect(() => parseFeedFile(fixture('broken.rss.xml'), 'broken.rss.xml')).toThrow(
      /^broken\.rss\.xml: not a readable RSS, Atom, RDF or JSON feed: /,
    );
  });

  it('rejects an HTML page, an empty file and arbitrary JSON', () => {
    for (const [name, text] of [
      ['not-a-feed.html', fixture('not-a-feed.html')],
      ['empty.xml', ''],
      ['data.json', '{"items": 3}'],
    ] as const) {
      expect(() => parseFeedFile(text, name)).toThrow(
        `${name}: not a readable RSS, Atom, RDF or JSON feed: `,
      );
    }
  });

  it('needs a language from the feed or the options', () => {
    expect(() => parseFeedFile(fixture('no-language.rss.xml'), 'no-language.rss.xml')).toThrow(
      'no-language.rss.xml: item 1 has no language: the feed declares none; pass options.lang',
    );
    const { records } = parseFeedFile(fixture('no-language.rss.xml'), 'no-language.rss.xml', {
      lang: 'ru',
    });
    expect(records[0]).toMatchObject({
      lang: 'ru',
      source: 'Москва 24',
      published: '2024-07-14T13:30:00.000Z',
    });
  });

  it('names the item with an unreadable date', () => {
    expect(() => parseFeedFile(fixture('bad-date.rss.xml'), 'bad-date.rss.xml')).toThrow(
      'bad-date.rss.xml: item 1 (se-1) has an unreadable date "вчера вечером"',
    );
  });
});

const CYRILLIC_TITLES = [
  'Курс рубля укрепился к вечеру пятницы',
  'В Москве открыли новую станцию метро',
  'Синоптики обещают жару до конца недели',
  'Сборная России вышла в финал турнира',
  'Учёные нашли древнее поселение на Урале',
];

describe('feed files in single-byte Cyrillic charsets', () => {
  it('reads a feed declared windows-1251 in its XML declaration as five articles', async () => {
    const file = fixturePath('windows-1251.rss.xml');
    const records = await readRecords([file]);
    const { articles, stats } = runPipeline(records);
    // Read as UTF-8 every letter is U+FFFD, and the five titles fold to one dedup key.
    expect(stats.merged).toBe(0);
    expect(articles.map((a) => a.title).sort()).toEqual([...CYRILLIC_TITLES].sort());
    expect(articles.find((a) => a.title === CYRILLIC_TITLES[1])).toMatchObject({
      source: 'Лента (windows-1251)',
      section: 'moskva',
      authors: ['Иван Сидоров'],
      image: 'https://lenta.example/img/2.jpg',
      image_credit: 'Фото: Агентство «Москва»',
    });
  });

  it('detects koi8-r in a feed that declares no charset', () => {
    const bytes = readFileSync(fixturePath('koi8-r.rss.xml'));
    const { records, charset } = parseFeedBytes(bytes, 'koi8-r.rss.xml');
    expect(charset).toBe('koi8-r');
    expect(records.map((r) => r.title)).toEqual(CYRILLIC_TITLES);
    expect(records.map((r) => r.image_credit)).toEqual([
      'Фото: ТАСС',
      'Фото: Агентство "Москва"',
      null,
      'Фото: РИА Новости',
      null,
    ]);
    expect(records.map((r) => r.authors)).toEqual([
      ['Мария Петрова'],
      ['Иван Сидоров'],
      ['Ольга Ёлкина'],
      ['Пётр Иванов'],
      [],
    ]);
  });

  it('tells windows-1251 from koi8-r by where the small letters fall', () => {
    const text = 'Съешь же ещё этих мягких французских булок, да выпей чаю';
    for (const charset of ['windows-1251', 'koi8-r'] as const) {
      const bytes = new TextEncoder().encode(text);
      const encoded = encodeSingleByte(text, charset);
      expect(guessCyrillic(encoded), charset).toBe(charset);
      expect(decodeFeed(encoded)).toEqual({ text, charset, from: 'detected' });
      expect(decodeFeed(bytes)).toEqual({ text, charset: 'utf-8', from: 'default' });
    }
  });
});

describe('decodeFeed: which declaration wins', () => {
  const cp1251 = readFileSync(fixturePath('windows-1251.rss.xml'));

  it('takes the XML declaration when the Content-Type names no charset', () => {
    const decoded = decodeFeed(cp1251, { contentType: 'application/rss+xml' });
    expect([decoded.charset, decoded.from]).toEqual(['windows-1251', 'xml-declaration']);
    expect(decoded.text).toContain('<title>Курс рубля укрепился к вечеру пятницы</title>');
  });

  it('puts the Content-Type charset above the XML declaration (RFC 7303 3.2)', () => {
    const decoded = decodeFeed(cp1251, { contentType: 'text/xml; charset="KOI8-R"' });
    expect([decoded.charset, decoded.from]).toEqual(['koi8-r', 'content-type']);
  });

  it("puts the operator's override above everything, and a BOM above the headers", () => {
    expect(
      decodeFeed(cp1251, { override: 'cp1251', contentType: 'text/xml; charset=utf-8' }),
    ).toMatchObject({ charset: 'windows-1251', from: 'override' });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<rss/>')]);
    expect(decodeFeed(bom, { contentType: 'text/xml; charset=windows-1251' })).toEqual({
      text: '<rss/>',
      charset: 'utf-8',
      from: 'bom',
    });
  });

  it('names an unknown charset and where it came from', () => {
    expect(() => decodeFeed(cp1251, { contentType: 'text/xml; charset=x-klingon' })).toThrow(
      'unknown charset "x-klingon" (from the content type)',
    );
    expect(() =>
      parseFeedBytes(
        new TextEncoder().encode('<?xml version="1.0" encoding="nope"?><rss/>'),
        'f.xml',
      ),
    ).toThrow('f.xml: unknown charset "nope" (from the xml declaration)');
  });
});

/** The byte of each letter in a single-byte charset, found by decoding all 256 bytes once. */
function encodeSingleByte(text: string, charset: string): Uint8Array {
  const table = new TextDecoder(charset).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  return Uint8Array.from([...text], (ch) => {
    const byte = table.indexOf(ch);
    if (byte < 0) throw new Error(`${ch} is not in ${charset}`);
    return byte;
  });
}
