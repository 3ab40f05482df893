import { parseFeed as parseWithRowanmanning } from '@rowanmanning/feed-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parseAtomFeed, parseRssFeed } from 'feedsmith';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { parseFeedFile } from '../../src/core/ingest/feed.ts';
import { type ArticleSummary, toSummary } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import { feedInputRecords } from '../../scripts/lib/feed-input.ts';
import {
  entryId,
  escapeXml,
  renderAtom,
  renderJsonFeed,
  renderRss,
  stripInvalidXmlChars,
  type FeedMeta,
} from '../../src/core/feed/formats.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const META: FeedMeta = {
  title: 'Edge News — «Спорт» & "всё"',
  description: 'Sport <news> from Edge News',
  home_page_url: 'https://news.example/sections/sport?lang=ru',
  feed_url: 'https://news.example/feeds/sport.rss?lang=ru&limit=2',
  next_url: 'https://news.example/feeds/sport.rss?lang=ru&limit=2&cursor=eyJrIjoxfQ',
  language: 'ru',
  updated: '2024-07-16T10:00:00Z',
};

function article(over: Partial<ArticleSummary> = {}): ArticleSummary {
  return {
    id: 'a1b2c3',
    title: 'Карлос Алькарас за день до финала Уимблдона играл в гольф',
    summary: 'Алькарас сыграл в гольф накануне финала.',
    url: 'https://www.championat.example/tennis/2024/07/14/123456/?utm_source=x&utm_medium=y',
    source: 'Чемпионат',
    section: 'tennis',
    tags: ['Уимблдон', 'теннис'],
    lang: 'ru',
    published: '2024-07-14T05:30:00Z',
    image: 'https://edge-news.example/images/alcaraz.png',
    image_credit: 'Чемпионат',
    authors: [],
    duplicate_count: 0,
    ...over,
  };
}

const ITEMS: ArticleSummary[] = [
  article({ authors: ['Анна Смирнова', "O'Brien & Sons"], image_credit: 'Фото: ТАСС <Архив>' }),
  article({
    id: 'tricky/1',
    title: 'Tom & Jerry <script>alert("x")</script> \'quoted\' ]]> Москва',
    summary: 'A & B < C > D "E" \'F\'',
    url: null,
    source: 'Sport & Co <Ltd>',
    section: 'sport',
    tags: [],
    lang: 'en',
    published: '2024-07-15T20:15:00-04:00',
    image: null,
    image_credit: null,
    duplicate_count: 3,
  }),
];

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** Strict XML 1.0 + namespaces parse with saxes; every element with its exact text. */
function strictXml(xml: string): { errors: string[]; elements: XmlElement[] } {
  const parser = new SaxesParser({ xmlns: true });
  const errors: string[] = [];
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  parser.on('error', (err) => errors.push(err.message));
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [key, attr] of Object.entries(tag.attributes))
      attributes[key] = typeof attr === 'string' ? attr : attr.value;
    const element = { name: tag.name, attributes, text: '' };
    open.push(element);
    elements.push(element);
  });
  parser.on('text', (text) => {
    const top = open.at(-1);
    if (top) top.text += text;
  });
  parser.on('closetag', () => open.pop());
  parser.write(xml).close();
  return { errors, elements };
}

const texts = (xml: string, name: string) =>
  strictXml(xml)
    .elements.filter((e) => e.name === name)
    .map((e) => e.text);

