/**
 * `npm run bench:stemmers`: the per-language stemmers of src/core/search/snowball.ts against
 * snowball-stemmers (the package the index was first built with), on every word of
 * ../shared/data and of the sample. Prints the words that stem differently (the Worker's
 * stems, and so the frozen search fixtures, must not change) and the time per million stems.
 * Exits 1 on any difference.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import reference from 'snowball-stemmers';
import ours from '../../src/core/search/snowball.ts';
import { DATA_DIR } from './corpus.ts';
import { median } from './stats.ts';

const SAMPLE = join(import.meta.dirname, '..', 'sample', 'news-page.jsonl');
const CYRILLIC = /[\u0400-\u04ff]/;
const texts = [readFileSync(SAMPLE, 'utf8')];
if (existsSync(DATA_DIR)) {
  for (const f of readdirSync(DATA_DIR).filter((f) => f.endsWith('.jsonl.gz'))) {
    console.error(`reading ${f}`);
    texts.push(gunzipSync(readFileSync(join(DATA_DIR, f))).toString('utf8'));
  }
} else console.error(`${DATA_DIR} is missing: comparing on the sample only`);

// The analyzer's view of a word (src/core/search/analyze.ts): NFC, lower case, ё as е, and
// words under 3 letters or with digits are never stemmed.
const words = { russian: new Set<string>(), english: new Set<string>() };
for (const text of texts) {
  const folded = text.normalize('NFC').toLowerCase().replaceAll('ё', 'е');
  for (const w of folded.match(/[\p{L}\p{M}]{3,}/gu) ?? []) {
    if (CYRILLIC.test(w)) words.russian.add(w);
    else if (/[a-z]/.test(w)) words.english.add(w);
  }
}

let differences = 0;
for (const language of ['russian', 'english'] as const) {
  const list = [...words[language]];
  const ref = reference.newStemmer(language);
  const mine = ours.newStemmer(language);
  const bad = list.filter((w) => ref.stem(w) !== mine.stem(w));
  differences += bad.length;
  const time = (stem: (w: string) => string) => {
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (const w of list) stem(w);
      runs.push(((performance.now() - t0) / list.length) * 1e6);
    }
    return median(runs);
  };
  const tRef = time((w) => ref.stem(w));
  const tOurs = time((w) => mine.stem(w));
  console.log(
    `${language.padEnd(8)} ${String(list.length).padStart(7)} words  ${bad.length} differ` +
      `  ${tOurs.toFixed(0)} ms per 1M stems vs snowball-stemmers ${tRef.toFixed(0)} ms` +
      ` (${(tRef / tOurs).toFixed(1)}x)`,
  );
  for (const w of bad.slice(0, 20)) console.log(`  ${w}: ${ref.stem(w)} / ${mine.stem(w)}`);
}
process.exit(differences === 0 ? 0 : 1);
