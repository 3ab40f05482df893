/**
 * Plain text from what sources send: HTML read by a real tokenizer (htmlparser2), the
 * Markdown of Telegram exports, channel footers, and the one summariser every article,
 * reader news item and ad excerpt goes through. Pure: the build, the Worker and the tests
 * share it.
 */
import { Parser } from 'htmlparser2';

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
/** White space to fold, zero-width space included (Telegram hides preview links in it). */
const SPACE = /[\s\u00A0\u2000-\u200B\u2028\u2029\u202F\u205F\u3000]+/g;

/** Elements whose content is never text a reader sees. */
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'svg']);
/**
 * Elements that end a paragraph (HTML Living Standard §4.4 grouping content, §4.3
 * sections, plus `br` and `hr`): their boundary becomes a paragraph break.
 */
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
]);
/** Table cells: their boundary is a word break, not a paragraph. */
const CELL = new Set(['td', 'th']);

/**
 * The text of an HTML fragment: tags, comments and attributes gone, entities decoded,
 * `script`/`style`-like content dropped, paragraph breaks ("\n\n") at block elements and
 * a space between table cells. Newlines of the input stay: in plain-text sources (Telegram
 * posts) they separate lines, and the callers fold them as they need.
 */
export function textFromHtml(input: string): string {
  // Without "<" or "&" the tokenizer would return the input unchanged: skip it (most
  // posts of ../shared/data are plain text).
  if (!input.includes('<') && !input.includes('&')) return input;
  let out = '';
  let dropped = 0;
  const boundary = (name: string) => {
    if (BLOCK.has(name)) out += '\n\n';
    else if (CELL.has(name)) out += ' ';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (DROPPED.has(name)) dropped++;
        else boundary(name);
      },
      onclosetag(name) {
        if (DROPPED.has(name)) dropped = Math.max(0, dropped - 1);
        else boundary(name);
      },
      ontext(text) {
        if (dropped === 0) out += text;
      },
    },
    { decodeEntities: true },
  );
  parser.write(input);
  parser.end();
  return out;
}

/** NFC, no control characters, white space folded to one space, trimmed. */
const foldLine = (text: string): string =>
  text.normalize('NFC').replace(CONTROL, '').replace(SPACE, ' ').trim();

/** One line of plain text: markup removed (textFromHtml), NFC, no control characters, one space. */
export function plainTextFromHtml(input: string): string {
  return foldLine(textFromHtml(input));
}

/** Paragraphs of plain text: like plainTextFromHtml, but paragraph breaks survive as "\n\n". */
export function paragraphsFromHtml(input: string): string {
  return joinParagraphs(textFromHtml(input));
}

/** Plain text split at blank lines, each paragraph folded to one line, joined by "\n\n". */
function joinParagraphs(text: string): string {
  return text
    .normalize('NFC')
    .replace(CONTROL, '')
    .split(/\n[^\S\n]*\n/)
    .map((paragraph) => paragraph.replace(SPACE, ' ').trim())
    .filter((paragraph) => paragraph.length > 0)
    .join('\n\n');
}

// ---- Telegram Markdown and channel footers ------------------------------------------

/**
 * `[text](url)`: Telegram's Markdown link (core.telegram.org/bots/api#markdownv2-style),
 * the url allowed one level of parentheses (Wikipedia-style links).
 */
const MD_LINK = /\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)/g;
/**
 * What is left of a link that the export cut in two (the title is the post's first line, so
 * a link spanning it leaves `[text` in the title and `](url)` in the body).
 */