describe('renderRss', () => {
  const xml = renderRss(META, ITEMS);

  it('is well-formed, namespace-valid XML 1.0', () => {
    expect(strictXml(xml).errors).toEqual([]);
  });

  it('reads back through @rowanmanning/feed-parser: channel, titles, links, dates, ids', () => {
    const feed = parseWithRowanmanning(xml);
    expect(feed.meta).toEqual({ type: 'rss', version: '2.0' });
    expect(feed.title).toBe('Edge News — «Спорт» & "всё"');
    expect(feed.description).toBe('Sport <news> from Edge News');
    expect(feed.url).toBe('https://news.example/sections/sport?lang=ru');
    expect(feed.self).toBe('https://news.example/feeds/sport.rss?lang=ru&limit=2');
    expect(feed.language).toBe('ru');
    expect(feed.updated?.toISOString()).toBe('2024-07-16T10:00:00.000Z');
    expect(feed.items.map((i) => i.title)).toEqual([
      'Карлос Алькарас за день до финала Уимблдона играл в гольф',
      'Tom & Jerry <script>alert("x")</script> \'quoted\' ]]> Москва',
    ]);
    expect(feed.items.map((i) => i.id)).toEqual([
      'tag:news.example,2026:article:a1b2c3',
      'tag:news.example,2026:article:tricky%2F1',
    ]);
    expect(feed.items[0]?.url).toBe(
      'https://www.championat.example/tennis/2024/07/14/123456/?utm_source=x&utm_medium=y',
    );
    expect(feed.items.map((i) => i.published?.toISOString())).toEqual([
      '2024-07-14T05:30:00.000Z',
      '2024-07-16T00:15:00.000Z',
    ]);
    expect(feed.items[1]?.description).toBe('A & B < C > D "E" \'F\'');
    expect(feed.items[0]?.categories.map((c) => c.term)).toEqual(['tennis', 'Уимблдон', 'теннис']);
    expect(feed.items[0]?.media.map((m) => [m.url, m.mimeType])).toEqual([
      ['https://edge-news.example/images/alcaraz.png', 'image/png'],
    ]);
  });

  it('carries authors as dc:creator and the image credit as media:credit', () => {
    const rowan = parseWithRowanmanning(xml);
    expect(rowan.items.map((i) => i.authors.map((a) => a.name))).toEqual([
      ['Анна Смирнова', "O'Brien & Sons"],
      ['Sport & Co <Ltd>'],
    ]);
    const items = parseRssFeed(xml).items ?? [];
    expect(items.map((i) => i.dc?.creators)).toEqual([
      ['Анна Смирнова', "O'Brien & Sons"],
      ['Sport & Co <Ltd>'],
    ]);
    expect(items[0]?.media?.contents).toEqual([
      {
        url: 'https://edge-news.example/images/alcaraz.png',
        type: 'image/png',
        medium: 'image',
        credits: [{ value: 'Фото: ТАСС <Архив>' }],
      },
    ]);
    expect(items[1]?.media).toBeUndefined();
    const uncredited = parseRssFeed(renderRss(META, [article({ image_credit: null })]));
    expect(uncredited.items?.[0]?.media?.contents?.[0]).not.toHaveProperty('credits');
  });

  it('links self and next pages with atom:link (read back by feedsmith)', () => {
    const links = parseRssFeed(xml).atom?.links ?? [];
    expect(links.map((l) => [l.rel, l.href])).toEqual([
      ['self', META.feed_url],
      ['next', META.next_url],
    ]);
    expect(renderRss({ ...META, next_url: null }, ITEMS)).not.toContain('rel="next"');
  });

  it('uses RFC 822 dates, non-permalink guids, source and enclosure', () => {
    expect(texts(xml, 'pubDate')).toEqual([
      'Sun, 14 Jul 2024 05:30:00 GMT',
      'Tue, 16 Jul 2024 00:15:00 GMT',
    ]);
    const { elements } = strictXml(xml);
    expect(elements.filter((e) => e.name === 'guid').map((e) => e.attributes.isPermaLink)).toEqual([
      'false',
      'false',
    ]);
    expect(
      elements.filter((e) => e.name === 'source').map((e) => [e.attributes.url, e.text]),
    ).toEqual([['https://www.championat.example/', 'Чемпионат']]);
    expect(elements.find((e) => e.name === 'enclosure')?.attributes).toEqual({
      url: 'https://edge-news.example/images/alcaraz.png',
      length: '0',
      type: 'image/png',
    });
  });

  it('escapes markup, ampersands and quotes instead of passing them through', () => {
    expect(xml).toContain(
      '<title>Tom &amp; Jerry &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &apos;quoted&apos; ]]&gt; Москва</title>',
    );
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('CDATA');
  });
});

