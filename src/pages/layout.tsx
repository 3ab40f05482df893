/**
 * The layout every page is rendered into (hono's jsxRenderer): head with canonical URL,
 * social meta and feed autodiscovery, the skip link, the banner with navigation, search
 * box and language switcher, the main landmark and the footer.
 */
import type { Child } from 'hono/jsx';
import { jsxRenderer } from 'hono/jsx-renderer';
import type { AppEnv } from '../env.ts';
import { CLIENT_SCRIPT } from './client.ts';
import { LANGUAGE_NAMES, UI_LANGUAGES } from './messages.ts';
import { page, type Page } from './site.ts';
import { STYLE } from './style.ts';

export interface PageProps {
  title: string;
  description?: string | undefined;
  /** Absolute canonical URL (Page.absolute). */
  canonical?: string | undefined;
  /** OpenGraph (`og:*`, `article:*`) and Twitter card (`twitter:*`) meta. */
  meta?: Record<string, string | null | undefined>;
  /** Feed autodiscovery (RSS, Atom, JSON Feed) for a feed path prefix: "/" or "/sections/x/". */
  feeds?: { prefix: string; title: string } | undefined;
  /** Pages with a secret or a one-time answer (forms, confirmations) are not for robots. */
  noindex?: boolean;
  /** The value already in the search box. */
  query?: string | undefined;
}

declare module 'hono' {
  interface ContextRenderer {
    (content: Child, props: PageProps): Response | Promise<Response>;
  }
}

function Banner({ p, query }: { p: Page; query?: string | undefined }) {
  const { t } = p;
  return (
    <header class="site">
      <div class="bar">
        <a class="brand" href={p.href('/')}>
          Edge News
        </a>
        <nav aria-label={t.nav}>
          <ul>
            <li>
              <a href={p.href('/ads')}>{t.ads}</a>
            </li>
            <li>
              <a href={p.href('/news/new')}>{t.addNews}</a>
            </li>
            <li>
              <a href={p.href('/ads/new')}>{t.addAd}</a>
            </li>
          </ul>
        </nav>
        <nav aria-label={t.interfaceLanguage}>
          <ul class="langs">
            {UI_LANGUAGES.map((lang) => (
              <li>
                <a
                  href={p.switchTo(lang)}
                  lang={lang}
                  hreflang={lang}
                  aria-current={lang === p.ui ? 'true' : undefined}
                >
                  {LANGUAGE_NAMES[lang]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <div class="bar">
        <form class="search" role="search" action="/search" method="get">
          <label for="q" class="hp">
            {t.searchLabel}
          </label>
          <input
            id="q"
            name="q"
            type="search"
            value={query ?? ''}
            placeholder={t.searchPlaceholder}
            autocomplete="off"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded="false"
            aria-controls="q-suggest"
            maxlength={200}
          />
          {p.explicit ? <input type="hidden" name="hl" value={p.ui} /> : null}
          <ul id="q-suggest" class="suggest" role="listbox" aria-label={t.suggestions} hidden />
          <button type="submit">{t.searchButton}</button>
        </form>
      </div>
    </header>
  );
}

export const renderer = jsxRenderer<AppEnv>(({ children, ...props }, c) => {
  const p = page(c);
  const { title, description, canonical, meta = {}, feeds, noindex, query } = props as PageProps;
  return (
    <html lang={p.ui}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === 'Edge News' ? title : `${title} · Edge News`}</title>
        {description ? <meta name="description" content={description} /> : null}
        {noindex ? <meta name="robots" content="noindex" /> : null}
        {canonical ? <link rel="canonical" href={canonical} /> : null}
        {Object.entries(meta).map(([key, value]) =>
          value == null ? null : key.startsWith('twitter:') ? (
            <meta name={key} content={value} />
          ) : (
            <meta property={key} content={value} />
          ),
        )}
        {feeds ? (
          <>
            <link
              rel="alternate"
              type="application/rss+xml"
              title={`${feeds.title} (RSS)`}
              href={`${p.origin}${feeds.prefix}feed.xml`}
            />
            <link
              rel="alternate"
              type="application/atom+xml"
              title={`${feeds.title} (Atom)`}
              href={`${p.origin}${feeds.prefix}feed.atom`}
            />
            <link
              rel="alternate"
              type="application/feed+json"
              title={`${feeds.title} (JSON Feed)`}
              href={`${p.origin}${feeds.prefix}feed.json`}
            />
          </>
        ) : null}
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <a class="skip" href="#main">
          {p.t.skipToContent}
        </a>
        <Banner p={p} query={query} />
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="site">
          <p>
            {p.t.footer} <a href="/docs">{p.t.apiDocs}</a>
          </p>
        </footer>
        <script dangerouslySetInnerHTML={{ __html: CLIENT_SCRIPT }} />
      </body>
    </html>
  );
});
