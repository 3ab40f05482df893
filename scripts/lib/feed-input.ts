/**
 * Feed files as build input: the bytes as read from disk, decoded and parsed by the shared
 * core (src/core/ingest/feed.ts, which `npm run ingest` and the Worker's poll use for HTTP
 * bodies), as pipeline records. A file has no Content-Type, so its XML declaration, a byte
 * order mark or detection names the charset (src/core/ingest/charset.ts).
 */
import type { InputRecord } from '../../src/core/content/pipeline.ts';
import { RecordError } from '../../src/core/content/records.ts';
import { parseFeedBytes } from '../../src/core/ingest/feed.ts';

/** One record per item, or one `RecordError` for the whole file when it cannot be read. */
export function feedInputRecords(bytes: Uint8Array, name: string): InputRecord[] {
  try {
    return parseFeedBytes(bytes, name).records.map((value, i) => ({
      value,
      origin: { file: name, line: i + 1 },
    }));
  } catch (error) {
    // parseFeedBytes' message already starts with the file name.
    const reason = (error as Error).message.replace(`${name}: `, '');
    return [
      new RecordError({ file: name, line: 1 }, '(feed)', `cannot be read as a feed: ${reason}`),
    ];
  }
}