describe('renderAtom', () => {
  const xml = renderAtom(META, ITEMS);

  it('is well-formed, namespace-valid XML 1.0', () => {
    expect(strictXml(xml).errors).toEqual([]);
  });

  it('reads back through @rowanmanning/feed-parser: feed, entries, ids, links, dates, authors', () => {
    const feed = parseWithRowanmanning(xml);
    expect(feed.meta).toEqual({ type: 'atom', version: '1.0' });
    expect(feed.title).toBe('Edge News — «Спорт» & "всё"');
    expect(feed.self).toBe(META.feed_url);
    expect(feed.url).toBe(META.home_page_url);
    expect(feed.language).toBe('ru');
    expect(feed.updated?.toISOString()).toBe('2024-07-16T10:00:00.000Z');
    expect(feed.items.map((i) => i.id)).toEqual([
      'tag:news.example,2026:article:a1b2c3',
      'tag:news.example,2026:article:tricky%2F1',
    ]);
    expect(feed.items.map((i) => i.title)).toEqual(ITEMS.map((a) => a.title));
    expect(feed.items.map((i) => i.description)).toEqual(ITEMS.map((a) => a.summary));
    expect(feed.items[0]?.url).toBe(ITEMS[0]?.url);
    expect(feed.items.map((i) => [i.published?.toISOString(), i.updated?.toISOString()])).toEqual([
      ['2024-07-14T05:30:00.000Z', '2024-07-14T05:30:00.000Z'],
      ['2024-07-16T00:15:00.000Z', '2024-07-16T00:15:00.000Z'],
    ]);
    // The article's authors; an article without any is credited to its source.
    expect(feed.items.map((i) => i.authors.map((a) => a.name))).toEqual([
      ['Анна Смирнова', "O'Brien & Sons"],
      ['Sport & Co <Ltd>'],
    ]);
    expect(feed.items[0]?.categories.map((c) => c.term)).toEqual(['tennis', 'Уимблдон', 'теннис']);
  });

  it('has self, alternate and next links and a stable feed id (read back by feedsmith)', () => {
    const feed = parseAtomFeed(xml);
    expect(feed.id).toBe(META.feed_url);
    expect(feed.links?.map((l) => [l.rel, l.href])).toEqual([
      ['self', META.feed_url],
      ['alternate', META.home_page_url],
      ['next', META.next_url],
    ]);
    expect(
      parseAtomFeed(renderAtom({ ...META, id: 'https://news.example/feeds/sport.atom' }, ITEMS)).id,
    ).toBe('https://news.example/feeds/sport.atom');
  });

  it('gives an entry without url text content (RFC 4287 4.1.2) and images as enclosures', () => {
    const entries = parseAtomFeed(xml).entries ?? [];
    expect(entries[0]?.content).toBeUndefined();
    expect(entries[0]?.links?.map((l) => [l.rel, l.type])).toEqual([
      ['alternate', 'text/html'],
      ['enclosure', 'image/png'],
    ]);
    expect(entries[1]?.links).toBeUndefined();
    expect(entries[1]?.content).toEqual({ value: ITEMS[1]?.summary, type: 'text' });
  });

  it('carries the image credit as media:credit and every author (read back by feedsmith)', () => {
    const entries = parseAtomFeed(xml).entries ?? [];
    expect(entries.map((e) => e.authors?.map((a) => a.name))).toEqual([
      ['Анна Смирнова', "O'Brien & Sons"],
      ['Sport & Co <Ltd>'],
    ]);
    expect(entries[0]?.media?.contents?.map((c) => [c.url, c.credits])).toEqual([
      ['https://edge-news.example/images/alcaraz.png', [{ value: 'Фото: ТАСС <Архив>' }]],
    ]);
    expect(entries[1]?.media).toBeUndefined();
  });
});

function jsonFeedValidator(): ValidateFunction {
  // strictRequired off: the schema's "one of content_html/content_text" and "one of
  // name/url/avatar" are anyOf branches of `required` over properties defined beside them.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv);
  return ajv.compile(
    JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/jsonfeed-1.1.schema.json'), 'utf8'),
    ) as object,
  );
}

