/**
 * Moderation: the queue by status and approve/reject, behind `Authorization: Bearer
 * <ADMIN_TOKEN>` compared in constant time (SHA-256 digests, core/submissions/tokens.ts).
 */
import { nextLinkDoc, setNextLink } from '../http/link.ts';
import { queryParams } from '../http/cache.ts';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ExtractSchema } from 'hono/types';
import { etag } from 'hono/etag';
import { describeRoute, resolver } from '../http/openapi.ts';
import type { AppEnv } from '../env.ts';
import { clientNetwork } from '../core/submissions/client.ts';
import { decodeCursor, encodeCursor } from '../core/submissions/cursor.ts';
import { adminItem } from '../core/submissions/records.ts';
import {
  AdminItem,
  AdminList,
  AdminQuery,
  ApiKeyInfo,
  ApiKeyInput,
  ApiKeyIssued,
  ApiKeyList,
  IdParam,
  ModerationAction,
} from '../core/submissions/schemas.ts';
import { hex, hmac, newApiKey, newId, sameSecret, sha256Hex } from '../core/submissions/tokens.ts';
import { ApiError, invalidCursor, problemDoc } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { forgetApprovedNews, submissionsStore } from '../storage/submissions.ts';
import { secretsOf } from '../storage/submissions/secrets.ts';
import type { ApiKeyRow } from '../storage/submissions/store.ts';
import { ADMIN_GUESSES } from '../storage/submissions/limits.ts';
import {
  adminErrors,
  announcePolicy,
  clientIp,
  json,
  jsonBody,
  rateLimitHeaders,
  rateLimited,
} from './submission-guards.ts';

const ADMIN_BEARER = /^Bearer\s+(\S+)\s*$/i;

const requireAdmin: MiddlewareHandler<AppEnv> = async function requireAdmin(c, next) {
  await checkAdmin(c, ADMIN_BEARER.exec(c.req.header('authorization') ?? '')?.[1]);
  await next();
};

/**
 * Throws 401 (or 429 while the client is over its guessing limit) unless `presented` is the
 * admin token: the bearer of the API, or the field of the moderation page's form.
 */
export async function checkAdmin(c: Context<AppEnv>, presented: string | undefined) {
  // Always hash and compare, even without a token, so timing says nothing either way.
  const ok =
    (await sameSecret(presented ?? '', c.env.ADMIN_TOKEN ?? '')) && presented !== undefined;
  const secrets = secretsOf(c.env);
  // Without ADMIN_TOKEN nothing can succeed, so there is nothing to guess or to count.
  if (secrets === null) throw unauthorized({});
  // Clients are told apart by a keyed hash of their network; the address is not stored.
  const client = hex(await hmac((await secrets).reporter, `admin:${clientNetwork(clientIp(c))}`));
  const gate = await submissionsStore(c.env.SUBMISSIONS).adminAttempt(client, ok, Date.now());
  if (gate.result === 'locked') {
    throw rateLimited(
      ADMIN_POLICY,
      'Too many failed admin attempts from this client. Please wait a minute.',
      Math.max(1, Math.ceil(gate.retry_after_ms / 1000)),
    );
  }
  if (gate.result === 'denied') {
    const state = { remaining: gate.remaining, resetSeconds: ADMIN_POLICY.windowSeconds };
    throw unauthorized(rateLimitHeaders(ADMIN_POLICY, state));
  }
}

const unauthorized = (headers: Record<string, string>) =>
  new ApiError(
    'unauthorized',
    'An admin token is required: "Authorization: Bearer <ADMIN_TOKEN>".',
    { headers: { 'WWW-Authenticate': 'Bearer realm="admin"', ...headers } },
  );

/** Failed admin authentications, as the rate-limit headers name them. */
const ADMIN_POLICY = {
  name: ADMIN_GUESSES.name,
  limit: ADMIN_GUESSES.limit,
  windowSeconds: ADMIN_GUESSES.windowMs / 1000,
};

export const adminRoutes = new Hono<AppEnv>();
// Conditional GET for the live listings: an ETag from the body, 304 on If-None-Match.
adminRoutes.use(etag());
adminRoutes.use(
  '/v1/admin/*',
  announcePolicy(() => ADMIN_POLICY),
  requireAdmin,
);

