/**
 * Temporary files of a streaming build (outside the repository, in the OS temp folder):
 * an append-only file of lines read back by offset, and a reader of a file's lines in order
 * with a bounded buffer.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const FLUSH_BYTES = 4 * 1024 * 1024;

/** Lines appended and read back by the number `append` gave them. */
export class SpillFile {
  readonly #fd: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #size = 0;
  #offsets = new Float64Array(1024);
  #lengths = new Uint32Array(1024);
  #count = 0;
  #read = Buffer.alloc(64 * 1024);

  constructor(path: string) {
    this.#fd = openSync(path, 'w+');
  }

  get count(): number {
    return this.#count;
  }

  /** Appends one line (no newline in it); returns its number. */
  append(text: string): number {
    const bytes = Buffer.from(text, 'utf8');
    if (this.#count === this.#offsets.length) {
      const offsets = new Float64Array(this.#count * 2);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
      const lengths = new Uint32Array(this.#count * 2);
      lengths.set(this.#lengths);
      this.#lengths = lengths;
    }
    this.#offsets[this.#count] = this.#size;
    this.#lengths[this.#count] = bytes.length;
    this.#size += bytes.length;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    return this.#count++;
  }

  flush(): void {
    if (this.#pendingBytes === 0) return;
    const chunk = Buffer.concat(this.#pending, this.#pendingBytes);
    let done = 0;
    while (done < chunk.length) done += writeSync(this.#fd, chunk, done);
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Line number `n` (flushes what is pending first). */
  get(n: number): string {
    if (this.#pendingBytes > 0) this.flush();
    const length = this.#lengths[n]!;
    if (length > this.#read.length) this.#read = Buffer.alloc(length * 2);
    let done = 0;
    while (done < length)
      done += readSync(this.#fd, this.#read, done, length - done, this.#offsets[n]! + done);
    return this.#read.toString('utf8', 0, length);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * UTF-8 bytes in, whole lines out, whatever the chunks' boundaries (a character or a line cut
 * in two waits for the next chunk): what readLines and a gzipped input (inputs.ts) split by.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #rest = '';
  /** The lines `chunk` completes. */
  push(chunk: Buffer): string[] {
    const lines = (this.#rest + this.#decoder.write(chunk)).split('\n');
    this.#rest = lines.pop() ?? '';
    return lines;
  }
  /** The last line, if the input did not end with a newline. */
  end(): string[] {
    const rest = this.#rest + this.#decoder.end();
    this.#rest = '';
    return rest ? [rest] : [];
  }
}

/** The lines of a file in order, `chunkBytes` read at a time. */
export function* readLines(path: string, chunkBytes = 256 * 1024): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(chunkBytes);
    const lines = new LineSplitter();
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkBytes, null);
      if (n === 0) break;
      yield* lines.push(buffer.subarray(0, n));
    }
    yield* lines.end();
  } finally {
    closeSync(fd);
  }
}

/** Lines written to a file in order, in large writes. */
export class LineWriter {
  readonly #fd: number;
  #pending: string[] = [];
  #chars = 0;
  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }
  write(line: string): void {
    this.#pending.push(line);
    this.#chars += line.length + 1;
    if (this.#chars >= FLUSH_BYTES) this.#flush();
  }
  #flush(): void {
    if (this.#pending.length === 0) return;
    const chunk = Buffer.from(this.#pending.join('\n') + '\n', 'utf8');
    let done = 0;
    while (done < chunk.length) done += writeSync(this.#fd, chunk, done);
    this.#pending = [];
    this.#chars = 0;
  }
  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }
}