describe('renderJsonFeed', () => {
  const validate = jsonFeedValidator();
  const errorsOf = (value: unknown) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  it('validates against the JSON Feed 1.1 schema, as sent on the wire', () => {
    expect(errorsOf(wire(renderJsonFeed(META, ITEMS)))).toEqual([]);
    expect(
      errorsOf(wire(renderJsonFeed({ ...META, next_url: null, language: undefined }, []))),
    ).toEqual([]);
  });

  it('maps summaries to items with ids shared with RSS and Atom', () => {
    const feed = renderJsonFeed(META, ITEMS);
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: META.title,
      home_page_url: META.home_page_url,
      feed_url: META.feed_url,
      next_url: META.next_url,
      language: 'ru',
    });
    expect(feed.items[0]).toEqual({
      id: entryId(META, ITEMS[0] as ArticleSummary),
      url: ITEMS[0]?.url,
      title: ITEMS[0]?.title,
      summary: ITEMS[0]?.summary,
      content_text: ITEMS[0]?.summary,
      image: ITEMS[0]?.image,
      date_published: '2024-07-14T05:30:00.000Z',
      tags: ['tennis', 'Уимблдон', 'теннис'],
      authors: [{ name: 'Анна Смирнова' }, { name: "O'Brien & Sons" }],
      language: 'ru',
      _edge_news: {
        article_id: 'a1b2c3',
        section: 'tennis',
        source: 'Чемпионат',
        lang: 'ru',
        image_credit: 'Фото: ТАСС <Архив>',
        duplicate_count: 0,
      },
    });
    // No url, no image: keys left out rather than null; the section is always a tag.
    expect(Object.keys(feed.items[1] ?? {}).sort()).toEqual([
      '_edge_news',
      'authors',
      'content_text',
      'date_published',
      'id',
      'language',
      'summary',
      'tags',
      'title',
    ]);
    expect(feed.items[1]?.tags).toEqual(['sport']);
    expect(feed.items[1]?.authors).toEqual([{ name: 'Sport & Co <Ltd>' }]);
    expect(feed.items[1]?.date_published).toBe('2024-07-16T00:15:00.000Z');
    expect(renderJsonFeed({ ...META, next_url: null }, ITEMS)).not.toHaveProperty('next_url');
  });

  it('falls back to the title for content_text when the summary is empty', () => {
    const [item] = renderJsonFeed(META, [article({ summary: '' })]).items;
    expect(item?.content_text).toBe(ITEMS[0]?.title);
    expect(item).not.toHaveProperty('summary');
  });

  it('has a schema that rejects what the spec forbids', () => {
    const good = wire(renderJsonFeed(META, ITEMS)) as {
      items: Array<Record<string, unknown>>;
    } & Record<string, unknown>;
    const item = good.items[0] ?? {};
    const bad: Array<[string, unknown]> = [
      ['wrong version', { ...good, version: 'https://jsonfeed.org/version/1' }],
      ['no title', { ...good, title: undefined }],
      ['no content', { ...good, items: [{ ...item, content_text: undefined }] }],
      ['relative url', { ...good, items: [{ ...item, url: '/tennis/1' }] }],
      ['date without zone', { ...good, items: [{ ...item, date_published: '2024-07-14 05:30' }] }],
      ['numeric id', { ...good, items: [{ ...item, id: 1 }] }],
      ['unknown key', { ...good, items: [{ ...item, section: 'tennis' }] }],
      ['empty author', { ...good, items: [{ ...item, authors: [{}] }] }],
    ];
    for (const [why, value] of bad) expect(errorsOf(wire(value)), why).not.toEqual([]);
  });
});