const _getAdminSubmissions = adminRoutes.get(
  '/v1/admin/submissions',
  describeRoute({
    tags: ['admin'],
    summary: 'Submissions by status (default pending), oldest first, contact details included',
    responses: {
      200: {
        description: 'A page of submissions',
        content: { 'application/json': { schema: resolver(AdminList) } },
        headers: nextLinkDoc,
      },
      400: problemDoc('Bad query or cursor'),
      ...adminErrors,
    },
  }),
  validate('query', AdminQuery),
  async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (after === null)
      throw invalidCursor('The cursor is not valid.', 'is not a cursor from this list');
    const page = await submissionsStore(c.env.SUBMISSIONS).adminList({
      status: q.status,
      kind: q.kind,
      after,
      limit: q.limit,
    });
    const last = page.records.at(-1);
    c.header('Cache-Control', 'no-store');
    const next = page.more && last ? encodeCursor([last.created_at, last.id]) : null;
    setNextLink(c, next, queryParams(AdminQuery));
    return c.json({ items: page.records.map(adminItem), next_cursor: next });
  },
);

const _postAdminSubmissionsIdAction = adminRoutes.post(
  '/v1/admin/submissions/:id/:action',
  describeRoute({
    tags: ['admin'],
    summary:
      'Approve or reject a submission (approving a held ad restores it and dismisses its reports)',
    responses: {
      200: {
        description: 'The submission after the change',
        content: { 'application/json': { schema: resolver(AdminItem) } },
      },
      400: problemDoc('Bad id or action'),
      ...adminErrors,
      404: problemDoc('No such submission'),
    },
  }),
  validate('param', ModerationAction),
  async (c) => {
    const { id, action } = c.req.valid('param');
    const record = await submissionsStore(c.env.SUBMISSIONS).moderate(id, action, Date.now());
    if (record === null) throw new ApiError('not_found', 'No such submission.');
    // This isolate shows the change at once; others within the list's cache TTL.
    if (record.kind === 'news') forgetApprovedNews();
    c.header('Cache-Control', 'no-store');
    return c.json(adminItem(record));
  },
);

// ---- API keys of apps ----------------------------------------------------------------

const apiKeyInfo = (k: ApiKeyRow): ApiKeyInfo => ({
  id: k.id,
  name: k.name,
  created_at: new Date(k.created_at).toISOString(),
  revoked_at: k.revoked_at === null ? null : new Date(k.revoked_at).toISOString(),
});

const _postAdminApiKeys = adminRoutes.post(
  '/v1/admin/api-keys',
  describeRoute({
    tags: ['admin'],
    summary: 'Issue an API key for an app (shown once; only its hash is stored)',
    responses: {
      201: { description: 'The key, shown this once', content: json(ApiKeyIssued) },
      400: problemDoc('Missing or bad name'),
      ...adminErrors,
    },
  }),
  jsonBody,
  validate('json', ApiKeyInput),
  async (c) => {
    const { name } = c.req.valid('json');
    const key = newApiKey();
    const row = await submissionsStore(c.env.SUBMISSIONS).issueApiKey(
      newId(),
      name,
      await sha256Hex(key),
      Date.now(),
    );
    c.header('Cache-Control', 'no-store');
    const issued: ApiKeyIssued = { ...apiKeyInfo(row), key };
    return c.json(issued, 201);
  },
);

const _getAdminApiKeys = adminRoutes.get(
  '/v1/admin/api-keys',
  describeRoute({
    tags: ['admin'],
    summary: 'Every API key issued, revoked ones included (never the keys themselves)',
    responses: {
      200: { description: 'The keys', content: json(ApiKeyList) },
      ...adminErrors,
    },
  }),
  async (c) => {
    const keys = await submissionsStore(c.env.SUBMISSIONS).listApiKeys();
    c.header('Cache-Control', 'no-store');
    return c.json({ items: keys.map(apiKeyInfo) });
  },
);

const _deleteAdminApiKeysId = adminRoutes.delete(
  '/v1/admin/api-keys/:id',
  describeRoute({
    tags: ['admin'],
    summary: 'Revoke an API key: its app falls back to the form-token path at once',
    responses: {
      200: { description: 'The key, revoked', content: json(ApiKeyInfo) },
      ...adminErrors,
      404: problemDoc('No such key'),
    },
  }),
  validate('param', IdParam),
  async (c) => {
    const row = await submissionsStore(c.env.SUBMISSIONS).revokeApiKey(
      c.req.valid('param').id,
      Date.now(),
    );
    if (row === null) throw new ApiError('not_found', 'No such API key.');
    c.header('Cache-Control', 'no-store');
    return c.json(apiKeyInfo(row));
  },
);

/**
 * The routes above as one type, for the typed client (src/client.ts): each statement added
 * one route to `adminRoutes` (its value, named `_…`, is kept for its type only), and `.route()`
 * in src/routes/api.ts carries this type as a chain would have.
 */
export type AdminSchema = ExtractSchema<
  | typeof _getAdminSubmissions
  | typeof _postAdminSubmissionsIdAction
  | typeof _postAdminApiKeys
  | typeof _getAdminApiKeys
  | typeof _deleteAdminApiKeysId
>;
