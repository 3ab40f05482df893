/**
 * Ukrainian stemming: a longest-ending suffix stripper. The rule stemmer of
 * @orama/stemmers (the same rules as @nlpjs/lang-uk) cuts some stems short
 * (файли -> фай) and leaves endings on others (компанії -> компані,
 * повідомили -> повідомил); on test/fixtures/search/morphology.json it finds 89% of the
 * pairs, this stripper the figure asserted in test/node/search-analyze.test.ts.
 *
 * Consonant alternation (дорога/дорозі, бібліотека/бібліотеці) is left alone: undoing
 * it by rule also breaks база/базі and вулиця/вулиці. The exceptions dictionary in analyze.ts covers the place names.
 */

const MIN_STEM = 3;

/** Inflectional endings of nouns, adjectives and verbs, longest first. */
const ENDINGS = [
  'ування',
  'ювання',
  'іями',
  'ього',
  'ьому',
  'ують',
  'юють',
  'ією',
  'ями',
  'ами',
  'ими',
  'іми',
  'ого',
  'ому',
  'ють',
  'уть',
  'ать',
  'ять',
  'ить',
  'ала',
  'ила',
  'іла',
  'ало',
  'ило',
  'али',
  'или',
  'іли',
  'ові',
  'еві',
  'єві',
  'ати',
  'ити',
  'іти',
  'яти',
  'ути',
  'ємо',
  'имо',
  'ете',
  'ите',
  'іям',
  'іях',
  'ах',
  'ях',
  'ам',
  'ям',
  'ом',
  'ем',
  'єм',
  'ою',
  'ею',
  'єю',
  'ів',
  'їв',
  'ей',
  'ий',
  'ій',
  'ої',
  'ім',
  'им',
  'их',
  'іх',
  'ую',
  'юю',
  'ія',
  'ії',
  'ює',
  'ує',
  'ть',
  'ав',
  'ив',
  'а',
  'я',
  'у',
  'ю',
  'і',
  'ї',
  'е',
  'є',
  'о',
  'и',
  'ь',
  'й',
];

/** The fleeting е of -ець/-ень drops in every other form: гравець/гравця, гривень/гривні. */
const FLEETING_E: readonly [string, string][] = [
  ['ець', 'ц'],
  ['ень', 'н'],
];

/**
 * -ові is both the noun's dative (батькові, синові: stem батьк, син) and the plural of an
 * adjective in -ов- (готові, світові: готов-і). Cutting -ові leaves гот, the other forms of
 * the adjective (готових, готовий) готов: so a stem's own -ов goes too, and every form of
 * готовий, of любов/любові and of основа/основі ends on one stem (гот, люб, осн).
 */
const STEM_OV = 'ов';

function stripEnding(base: string): string {
  for (const [ending, stem] of FLEETING_E) {
    if (base.endsWith(ending) && base.length - ending.length >= MIN_STEM - 1)
      return base.slice(0, -ending.length) + stem;
  }
  for (const ending of ENDINGS) {
    if (base.endsWith(ending) && base.length - ending.length >= MIN_STEM)
      return base.slice(0, -ending.length);
  }
  return base;
}

export function stemUkrainian(word: string): string {
  // Reflexive verbs first, so -ся does not hide the verb ending.
  const base = word.length > 5 && /(ся|сь)$/.test(word) ? word.slice(0, -2) : word;
  const stem = stripEnding(base);
  return stem.endsWith(STEM_OV) && stem.length - STEM_OV.length >= MIN_STEM
    ? stem.slice(0, -STEM_OV.length)
    : stem;
}