describe('frozen output', () => {
  // A page of a section feed as the reader routes build it; exact bytes, so any change to
  // what readers receive shows up in review. Regenerate deliberately if the format changes.
  const meta: FeedMeta = {
    title: 'Edge News: sport (ru)',
    description: 'Latest news in sport in ru from Edge News.',
    home_page_url: 'https://news.example',
    feed_url: 'https://news.example/sections/sport/feed.xml?lang=ru&cursor=p2',
    id: 'https://news.example/sections/sport/feed.xml?lang=ru',
    next_url: 'https://news.example/sections/sport/feed.xml?lang=ru&cursor=p3',
    language: 'ru',
    updated: '2024-07-16T10:00:00Z',
  };
  const items: ArticleSummary[] = [
    article({
      id: 'k7f3a9',
      title: 'Трусова и Игнатов сыграют свадьбу 17 августа',
      summary: 'Фигуристка Александра Трусова и Игнатов сыграют свадьбу 17 августа.',
      url: 'https://www.sovsport.example/sport/2024/07/15/412345/',
      source: 'Советский спорт',
      section: 'sport',
      tags: ['фигурное катание'],
      published: '2024-07-15T06:40:00Z',
      image: 'https://edge-news.example/images/trusova.jpg',
      image_credit: 'Фото: Советский спорт',
      authors: ['Иван Петров'],
      duplicate_count: 1,
    }),
    article({
      id: 'q2',
      title: 'Мужской волейбольный клуб "Держава" оказался в семёрке сильнейших команд России',
      summary: '',
      url: null,
      source: 'Чемпионат',
      section: 'sport',
      tags: [],
      published: '2024-07-15T15:35:00Z',
      image: null,
      image_credit: null,
    }),
  ];
  const golden = (name: string) => readFileSync(join(ROOT, 'test/fixtures/feeds', name), 'utf8');

  it('renders the same bytes as the golden files', () => {
    expect(renderRss(meta, items)).toBe(golden('golden.rss.xml'));
    expect(renderAtom(meta, items)).toBe(golden('golden.atom.xml'));
    expect(JSON.stringify(renderJsonFeed(meta, items), null, 2) + '\n').toBe(
      golden('golden.feed.json'),
    );
  });

  it("reads back through the pipeline's own feed input (src/core/ingest/feed.ts)", () => {
    for (const name of ['golden.rss.xml', 'golden.atom.xml', 'golden.feed.json']) {
      const { records } = parseFeedFile(golden(name), name);
      expect(
        records.map((r) => [r.id, r.title, r.url, r.published, r.lang, r.section]),
        name,
      ).toEqual([
        [
          'tag:news.example,2026:article:k7f3a9',
          items[0]?.title,
          items[0]?.url,
          '2024-07-15T06:40:00.000Z',
          'ru',
          'sport',
        ],
        [
          'tag:news.example,2026:article:q2',
          items[1]?.title,
          null,
          '2024-07-15T15:35:00.000Z',
          'ru',
          'sport',
        ],
      ]);
      expect(records[0]?.image, name).toBe('https://edge-news.example/images/trusova.jpg');
      expect(
        records.map((r) => r.authors),
        name,
      ).toEqual([['Иван Петров'], ['Чемпионат']]);
    }
    // JSON Feed has no image credit; RSS and Atom carry it in media:credit.
    expect(
      ['golden.rss.xml', 'golden.atom.xml'].map(
        (name) => parseFeedFile(golden(name), name).records[0]?.image_credit,
      ),
    ).toEqual(['Фото: Советский спорт', 'Фото: Советский спорт']);
  });
});

describe('from a feed file to the three outputs', () => {
  // The windows-1251 fixture's second item has an author and a media:credit (Media RSS).
  const bytes = readFileSync(join(ROOT, 'test/fixtures/feeds/windows-1251.rss.xml'));
  const { articles } = runPipeline(feedInputRecords(bytes, 'windows-1251.rss.xml'));
  const metro = articles.find((a) => a.title === 'В Москве открыли новую станцию метро');
  const summaries = metro ? [toSummary(metro)] : [];

  it('keeps the authors and the image credit from input through the article', () => {
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      authors: ['Иван Сидоров'],
      image_credit: 'Фото: Агентство «Москва»',
    });
  });

  it('shows them in JSON Feed, RSS and Atom', () => {
    const json = renderJsonFeed(META, summaries).items[0];
    expect([json?.authors, json?._edge_news.image_credit]).toEqual([
      [{ name: 'Иван Сидоров' }],
      'Фото: Агентство «Москва»',
    ]);
    const rss = parseRssFeed(renderRss(META, summaries)).items?.[0];
    const atom = parseAtomFeed(renderAtom(META, summaries)).entries?.[0];
    expect(rss?.dc?.creators).toEqual(['Иван Сидоров']);
    expect(atom?.authors).toEqual([{ name: 'Иван Сидоров' }]);
    for (const media of [rss?.media, atom?.media])
      expect(media?.contents?.[0]?.credits).toEqual([{ value: 'Фото: Агентство «Москва»' }]);
  });
});

