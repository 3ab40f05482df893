import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../scripts/lib/inputs.ts';
import { RawArticle } from '../../src/core/content/article.ts';
import { runPipeline } from '../../src/core/content/pipeline.ts';
import type { ArticleSummary } from '../../src/core/content/article.ts';
import { escapeXml, renderAtom, renderRss } from '../../src/core/feed/formats.ts';
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

/** An RSS 2.0 document around `items` (raw XML), with the namespaces given. */
const rss = (items: string, ns = '') =>
  `<?xml version="1.0"?><rss version="2.0"${ns}><channel><title>Лента</title>` +
  `<language>ru</language>${items}</channel></rss>`;
const one = (xml: string) => {
  const { records } = parseFeedFile(xml, 'f.xml');
  expect(records).toHaveLength(1);
  return records[0]!;
};

describe('parseFeedFile: what an XML parser has to get right', () => {
  it('resolves namespaces by URI, not by prefix', () => {
    const record = one(
      rss(
        '<item><title>Prefixes</title><c:encoded>&lt;p&gt;Body&lt;/p&gt;</c:encoded>' +
          '<d:creator>Анна</d:creator><m:content url="https://img.example/1.jpg" medium="image">' +
          '<m:credit>Фото: ТАСС</m:credit></m:content>' +
          // Same local names in another namespace are not Media RSS or content:encoded.
          '<x:content url="https://other.example/no.jpg" medium="image"/><x:encoded>no</x:encoded>' +
          '</item>',
        ' xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:d="http://purl.org/dc/elements/1.1/"' +
          ' xmlns:m="http://search.yahoo.com/mrss/" xmlns:x="https://example.org/other"',
      ),
    );
    expect(record).toMatchObject({
      body: '<p>Body</p>',
      authors: ['Анна'],
      image: 'https://img.example/1.jpg',
      image_credit: 'Фото: ТАСС',
    });
  });

  it('knows dc:, content: and media: used without a declaration', () => {
    const record = one(
      rss(
        '<item><title>Undeclared</title><dc:creator>Иван</dc:creator><dc:date>2024-07-14T10:00:00+03:00</dc:date>' +
          '<content:encoded>Full</content:encoded><description>Short</description>' +
          '<media:thumbnail url="https://img.example/t.jpg"/></item>',
      ),
    );
    expect(record).toMatchObject({
      authors: ['Иван'],
      published: '2024-07-14T07:00:00.000Z',
      body: 'Full',
      summary: 'Short',
      image: 'https://img.example/t.jpg',
    });
  });

  it('reads Atom with an atom: prefix as well as in the default namespace, and Atom 0.3', () => {
    const entry =
      '<a:entry><a:id>urn:1</a:id><a:title>Prefixed Atom</a:title><a:updated>2024-07-14T00:00:00Z</a:updated>' +
      '<a:link href="https://n.example/1"/><a:author><a:name>Олена</a:name></a:author></a:entry>';
    for (const uri of ['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#']) {
      const record = one(
        `<a:feed xmlns:a="${uri}" xml:lang="uk"><a:title>Стрічка</a:title>${entry}</a:feed>`,
      );
      expect(record).toMatchObject({
        id: 'urn:1',
        source: 'Стрічка',
        lang: 'uk',
        title: 'Prefixed Atom',
        url: 'https://n.example/1',
        authors: ['Олена'],
      });
    }
  });

  it('keeps CDATA as written and decodes entities once outside it', () => {
    const record = one(
      rss(
        '<item><title>A &amp; B &lt;C&gt; &#8212; &#x416; &quot;q&quot; &apos;s&apos;</title>' +
          '<description><![CDATA[<p>Fish &amp; chips</p>]]> and &lt;b&gt;more&lt;/b&gt;</description>' +
          '<content:encoded><![CDATA[<p>x ]] y</p>]]></content:encoded></item>',
      ),
    );
    expect(record.title).toBe('A & B <C> — Ж "q" \'s\'');
    // The CDATA's &amp; is text as written: the HTML cleaner decodes it later, once.
    expect(record.summary).toBe('<p>Fish &amp; chips</p> and <b>more</b>');
    expect(record.body).toBe('<p>x ]] y</p>');
  });

  it('decodes the HTML entities feeds use in XML (&nbsp;, &mdash;), in text and attributes', () => {
    const record = one(
      rss(
        '<item><title>Курс&nbsp;рубля &mdash; итоги &laquo;дня&raquo;</title>' +
          '<link>https://n.example/a?x=1&amp;y=2</link>' +
          '<enclosure url="https://img.example/a.jpg?w=1&amp;h=2" type="image/jpeg" length="0"/>' +
          '<category>Экономика &amp; финансы</category></item>',
      ),
    );
    expect(record).toMatchObject({
      title: 'Курс\u00a0рубля — итоги «дня»',
      url: 'https://n.example/a?x=1&y=2',
      image: 'https://img.example/a.jpg?w=1&h=2',
      section: 'экономика & финансы',
      tags: ['Экономика & финансы'],
    });
  });

  it('gives HTML written unescaped into a description as markup, for the text cleaner', () => {
    const record = one(
      rss(
        '<item><title>Nested</title><description><p>Hello <b class="x">world</b> &amp; more<br/></p>' +
          '<img src="https://img.example/i.jpg" alt="a &quot;b&quot;"/></description></item>',
      ),
    );
    expect(record.body).toBe(
      '<p>Hello <b class="x">world</b> &amp; more<br></br></p>' +
        '<img src="https://img.example/i.jpg" alt="a &quot;b&quot;"></img>',
    );
  });

  it("takes Atom XHTML content from inside its div, and the html type's markup decoded once", () => {
    const record = one(
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><entry>' +
        '<id>1</id><title type="html">A &amp;amp; B</title><updated>2024-07-14T00:00:00Z</updated>' +
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b> &amp; you</p></div></content>' +
        '<summary type="html">&lt;em&gt;Short&lt;/em&gt;</summary></entry></feed>',
    );
    expect(record).toMatchObject({
      title: 'A &amp; B',
      body: '<p>Hi <b>there</b> &amp; you</p>',
      summary: '<em>Short</em>',
    });
  });

  it('finds an image and its credit inside media:group, and names an RSS author', () => {
    const record = one(
      rss(
        '<item><title>Group</title><author>editor@lenta.example (Мария Петрова)</author>' +
          '<media:group><media:content url="https://img.example/v.mp4" type="video/mp4"/>' +
          '<media:content url="https://img.example/g.jpg" type="image/jpeg"/>' +
          '<media:credit>Фото: РИА Новости</media:credit></media:group>' +
          '<media:credit>Item credit</media:credit></item>',
        ' xmlns:media="http://search.yahoo.com/mrss/"',
      ),
    );
    expect(record).toMatchObject({
      image: 'https://img.example/g.jpg',
      image_credit: 'Фото: РИА Новости',
      authors: ['Мария Петрова'],
    });
  });

  it('does not take a guid that is not a permalink as the url', () => {
    const records = parseFeedFile(
      rss(
        '<item><title>a</title><guid isPermaLink="false">id-1</guid></item>' +
          '<item><title>b</title><guid>https://n.example/b</guid></item>',
      ),
      'f.xml',
    ).records;
    expect(records.map((r) => [r.id, r.url])).toEqual([
      ['id-1', null],
      ['https://n.example/b', 'https://n.example/b'],
    ]);
  });

  it('refuses a document cut short inside its root, and a root that is no feed', () => {
    const cut = rss('<item><title>a</title></item>').replace('</channel></rss>', '</channel>');
    expect(() => parseFeedFile(cut, 'cut.xml')).toThrow(
      'cut.xml: not a readable RSS, Atom, RDF or JSON feed: <rss> is not closed: the document is cut short',
    );
    expect(() => parseFeedFile('<opml version="2.0"><body/></opml>', 'o.xml')).toThrow(
      'o.xml: not a readable RSS, Atom, RDF or JSON feed: the root element is <opml>, not <rss>, <rdf:RDF> or <feed>',
    );
    expect(() => parseFeedFile('<rss version="2.0"></rss>', 'r.xml')).toThrow(
      'r.xml: not a readable RSS, Atom, RDF or JSON feed: <rss> has no <channel>',
    );
  });

  it('reads any text back, written escaped, as CDATA or as character references', () => {
    // XML 1.0 Char without CR (parsers fold CR LF): what a title can hold.
    const xmlText = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''))
      .filter((s) => s.trim() !== '');
    const styles = {
      escaped: (s: string) => escapeXml(s),
      cdata: (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`,
      references: (s: string) => [...s].map((ch) => `&#${ch.codePointAt(0)};`).join(''),
    };
    fc.assert(
      fc.property(xmlText, fc.constantFrom(...Object.values(styles)), (text, write) => {
        const record = one(rss(`<item><title>${write(text)}</title></item>`));
        expect(record.title).toBe(text.trim());
      }),
      { numRuns: 300 },
    );
  });

  it("reads back every field of the Worker's own RSS and Atom (src/core/feed/formats.ts)", () => {
    const word = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 });
    const text = fc
      .array(fc.oneof(word, fc.constantFrom('&', '<b>', ']]>', '"', 'Ёж', 'ї', '&amp;')), {
        minLength: 1,
        maxLength: 6,
      })
      .map((parts) => parts.join(' ').trim())
      .filter((s) => s !== '');
    const summary: fc.Arbitrary<ArticleSummary> = fc.record({
      id: fc.stringMatching(/^[a-z0-9]{6}$/),
      title: text,
      summary: text,
      url: fc.constantFrom('https://n.example/a?x=1&y=2', 'https://n.example/b'),
      source: fc.constantFrom('Лента', 'BBC'),
      section: fc.constantFrom('world', 'sport'),
      tags: fc.uniqueArray(fc.constantFrom('Москва', 'A & B', 'tech'), { maxLength: 2 }),
      lang: fc.constantFrom('ru', 'en', 'uk'),
      published: fc.constantFrom('2024-07-14T05:30:00.000Z', '2026-01-01T00:00:00.000Z'),
      image: fc.constantFrom(null, 'https://img.example/a.jpg?w=1&h=2'),
      image_credit: fc.constantFrom(null, 'Фото: ТАСС <Архив>'),
      authors: fc.uniqueArray(fc.constantFrom('Анна', "O'Brien & Sons"), { maxLength: 2 }),
      duplicate_count: fc.constant(0),
    });
    const meta = {
      title: 'Edge News & «всё»',
      description: 'd',
      home_page_url: 'https://news.example/',
      feed_url: 'https://news.example/feed.xml',
      language: 'ru',
      updated: '2026-01-01T00:00:00Z',
    };
    fc.assert(
      fc.property(fc.array(summary, { minLength: 1, maxLength: 3 }), (items) => {
        for (const render of [renderRss, renderAtom]) {
          const { records } = parseFeedFile(render(meta, items), 'own.xml');
          expect(
            records.map((r) => [r.title, r.body, r.url, r.published, r.authors, r.tags.slice(1)]),
          ).toEqual(
            items.map((a) => [
              a.title,
              a.summary,
              a.url,
              a.published,
              a.authors.length > 0 ? a.authors : [a.source],
              a.tags,
            ]),
          );
          expect(records.map((r) => [r.image, r.image && r.image_credit])).toEqual(
            items.map((a) => [a.image, a.image && a.image_credit]),
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseFeedBytes: charsets through to the XML parser', () => {
  it('reads a UTF-16 feed with a byte order mark', () => {
    const xml = rss('<item><title>Щука &amp; ёрш</title><description>Ї є ґ</description></item>');
    const utf16 = new Uint8Array(2 + xml.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < xml.length; i++) {
      utf16[2 + 2 * i] = xml.charCodeAt(i) & 0xff;
      utf16[3 + 2 * i] = xml.charCodeAt(i) >> 8;
    }
    const { records, charset } = parseFeedBytes(utf16, 'utf16.xml');
    expect(charset).toBe('utf-16le');
    expect(records.map((r) => [r.title, r.body])).toEqual([['Щука & ёрш', 'Ї є ґ']]);
  });

  it('decodes windows-1251 bytes inside CDATA and attributes as well as text', () => {
    const xml =
      '<?xml version="1.0" encoding="windows-1251"?>' +
      rss(
        '<item><title>Погода</title><description><![CDATA[<p>Жара &amp; ливни</p>]]></description>' +
          '<media:content url="https://img.example/ж.jpg" medium="image"><media:credit>Фото: Ёлкин</media:credit></media:content></item>',
      ).replace('<?xml version="1.0"?>', '');
    const { records, charset } = parseFeedBytes(encodeSingleByte(xml, 'windows-1251'), 'w.xml');
    expect(charset).toBe('windows-1251');
    expect(records.map((r) => [r.source, r.body, r.image, r.image_credit])).toEqual([
      ['Лента', '<p>Жара &amp; ливни</p>', 'https://img.example/ж.jpg', 'Фото: Ёлкин'],
    ]);
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
