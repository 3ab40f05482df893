/**
 * Bytes of a feed to text. Russian and Ukrainian outlets still serve feeds in windows-1251
 * or koi8-r; read as UTF-8 every Cyrillic letter becomes U+FFFD, and the titles of different
 * items then fold to the same dedup key (src/core/content/dedup.ts) and merge.
 *
 * Decoding is the platform's `TextDecoder` (WHATWG Encoding: https://encoding.spec.whatwg.org/),
 * present in Node and in workerd, which knows windows-1251, koi8-r and the other legacy labels.
 *
 * Which charset, first found wins:
 *   1. the operator's override (sources file `charset`): the fix for a server that lies;
 *   2. a byte order mark (UTF-8, UTF-16): RFC 7303 section 3.2 puts it above the rest;
 *   3. the `charset` parameter of the response's Content-Type (RFC 7303 section 3.2);
 *   4. the XML declaration's `encoding` (XML 1.0 section 4.3.3);
 *   5. detection: valid UTF-8 is UTF-8; otherwise Cyrillic single-byte text is told apart by
 *      where its letters fall (see `guessCyrillic`);
 *   6. UTF-8 (RFC 8259 for JSON Feed, the XML default).
 */

export type CharsetSource = 'override' | 'bom' | 'content-type' | 'xml-declaration' | 'detected';

export interface Decoded {
  text: string;
  /** The WHATWG name of the encoding used (`TextDecoder.encoding`), e.g. "windows-1251". */
  charset: string;
  from: CharsetSource | 'default';
}

export class CharsetError extends Error {
  constructor(label: string, from: CharsetSource) {
    super(`unknown charset "${label}" (from the ${from.replace('-', ' ')})`);
    this.name = 'CharsetError';
  }
}

/** `charset` parameter of a Content-Type header value (RFC 9110 section 8.3.1), or null. */
export function contentTypeCharset(contentType: string | null | undefined): string | null {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match?.[2] ?? null;
}

/** `encoding` of an XML declaration at the very start of the bytes (ASCII-compatible only). */
export function xmlDeclarationCharset(bytes: Uint8Array): string | null {
  // The declaration is ASCII in every ASCII-compatible encoding; 200 bytes cover it.
  const head = String.fromCharCode(...bytes.subarray(0, 200));
  const match = /^\s*<\?xml\s[^?]*?encoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\1/.exec(head);
  return match?.[2] ?? null;
}

function bomCharset(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * Windows-1251 or KOI8-R for bytes that are not UTF-8. Both put the 64 basic Cyrillic letters
 * in 0xC0-0xFF, but the other way round: windows-1251 has capitals in 0xC0-0xDF and small
 * letters in 0xE0-0xFF, KOI8-R (RFC 1489) small letters in 0xC0-0xDF and capitals above.
 * Running text is mostly small letters, so the upper half dominates in windows-1251.
 */
export function guessCyrillic(bytes: Uint8Array): 'windows-1251' | 'koi8-r' {
  let low = 0;
  let high = 0;
  for (const b of bytes) {
    if (b >= 0xe0) high++;
    else if (b >= 0xc0) low++;
  }
  return low > high ? 'koi8-r' : 'windows-1251';
}

function decoderFor(label: string, from: CharsetSource): TextDecoder {
  try {
    return new TextDecoder(label.trim());
  } catch {
    throw new CharsetError(label, from);
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Decodes a feed body; see the order at the top of this file. */
export function decodeFeed(
  bytes: Uint8Array,
  hints: { override?: string | null; contentType?: string | null } = {},
): Decoded {
  const candidates: Array<[string | null | undefined, CharsetSource]> = [
    [hints.override, 'override'],
    [bomCharset(bytes), 'bom'],
    [contentTypeCharset(hints.contentType), 'content-type'],
    [xmlDeclarationCharset(bytes), 'xml-declaration'],
  ];
  for (const [label, from] of candidates) {
    if (!label) continue;
    const decoder = decoderFor(label, from);
    // TextDecoder drops a BOM of its own encoding (ignoreBOM defaults to false).
    return { text: decoder.decode(bytes), charset: decoder.encoding, from };
  }
  if (isUtf8(bytes))
    return { text: new TextDecoder().decode(bytes), charset: 'utf-8', from: 'default' };
  const guess = guessCyrillic(bytes);
  return { text: new TextDecoder(guess).decode(bytes), charset: guess, from: 'detected' };
}