const MD_LINK_END = /\]\((?:[^()\s]|\([^()\s]*\))*\)/g;
const MD_LINK_START = /\[(?![^[\]]*\])/g;
/** Emphasis markers: bold `**`, italic `__`, strike-through `~~`, spoiler `||`. */
const MD_EMPHASIS = /\*\*|__|~~|\|\|/g;
/** Inline and block code: kept as they are (a `__init__` in code is not emphasis). */
const MD_CODE = /(```[\s\S]*?```|`[^`\n]*`)/;
/** A leading bold run of symbols only, like the `**⚡️**` "breaking" mark some channels put first. */
const LEADING_MARK = /^(?:\s*\*\*[^\p{L}\p{N}*]*\*\*)+/u;

/** Text with Telegram Markdown removed: link text kept, url dropped, emphasis markers gone. */
export function stripMarkdown(input: string): string {
  if (!/[*_~|[`]/.test(input)) return input;
  return input
    .replace(LEADING_MARK, '')
    .split(MD_CODE)
    .map((piece, i) =>
      // Odd pieces are the code spans the split kept: their backticks go, content stays.
      i % 2 === 1
        ? piece.replace(/^`+|`+$/g, '')
        : piece
            .replace(MD_LINK, '$1')
            .replace(MD_LINK_END, '')
            .replace(MD_LINK_START, '')
            .replace(MD_EMPHASIS, ''),
    )
    .join('');
}

/**
 * Calls to action that channels repeat at the end of every post, measured on the 22,099
 * posts of ../shared/data/news-ru-telegram.jsonl.gz: "Подписаться" / "Подписывайся на …"
 * (8,000+ posts), "Прислать новость" (about 2,000), "Читать нас без VPN можно здесь" (500).
 */
const CALL_TO_ACTION =
  /подпис(аться|ывайся|ывайтесь)|прислать новость|прислали через бота|читать нас без vpn/iu;
const FOOTER_HINT = /подпис|прислат|прислал|vpn/iu;
/** Longer lines are content that happens to mention subscribing, not a footer. */
const FOOTER_MAX_CHARS = 80;
const URL = /\bhttps?:\/\/\S+/giu;

const isFooterLine = (line: string): boolean => {
  // A cheap look at the raw line first: most last lines are content, and this skips the
  // stripping (the raw line may hold markers inside the words, "Прислали __[__через бота").
  if (!FOOTER_HINT.test(line)) return false;
  const visible = stripMarkdown(line).replace(URL, '').replace(SPACE, ' ').trim();
  return visible.length <= FOOTER_MAX_CHARS && CALL_TO_ACTION.test(visible);
};

/** A post without its trailing footer lines (and the blank lines between them). */
export function stripFooters(text: string): string {
  const lines = text.split('\n');
  let end = lines.length;
  while (end > 0) {
    const line = lines[end - 1]!;
    if (line.trim() !== '' && !isFooterLine(line)) break;
    end--;
  }
  return end === lines.length ? text : lines.slice(0, end).join('\n');
}

/** A one-line text field of a source (title, summary) as readers see it: HTML and Markdown removed. */
export function sourceText(input: string): string {
  return foldLine(stripMarkdown(textFromHtml(input)));
}

/** A source's body as readers see it: HTML and Markdown removed, footers dropped, paragraphs kept. */
export function sourceBody(input: string): string {
  return joinParagraphs(stripMarkdown(stripFooters(textFromHtml(input))));
}

// ---- the summariser -----------------------------------------------------------------

/** Characters of a summary (feeds, reader news, ad excerpts). */
export const SUMMARY_CHARS = 280;

/** Whether a piece of text says anything once its URLs are taken out. */
export const hasWords = (text: string): boolean =>
  /[\p{L}\p{N}]/u.test(text.includes('://') ? text.replace(URL, '') : text);

const SENTENCE_END = /(?<=[.!?…])\s+/;

/**
 * The first sentences of a text, at most `max` characters: cut after the last sentence end
 * past half of `max`, else at a word boundary with "…". Lines and sentences without words
 * (empty, a bare URL) are skipped, so a post that opens with a link starts at its first
 * sentence; a text with no words at all gives "".
 */
export function summarize(text: string, max = SUMMARY_CHARS): string {
  const kept: string[] = [];
  let length = 0;
  // Only as many lines as the summary needs are looked at (bodies run to thousands of characters).
  for (const line of text.split('\n')) {
    if (length > max) break;
    if (!hasWords(line)) continue;
    for (const sentence of line.split(SENTENCE_END)) {
      if (!hasWords(sentence)) continue;
      kept.push(sentence);
      length += sentence.length + 1;
    }
  }
  const flat = kept.join(' ').replace(SPACE, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const sentenceEnd = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
  if (sentenceEnd > max / 2) return cut.slice(0, sentenceEnd + 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
