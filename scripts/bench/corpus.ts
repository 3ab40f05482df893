/**
 * Benchmark corpora: real text from ../shared/data where present (read at bench time,
 * never copied into the repository), and beyond it generated articles whose words are
 * drawn from the real ones by their frequency, with real title and body lengths, so the
 * vocabulary keeps its Zipf shape (../shared/data/README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Article } from '../../src/core/content/article.ts';

export const DATA_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

interface Record {
  id: string;
  source: string;
  section: string | null;
  lang: string;
  published: string | null;
  title: string;
  body: string | null;
  url: string | null;
}

/** Files and how many of their records the real part of a corpus takes, in order. */
const FILES = [
  'news-ru-telegram.jsonl.gz',
  'news-en-bbc.jsonl.gz',
  'news-en-agnews.jsonl.gz',
  'debian-descriptions-uk.jsonl.gz',
  'debian-descriptions-ru.jsonl.gz',
];

/** Deterministic PRNG (mulberry32), so every run benchmarks the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse('2023-01-01T00:00:00Z');
const END = Date.parse('2024-12-31T00:00:00Z');

function toArticle(r: Record, i: number, random: () => number): Article {
  const published =
    r.published && !Number.isNaN(Date.parse(r.published))
      ? new Date(r.published).toISOString()
      : new Date(START + random() * (END - START)).toISOString();
  return {
    id: `b${i}`,
    title: r.title,
    summary: '',
    body: r.body ?? '',
    url: r.url,
    source: r.source,
    section: (r.section ?? 'general').toLowerCase(),
    tags: [],
    authors: [],
    lang: r.lang,
    published,
    image: null,
    image_credit: null,
    duplicates: [],
  };
}

/** Every real record available, shuffled deterministically across files. */
export function loadReal(): Article[] {
  const random = rng(7);
  const records: Record[] = [];
  for (const file of FILES) {
    const path = join(DATA_DIR, file);
    if (!existsSync(path)) continue;
    for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) {
      if (line.trim()) records.push(JSON.parse(line) as Record);
    }
  }
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [records[i], records[j]] = [records[j]!, records[i]!];
  }
  return records.map((r, i) => toArticle(r, i, random));
}

/** Word sampler of one language: cumulative counts, binary search. */
class Sampler {
  words: string[] = [];
  cumulative: Float64Array = new Float64Array(0);
  constructor(counts: Map<string, number>) {
    this.words = [...counts.keys()];
    this.cumulative = new Float64Array(this.words.length);
    let sum = 0;
    this.words.forEach((w, i) => {
      sum += counts.get(w) ?? 0;
      this.cumulative[i] = sum;
    });
  }
  pick(random: () => number): string {
    const target = random() * (this.cumulative.at(-1) ?? 0);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo] ?? '';
  }
}

const WORDS = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/**
 * `n` articles: the real ones first (up to n), then generated ones. Generated articles take
 * a real article's language, section, source and title/body word counts, and words drawn
 * from that language's real word frequencies.
 */
export function corpus(
  n: number,
  real: readonly Article[],
  onProgress?: (done: number) => void,
): Article[] {
  const out = real.slice(0, n).map((a) => ({ ...a }));
  if (out.length >= n) return out;
  const make = generator(real, rng(n));
  for (let i = out.length; i < n; i++) {
    out.push(make(i, `g${i}`));
    if (i % 50_000 === 0) onProgress?.(i);
  }
  return out;
}

/**
 * `count` more generated articles, in the shape of `corpus`'s, ids `x0`… and published one
 * minute apart after `after` (ms): what incremental publishes add to an archive.
 */
export function newerArticles(count: number, real: readonly Article[], after: number): Article[] {
  const make = generator(real, rng(count + 1));
  return Array.from({ length: count }, (_, i) => ({
    ...make(i, `x${i}`),
    published: new Date(after + (i + 1) * 60_000).toISOString(),
  }));
}

/** Generated articles (see `corpus`), the `i`-th one numbered `i`, drawn with `random`. */
function generator(real: readonly Article[], random: () => number) {
  const counts = new Map<string, Map<string, number>>();
  const lengths: [number, number, Article][] = [];
  for (const a of real) {
    const map = counts.get(a.lang) ?? new Map<string, number>();
    counts.set(a.lang, map);
    const titleWords = a.title.match(WORDS) ?? [];
    const bodyWords = a.body.match(WORDS) ?? [];
    for (const w of [...titleWords, ...bodyWords]) map.set(w, (map.get(w) ?? 0) + 1);
    lengths.push([titleWords.length, Math.min(bodyWords.length, 400), a]);
  }
  const samplers = new Map([...counts].map(([lang, map]) => [lang, new Sampler(map)]));
  return (i: number, id: string): Article => {
    const [titleLength, bodyLength, model] = lengths[Math.floor(random() * lengths.length)]!;
    const sampler = samplers.get(model.lang)!;
    const words = (k: number) => Array.from({ length: k }, () => sampler.pick(random)).join(' ');
    const title = words(Math.max(1, titleLength));
    return {
      ...model,
      id,
      title: title.charAt(0).toUpperCase() + title.slice(1),
      body: words(bodyLength),
      url: `https://bench.example/${i}`,
      published: new Date(START + random() * (END - START)).toISOString(),
    };
  };
}
