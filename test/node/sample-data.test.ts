import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { parseFeedFile } from '../../src/core/ingest/feed.ts';
import {
  belarusParagraphs,
  buildNewsPageRecords,
  IN_FEEDS,
  toJsonl,
} from '../../scripts/sample/make-news-page.ts';
import { RawArticle } from '../../src/core/content/article.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// The seed page lives in shared/, beside the checkout (CI lays a copy there too). A clone
// elsewhere still checks the sample itself; CI (CI=1) insists on the seed checks.
const SEED_PATH = join(ROOT, '..', 'shared', 'seed', 'news-page.txt');
const haveSeed = existsSync(SEED_PATH);
if (!haveSeed && process.env.CI)
  throw new Error(`${SEED_PATH} is missing: CI needs ../shared beside the checkout`);
if (!haveSeed) console.warn(`sample-data: seed checks skipped, ${SEED_PATH} is missing`);
const SEED = haveSeed ? readFileSync(SEED_PATH, 'utf8') : '';
const itWithSeed = it.skipIf(!haveSeed);
const JSONL = readFileSync(join(ROOT, 'scripts/sample/news-page.jsonl'), 'utf8');
const FEEDS_DIR = join(ROOT, 'scripts/sample/feeds');

const lines = JSONL.split('\n').filter((line) => line.length > 0);
const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const rows = lines.map((line, i) => {
  const result = v.safeParse(RawArticle, JSON.parse(line));
  if (!result.success)
    throw new Error(
      `news-page.jsonl line ${i + 1}: ${result.issues.map((x) => x.message).join('; ')}`,
    );
  return result.output;
});
const feedRecords = readdirSync(FEEDS_DIR).flatMap(
  (name) => parseFeedFile(readFileSync(join(FEEDS_DIR, name), 'utf8'), name).records,
);

/** Lines of the seed page that are headings or chrome, not headlines. */
const NOT_HEADLINES = new Set([
  'Добавить новость',
  'News in English',
  'Featured image:',
  'Photo Credit: Drop of Light / Shutterstock',
  'Research and analysis for:',
  "Europe's East and Russia",
  'Частные объявления сегодня',
  'Музыкальные новости',
  'Дни рождения',
  'Спорт в России и мире',
  'Новости спорта',
  'Новости тенниса',
]);

/** Every headline line of the seed page (the Belarus article's body excluded). */
function seedHeadlines(): string[] {
  const afterArticle = SEED.slice(SEED.indexOf('Featured image:'));
  const headlines = afterArticle
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !NOT_HEADLINES.has(line));
  return [
    'The United States Should Use Rapprochement with Belarus to Push for Democratic Reforms',
    ...headlines,
  ];
}

const countTitle = (title: string) => rows.filter((r) => r.title === title).length;

describe('scripts/sample/feeds', () => {
  it('are well-formed, namespace-valid XML 1.0 with 3 to 5 items each', () => {
    const names = readdirSync(FEEDS_DIR);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const text = readFileSync(join(FEEDS_DIR, name), 'utf8');
      const errors: string[] = [];
      const parser = new SaxesParser({ xmlns: true });
      parser.on('error', (err) => errors.push(err.message));
      parser.write(text).close();
      expect(errors, name).toEqual([]);
      const count = parseFeedFile(text, name).records.length;
      expect(count, name).toBeGreaterThanOrEqual(3);
      expect(count, name).toBeLessThanOrEqual(5);
    }
  });
});

