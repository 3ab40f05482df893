/**
 * What every page needs from its request: the UI language (and whether the URL chose it),
 * the public origin for absolute links, and links that keep the chosen language.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { publicOrigin } from '../http/public-url.ts';
import { MESSAGES, type Messages, UI_LANGUAGES, type UiLang } from './messages.ts';

/** The query parameter that picks the UI language (`lang` already filters the news by language). */
export const UI_PARAM = 'hl';

/**
 * `?hl=` first, then the first language of Accept-Language (by q, RFC 9110 §12.5.4) that the
 * UI has, then Russian (the seed page's language). No cookie: the language is in the URL or
 * comes from a header that is part of the edge-cache key (`uiVariant`), so a cached page is
 * never served in the wrong language.
 */
export function uiLang(c: Context<AppEnv>): UiLang {
  const asked = c.req.query(UI_PARAM);
  if (isUiLang(asked)) return asked;
  const ranked = (c.req.header('accept-language') ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return {
        lang: tag.trim().toLowerCase().split('-')[0],
        q: q === undefined ? 1 : Number(q),
        i,
      };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.lang).find(isUiLang) ?? 'ru';
}

const isUiLang = (s: string | undefined): s is UiLang =>
  (UI_LANGUAGES as readonly string[]).includes(s ?? '');

/** The edge-cache variant of a page: its language, which Accept-Language may have chosen. */
export const uiVariant = (c: Context<AppEnv>) => uiLang(c);

export interface Page {
  ui: UiLang;
  t: Messages;
  /** True when the URL chose the language (`?hl=`), so links and forms carry it on. */
  explicit: boolean;
  /** The public origin (src/http/public-url.ts) for canonical, OpenGraph and feed links. */
  origin: string;
  /** A site path with its query, keeping `hl` when the current URL has it. */
  href: (path: string, query?: Record<string, string | undefined>) => string;
  /** The same, absolute, and always with `hl` (canonical URLs name their language). */
  absolute: (path: string, query?: Record<string, string | undefined>) => string;
  /** The current path with the UI language switched, for the switcher. */
  switchTo: (lang: UiLang) => string;
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

export function page(c: Context<AppEnv>): Page {
  const ui = uiLang(c);
  const url = new URL(c.req.url);
  const explicit = url.searchParams.has(UI_PARAM) ? ui : undefined;
  const origin = publicOrigin(c);
  return {
    ui,
    t: MESSAGES[ui],
    explicit: explicit !== undefined,
    origin,
    href: (path, query = {}) => withQuery(path, { ...query, [UI_PARAM]: explicit }),
    absolute: (path, query = {}) => origin + withQuery(path, { ...query, [UI_PARAM]: ui }),
    switchTo: (lang) => {
      const params = new URLSearchParams(url.search);
      params.set(UI_PARAM, lang);
      return `${url.pathname}?${params.toString()}`;
    },
  };
}
