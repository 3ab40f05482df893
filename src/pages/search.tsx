/**
 * /search: the same search as /v1/search (runSearch: one engine, one schema, one cursor),
 * rendered on the server with highlights as <mark>, corrections, filters and paging. The
 * site's script (./client.ts) updates the results as you type; without it the header's
 * search box and the filter form are plain GET forms to this page.
 */
import { edgeCache } from '../http/cache.ts';
import { requirePointer } from '../http/pointer.ts';
import { fieldErrors, type FieldError } from '../http/problem.ts';
import { runSearch, SearchQuery, searchScope, type SearchResponse } from '../routes/search.ts';
import { readSections } from '../storage/snapshots.ts';
import { searchHead } from '../storage/search-index.ts';
import { notInApi, pageApp, Time } from './common.tsx';
import { LANGUAGE_NAMES, sectionName } from './messages.ts';
import { page, type Page, UI_PARAM, uiVariant } from './site.ts';

type Range = [number, number];

/** Text with its highlight ranges ([start, end) UTF-16 offsets, as the API gives them) marked. */
function Marked({ text, ranges }: { text: string; ranges: readonly Range[] }) {
  const parts = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

const FILTERS = ['section', 'lang', 'source', 'from', 'to', 'sort'] as const;

function Results({ body, p }: { body: SearchResponse; p: Page }) {
  return (
    <ol id="hits" class="headlines" data-found={p.t.resultsCount} data-none={p.t.noResults}>
      {body.items.map((item) => (
        <li lang={item.lang}>
          <h2>
            <a href={p.href(`/articles/${item.id}`)}>
              <Marked text={item.title} ranges={item.highlights.title} />
            </a>
          </h2>
          <p>
            <Marked text={item.snippet} ranges={item.highlights.snippet} />
          </p>
          <small lang={p.ui}>
            {item.source} · <Time iso={item.published} p={p} />
          </small>
        </li>
      ))}
    </ol>
  );
}

/** A filter's choice: "all" (no value) first, then each option, with its language if any. */
function AnyOf(props: {
  name: string;
  all: string;
  selected: string | undefined;
  options: [value: string, label: string, lang?: string][];
}) {
  return (
    <select id={`f-${props.name}`} name={props.name}>
      <option value="">{props.all}</option>
      {props.options.map(([v, label, lang]) => (
        <option value={v} lang={lang} selected={props.selected === v}>
          {label}
        </option>
      ))}
    </select>
  );
}

function Field({
  id,
  label,
  errors,
  children,
}: {
  id: string;
  label: string;
  errors: FieldError[];
  children: unknown;
}) {
  const error = errors.find((e) => e.field === id);
  return (
    <div class="field">
      <label for={`f-${id}`}>{label}</label>
      {children}
      {error ? (
        <span class="error" id={`f-${id}-error`}>
          {error.message}
        </span>
      ) : null}
    </div>
  );
}

export const searchPages = pageApp(
  ['/search'],
  edgeCache({
    companion: (env) => searchHead(env.NEWS),
    variant: uiVariant,
  }),
).get('/search', notInApi, async (c) => {
  const p = page(c);
  const { t } = p;
  const raw = c.req.query();
  const q = raw.q ?? '';
  const pointer = await requirePointer(c.env.NEWS, c.get('pointer'));
  const sections = (await readSections(c.env.NEWS, pointer))?.sections ?? [];
  let body: SearchResponse | null = null;
  let errors: FieldError[] = [];
  if (q.trim() !== '') {
    // The API's own schema, through its Standard Schema face: the same issues /v1/search
    // reports, shown beside the filter they concern.
    const parsed = await SearchQuery['~standard'].validate(raw);
    if (parsed.issues === undefined) {
      body = (await runSearch(searchScope(c), parsed.value, pointer)).body;
    } else {
      errors = fieldErrors(parsed.issues);
      c.status(400);
    }
  }
  const value = (name: string) => raw[name] ?? '';
  const keep = Object.fromEntries(FILTERS.map((f) => [f, raw[f]]));
  const languages = [...new Set(sections.flatMap((s) => s.languages.map((l) => l.lang)))].sort();
  return c.render(
    <>
      <h1>
        {t.searchTitle}
        {q ? `: ${q}` : ''}
      </h1>
      {errors.some((e) => e.field === 'q') ? (
        <p class="alert" role="alert">
          q: {errors.find((e) => e.field === 'q')!.message}
        </p>
      ) : null}
      <p id="count" aria-live="polite">
        {body
          ? body.items.length
            ? (body.total_exact ? t.searchResults : t.searchResultsAbout)(body.total)
            : t.noResults
          : ''}
      </p>
      <p id="notes" data-showing={t.showingFor}>
        {body && body.corrections.length
          ? `${t.showingFor} ${body.corrections.map((x) => x.to).join(' ')}`
          : ''}
      </p>
      {body && body.match === 'any' && body.items.length ? <p>{t.anyWords}</p> : null}
      <details open={errors.length > 0 || FILTERS.some((f) => f !== 'sort' && raw[f])}>
        <summary>{t.filters}</summary>
        <form id="filters" class="filters" action="/search" method="get">
          <input type="hidden" name="q" value={q} />
          {p.explicit ? <input type="hidden" name={UI_PARAM} value={p.ui} /> : null}
          <Field id="section" label={t.section} errors={errors}>
            <AnyOf
              name="section"
              all={t.allSections}
              selected={value('section')}
              options={sections.map((s) => [s.section, sectionName(t, s.section)])}
            />
          </Field>
          <Field id="lang" label={t.contentLanguage} errors={errors}>
            <AnyOf
              name="lang"
              all={t.allLanguages}
              selected={value('lang')}
              options={languages.map((l) => [l, LANGUAGE_NAMES[l] ?? l, l])}
            />
          </Field>
          <Field id="sort" label={t.sortBy} errors={errors}>
            <select id="f-sort" name="sort">
              <option value="relevance">{t.sortRelevance}</option>
              <option value="newest" selected={value('sort') === 'newest'}>
                {t.sortNewest}
              </option>
            </select>
          </Field>
          <Field id="from" label={t.dateFrom} errors={errors}>
            <input id="f-from" name="from" type="date" value={value('from')} />
          </Field>
          <Field id="to" label={t.dateTo} errors={errors}>
            <input id="f-to" name="to" type="date" value={value('to')} />
          </Field>
          <button type="submit">{t.apply}</button>
        </form>
      </details>
      {body ? (
        <Results body={body} p={p} />
      ) : (
        <ol id="hits" class="headlines" data-found={t.resultsCount} data-none={t.noResults} />
      )}
      {body?.next_cursor ? (
        <nav class="pager" aria-label={t.nextPage}>
          <a rel="next" href={p.href('/search', { q, ...keep, cursor: body.next_cursor })}>
            {t.nextPage}
          </a>
        </nav>
      ) : null}
    </>,
    {
      title: q ? `${t.searchTitle}: ${q}` : t.searchTitle,
      canonical: p.absolute('/search', { q, ...keep, cursor: raw.cursor }),
      query: q,
      noindex: true,
    },
  );
});
