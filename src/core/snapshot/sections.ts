/** The sections list of a snapshot: counts and latest publish time per section and language. */
import type { Article } from '../content/article.ts';
import type { Sections } from './format.ts';

export const sectionStats = (articles: readonly Article[]): Sections =>
  moveSections({ sections: [] }, [], articles);

/** Sections with counts moved: `leaving` articles out, `arriving` ones in. */
export function moveSections(
  sections: Sections,
  leaving: readonly Article[],
  arriving: readonly Article[],
): Sections {
  const stats = new Map<string, Map<string, { count: number; latest: string }>>();
  for (const s of sections.sections)
    stats.set(
      s.section,
      new Map(s.languages.map((l) => [l.lang, { count: l.count, latest: l.latest }])),
    );
  const at = (a: Article) => {
    const langs = stats.get(a.section) ?? new Map<string, { count: number; latest: string }>();
    stats.set(a.section, langs);
    const stat = langs.get(a.lang) ?? { count: 0, latest: a.published };
    langs.set(a.lang, stat);
    return stat;
  };
  // A section's latest time stays what it was when an article leaves: the articles that leave
  // joined another one of about the same time (dedup's 48 h windows).
  for (const a of leaving) at(a).count--;
  for (const a of arriving) {
    const stat = at(a);
    stat.count++;
    if (a.published > stat.latest) stat.latest = a.published;
  }
  const out = [...stats]
    .map(([section, langs]) => {
      const languages = [...langs]
        .filter(([, s]) => s.count > 0)
        .map(([lang, s]) => ({ lang, count: s.count, latest: s.latest }))
        .sort((a, b) => b.count - a.count || (a.lang < b.lang ? -1 : 1));
      return {
        section,
        count: languages.reduce((n, l) => n + l.count, 0),
        latest: languages.reduce((m, l) => (l.latest > m ? l.latest : m), ''),
        languages,
      };
    })
    .filter((s) => s.count > 0);
  out.sort((a, b) => b.count - a.count || (a.section < b.section ? -1 : 1));
  return { sections: out };
}
