/**
 * Every piece of UI text the pages show, in Russian, English and Ukrainian. English is
 * written here and is the shape of every language (its keys are the `Messages` type);
 * Russian and Ukrainian live in ./messages.txt, JSON shipped as a Text module
 * (wrangler.toml [[rules]]) and checked against the English shape when the module loads, so a
 * missing or extra translation fails the Worker's start, and with it every test.
 *
 * Why a Text module: esbuild writes every non-ASCII character of a script as a \uXXXX escape
 * (6 bytes where UTF-8 needs 2 for Cyrillic), and this module was 32.7 KiB of the minified
 * Worker, most of it Cyrillic. A Text module is uploaded as UTF-8 text (measured with
 * `npm run deploy:dry && npm run bundle:size`, which counts every uploaded module).
 *
 * A message with a number is its plural forms, `#` standing for the number: English one and
 * other, Russian and Ukrainian one, few and many (CLDR plural rules); `Messages` turns each
 * into a function of the number.
 */
import { CATEGORIES, type Category } from '../core/submissions/categories.ts';
import TRANSLATIONS from './messages.txt';

export const UI_LANGUAGES = ['ru', 'en', 'uk'] as const;
export type UiLang = (typeof UI_LANGUAGES)[number];

/** What each language calls itself, for the switcher and the content-language filter. */
export const LANGUAGE_NAMES: Record<string, string> = {
  ru: 'Русский',
  en: 'English',
  uk: 'Українська',
};

const en = {
  sections: {
    politics: 'Politics',
    health: 'Health',
    partner: 'Partner content',
    culture: 'Culture',
    world: 'World',
    education: 'Education',
    travel: 'Travel',
    games: 'Games',
    moscow: 'Moscow',
    tech: 'Technology',
    society: 'Society',
    economy: 'Economy',
    tennis: 'Tennis',
    sport: 'Sport',
    science: 'Science',
    music: 'Music',
    ukraine: 'Ukraine',
    business: 'Business',
  } as Record<string, string>,
  siteTagline: 'News, search and classified ads',
  skipToContent: 'Skip to content',
  nav: 'Site sections',
  home: 'Home',
  ads: 'Ads',
  addNews: 'Add news',
  addAd: 'Post an ad',
  interfaceLanguage: 'Interface language',
  searchLabel: 'Search the news',
  searchPlaceholder: 'Search…',
  searchButton: 'Search',
  suggestions: 'Suggestions',
  featured: 'News in English',
  photoCredit: 'Photo Credit',
  topic: 'Research and analysis for',
  readMore: 'Read the whole article',
  adsToday: 'Private ads today',
  noAdsToday: 'No new ads today.',
  allAds: 'All ads',
  headlines: 'Headlines by section',
  alsoReported: ['also reported by # source', 'also reported by # sources'],
  moreInSection: 'More in',
  allLanguages: 'All languages',
  contentLanguage: 'News language',
  nextPage: 'Next page',
  firstPage: 'First page',
  articles: ['# article', '# articles'],
  source: 'Source',
  openSource: 'Read at the source',
  duplicates: 'Also published by',
  published: 'Published',
  tags: 'Tags',
  notFound: 'Page not found',
  notFoundText: 'There is no such page, or it was removed.',
  unavailable: 'No news has been published yet. Please try again in a minute.',
  searchTitle: 'Search',
  searchResults: ['# result', '# results'],
  searchResultsAbout: ['about # result', 'about # results'],
  noResults: 'Nothing found.',
  resultsCount: 'Results: #',
  showingFor: 'Showing results for',
  anyWords: 'No article has every word: showing articles with any of them.',
  filters: 'Filters',
  section: 'Section',
  allSections: 'All sections',
  sortBy: 'Order',
  sortRelevance: 'Most relevant',
  sortNewest: 'Newest first',
  dateFrom: 'From',
  dateTo: 'To',
  apply: 'Apply',
  category: 'Category',
  allCategories: 'All categories',
  categories: {
    services: 'Services',
    health: 'Health',
    education: 'Education',
    realty: 'Real estate',
    auto: 'Cars',
    jobs: 'Jobs',
    electronics: 'Electronics',
    events: 'Events',
    travel: 'Travel',
    other: 'Other',
  } satisfies Record<Category, string>,
  noAds: 'No ads yet.',
  price: 'Price',
  location: 'Location',
  contact: 'Contact',
  expires: 'Listed until',
  adTitle: 'Title',
  adText: 'Text of the ad',
  priceAmount: 'Price (optional)',
  currency: 'Currency',
  contactName: 'Name',
  email: 'Email',
  phone: 'Phone',
  contactHint: 'Give an email or a phone number (or both).',
  language: 'Language',
  imageUrl: 'Photo link (https, optional)',
  honeypot: 'Leave this field empty',
  send: 'Send',
  fillHint: 'The form can be sent a few seconds after it was opened.',
  formErrors: 'Please correct the form:',
  newsTitle: 'Headline',
  newsText: 'Text of the news',
  newsUrl: 'Link to the source (optional)',
  newsSource: 'Source (optional)',
  adReceived: 'Your ad was received',
  newsReceived: 'Your news was received',
  pendingModeration: 'It will be listed once a moderator has checked it.',
  newsPending: 'It will appear on the site once a moderator has checked it.',
  manageLink: 'Link to manage your ad (keep it: it is shown only once):',
  manageTitle: 'Manage your ad',
  status: 'Status',
  statuses: {
    pending: 'waiting for moderation',
    approved: 'listed',
    rejected: 'rejected',
    held: 'on hold after reports',
  },
  save: 'Save changes',
  renew: 'Renew',
  remove: 'Delete the ad',
  removed: 'The ad was deleted.',
  saved: 'Changes saved: the ad is back in moderation.',
  renewed: 'The ad was renewed.',
  wrongToken: 'This manage link is wrong or out of date.',
  admin: 'Moderation',
  adminToken: 'Admin token',
  adminTokenHint: 'Entered once and kept only in this browser tab.',
  adminNeedsScript: 'Moderation needs JavaScript: the token is sent in a header, never in a URL.',
  signIn: 'Sign in',
  signOut: 'Sign out',
  queue: 'Queue',
  approve: 'Approve',
  reject: 'Reject',
  kindAd: 'Ad',
  kindNews: 'News',
  emptyQueue: 'The queue is empty.',
  reports: 'Reports',
  tooFast: 'Too many submissions. Please wait a minute and try again.',
  footer: 'News from open sources. Ads are listed after moderation.',
  apiDocs: 'API',
};

