/** Snippet windows (src/core/search/highlight.ts) on the whole article text and on the stored one. */
import { describe, expect, it } from 'vitest';
import { articleText, highlight, SNIPPET_CHARS } from '../../src/core/search/highlight.ts';
import { parseQuery } from '../../src/core/search/query.ts';
import { baseVariants } from '../../src/core/search/understand.ts';
import type { DocRecord } from '../../src/core/search/format.ts';

const words = (q: string) =>
  parseQuery(q).words.map((w) => ({ ...w, variants: baseVariants(w.text) }));
const record = (text: string): DocRecord => ({
  id: 'a',
  title: 'Городской совет собрался на заседание',
  text,
  section: 'city',
  lang: 'ru',
  source: 'Wire',
  published: '2024-07-15T10:00:00.000Z',
  url: null,
  image: null,
});
const marked = (h: ReturnType<typeof highlight>) =>
  h.highlights.snippet.map((r) => h.snippet.slice(r.start, r.end));
const filler = 'Депутаты обсудили бюджет района и ремонт дорог. '.repeat(12);

describe('snippet windows', () => {
  it('finds a match far into the article and starts at its sentence', () => {
    const whole = `${filler}Отдельно решили судьбу старого трамвайного депо. ${filler}`;
    const hit = highlight(record(whole.slice(0, 240)), words('депо'), whole);
    expect(marked(hit)).toEqual(['депо']);
    expect(hit.snippet.startsWith('…Отдельно решили судьбу старого трамвайного депо.')).toBe(true);
    expect(hit.snippet.length).toBeLessThanOrEqual(SNIPPET_CHARS + 2);
  });

  it('keeps the stored text when the whole article holds no match (a title match)', () => {
    const hit = highlight(record('Депутаты обсудили бюджет.'), words('совет'), filler);
    expect(hit.snippet).toBe('Депутаты обсудили бюджет.');
    expect(hit.highlights.title).toEqual([{ start: 10, end: 15 }]);
  });

  it('gives a stored text of a bare link way to the first sentence with words', () => {
    const whole = articleText({
      summary: 'https://t.me/city/1',
      summary_from_source: true,
      body: 'https://t.me/city/1\n\nСовет утвердил бюджет. Заседание длилось три часа.',
    });
    const hit = highlight(
      record('https://t.me/city/1'),
      words('совет'),
      whole.replace('Совет', 'Мэрия'),
    );
    expect(hit.snippet).toBe('Мэрия утвердил бюджет. Заседание длилось три часа.');
  });

  it('joins a source summary and the body, and leaves out a summary made from the body', () => {
    const body = 'Первый абзац.\n\nВторой абзац.';
    expect(articleText({ summary: 'Анонс.', summary_from_source: true, body })).toBe(
      'Анонс. Первый абзац. Второй абзац.',
    );
    expect(articleText({ summary: 'Первый абзац.', summary_from_source: false, body })).toBe(
      'Первый абзац. Второй абзац.',
    );
    expect(articleText({ summary: 'Только анонс.', body: '' })).toBe('Только анонс.');
  });
});
