/**
 * Ads and reader news for people: the ads by category, one ad, the ad and news forms, the
 * confirmation with the owner's manage access, and the owner's page (edit, renew, delete).
 *
 * The forms post form-encoded fields to these routes, which hand them to `submit`
 * (storage/submissions/submit.ts), the one path the JSON API takes too: rate limit, schema,
 * Idempotency-Key (a hidden field, new for each form shown, so a double click makes one ad),
 * honeypot, form token. A refusal is turned into the very problem the API would answer
 * (`answerSubmission`), and its `errors` are shown beside their fields.
 *
 * The manage token never goes into a URL: the confirmation page shows it once and posts it
 * to the owner's page, whose forms carry it in a hidden field (no-store pages, CSRF checked).
 */
import { csrf } from 'hono/csrf';
import { etag } from 'hono/etag';
import * as v from 'valibot';
import type { AdContent } from '../core/submissions/schemas.ts';
import { AdPatch, AdsQuery, IdParam, LIMITS } from '../core/submissions/schemas.ts';
import { issueFormToken, newId, sha256Hex } from '../core/submissions/tokens.ts';
import type { AppEnv } from '../env.ts';
import { cacheMaxAge } from '../http/cache.ts';
import { requirePointer } from '../http/pointer.ts';
import { ApiError, fieldErrors, type FieldError } from '../http/problem.ts';
import { validate } from '../http/validate.ts';
import { listAds, loadAd } from '../routes/ads.ts';
import { answerSubmission, clientIp, requireSecrets } from '../routes/submission-guards.ts';
import { readSections } from '../storage/snapshots.ts';
import { submissionsStore } from '../storage/submissions.ts';
import { submit, type SubmitOutcome } from '../storage/submissions/submit.ts';
import type { OwnerResult } from '../storage/submissions/store.ts';
import type { Context } from 'hono';
import { AdItem, formatPrice, notInApi, pageApp, Time } from './common.tsx';
import {
  abuseInput,
  adInput,
  Fields,
  type FormValues,
  formValues,
  newsInput,
  titleAndText,
  TokenForm,
} from './forms.tsx';
import { CATEGORIES, categoryName, LANGUAGE_NAMES, sectionName } from './messages.ts';
import { page, type Page } from './site.ts';

type Ctx = Context<AppEnv>;

const noStore = (c: Ctx) => c.header('Cache-Control', 'no-store');

/** The problem the JSON API answers for a refused submission, as data for the form. */
function problemOf(c: Ctx, outcome: SubmitOutcome): ApiError {
  try {
    answerSubmission(c, outcome);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`submission outcome ${outcome.result} has no problem`);
}

const CONTENT_LANGS = ['ru', 'uk', 'en'] as const;
const langOptions = CONTENT_LANGS.map((l) => [l, LANGUAGE_NAMES[l]!] as [string, string]);

/** The hidden fields of a submission form: a fresh form token and Idempotency-Key, the honeypot. */
async function AbuseFields({ c, p }: { c: Ctx; p: Page }) {
  const secrets = await requireSecrets(c.env);
  const token = await issueFormToken(secrets.form, Date.now());
  return (
    <>
      <input type="hidden" name="form_token" value={token} />
      <input type="hidden" name="idempotency_key" value={newId()} />
      <div class="hp" aria-hidden="true">
        <label for="f-website">{p.t.honeypot}</label>
        <input id="f-website" name="website" type="text" tabindex={-1} autocomplete="off" />
      </div>
    </>
  );
}

function Problem({ error, p }: { error: ApiError | null; p: Page }) {
  if (!error) return null;
  return (
    <div class="alert" role="alert" id="form-problem">
      <p>
        <strong>{p.t.formErrors}</strong> {error.message}
      </p>
    </div>
  );
}

function AdFields({
  values,
  errors,
  p,
}: {
  values: FormValues;
  errors: readonly FieldError[];
  p: Page;
}) {
  const { t } = p;
  const state = { values, errors };
  return (
    <>
      <Fields
        {...state}
        specs={[
          ...titleAndText([t.adTitle, t.adText], [LIMITS.adTitle[1], LIMITS.adText[1]]),
          {
            name: 'category',
            label: t.category,
            options: CATEGORIES.map((k) => [k, categoryName(t, k)]),
          },
          { name: 'price.amount', label: t.priceAmount, type: 'text' },
          {
            name: 'price.currency',
            label: t.currency,
            options: ['RUB', 'UAH', 'EUR', 'USD'].map((c) => [c, c]),
          },
        ]}
      />
      <fieldset>
        <legend>{t.contact}</legend>
        <p>
          <small id="contact-hint">{t.contactHint}</small>
        </p>
        {errors
          .filter((e) => e.field === 'contact')
          .map((e) => (
            <p class="error" id="f-contact-error">
              {e.message}
            </p>
          ))}
        <Fields
          {...state}
          specs={[
            { name: 'contact.name', label: t.contactName, required: true },
            { name: 'contact.email', label: t.email, type: 'email' },
            { name: 'contact.phone', label: t.phone, type: 'tel' },
          ]}
        />
      </fieldset>
      <Fields
        {...state}
        specs={[
          { name: 'location', label: t.location, required: true },
          { name: 'lang', label: t.language, options: langOptions },
          { name: 'images', label: t.imageUrl, type: 'url' },
        ]}
      />
    </>
  );
}

