/** Bench corpora as build input: articles written in the input shape of ../shared/data. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Article } from '../../src/core/content/article.ts';

/** Records in the input shape of ../shared/data, one JSON object a line. */
export async function writeJsonl(path: string, articles: readonly Article[]): Promise<void> {
  const out = createWriteStream(path);
  for (const a of articles) {
    const line = JSON.stringify({
      id: a.id,
      source: a.source,
      section: a.section,
      lang: a.lang,
      published: a.published,
      title: a.title,
      body: a.body,
      url: a.url ?? `https://bench.example/${a.id}`,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
