/**
 * The `Link` header (RFC 8288) beside every `next_cursor`: `rel="next"` names the next
 * page, so a client (or a generic pager, as Feedbin's and GitHub's APIs allow) follows it
 * without building URLs. The link is absolute, on the public origin (./public-url.ts).
 */
import type { Context } from 'hono';
import { absoluteUrl } from './public-url.ts';

/**
 * Sets `Link: <...>; rel="next"` when there is a next page: this request's path with the
 * route's own parameters as given (`params`, the names its schema reads, so an unknown
 * parameter never travels on, and the edge cache that keys by the same names stores a link
 * every request of that key would have got), its `cursor` replaced by the next one.
 */
export function setNextLink(
  c: Pick<Context<{ Bindings: Env }>, 'env' | 'req' | 'header'>,
  cursor: string | null,
  params: readonly string[],
): void {
  if (cursor === null) return;
  const url = new URL(c.req.url);
  const next = new URLSearchParams(
    [...url.searchParams].filter(([name]) => name !== 'cursor' && params.includes(name)),
  );
  next.set('cursor', cursor);
  c.header('Link', `<${absoluteUrl(c, `${url.pathname}?${next}`)}>; rel="next"`);
}

/** The header as the OpenAPI document names it on the 200 of every paged route. */
export const nextLinkDoc = {
  Link: {
    description:
      'The next page, `<url>; rel="next"` (RFC 8288), absolute on the public origin; absent on the last page.',
    schema: { type: 'string' },
  },
};