describe('XML text handling', () => {
  it('escapes the five XML specials and keeps tab, CR and LF as character references', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>\t\r\n`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;&#9;&#13;&#10;',
    );
  });

  it('drops characters XML 1.0 forbids and nothing else', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0008c\u000bd\u001fe\ufffef\uffffg\ud800h\udc00i')).toBe(
      'abcdefghi',
    );
    const allowed = 'tab\tLF\nCR\r Привет м’ясо \u00a0 \u0085 \ud83d\ude00 \ue000 \ufffd';
    expect(stripInvalidXmlChars(allowed)).toBe(allowed);
  });
});

/** Text with the hard parts over-represented: markup, entities, controls, surrogates. */
const nastyText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '<',
        '>',
        '&',
        '"',
        "'",
        ']]>',
        '<b>',
        '</i>',
        '&amp;',
        '&#39;',
        '<![CDATA[',
        '-->',
        '\u0000',
        '\u0001',
        '\u001b',
        '\t',
        '\r',
        '\n',
        '\r\n',
        '\ud800',
        '\udfff',
        '\ufffe',
        '\uffff',
        ' ',
        '\u00a0',
        'Привет',
        'м’ясо',
        'Києві',
        'ё',
        '😀',
        'x',
      ),
    },
  ),
  maxLength: 40,
});

const summaryWith = (title: string, summary: string, source: string) =>
  article({ title, summary, source: source || 'S', url: null, tags: ['a&b', title] });

describe('property: arbitrary titles and summaries', () => {
  it('RSS and Atom stay strict XML 1.0 and give back exactly the text minus forbidden characters', () => {
    fc.assert(
      fc.property(nastyText, nastyText, nastyText, (title, summary, source) => {
        const items = [summaryWith(title, summary, source)];
        for (const xml of [renderRss(META, items), renderAtom(META, items)]) {
          const { errors, elements } = strictXml(xml);
          expect(errors).toEqual([]);
          const itemTitle = elements.filter((e) => e.name === 'title')[1]?.text;
          expect(itemTitle).toBe(stripInvalidXmlChars(title));
        }
        expect(texts(renderRss(META, items), 'description')[1]).toBe(
          stripInvalidXmlChars(summary || title),
        );
        expect(texts(renderAtom(META, items), 'summary')[0]).toBe(
          stripInvalidXmlChars(summary || title),
        );
        expect(texts(renderAtom(META, items), 'name')[0]).toBe(stripInvalidXmlChars(source || 'S'));
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('@rowanmanning/feed-parser accepts every RSS and Atom feed and reads the same title and summary', () => {
    // That parser decodes HTML entities in text a second time ("&amp;amp;" reads as "&"),
    // so text that already looks like an entity cannot come back unchanged through it;
    // the strict parser above covers those.
    // It also trims the raw text before resolving references: literal spaces at the edges
    // go, while tab, CR and LF (sent as &#9; &#13; &#10;) stay.
    const entityLike = /&(#|[a-z0-9])/i;
    const trimLiteral = (text: string) =>
      stripInvalidXmlChars(text).replace(/^[^\S\t\n\r]+|[^\S\t\n\r]+$/g, '');
    fc.assert(
      fc.property(nastyText, nastyText, (title, summary) => {
        const expectedTitle = trimLiteral(title);
        const expectedSummary = trimLiteral(summary || title);
        fc.pre(
          !entityLike.test(title) &&
            !entityLike.test(summary) &&
            expectedTitle !== '' &&
            expectedSummary !== '',
        );
        const items = [summaryWith(title, summary, 'S')];
        for (const xml of [renderRss(META, items), renderAtom(META, items)]) {
          const feed = parseWithRowanmanning(xml);
          expect(feed.items).toHaveLength(1);
          expect(feed.items[0]?.title).toBe(expectedTitle);
          expect(feed.items[0]?.description).toBe(expectedSummary);
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('JSON Feed validates and keeps the text as is', () => {
    const validate = jsonFeedValidator();
    fc.assert(
      fc.property(nastyText, nastyText, (title, summary) => {
        const sent = JSON.stringify(renderJsonFeed(META, [summaryWith(title, summary, 'S')]));
        const back = JSON.parse(sent) as { items: Array<{ title: string; content_text: string }> };
        expect(validate(back)).toBe(true);
        expect(back.items[0]?.title).toBe(title);
        expect(back.items[0]?.content_text).toBe(summary || title);
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});
