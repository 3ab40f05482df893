/**
 * Helpers for the submissions tests: requests through the real Worker, and form tokens
 * minted with the app's own function and secret (as GET /v1/form-token would, earlier).
 */
import { env, exports } from 'cloudflare:workers';
import { deriveSecret, issueFormToken } from '../../src/core/submissions/tokens.ts';

// Random per module instance: the rate limiter's counters may be shared by every test file
// running in the same Miniflare, and a counter restarting at 1 in each file would collide.
const [a, b, c] = crypto.getRandomValues(new Uint16Array(3));
let ipCounter = 0;
/**
 * A fresh client per call: an address in its own /48 (reporters are counted per IPv6 /48,
 * rate limits per /64) under the documentation prefix 2001:db8::/32, so neither the rate
 * limiter (5/min per client) nor the report counting sees two calls as one client.
 */
export const freshIp = () =>
  `2001:db8:${(((a ?? 0) + ++ipCounter) & 0xffff).toString(16)}:${b?.toString(16)}::${c?.toString(16)}`;

export async function formToken(ageMs = 10_000): Promise<string> {
  return issueFormToken(await deriveSecret(env.ADMIN_TOKEN, 'form'), Date.now() - ageMs);
}

export async function validAd(
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  return {
    title: 'Sound studio in Moscow',
    text: 'Recording, mixing and mastering. Two rooms, vintage microphones, friendly engineers.',
    category: 'services',
    price: { amount: 2500, currency: 'RUB' },
    contact: { name: 'Olga', email: 'olga@example.com', phone: '+7 495 123-45-67' },
    location: 'Moscow',
    lang: 'ru',
    images: ['https://img.example.com/studio.jpg'],
    website: '',
    form_token: await formToken(),
    ...overrides,
  };
}

export async function validNews(
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  return {
    title: 'Waterfall trail reopens after the storm',
    text: 'The trail to the Three Sisters waterfalls reopened on Saturday after two weeks of repairs to bridges and steps.',
    url: 'https://example.org/waterfalls',
    section: 'travel',
    lang: 'en',
    website: '',
    form_token: await formToken(),
    ...overrides,
  };
}

export function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { 'cf-connecting-ip': freshIp(), ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...init.headers };
  }
  return exports.default.fetch(`http://x${path}`, init);
}

export const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
export const owner = (token: string) => ({ authorization: `Bearer ${token}` });

export async function postAd(
  overrides: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await send('POST', '/v1/ads', await validAd(overrides), headers);
  return {
    res,
    body: (await res.json()) as {
      id: string;
      status: string;
      expires_at: string;
      manage_token: string;
    },
  };
}

export async function postNews(
  overrides: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await send('POST', '/v1/news', await validNews(overrides), headers);
  return { res, body: (await res.json()) as { id: string; status: string } };
}

export async function approve(id: string): Promise<Response> {
  return send('POST', `/v1/admin/submissions/${id}/approve`, undefined, admin);
}

export async function reject(id: string): Promise<Response> {
  return send('POST', `/v1/admin/submissions/${id}/reject`, undefined, admin);
}