/**
 * A posted ad or news form through the same `submit()` as the JSON API: its fields as the
 * API's body, the anti-abuse fields, the client address and the form's Idempotency-Key.
 */
async function submitForm(c: Ctx, kind: 'ad' | 'news', input: (f: FormValues) => object) {
  const f = await formValues(c.req);
  const outcome = await submit(
    c.env,
    kind,
    { ...input(f), ...abuseInput(f) },
    { ip: clientIp(c), idempotencyKey: f.idempotency_key },
  );
  return { f, outcome };
}

/** The owner's form values from the ad as stored. */
function valuesOf(ad: AdContent): FormValues {
  return {
    title: ad.title,
    text: ad.text,
    category: ad.category,
    'price.amount': ad.price ? String(ad.price.amount) : '',
    'price.currency': ad.price?.currency ?? 'RUB',
    'contact.name': ad.contact.name,
    'contact.email': ad.contact.email ?? '',
    'contact.phone': ad.contact.phone ?? '',
    location: ad.location,
    lang: ad.lang,
    images: ad.images[0] ?? '',
  };
}

async function adForm(c: Ctx, values: FormValues, error: ApiError | null) {
  const p = page(c);
  noStore(c);
  if (error) c.status(error.status as 400);
  return c.render(
    <>
      <h1>{p.t.addAd}</h1>
      <Problem error={error} p={p} />
      <form method="post" action={p.href('/ads/new')} novalidate>
        <AbuseFields c={c} p={p} />
        <AdFields values={values} errors={error?.errors ?? []} p={p} />
        <p>
          <small>{p.t.fillHint}</small>
        </p>
        <button type="submit">{p.t.send}</button>
      </form>
    </>,
    { title: p.t.addAd, noindex: true },
  );
}

async function newsForm(c: Ctx, values: FormValues, error: ApiError | null) {
  const p = page(c);
  const { t } = p;
  noStore(c);
  if (error) c.status(error.status as 400);
  const pointer = await requirePointer(c.env.NEWS);
  const sections = (await readSections(c.env.NEWS, pointer))?.sections ?? [];
  const errors = error?.errors ?? [];
  return c.render(
    <>
      <h1>{t.addNews}</h1>
      <Problem error={error} p={p} />
      <form method="post" action={p.href('/news/new')} novalidate>
        <AbuseFields c={c} p={p} />
        <Fields
          values={values}
          errors={errors}
          specs={[
            ...titleAndText([t.newsTitle, t.newsText], [LIMITS.newsTitle[1], LIMITS.newsText[1]]),
            {
              name: 'section',
              label: t.section,
              options: sections.map((s) => [s.section, sectionName(t, s.section)]),
            },
            { name: 'lang', label: t.language, options: langOptions },
            { name: 'url', label: t.newsUrl, type: 'url' },
            { name: 'source', label: t.newsSource },
          ]}
        />
        <p>
          <small>{t.fillHint}</small>
        </p>
        <button type="submit">{t.send}</button>
      </form>
    </>,
    { title: t.addNews, noindex: true },
  );
}

/** The owner's page: status, the edit form, renew and delete, each carrying the token. */
function ManagePage({
  p,
  id,
  token,
  result,
  notice,
  errors = [],
  values,
}: {
  p: Page;
  id: string;
  token: string;
  result: Extract<OwnerResult, { result: 'ok' }>;
  notice?: string;
  errors?: readonly FieldError[];
  values?: FormValues;
}) {
  const { t } = p;
  const record = result.record;
  const action = p.href(`/ads/${id}/manage`);
  const hidden = (name: string) => (
    <>
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="action" value={name} />
    </>
  );
  return (
    <>
      <h1>{t.manageTitle}</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        {t.status}: <strong id="ad-status">{t.statuses[record.status]}</strong> · {t.expires}{' '}
        <Time iso={new Date(record.expires_at).toISOString()} p={p} />
      </p>
      <form method="post" action={action} novalidate>
        {hidden('save')}
        <AdFields values={values ?? valuesOf(record.content)} errors={errors} p={p} />
        <button type="submit">{t.save}</button>
      </form>
      {[
        ['renew', t.renew],
        ['delete', t.remove],
      ].map(([what = '', label]) => (
        <form method="post" action={action}>
          {hidden(what)}
          <p>
            <button type="submit" class="secondary">
              {label}
            </button>
          </p>
        </form>
      ))}
    </>
  );
}

