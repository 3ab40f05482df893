/**
 * Builds scripts/sample/news-page.jsonl from the seed page (../shared/seed/news-page.txt).
 *
 * The headlines are the page's own, typed out in ./stories.json with a section, a language and a
 * plausible outlet; the Belarus article's text is read from the seed itself so the sample
 * carries it verbatim. Everything else (times, outlets, urls, bodies, images) is synthetic:
 * see scripts/sample/README.md. Duplicates are planted on purpose so the pipeline's dedup
 * has work to do; test/node/sample-data.test.ts checks that this script still reproduces
 * the committed file byte for byte.
 *
 *   node_modules/.bin/node scripts/sample/make-news-page.ts [seed] [out]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { fnv1a32 } from '../../src/core/content/normalize.ts';

/** The RawArticle input shape (src/core/content/article.ts), with the keys this sample uses. */
export interface SampleRecord {
  id?: string;
  source: string;
  section: string;
  lang: 'ru' | 'en' | 'uk';
  published: string;
  title: string;
  body: string;
  url?: string;
  summary?: string;
  image?: string;
  image_credit?: string;
  tags?: string[];
  authors?: string[];
}

const IMAGE_BASE = 'https://edge-news.example/images/';

/**
 * Outlet -> host. Hosts are under the reserved `.example` TLD (RFC 2606): they look like
 * the outlet but can never resolve, so nobody mistakes a sample url for a real article.
 */
const HOSTS: Record<string, string> = {
  'Atlantic Council': 'www.atlanticcouncil.example',
  Reuters: 'www.reuters.example',
  'Eurasian International University': 'eiu.example',
  'Москва 24': 'www.m24.example',
  'Вечерняя Москва': 'vm.example',
  'РИА Новости': 'ria.example',
  ТАСС: 'tass.example',
  Интерфакс: 'www.interfax.example',
  Известия: 'iz.example',
  РБК: 'www.rbc.example',
  Коммерсантъ: 'www.kommersant.example',
  'Лента.ру': 'lenta.example',
  'Газета.Ru': 'www.gazeta.example',
  'Российская газета': 'rg.example',
  МК: 'www.mk.example',
  'Блокнот Сочи': 'bloknot-sochi.example',
  'Кубань 24': 'kuban24.example',
  'Спорт-Экспресс': 'www.sport-express.example',
  Чемпионат: 'www.championat.example',
  'Советский спорт': 'www.sovsport.example',
  'Здоровье Mail': 'health.mail.example',
  'Культура.РФ': 'www.culture.example',
  InterMedia: 'www.intermedia.example',
  Игромания: 'www.igromania.example',
  ФедералПресс: 'fedpress.example',
  Regnum: 'regnum.example',
  'Крым 24': 'crimea24.example',
  'Новости Калуги': 'kaluga-news.example',
  ПримаМедиа: 'primamedia.example',
  'Пресс-релизы': 'press-release.example',
  'Українська правда': 'www.pravda-ua.example',
  Укрінформ: 'www.ukrinform.example',
  'ZAXID.NET': 'zaxid.example',
  'Львівський портал': 'portal.lviv.example',
  PYN: 'pyn.example',
};

const TRACKING = {
  telegram: 'utm_source=telegram&utm_medium=social&utm_campaign=news',
  yandex: 'utm_source=yandex.ru&utm_medium=organic&utm_campaign=dzen',
  vk: 'utm_source=vk&utm_medium=social',
  mail: 'utm_source=newsletter&utm_medium=email&utm_campaign=morning',
};

const LANG = v.picklist(['ru', 'en', 'uk']);

/** One more copy of a story, the way aggregation meets it again. */
const Copy = v.strictObject({
  /** Minutes after the first copy. */
  after: v.number(),
  /** Another outlet; absent = the same outlet and url, re-shared with tracking parameters. */
  source: v.optional(v.string()),
  /** Which TRACKING query string is appended to the url. */
  tracking: v.optional(v.picklist(Object.keys(TRACKING) as (keyof typeof TRACKING)[])),
  /** A near-duplicate title (punctuation, quotes, ё, one extra word). */
  title: v.optional(v.string()),
  /** Copies are poorer than the first one unless told otherwise. */
  rich: v.optional(v.boolean()),
  /** Why this copy is in the sample (read by people, not by this script). */
  note: v.optional(v.string()),
});
type Copy = v.InferOutput<typeof Copy>;

const Story = v.strictObject({
  title: v.string(),
  section: v.string(),
  lang: LANG,
  source: v.string(),
  body: v.string(),
  /** "2024-07-15T09:30"; UTC. */
  at: v.string(),
  /** false: the first copy is the poor one and a later copy (rich: true) carries summary and image. */
  rich: v.optional(v.boolean()),
  summary: v.optional(v.string()),
  /** Image file name under IMAGE_BASE. */
  image: v.optional(v.string()),
  credit: v.optional(v.string()),
  tags: v.optional(v.array(v.string())),
  copies: v.optional(v.array(Copy)),
  note: v.optional(v.string()),
});
type Story = v.InferOutput<typeof Story>;