type Catalog = typeof en;
type Forms = readonly string[];
/** A catalog with each plural-forms message as a function of the number. */
export type Messages = {
  [K in keyof Catalog]: Catalog[K] extends Forms ? (n: number) => string : Catalog[K];
};

/** CLDR plural category index: English one/other; Russian and Ukrainian one/few/many. */
function pluralIndex(lang: UiLang, n: number): number {
  if (lang === 'en') return n === 1 ? 0 : 1;
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return 0;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return 1;
  return 2;
}

const FORMS: Record<UiLang, number> = { en: 2, ru: 3, uk: 3 };

/**
 * Checks `value` against the English shape: the same keys at every level, a string where
 * English has one, and plural forms (as many as the language has, each with `#`) where
 * English has forms. Throws naming the first key that differs.
 */
function checkShape(lang: UiLang, shape: unknown, value: unknown, path: string): void {
  const fail = (what: string): never => {
    throw new Error(`src/pages/messages.txt: ${path} ${what}`);
  };
  if (typeof shape === 'string') {
    if (typeof value !== 'string') fail('must be a string');
  } else if (Array.isArray(shape)) {
    if (
      !Array.isArray(value) ||
      value.length !== FORMS[lang] ||
      !value.every((f) => typeof f === 'string' && f.includes('#'))
    )
      fail(`must be ${FORMS[lang]} plural forms, each with #`);
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail('must be an object');
    const want = Object.keys(shape as object);
    const have = Object.keys(value as object);
    const missing = want.find((k) => !have.includes(k));
    if (missing !== undefined) fail(`has no "${missing}"`);
    const extra = have.find((k) => !want.includes(k));
    if (extra !== undefined) fail(`has "${extra}", which English does not`);
    for (const k of want)
      checkShape(
        lang,
        (shape as Record<string, unknown>)[k],
        (value as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
  }
}

/** A language's messages from its catalog, checked against the English shape first. */
export function messagesOf(lang: UiLang, catalog: unknown): Messages {
  checkShape(lang, en, catalog, lang);
  const entries = Object.entries(catalog as Catalog).map(([key, value]) => [
    key,
    Array.isArray(value)
      ? (n: number) => (value[pluralIndex(lang, n)] as string).replace('#', String(n))
      : value,
  ]);
  // The shape was checked above: every key of Catalog, each of its kind.
  return Object.fromEntries(entries) as Messages;
}

const translations = JSON.parse(TRANSLATIONS) as Record<string, unknown>;

export const MESSAGES: Record<UiLang, Messages> = {
  ru: messagesOf('ru', translations.ru),
  en: messagesOf('en', en),
  uk: messagesOf('uk', translations.uk),
};

export const categoryName = (t: Messages, category: string) =>
  (t.categories as Record<string, string>)[category] ?? category;

export const sectionName = (t: Messages, slug: string) => t.sections[slug] ?? slug;

export { CATEGORIES };
