/**
 * What the page sub-apps share: the middleware every page runs (headers, language,
 * layout, caching), scoped to the sub-app's own paths (a sub-app mounted at "/" with
 * `use('*')` would run for every API route too), the HTML error page, and small
 * components used on more than one page.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describeRoute } from '../http/openapi.ts';
import type { AdListItem } from '../core/submissions/schemas.ts';
import type { AppEnv } from '../env.ts';
import { storedValueProblem } from '../http/pointer.ts';
import { ApiError } from '../http/problem.ts';
import { pageHeaders } from './csp.ts';
import { renderer } from './layout.tsx';
import { categoryName } from './messages.ts';
import { page, type Page } from './site.ts';

/**
 * A sub-app for the given page paths, with headers, language detection and the layout on
 * each, then `cache` (edgeCache for snapshot pages, etag() for live ones), and HTML errors.
 */
export function pageApp(paths: readonly string[], cache?: MiddlewareHandler<AppEnv>) {
  const app = new Hono<AppEnv>();
  for (const path of paths) {
    app.use(path, pageHeaders, renderer);
    if (cache) app.use(path, cache);
  }
  app.onError(async function pageError(thrown, c) {
    // A stored value that cannot be read is a 503 with Retry-After, as in the API.
    const error = storedValueProblem(thrown) ?? thrown;
    // Hono's own 4xx (the csrf middleware's 403) keep their status, like the API's onError.
    const status =
      error instanceof ApiError
        ? error.status
        : error instanceof HTTPException && error.status < 500
          ? error.status
          : 500;
    if (status === 500) console.error('page error', c.req.path, error);
    const p = page(c);
    const title = status === 404 ? p.t.notFound : status === 503 ? p.t.unavailable : `${status}`;
    c.status(status as 400);
    if (error instanceof ApiError)
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    c.header('Cache-Control', 'no-store');
    return c.render(
      <>
        <h1>{title}</h1>
        <p>
          {status === 404
            ? p.t.notFoundText
            : error instanceof ApiError
              ? error.message
              : status < 500
                ? 'The request was refused.'
                : 'Something went wrong on our side.'}
        </p>
        <p>
          <a href={p.href('/')}>{p.t.home}</a>
        </p>
      </>,
      { title, noindex: true },
    );
  });
  return app;
}

/** Pages are for people, not part of the API contract: kept out of /openapi.json. */
export const notInApi = describeRoute({ hide: true });

/** A date and time for people, in the UI language, with the machine-readable value. */
export function Time({ iso, p }: { iso: string; p: Page }) {
  const text = new Intl.DateTimeFormat(p.ui, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(iso));
  return <time datetime={iso}>{text} UTC</time>;
}

export function formatPrice(price: AdListItem['price'], ui: string): string | null {
  if (price === null) return null;
  return new Intl.NumberFormat(ui, { style: 'currency', currency: price.currency }).format(
    price.amount,
  );
}

/** One ad in a list (front page and /ads): never the contact details. */
export function AdItem({ ad, p }: { ad: AdListItem; p: Page }) {
  const price = formatPrice(ad.price, p.ui);
  return (
    <li lang={ad.lang}>
      <a href={p.href(`/ads/${ad.id}`)}>{ad.title}</a>
      {price ? <strong> {price}</strong> : null}
      <br />
      <small>
        <span lang={p.ui}>{categoryName(p.t, ad.category)}</span> · {ad.location}
      </small>
    </li>
  );
}

/** "also reported by N sources", when the story has copies elsewhere. */
export const AlsoReported = ({ n, p }: { n: number; p: Page }) =>
  n > 0 ? (
    <span class="also" lang={p.ui}>
      {' '}
      ({p.t.alsoReported(n)})
    </span>
  ) : null;
