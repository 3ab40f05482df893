/**
 * The reading pages: the front page shaped like the seed (../shared/seed/news-page.txt),
 * a section with its language filter and the API's cursors, and one article. All from the
 * live snapshot through the same functions as the JSON API (loadFeed, loadArticle), so a
 * page and /v1/feed never disagree; edge-cached per UI language like the API.
 */
import type { Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../env.ts';
import { fnv1a64 } from '../core/content/normalize.ts';
import { listAds } from '../routes/ads.ts';
import type { ArticleSummary } from '../core/content/article.ts';
import type { AdListItem } from '../core/submissions/schemas.ts';
import { edgeCache, setLastModified } from '../http/cache.ts';
import { requirePointer } from '../http/pointer.ts';
import { cursorParam, langParam, sectionSlug } from '../http/schemas.ts';
import { validate } from '../http/validate.ts';
import { ArticleIdParam, loadArticle, loadFeed } from '../routes/feeds.ts';
import { readSections } from '../storage/snapshots.ts';
import { adsChangedAt } from '../storage/submissions.ts';
import { AdItem, AlsoReported, notInApi, pageApp, Time } from './common.tsx';
import { LANGUAGE_NAMES, sectionName } from './messages.ts';
import { page, type Page, uiLang, uiVariant } from './site.ts';

/** Sections on the front page, most recently updated first, and headlines in each. */
const FRONT_SECTIONS = 12;
const FRONT_HEADLINES = 6;
const SECTION_PAGE = 20;
/** "Private ads today": ads approved in the last 24 hours, newest first. */
const ADS_TODAY_MS = 86_400_000;
const ADS_TODAY = 8;

/**
 * The featured article: the seed features its newest English long read, with image, photo
 * credit and topic, under "News in English". The newest English item with an image and a
 * credit; else the newest item with an image in any language.
 */
const isFeatured = (a: ArticleSummary) => a.image !== null && a.image_credit !== null;

function Headline({ item, p }: { item: ArticleSummary; p: Page }) {
  return (
    <li lang={item.lang}>
      <a href={p.href(`/articles/${item.id}`)}>{item.title}</a>
      <AlsoReported n={item.duplicate_count} p={p} />
    </li>
  );
}

function Featured({ item, p }: { item: ArticleSummary; p: Page }) {
  return (
    <section class="featured" aria-labelledby="featured-h">
      <h2 id="featured-h" lang="en">
        {p.t.featured}
      </h2>
      <article lang={item.lang}>
        <h3>
          <a href={p.href(`/articles/${item.id}`)}>{item.title}</a>
        </h3>
        {item.image ? <img src={item.image} alt="" width={960} height={540} /> : null}
        {item.image_credit ? (
          <p class="credit">
            <span lang={p.ui}>{p.t.photoCredit}:</span> {item.image_credit}
          </p>
        ) : null}
        <p>{item.summary}</p>
        {item.tags[0] ? (
          <p class="meta">
            <span lang={p.ui}>{p.t.topic}:</span> {item.tags[0]}
          </p>
        ) : null}
        <p class="meta" lang={p.ui}>
          {item.source} · <Time iso={item.published} p={p} />
        </p>
      </article>
    </section>
  );
}

/**
 * The ads of the last 24 hours, read from the store (the source of truth) at most once per
 * request, and only when the page is rendered.
 */
const adsOfRequest = new WeakMap<Request, Promise<AdListItem[]>>();
function adsToday(c: Context<AppEnv>): Promise<AdListItem[]> {
  const known = adsOfRequest.get(c.req.raw);
  if (known) return known;
  const now = Date.now();
  const ads = listAds(c.env, { since: now - ADS_TODAY_MS, limit: ADS_TODAY }).then((l) => l.items);
  adsOfRequest.set(c.req.raw, ads);
  return ads;
}

/**
 * The front page's edge-cache variant: its language and when any ad last changed (one KV
 * read, `adsChangedAt`), so an approval, an edit or a deletion shows at once while a cache
 * hit or a 304 never reaches the Durable Object. An ad that ages out of the 24 hours
 * without a change leaves within the cache's max-age. When that KV value cannot be read,
 * the variant is made from the ads themselves, as the store lists them.
 */
async function frontVariant(c: Context<AppEnv>): Promise<string> {
  const changed = await adsChangedAt(c.env.NEWS);
  if (changed !== null) return `${uiLang(c)}.${changed}`;
  const ads = await adsToday(c);
  const version = ads.map((a) => `${a.id}:${a.published}:${a.title}`).join('|');
  return `${uiLang(c)}.${version === '' ? '0' : fnv1a64(version).slice(0, 12)}`;
}

/** The front page, shaped like the seed. */
async function frontPage(c: Context<AppEnv>) {
  const p = page(c);
  const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
  const known = pointer;
  const [sections, english, latest, ads] = await Promise.all([
    readSections(c.env.NEWS, pointer),
    loadFeed(c.env, { lang: 'en', limit: 20 }, known),
    loadFeed(c.env, { limit: 50 }, known),
    adsToday(c),
  ]);
  const featured =
    english.result.items.find(isFeatured) ?? latest.result.items.find((a) => a.image !== null);
  // Sections in the order of their newest item: first those of the newest items (approved
  // reader news included, which the snapshot's section list does not know yet), then the
  // rest by the snapshot's latest.
  const bySnapshot = [...(sections?.sections ?? [])].sort((a, b) =>
    a.latest < b.latest ? 1 : a.latest > b.latest ? -1 : 0,
  );
  const order = [
    ...new Set([...latest.result.items.map((a) => a.section), ...bySnapshot.map((s) => s.section)]),
  ];
  const top = order.slice(0, FRONT_SECTIONS).map(
    (section) =>
      bySnapshot.find((s) => s.section === section) ?? {
        section,
        languages: [] as { lang: string }[],
      },
  );
  const lists = await Promise.all(
    top.map(async (s) => ({
      section: s,
      items: (await loadFeed(c.env, { section: s.section, limit: FRONT_HEADLINES }, known)).result
        .items,
    })),
  );
  setLastModified(c, pointer.built_at);
  const { t } = p;
  return c.render(
    <>
      <h1>Edge News: {t.siteTagline}</h1>
      <p>
        <a href={p.href('/news/new')}>{t.addNews}</a>
      </p>
      {featured ? <Featured item={featured} p={p} /> : null}
      <section aria-labelledby="ads-h">
        <h2 id="ads-h">{t.adsToday}</h2>
        {ads.length === 0 ? (
          <p>{t.noAdsToday}</p>
        ) : (
          <ul class="ads" id="ads-today">
            {ads.map((ad) => (
              <AdItem ad={ad} p={p} />
            ))}
          </ul>
        )}
        <p>
          <a href={p.href('/ads')}>{t.allAds}</a> · <a href={p.href('/ads/new')}>{t.addAd}</a>
        </p>
      </section>
      <section aria-labelledby="headlines-h">
        <h2 id="headlines-h">{t.headlines}</h2>
        <div class="grid">
          {lists.map(({ section, items }) => (
            <section aria-labelledby={`s-${section.section}`}>
              <h3 id={`s-${section.section}`}>
                <a href={p.href(`/sections/${section.section}`)}>
                  {sectionName(t, section.section)}
                </a>
              </h3>
              <ul class="headlines">
                {items.map((item) => (
                  <Headline item={item} p={p} />
                ))}
              </ul>
              <LanguageLinks
                p={p}
                section={section.section}
                langs={section.languages.map((l) => l.lang)}
              />
            </section>
          ))}
        </div>
      </section>
    </>,
    {
      title: 'Edge News',
      description: t.siteTagline,
      canonical: p.absolute('/'),
      feeds: { prefix: '/', title: 'Edge News' },
      meta: {
        'og:type': 'website',
        'og:site_name': 'Edge News',
        'og:title': 'Edge News',
        'og:description': t.siteTagline,
        'og:url': p.absolute('/'),
      },
    },
  );
}

const SectionQuery = v.object({ lang: langParam, cursor: cursorParam });

export const readPages = pageApp(
  ['/sections/:section', '/articles/:id'],
  edgeCache({ variant: uiVariant }),
)
  .route('/', pageApp(['/'], edgeCache({ variant: frontVariant })).get('/', notInApi, frontPage))
  .get(
    '/sections/:section',
    notInApi,
    validate('param', v.object({ section: sectionSlug })),
    validate('query', SectionQuery),
    async (c) => {
      const p = page(c);
      const { section } = c.req.valid('param');
      const query = c.req.valid('query');
      const { result, builtAt } = await loadFeed(
        c.env,
        { section, lang: query.lang, limit: SECTION_PAGE, cursor: query.cursor },
        c.get('pointer'),
      );
      const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
      const info = (await readSections(c.env.NEWS, pointer))?.sections.find(
        (s) => s.section === section,
      );
      setLastModified(c, builtAt);
      const name = sectionName(p.t, section);
      const path = `/sections/${section}`;
      return c.render(
        <>
          <h1>{name}</h1>
          <p class="meta">{p.t.articles(result.total)}</p>
          <LanguageLinks
            p={p}
            section={section}
            langs={info?.languages.map((l) => l.lang) ?? []}
            current={query.lang ?? ''}
          />
          {result.items.length === 0 ? (
            <p>{p.t.noResults}</p>
          ) : (
            <ul class="headlines">
              {result.items.map((item) => (
                <li lang={item.lang}>
                  <a href={p.href(`/articles/${item.id}`)}>{item.title}</a>
                  <AlsoReported n={item.duplicate_count} p={p} />
                  <br />
                  <small lang={p.ui}>
                    {item.source} · <Time iso={item.published} p={p} />
                  </small>
                </li>
              ))}
            </ul>
          )}
          <nav class="pager" aria-label={p.t.nextPage}>
            {query.cursor ? <a href={p.href(path, { lang: query.lang })}>{p.t.firstPage}</a> : null}
            {result.next_cursor ? (
              <a rel="next" href={p.href(path, { lang: query.lang, cursor: result.next_cursor })}>
                {p.t.nextPage}
              </a>
            ) : null}
          </nav>
        </>,
        {
          title: name,
          canonical: p.absolute(path, { lang: query.lang, cursor: query.cursor }),
          feeds: { prefix: `${path}/`, title: `Edge News: ${name}` },
          meta: { 'og:type': 'website', 'og:title': name, 'og:url': p.absolute(path) },
        },
      );
    },
  )
  .get('/articles/:id', notInApi, validate('param', ArticleIdParam), async (c) => {
    const p = page(c);
    const { article, builtAt } = await loadArticle(
      c.env,
      c.req.valid('param').id,
      c.get('pointer'),
    );
    setLastModified(c, builtAt);
    const { t } = p;
    const canonical = p.absolute(`/articles/${article.id}`);
    return c.render(
      <article class="article" lang={article.lang}>
        <h1>{article.title}</h1>
        <p class="meta" lang={p.ui}>
          <a href={p.href(`/sections/${article.section}`)}>{sectionName(t, article.section)}</a> ·{' '}
          {article.source} · <Time iso={article.published} p={p} />
          {article.authors.length ? ` · ${article.authors.join(', ')}` : ''}
        </p>
        {article.image ? (
          <figure>
            <img src={article.image} alt="" width={960} height={540} />
            {article.image_credit ? (
              <figcaption class="credit">
                <span lang={p.ui}>{t.photoCredit}:</span> {article.image_credit}
              </figcaption>
            ) : null}
          </figure>
        ) : null}
        {article.body
          .split(/\n{2,}/)
          .filter((para) => para.trim() !== '')
          .map((para) => (
            <p>{para}</p>
          ))}
        {article.tags.length ? (
          <p class="meta">
            <span lang={p.ui}>{t.tags}:</span> {article.tags.join(', ')}
          </p>
        ) : null}
        {article.url ? (
          <p lang={p.ui}>
            <a href={article.url} rel="noopener">
              {t.openSource}: {article.source}
            </a>
          </p>
        ) : null}
        {article.duplicates.length ? (
          <section aria-labelledby="dups-h" lang={p.ui}>
            <h2 id="dups-h">{t.duplicates}</h2>
            <ul>
              {article.duplicates.map((d) => (
                <li>
                  {d.url ? (
                    <a href={d.url} rel="noopener">
                      {d.source}
                    </a>
                  ) : (
                    d.source
                  )}
                  : <span lang={article.lang}>{d.title}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </article>,
      {
        title: article.title,
        description: article.summary,
        canonical,
        meta: {
          'og:type': 'article',
          'og:site_name': 'Edge News',
          'og:title': article.title,
          'og:description': article.summary,
          'og:url': canonical,
          'og:image': article.image,
          'og:locale': article.lang,
          'article:published_time': article.published,
          'article:section': article.section,
          'twitter:card': article.image ? 'summary_large_image' : 'summary',
          'twitter:title': article.title,
          'twitter:description': article.summary,
          'twitter:image': article.image,
        },
      },
    );
  });

/** The content-language filter of a section: all languages, or each one it has. */
function LanguageLinks({
  p,
  section,
  langs,
  current,
}: {
  p: Page;
  section: string;
  langs: string[];
  current?: string;
}) {
  if (langs.length < 2 && current === undefined) return null;
  const path = `/sections/${section}`;
  return (
    <nav aria-label={`${p.t.contentLanguage}: ${sectionName(p.t, section)}`}>
      <ul class="langs">
        <li>
          <a href={p.href(path)} aria-current={current === '' ? 'page' : undefined}>
            {p.t.allLanguages}
          </a>
        </li>
        {langs.map((lang) => (
          <li>
            <a
              href={p.href(path, { lang })}
              lang={lang}
              hreflang={lang}
              aria-current={current === lang ? 'page' : undefined}
            >
              {LANGUAGE_NAMES[lang] ?? lang}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
