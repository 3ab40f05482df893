/**
 * Text cleaning at ingest (src/core/content/text.ts): the HTML tokenizer, Telegram Markdown,
 * channel footers and the one summariser. The posts below are written for these tests in the
 * shape of the channels' exports (bold/italic markers, `[text](url)` links, a zero-width
 * preview link, a footer line); none is copied from ../shared/data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../src/core/content/records.ts';
import {
  paragraphsFromHtml,
  plainTextFromHtml,
  sourceBody,
  sourceText,
  stripFooters,
  stripMarkdown,
  summarize,
} from '../../src/core/content/text.ts';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('HTML to text (htmlparser2)', () => {
  it.each([
    ['a comment holding ">"', 'x<!-- a > b -->y', 'xy'],
    ['an attribute holding ">"', '<a title="x>y">t</a>', 't'],
    ['an attribute holding a tag', `<img alt='<b>bold</b>' src="i.png">after`, 'after'],
    [
      'script and style content',
      'a<script>if (a > b) alert("<p>")</script><style>p{}</style>b',
      'ab',
    ],
    ['an unclosed script', 'kept<script>document.write(1)', 'kept'],
    ['inline elements join words', 'wor<b>d</b> and <i>more</i>', 'word and more'],
    ['table cells', '<table><tr><td>one</td><td>two</td></tr></table>', 'one two'],
    [
      'entities, decoded once',
      'AT&T &amp; &lt;b&gt; &amp;lt; &#x41;&nbsp;B',
      'AT&T & <b> &lt; A B',
    ],
    ['a lone "<"', '5 < 6', '5 < 6'],
    ['NFC and control characters', 'Cafe\u0301\u0007 bar\u00a0\n baz', 'Café bar baz'],
  ])('%s', (_, input, text) => {
    expect(plainTextFromHtml(input)).toBe(text);
  });

  it('block elements and <br> end paragraphs', () => {
    expect(
      paragraphsFromHtml(
        '<h2>Head</h2><p>One\nline.</p><div>Two</div>x<br>y<ul><li>a</li><li>b</li></ul>',
      ),
    ).toBe('Head\n\nOne line.\n\nTwo\n\nx\n\ny\n\na\n\nb');
    expect(paragraphsFromHtml('<p>One.</p><p>Two &lt;three&gt;.</p>')).toBe('One.\n\nTwo <three>.');
  });

  it('property: escaped text comes back as it was, once folded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const folded = plainTextFromHtml(s.replace(/[<&]/g, ' '));
        expect(plainTextFromHtml(`<p>${escapeHtml(folded)}</p>`)).toBe(folded);
      }),
    );
  });

  it('property: stable on its own output, no control characters, trimmed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = plainTextFromHtml(s);
        if (!/[<&]/.test(once)) expect(plainTextFromHtml(once)).toBe(once);
        // eslint-disable-next-line no-control-regex -- asserting their absence
        expect(once).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        expect(once).toBe(once.trim());
      }),
    );
  });
});

describe('Telegram Markdown', () => {
  it.each([
    ['bold and italic', '**Суд** отложил __заседание__ по делу', 'Суд отложил заседание по делу'],
    [
      'a link keeps its text',
      'Подробнее [на сайте](https://news.example/a?x=1) издания',
      'Подробнее на сайте издания',
    ],
    [
      'a url with parentheses',
      'См. [статью](https://en.wikipedia.org/wiki/Bridge_(structure)).',
      'См. статью.',
    ],
    [
      'link text over two lines',
      '— [Аналитик в\nбанк ](https://jobs.example/1)Где: удалённо',
      '— Аналитик в\nбанк Где: удалённо',
    ],
    [
      'a link cut in two: the title half',
      'Доклад: [«Архитектура проекта»',
      'Доклад: «Архитектура проекта»',
    ],
    [
      'a link cut in two: the body half',
      '](https://video.example/v?x=1)Второй доклад [1]',
      'Второй доклад [1]',
    ],
    ['a link inside bold', '**[Главное за день](https://news.example/day)**', 'Главное за день'],
    [
      'strike-through and spoiler',
      '~~старая~~ новая цена, ||сюрприз||',
      'старая новая цена, сюрприз',
    ],
    ['code keeps its underscores', 'Метод `__init__` и __курсив__', 'Метод __init__ и курсив'],
    [
      'the leading "breaking" mark',
      '**⚡️****Мэрия закрыла мост на ремонт**',
      'Мэрия закрыла мост на ремонт',
    ],
    [
      'a repeated leading mark',
      '**⚡️****⚡️**Срочно: **пожар** на складе',
      'Срочно: пожар на складе',
    ],
    ['plain text is left alone', 'Цена 5 * 3 = 15 руб. | итог', 'Цена 5 * 3 = 15 руб. | итог'],
  ])('%s', (_, input, text) => {
    expect(stripMarkdown(input)).toBe(text);
  });

  it('a zero-width preview link leaves only the headline', () => {
    expect(
      sourceText(
        '[\u200b](https://telegra.ph/file/0a1b2c.jpg)**Топ-5 книг о городской архитектуре**',
      ),
    ).toBe('Топ-5 книг о городской архитектуре');
  });
});

describe('channel footers', () => {
  const story = 'В парке Горького открыли новый каток.\n\nВход бесплатный до конца месяца.';
  it.each([
    [
      'subscribe | send news',
      '🔴 [Подписаться](https://t.me/citychannel) | [Прислать новость](https://t.me/city_bot)',
    ],
    ['subscribe to a channel', '❗️ [Подписывайся на Город](https://t.me/+AbCdEf123)'],
    [
      'a link before the name',
      '[👉 ](https://t.me/+Xy12)[Город Live. Подписаться](https://t.me/+Zz34)',
    ],
    ['send news only', '📩 [Прислать новость](https://t.me/city_go)'],
    ['a bare link', '🔍 Подписывайся https://t.me/+7_4aBcDeF'],
    ['read without VPN', '__Читать нас без VPN можно здесь: ____bit.ly/citynews__'],
    ['sent through the bot', '__Прислали __[__через бота__](https://t.me/citymap_bot)'],
  ])('drops the trailing footer: %s', (_, footer) => {
    expect(stripFooters(`${story}\n\n${footer}`)).toBe(story);
    expect(sourceBody(`${story}\n${footer}\n`)).toBe(
      'В парке Горького открыли новый каток.\n\nВход бесплатный до конца месяца.',
    );
  });

  it('drops a block of footer lines, and keeps content that mentions subscribing', () => {
    expect(
      stripFooters(`${story}\n\n🎯 Подписывайся на Город\n\n📩 [Прислать новость](https://t.me/c)`),
    ).toBe(story);
    const midPost = `Подписаться на рассылку можно на сайте.\n${story}`;
    expect(stripFooters(midPost)).toBe(midPost);
    const long = `${story}\nПодписывайтесь на наш новый канал про городские парки: там каждый день фотографии, афиша и маршруты прогулок.`;
    expect(stripFooters(long)).toBe(long);
  });
});

describe('summarize: the one summariser', () => {
  it('keeps short text, cuts long text at a sentence end or a word with "…"', () => {
    expect(summarize('One.  Two\nthree.')).toBe('One. Two three.');
    const sentences = `${'Слово '.repeat(30).trim()}. ${'Другое '.repeat(30)}`;
    expect(summarize(sentences)).toBe(`${'Слово '.repeat(30).trim()}.`);
    expect(summarize('abc '.repeat(100), 20)).toBe('abc abc abc abc abc…');
  });

  it('skips a URL-only or empty opening and falls back to the next sentence with text', () => {
    expect(
      summarize(
        'https://news.example/story/123\n\nМост откроют в пятницу. Движение пустят по двум полосам.',
      ),
    ).toBe('Мост откроют в пятницу. Движение пустят по двум полосам.');
    expect(summarize('🔴\n\n— \nПервая фраза.')).toBe('Первая фраза.');
    expect(summarize('https://news.example/story/123')).toBe('');
    // A URL inside a sentence with words stays.
    expect(summarize('Интервью с учёным: https://news.example/i')).toBe(
      'Интервью с учёным: https://news.example/i',
    );
  });
});

describe('a Telegram post through normalizeRecord', () => {
  const origin = { file: 'tg.jsonl', line: 1 };
  const post = {
    source: 'Город Live',
    section: 'society',
    lang: 'ru-RU',
    published: '2024-11-20T08:00:00Z',
    title: '**⚡️****В центре города перекрыли** [Тверскую](https://t.me/city/1)',
    body: 'https://city.example/news/tverskaya\n\n**Движение** ограничат до __вечера__: идут [работы](https://city.example/w).\n\n🔴 [Подписаться](https://t.me/city) | [Прислать новость](https://t.me/city_bot)',
    url: 'https://city.example/news/tverskaya',
  };

  it('comes out clean, its summary marked as derived from the body', () => {
    const a = normalizeRecord(post, origin);
    expect(a.title).toBe('В центре города перекрыли Тверскую');
    expect(a.body).toBe(
      'https://city.example/news/tverskaya\n\nДвижение ограничат до вечера: идут работы.',
    );
    expect(a.summary).toBe('Движение ограничат до вечера: идут работы.');
    expect(a.summary_from_source).toBe(false);
    expect(a.lang).toBe('ru');
  });

  it('keeps a summary the source gave, marked as the source’s', () => {
    const a = normalizeRecord({ ...post, summary: '<p>Тверскую <b>перекрыли</b></p>' }, origin);
    expect(a.summary).toBe('Тверскую перекрыли');
    expect(a.summary_from_source).toBe(true);
  });

  it('a URL-only summary from the source gives way to the body’s first sentence with text', () => {
    const a = normalizeRecord(
      { ...post, summary: '[](https://t.me/city/1) https://t.me/city/1' },
      origin,
    );
    expect(a.summary).toBe('Движение ограничат до вечера: идут работы.');
    expect(a.summary_from_source).toBe(false);
  });

  it('a URL-only body leaves no summary: feeds show the title', () => {
    const a = normalizeRecord({ ...post, body: post.url }, origin);
    expect(a.summary).toBe('');
    expect(a.summary_from_source).toBe(false);
  });
});
