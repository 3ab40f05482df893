/**
 * A real HTTP server on loopback serving the fixture feeds of test/fixtures/feeds, with the
 * behaviours a poller meets: ETag / Last-Modified and 304, a declared windows-1251 body, a
 * broken feed, one that never answers, a 429 with Retry-After, and a feed whose items change
 * between polls (`setItems`). Every request is recorded with its headers and arrival time.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'feeds');
export const fixtureBytes = (name: string) => readFileSync(join(FIXTURES, name));

export interface Seen {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  status: number;
}

export interface Item {
  guid: string;
  title: string;
  published: string;
  author?: string;
  credit?: string;
}

/** A UTF-8 RSS 2.0 feed of `items`, with authors (dc:creator) and image credits (media:credit). */
export function rss(title: string, items: readonly Item[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const entries = items.map((i) =>
    [
      '<item>',
      `<title>${esc(i.title)}</title>`,
      `<link>https://polled.example/${i.guid}</link>`,
      `<guid isPermaLink="false">${i.guid}</guid>`,
      `<pubDate>${new Date(i.published).toUTCString()}</pubDate>`,
      `<description>${esc(i.title)}. Full story inside.</description>`,
      i.author ? `<dc:creator>${esc(i.author)}</dc:creator>` : '',
      i.credit
        ? `<media:content url="https://polled.example/${i.guid}.jpg" medium="image" type="image/jpeg"><media:credit>${esc(i.credit)}</media:credit></media:content>`
        : '',
      '</item>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">',
    `<channel><title>${esc(title)}</title><link>https://polled.example/</link><language>en</language>`,
    ...entries,
    '</channel></rss>',
  ].join('\n');
}

export interface FeedServer {
  /** Base URL on 127.0.0.1; `otherHost` is the same server as a different host (localhost). */
  url: string;
  otherHost: string;
  requests: Seen[];
  setItems(items: readonly Item[]): void;
  /** Counts requests to a path. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** The fixture feed server on a port the system picks (its `url` says which). */
export async function startFeedServer(initial: readonly Item[]): Promise<FeedServer> {
  let items = [...initial];
  let version = 1;
  const requests: Seen[] = [];
  const stalled = new Set<ServerResponse>();
  const cp1251 = fixtureBytes('windows-1251.rss.xml');
  const broken = fixtureBytes('broken.rss.xml');

  const handle = (req: IncomingMessage, res: ServerResponse): number => {
    const path = (req.url ?? '/').split('?')[0]!;
    switch (path) {
      case '/live.xml': {
        // Validators change only when the items do, as on a well-behaved server.
        const etag = `"v${version}"`;
        const modified = new Date(Date.UTC(2024, 6, 15, 10, version)).toUTCString();
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag }).end();
          return 304;
        }
        res
          .writeHead(200, {
            'content-type': 'application/rss+xml; charset=utf-8',
            etag,
            'last-modified': modified,
          })
          .end(rss('Polled Wire', items));
        return 200;
      }
      case '/windows-1251.xml':
        // No charset in the header: the XML declaration says windows-1251.
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(cp1251);
        return 200;
      case '/broken.xml':
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(broken);
        return 200;
      case '/slow.xml':
        // Never answers; closed when the server closes.
        stalled.add(res);
        return 0;
      case '/limited.xml':
        res.writeHead(429, { 'retry-after': '120', 'content-type': 'text/plain' }).end('slow down');
        return 429;
      default:
        res.writeHead(404).end();
        return 404;
    }
  };

  const server = createServer((req, res) => {
    const seen: Seen = { path: req.url ?? '/', at: Date.now(), headers: req.headers, status: 0 };
    requests.push(seen);
    seen.status = handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    otherHost: `http://localhost:${bound}`,
    requests,
    setItems(next) {
      items = [...next];
      version++;
    },
    hits: (path) => requests.filter((r) => r.path === path).length,
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