/**
 * The page, top to bottom (stories.json). Headlines are the page's own characters, no-break
 * spaces (U+00A0) included; bodies only restate them.
 */
const STORIES_FILE = join(import.meta.dirname, 'stories.json');
const STORIES = v.parse(v.array(Story), JSON.parse(readFileSync(STORIES_FILE, 'utf8')));

/** English headlines of the page that live in the sample feeds instead (scripts/sample/feeds/). */
export const IN_FEEDS = [
  'UFC Denver video: Abdul Razak Alhassan vs. Cody Brundage ends in no-contest after illegal blows',
  "Biden's anger bleeds through as party weighs his future",
  'Bears Reportedly Played A Big Part In Giants Losing Saquon Barkley',
  "I didn't expect my favorite cozy MMO to do a crossover with a Finnish children's series",
  "Yesterday I ignored 10 tornado warnings to finish a Destiny 2 raid, didn't get the exotic drop, and disappointed my fiancée. Is there some sort of lesson here?",
  "CD Projekt's Pawel Sasko tells the inspiring tale of how an Estonian beet farmer in Australia became a senior quest designer on The Witcher 4",
];

const BELARUS_TITLE =
  'The United States Should Use Rapprochement with Belarus to Push for Democratic Reforms';

/** The English article's paragraphs, verbatim from the seed (sub-headings kept as paragraphs). */
export function belarusParagraphs(seed: string): string[] {
  const start = seed.indexOf(BELARUS_TITLE);
  const end = seed.indexOf('Featured image:');
  if (start < 0 || end < start)
    throw new Error('seed page: the Belarus article is not where expected');
  return seed
    .slice(start + BELARUS_TITLE.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function urlFor(source: string, section: string, at: string, title: string): string {
  const host = HOSTS[source];
  if (!host) throw new Error(`no host for source ${source}`);
  return `https://${host}/${section}/${at.slice(0, 10).replaceAll('-', '/')}/${(fnv1a32(title) % 900000) + 100000}/`;
}

function iso(at: string, plusMinutes = 0): string {
  const t = Date.parse(`${at}:00Z`) + plusMinutes * 60_000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function record(story: Story, copy: Copy | null): SampleRecord {
  const source = copy?.source ?? story.source;
  const title = copy?.title ?? story.title;
  const rich = copy === null ? story.rich !== false : copy.rich === true;
  let url = urlFor(source, story.section, story.at, story.title);
  if (copy?.tracking) url += `?${TRACKING[copy.tracking]}`;
  const rec: SampleRecord = {
    source,
    section: story.section,
    lang: story.lang,
    published: iso(story.at, copy?.after ?? 0),
    title,
    body: story.body,
    url,
  };
  if (rich && story.summary) rec.summary = story.summary;
  if (rich && story.image) {
    rec.image = `${IMAGE_BASE}${story.image}`;
    if (story.credit) rec.image_credit = story.credit;
  }
  if (rich && story.tags) rec.tags = story.tags;
  return rec;
}

export function buildNewsPageRecords(seed: string): SampleRecord[] {
  const paragraphs = belarusParagraphs(seed);
  const belarus: SampleRecord = {
    id: 'atlantic-council-belarus-rapprochement',
    source: 'Atlantic Council',
    section: 'politics',
    lang: 'en',
    published: '2024-07-15T14:00:00Z',
    title: BELARUS_TITLE,
    body: paragraphs.join('\n\n'),
    url: 'https://www.atlanticcouncil.example/blogs/ukrainealert/the-united-states-should-use-rapprochement-with-belarus-to-push-for-democratic-reforms/',
    // Sentence ends are followed by a capital letter, so "U.S. official" is not one.
    summary:
      paragraphs[0]
        ?.split(/(?<=[.!?])\s+(?=\p{Lu})/u)
        .slice(0, 2)
        .join(' ') ?? '',
    image: `${IMAGE_BASE}belarus-minsk.jpg`,
    image_credit: 'Drop of Light / Shutterstock',
    tags: ["Europe's East and Russia"],
  };
  const out: SampleRecord[] = [belarus];
  for (const story of STORIES) {
    out.push(record(story, null));
    for (const copy of story.copies ?? []) out.push(record(story, copy));
  }
  return out;
}

export function toJsonl(records: readonly SampleRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seedPath = process.argv[2] ?? '../shared/seed/news-page.txt';
  const outPath = process.argv[3] ?? 'scripts/sample/news-page.jsonl';
  const records = buildNewsPageRecords(readFileSync(seedPath, 'utf8'));
  writeFileSync(outPath, toJsonl(records));
  console.log(`${outPath}: ${records.length} records`);
}
