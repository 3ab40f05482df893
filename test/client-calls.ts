/**
 * One call of every route through the typed client (`edge-news/client`), keyed by
 * "METHOD /path" as the app declares it. `satisfies Record<Route, …>` makes `npm run
 * typecheck` fail when a route has no call here, or a call names a route that is gone.
 * Used by test/node/client-types.test.ts (types, and the requests hc builds) and by
 * test/worker/client.test.ts (the same calls against the real Worker).
 */
import type { ClientResponse } from 'hono/client';
import type { ExtractSchema } from 'hono/types';
import type { AppType, EdgeNewsClient } from 'edge-news/client';

export type Schema = ExtractSchema<AppType>;
/** "GET /v1/feed", "POST /v1/admin/submissions/:id/:action", … for every route of the app. */
export type Route = {
  [
    P in keyof Schema & string
  ]: `${Uppercase<keyof Schema[P] & string extends `$${infer M}` ? M : never>} ${P}`;
}[keyof Schema & string];

/** Ids the calls use: real ones where a test seeded them, anything well-formed elsewhere. */
export interface CallIds {
  article: string;
  section: string;
  ad: string;
  news: string;
  manageToken: string;
  adminToken: string;
  formToken: string;
  apiKey: string;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

export const CALLS = {
  'GET /v1/feed': (api, _ids) => api.v1.feed.$get({ query: { lang: 'en', limit: '5' } }),
  'GET /v1/sections': (api) => api.v1.sections.$get(),
  'GET /v1/articles/:id': (api, ids) =>
    api.v1.articles[':id'].$get({ param: { id: ids.article }, query: {} }),
  'GET /v1/articles': (api, ids) => api.v1.articles.$get({ query: { ids: ids.article } }),
  'GET /v1/health': (api) => api.v1.health.$get(),
  'GET /feed.json': (api) => api['feed.json'].$get({ query: { limit: '2' } }),
  'GET /feed.xml': (api) => api['feed.xml'].$get({ query: {} }),
  'GET /feed.atom': (api) => api['feed.atom'].$get({ query: { lang: 'en' } }),
  'GET /sections/:section/feed.json': (api, ids) =>
    api.sections[':section']['feed.json'].$get({ param: { section: ids.section }, query: {} }),
  'GET /sections/:section/feed.xml': (api, ids) =>
    api.sections[':section']['feed.xml'].$get({ param: { section: ids.section }, query: {} }),
  'GET /sections/:section/feed.atom': (api, ids) =>
    api.sections[':section']['feed.atom'].$get({ param: { section: ids.section }, query: {} }),
  'GET /v1/search': (api) => api.v1.search.$get({ query: { q: 'story', sort: 'newest' } }),
  'GET /v1/suggest': (api) => api.v1.suggest.$get({ query: { q: 'sto' } }),
  'GET /v1/form-token': (api) => api.v1['form-token'].$get(),
  'POST /v1/ads': (api, ids) =>
    api.v1.ads.$post({
      json: {
        title: 'Bicycle for sale',
        text: 'A red bicycle in good condition, barely used.',
        category: 'electronics',
        contact: { name: 'Ann', email: 'ann@example.com' },
        location: 'Kyiv',
        lang: 'en',
        form_token: ids.formToken,
      },
    }),
  'GET /v1/ads': (api) => api.v1.ads.$get({ query: { limit: '5' } }),
  'GET /v1/ads/:id': (api, ids) => api.v1.ads[':id'].$get({ param: { id: ids.ad } }),
  'GET /v1/ads/:id/manage': (api, ids) =>
    api.v1.ads[':id'].manage.$get({ param: { id: ids.ad } }, bearer(ids.manageToken)),
  'PATCH /v1/ads/:id': (api, ids) =>
    api.v1.ads[':id'].$patch(
      { param: { id: ids.ad }, json: { location: 'Lviv' } },
      bearer(ids.manageToken),
    ),
  'DELETE /v1/ads/:id': (api, ids) =>
    api.v1.ads[':id'].$delete({ param: { id: ids.ad } }, bearer(ids.manageToken)),
  'POST /v1/ads/:id/renew': (api, ids) =>
    api.v1.ads[':id'].renew.$post({ param: { id: ids.ad } }, bearer(ids.manageToken)),
  'POST /v1/ads/:id/reports': (api, ids) =>
    api.v1.ads[':id'].reports.$post({ param: { id: ids.ad }, json: { reason: 'spam' } }),
  'POST /v1/news': (api, ids) =>
    api.v1.news.$post({
      json: {
        title: 'Reader report from the river bank',
        text: 'The footbridge over the river was closed this morning after the flood warning.',
        section: 'local',
        lang: 'en',
        form_token: ids.formToken,
      },
    }),
  'GET /v1/news/:id': (api, ids) => api.v1.news[':id'].$get({ param: { id: ids.news } }),
  'GET /v1/admin/submissions': (api, ids) =>
    api.v1.admin.submissions.$get({ query: { status: 'pending' } }, bearer(ids.adminToken)),
  'POST /v1/admin/submissions/:id/:action': (api, ids) =>
    api.v1.admin.submissions[':id'][':action'].$post(
      { param: { id: ids.ad, action: 'approve' } },
      bearer(ids.adminToken),
    ),
  'POST /v1/admin/api-keys': (api, ids) =>
    api.v1.admin['api-keys'].$post({ json: { name: 'Harbour app' } }, bearer(ids.adminToken)),
  'GET /v1/admin/api-keys': (api, ids) => api.v1.admin['api-keys'].$get({}, bearer(ids.adminToken)),
  'DELETE /v1/admin/api-keys/:id': (api, ids) =>
    api.v1.admin['api-keys'][':id'].$delete({ param: { id: ids.apiKey } }, bearer(ids.adminToken)),
  // A lease of the shortest length, so that it never holds up a publish of another test.
  'POST /v1/admin/publish-lease/acquire': (api, ids) =>
    api.v1.admin['publish-lease'].acquire.$post(
      { json: { holder: 'client test', ttl_ms: 1_000 } },
      bearer(ids.adminToken),
    ),
  'POST /v1/admin/publish-lease/renew': (api, ids) =>
    api.v1.admin['publish-lease'].renew.$post(
      { json: { token: 1, ttl_ms: 1_000 } },
      bearer(ids.adminToken),
    ),
  'POST /v1/admin/publish-lease/release': (api, ids) =>
    api.v1.admin['publish-lease'].release.$post(
      { json: { token: 1, published: null } },
      bearer(ids.adminToken),
    ),
  'GET /openapi.json': (api) => api['openapi.json'].$get(),
  'GET /docs': (api) => api.docs.$get(),
} satisfies Record<Route, (api: EdgeNewsClient, ids: CallIds) => Promise<ClientResponse<unknown>>>;