describe('scripts/sample/news-page.jsonl', () => {
  itWithSeed('is exactly what make-news-page.ts builds from the seed page', () => {
    expect(JSONL).toBe(toJsonl(buildNewsPageRecords(SEED)));
  });

  it('has one valid RawArticle per line', () => {
    expect(rows.length).toBe(lines.length);
    expect(rows.length).toBeGreaterThan(90);
  });

  it('uses slug sections, ru/en/uk, https urls and ISO times with Z within 14-16 July 2024', () => {
    for (const [i, r] of records.entries()) {
      const where = `line ${i + 1}`;
      expect(r.section, where).toMatch(/^[a-z]+$/);
      expect(['ru', 'en', 'uk'], where).toContain(r.lang);
      expect(r.published, where).toMatch(/^2024-07-1[4-6]T\d\d:\d\d:\d\dZ$/);
      expect(new URL(String(r.url)).protocol, where).toBe('https:');
      if (r.image !== undefined) expect(new URL(String(r.image)).protocol, where).toBe('https:');
      expect(String(r.body).length, where).toBeGreaterThan(0);
    }
  });

  itWithSeed(
    'carries every headline of the seed page at least once (jsonl or sample feeds)',
    () => {
      const titles = new Set([...rows.map((r) => r.title), ...feedRecords.map((r) => r.title)]);
      const missing = seedHeadlines().filter((h) => !titles.has(h));
      expect(missing).toEqual([]);
    },
  );

  itWithSeed('carries the Belarus article whole, sub-headings as paragraphs', () => {
    const article = rows.find((r) => r.source === 'Atlantic Council');
    expect(article).toMatchObject({
      section: 'politics',
      lang: 'en',
      image: 'https://edge-news.example/images/belarus-minsk.jpg',
      image_credit: 'Drop of Light / Shutterstock',
      tags: ["Europe's East and Russia"],
    });
    const paragraphs = article?.body?.split('\n\n') ?? [];
    expect(paragraphs).toEqual(belarusParagraphs(SEED));
    expect(paragraphs).toContain('Porridge with Water');
    expect(paragraphs).toContain('A Window of Opportunity');
    expect(paragraphs).toHaveLength(16);
    expect(paragraphs.at(-1)).toMatch(/convincing Lukashenko to reform his regime\.$/);
    expect(article?.summary).toBe(
      'This has been an eventful month for Belarus’s foreign policy. While it clashed with Russia over energy supplies and integration processes, Secretary of State Mike Pompeo became the highest-ranking U.S. official since 1994 to visit Minsk, where he met with President Alexander Lukashenko.',
    );
  });

  it('keeps the page repeats as repeated records', () => {
    expect(
      countTitle(
        'Письмо генеральному прокурору и отмена выборов - чем может обернуться избрание нового главы города Сочи?',
      ),
    ).toBe(4);
    expect(countTitle('В Москве прошла акция против открытия филиала Ельцин Центра')).toBe(3);
    expect(countTitle('Электросамокат как угроза комфортной городской среде')).toBe(3);
    // Two exact copies plus one near-duplicate title each.
    expect(countTitle('Выборы мэра Сочи могут отменить из-за нарушений')).toBe(2);
    expect(countTitle('Выборы мэра Сочи могут отменить из-за массовых нарушений')).toBe(1);
    expect(
      rows.filter(
        (r) => r.title.includes('Кирилл Светлаков') && r.title.includes('нагрузку на глаза'),
      ),
    ).toHaveLength(3);
  });

  it('plants tracking-parameter copies of the same url', () => {
    const tracked = rows.filter((r) => r.url?.includes('utm_source='));
    expect(tracked.length).toBeGreaterThanOrEqual(8);
    for (const copy of tracked) {
      const base = copy.url?.split('?')[0];
      const original = rows.find((r) => r.url === base);
      expect(original, copy.url ?? '').toBeDefined();
      expect(original?.title).toBe(copy.title);
      // The re-share is never richer than the original.
      expect(copy.summary ?? null).toBeNull();
    }
  });

  it('has a richer and a poorer record in some duplicate groups', () => {
    const sochi = rows.filter((r) => r.title === 'Выборы мэра Сочи могут отменить из-за нарушений');
    expect(sochi.map((r) => [r.source, r.summary !== undefined, r.image !== undefined])).toEqual([
      ['Блокнот Сочи', false, false],
      ['Кубань 24', true, true],
    ]);
  });

  it('has Ukrainian items with a typographic apostrophe and an ASCII-apostrophe twin', () => {
    const uk = rows.filter((r) => r.lang === 'uk');
    expect(uk.length).toBeGreaterThanOrEqual(4);
    expect(
      uk.some((r) => r.title === 'Фотомагазин PYN: ваш надійний партнер у світлі та фотографії'),
    ).toBe(true);
    expect(uk.map((r) => r.title)).toEqual(
      expect.arrayContaining([
        'У Львові зросли ціни на м’ясо на ринках',
        "У Львові зросли ціни на м'ясо на ринках",
      ]),
    );
    expect(uk.some((r) => /Києв/.test(r.title))).toBe(true);
  });

  it('has every headline make-news-page.ts leaves to the sample feeds in one of them', () => {
    const titles = new Set(feedRecords.map((r) => r.title));
    expect(IN_FEEDS.filter((t) => !titles.has(t))).toEqual([]);
  });

  it('repeats one English headline across inputs (jsonl and the Atom feed)', () => {
    const title = "Biden's anger bleeds through as party weighs his future";
    expect(countTitle(title)).toBe(1);
    expect(feedRecords.filter((r) => r.title === title)).toHaveLength(1);
  });
});