const ManageForm = v.object({
  token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a manage token')),
  action: v.optional(v.picklist(['view', 'save', 'renew', 'delete']), 'view'),
});

export const adPages = pageApp(
  // '/ads/:id' also covers /ads/new.
  ['/ads', '/ads/:id', '/ads/:id/manage', '/news/new'],
  // The ads are live (the Durable Object is the source of truth): like /v1/ads, an ETag
  // from the body and 304 on If-None-Match; forms and owner pages are no-store.
  etag(),
)
  .use('/ads/:id', csrf())
  .use('/ads/:id/manage', csrf())
  .use('/news/new', csrf())
  .get('/ads', notInApi, validate('query', AdsQuery), async (c) => {
    const p = page(c);
    const { t } = p;
    const q = c.req.valid('query');
    const list = await listAds(c.env, q);
    c.header('Cache-Control', `public, max-age=${cacheMaxAge(c.env)}`);
    const title = q.category ? categoryName(t, q.category) : t.ads;
    return c.render(
      <>
        <h1>{title}</h1>
        <p>
          <a href={p.href('/ads/new')}>{t.addAd}</a>
        </p>
        <nav aria-label={t.category}>
          <ul class="langs">
            <li>
              <a href={p.href('/ads')} aria-current={q.category ? undefined : 'page'}>
                {t.allCategories}
              </a>
            </li>
            {CATEGORIES.map((k) => (
              <li>
                <a
                  href={p.href('/ads', { category: k })}
                  aria-current={q.category === k ? 'page' : undefined}
                >
                  {categoryName(t, k)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {list.items.length === 0 ? (
          <p>{t.noAds}</p>
        ) : (
          <ul class="ads">
            {list.items.map((ad) => (
              <AdItem ad={ad} p={p} />
            ))}
          </ul>
        )}
        {list.next_cursor ? (
          <nav class="pager" aria-label={t.nextPage}>
            <a rel="next" href={p.href('/ads', { category: q.category, cursor: list.next_cursor })}>
              {t.nextPage}
            </a>
          </nav>
        ) : null}
      </>,
      { title, canonical: p.absolute('/ads', { category: q.category }) },
    );
  })
  .get('/ads/new', notInApi, (c) => adForm(c, { lang: page(c).ui, 'price.currency': 'RUB' }, null))
  .post('/ads/new', notInApi, async (c) => {
    const { f, outcome } = await submitForm(c, 'ad', adInput);
    if (outcome.result !== 'accepted') return adForm(c, f, problemOf(c, outcome));
    const p = page(c);
    const { t } = p;
    noStore(c);
    return c.render(
      <>
        <h1>{t.adReceived}</h1>
        <p class="notice" role="status">
          {t.pendingModeration}
        </p>
        <p>{t.manageLink}</p>
        <p>
          <code class="wrap" id="manage-token">
            {outcome.manage_token}
          </code>
        </p>
        <form method="post" action={p.href(`/ads/${outcome.id}/manage`)}>
          <input type="hidden" name="token" value={outcome.manage_token ?? ''} />
          <p>
            <button type="submit">{t.manageTitle}</button>{' '}
            <a href={p.href(`/ads/${outcome.id}/manage`)} id="manage-link">
              {p.origin}/ads/{outcome.id}/manage
            </a>
          </p>
        </form>
      </>,
      { title: t.adReceived, noindex: true },
    );
  })
  .get('/news/new', notInApi, (c) => newsForm(c, { lang: page(c).ui }, null))
  .post('/news/new', notInApi, async (c) => {
    const { f, outcome } = await submitForm(c, 'news', newsInput);
    if (outcome.result !== 'accepted') return newsForm(c, f, problemOf(c, outcome));
    const p = page(c);
    noStore(c);
    return c.render(
      <>
        <h1>{p.t.newsReceived}</h1>
        <p class="notice" role="status">
          {p.t.newsPending}
        </p>
        <p>
          <a href={p.href('/')}>{p.t.home}</a>
        </p>
      </>,
      { title: p.t.newsReceived, noindex: true },
    );
  })
  .get('/ads/:id', notInApi, validate('param', IdParam), async (c) => {
    const p = page(c);
    const { t } = p;
    const ad = await loadAd(c.env, c.req.valid('param').id);
    c.header('Cache-Control', `public, max-age=${cacheMaxAge(c.env)}`);
    const price = formatPrice(ad.price, p.ui);
    return c.render(
      <article lang={ad.lang}>
        <h1>{ad.title}</h1>
        <p class="meta" lang={p.ui}>
          <a href={p.href('/ads', { category: ad.category })}>{categoryName(t, ad.category)}</a> ·{' '}
          {ad.location} · <Time iso={ad.published} p={p} />
        </p>
        {price ? (
          <p>
            <span lang={p.ui}>{t.price}:</span> <strong>{price}</strong>
          </p>
        ) : null}
        {ad.images.map((src) => (
          <img src={src} alt="" width={640} height={480} />
        ))}
        {ad.text.split(/\n{2,}/).map((para) => (
          <p>{para}</p>
        ))}
        <h2 lang={p.ui}>{t.contact}</h2>
        <p>
          {ad.contact.name}
          {ad.contact.email ? (
            <>
              {' · '}
              <a href={`mailto:${ad.contact.email}`}>{ad.contact.email}</a>
            </>
          ) : null}
          {ad.contact.phone ? (
            <>
              {' · '}
              <a href={`tel:${ad.contact.phone.replace(/[^\d+]/g, '')}`}>{ad.contact.phone}</a>
            </>
          ) : null}
        </p>
        <p class="meta" lang={p.ui}>
          {t.expires} <Time iso={ad.expires_at} p={p} />
        </p>
      </article>,
      {
        title: ad.title,
        description: ad.text.slice(0, 200),
        canonical: p.absolute(`/ads/${ad.id}`),
        meta: { 'og:type': 'website', 'og:title': ad.title, 'og:image': ad.images[0] },
      },
    );
  })
  .get('/ads/:id/manage', notInApi, validate('param', IdParam), (c) => {
    const p = page(c);
    noStore(c);
    return c.render(
      <>
        <h1>{p.t.manageTitle}</h1>
        <TokenForm
          action={p.href(`/ads/${c.req.valid('param').id}/manage`)}
          label={p.t.manageLink}
          submit={p.t.signIn}
        />
      </>,
      { title: p.t.manageTitle, noindex: true },
    );
  })
  .post('/ads/:id/manage', notInApi, validate('param', IdParam), async (c) => {
    const p = page(c);
    const { t } = p;
    noStore(c);
    const { id } = c.req.valid('param');
    const f = await formValues(c.req);
    const form = v.safeParse(ManageForm, f);
    if (!form.success) throw new ApiError('unauthorized', t.wrongToken);
    const { token, action } = form.output;
    const hash = await sha256Hex(token);
    const store = submissionsStore(c.env.SUBMISSIONS);
    const now = Date.now();
    const owned = (r: OwnerResult) => {
      if (r.result === 'not_found') throw new ApiError('not_found', 'No such ad.');
      if (r.result === 'forbidden') throw new ApiError('forbidden', t.wrongToken);
      return r;
    };
    const show = (
      result: Extract<OwnerResult, { result: 'ok' }>,
      notice?: string,
      errors?: readonly FieldError[],
      values?: FormValues,
    ) =>
      c.render(
        <ManagePage
          p={p}
          id={id}
          token={token}
          result={result}
          notice={notice}
          errors={errors}
          values={values}
        />,
        { title: t.manageTitle, noindex: true },
      );
    if (action === 'delete') {
      owned(await store.ownerDelete(id, hash, now));
      return c.render(
        <>
          <h1>{t.manageTitle}</h1>
          <p class="notice" role="status">
            {t.removed}
          </p>
        </>,
        { title: t.manageTitle, noindex: true },
      );
    }
    if (action === 'renew') return show(owned(await store.ownerRenew(id, hash, now)), t.renewed);
    if (action === 'save') {
      // The owner's edit goes through the API's own schema (AdPatch), field by field.
      const patch = await AdPatch['~standard'].validate(adInput(f));
      if (patch.issues) {
        const current = owned(await store.ownerGet(id, hash));
        c.status(400);
        return show(current, undefined, fieldErrors(patch.issues), f);
      }
      return show(owned(await store.ownerUpdate(id, hash, patch.value, now)), t.saved);
    }
    return show(owned(await store.ownerGet(id, hash)));
  });
