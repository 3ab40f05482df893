/**
 * One feed, one conditional GET. `fetch` is passed in (the Worker's, Node's), so this stays
 * free of bindings and runs in both. Every way a fetch can go wrong becomes a `failed`
 * outcome with a reason; nothing here throws, so one feed never stops the others.
 */
import type { Source } from './sources.ts';
import { type FeedRecord, parseFeedBytes } from './feed.ts';
import { type FeedState, retryAfterMs } from './state.ts';

export interface FetchOptions {
  fetch: typeof fetch;
  now: Date;
  /** Whole request, headers and body; a slow feed fails after it (default 15 s). */
  timeoutMs?: number;
  /** Largest body read (default 5 MiB): a feed is a window of recent items, never this big. */
  maxBytes?: number;
  userAgent?: string;
}

export type FetchOutcome =
  | {
      kind: 'fetched';
      status: number;
      records: FeedRecord[];
      charset: string;
      etag: string | null;
      lastModified: string | null;
      bytes: number;
    }
  | { kind: 'not-modified'; status: 304 }
  | { kind: 'failed'; status: number | null; error: string; retryAfterMs: number | null };

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const USER_AGENT = 'EdgeNews/1 (+https://github.com/edge-news; feed poller)';

export async function fetchFeed(
  source: Source,
  state: FeedState | null,
  options: FetchOptions,
): Promise<FetchOutcome> {
  const headers = new Headers({
    'user-agent': options.userAgent ?? USER_AGENT,
    accept:
      'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
  });
  // Only validators the server gave us for this same URL (a changed URL starts afresh).
  if (state?.url === source.url) {
    if (state.etag) headers.set('if-none-match', state.etag);
    if (state.last_modified) headers.set('if-modified-since', state.last_modified);
  }
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  // Called unbound: workerd's fetch refuses to run as a method of another object.
  const { fetch: get } = options;
  let response: Response;
  try {
    response = await get(source.url, { headers, signal, redirect: 'follow' });
  } catch (error) {
    return failed(null, describeFetchError(error, options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'not-modified', status: 304 };
  }
  if (!response.ok) {
    await response.body?.cancel();
    const wait = retryAfterMs(response.headers.get('retry-after'), options.now);
    return failed(response.status, `HTTP ${response.status}`, wait);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBody(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (error) {
    return failed(
      response.status,
      describeFetchError(error, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    );
  }
  try {
    const parsed = parseFeedBytes(bytes, source.url, {
      source: source.source,
      section: source.section,
      lang: source.lang,
      charset: source.charset ?? null,
      contentType: response.headers.get('content-type'),
    });
    return {
      kind: 'fetched',
      status: response.status,
      records: parsed.records,
      charset: parsed.charset,
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
      bytes: bytes.length,
    };
  } catch (error) {
    // parseFeedBytes names the URL first; the state already says which feed.
    return failed(response.status, (error as Error).message.replace(`${source.url}: `, ''));
  }
}

function failed(status: number | null, error: string, wait: number | null = null): FetchOutcome {
  return { kind: 'failed', status, error, retryAfterMs: wait };
}

/** The body, refusing more than `max` bytes without reading them all. */
async function readBody(response: Response, max: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) throw new Error(`body of ${declared} bytes is over the ${max} byte limit`);
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new Error(`body is over the ${max} byte limit`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause =
    error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
