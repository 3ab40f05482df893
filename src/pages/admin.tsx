/**
 * /admin: the moderation queue (pending, held, rejected) with approve and reject.
 *
 * The admin token is typed once into a POST form; each answer carries it on in a hidden
 * field of its own forms, so it is never in a URL (nor in a log of one), never in a cookie,
 * and no other site can make a moderator's browser act: every POST is checked by Hono's
 * csrf middleware (Origin must be this site), and the token itself is checked by the same
 * `checkAdmin` as the API's bearer, guessing limit included. Pages are no-store.
 */
import { csrf } from 'hono/csrf';
import * as v from 'valibot';
import { adminItem } from '../core/submissions/records.ts';
import { type AdminItem, ModerationAction } from '../core/submissions/schemas.ts';
import { ApiError } from '../http/problem.ts';
import { checkAdmin } from '../routes/admin.ts';
import { forgetApprovedNews, submissionsStore } from '../storage/submissions.ts';
import { notInApi, pageApp, Time } from './common.tsx';
import { formValues, TokenForm } from './forms.tsx';
import { page, type Page } from './site.ts';

const QUEUES = ['pending', 'held', 'rejected'] as const;

function Item({ item, p, token }: { item: AdminItem; p: Page; token: string }) {
  const { t } = p;
  const content = item.content as { title?: string; text?: string; lang?: string };
  return (
    <li>
      <strong lang={content.lang}>{content.title}</strong>{' '}
      <small>
        ({item.kind === 'ad' ? t.kindAd : t.kindNews} · <Time iso={item.created_at} p={p} />
        {item.reports ? ` · ${t.reports}: ${item.reports}` : ''})
      </small>
      <p lang={content.lang}>{content.text?.slice(0, 300)}</p>
      {(['approve', 'reject'] as const)
        .filter((action) => !(action === 'reject' && item.status === 'rejected'))
        .map((action) => (
          <form method="post" action={p.href('/admin')} class="inline">
            <input type="hidden" name="token" value={token} />
            <input type="hidden" name="id" value={item.id} />
            <input type="hidden" name="action" value={action} />
            <button
              type="submit"
              class={action === 'reject' ? 'secondary' : undefined}
              aria-label={`${action === 'approve' ? t.approve : t.reject}: ${content.title ?? item.id}`}
            >
              {action === 'approve' ? t.approve : t.reject}
            </button>
          </form>
        ))}
    </li>
  );
}

const Form = v.object({
  token: v.pipe(v.string(), v.minLength(1)),
  id: v.optional(v.string()),
  action: v.optional(v.string()),
});

export const adminPages = pageApp(['/admin'])
  .use('/admin', csrf())
  .get('/admin', notInApi, (c) => {
    const p = page(c);
    c.header('Cache-Control', 'no-store');
    return c.render(
      <>
        <h1>{p.t.admin}</h1>
        <TokenForm action={p.href('/admin')} label={p.t.adminToken} submit={p.t.signIn} />
      </>,
      { title: p.t.admin, noindex: true },
    );
  })
  .post('/admin', notInApi, async (c) => {
    const p = page(c);
    const { t } = p;
    c.header('Cache-Control', 'no-store');
    const form = v.safeParse(Form, await formValues(c.req));
    await checkAdmin(c, form.success ? form.output.token : undefined);
    const token = form.success ? form.output.token : '';
    const store = submissionsStore(c.env.SUBMISSIONS);
    let notice: string | null = null;
    if (form.success && form.output.id !== undefined) {
      const action = v.safeParse(ModerationAction, form.output);
      if (!action.success) throw new ApiError('bad_request', 'No such moderation action.');
      const record = await store.moderate(action.output.id, action.output.action, Date.now());
      if (record === null) throw new ApiError('not_found', 'No such submission.');
      // This isolate shows the change at once (the front page and search merge approved news).
      if (record.kind === 'news') forgetApprovedNews();
      notice = `${action.output.action === 'approve' ? t.approve : t.reject}: ${(record.content as { title: string }).title} (${t.statuses[record.status]})`;
    }
    const queues = await Promise.all(
      QUEUES.map(async (status) => ({
        status,
        items: (await store.adminList({ status, limit: 50 })).records.map(adminItem),
      })),
    );
    return c.render(
      <>
        <h1>{t.admin}</h1>
        {notice ? (
          <p class="notice" role="status" id="admin-notice">
            {notice}
          </p>
        ) : null}
        {queues.map(({ status, items }) => (
          <section aria-labelledby={`q-${status}`}>
            <h2 id={`q-${status}`}>
              {t.queue}: {t.statuses[status]} ({items.length})
            </h2>
            {items.length === 0 ? (
              <p>{t.emptyQueue}</p>
            ) : (
              <ul class="queue" id={`queue-${status}`}>
                {items.map((item) => (
                  <Item item={item} p={p} token={token} />
                ))}
              </ul>
            )}
          </section>
        ))}
      </>,
      { title: t.admin, noindex: true },
    );
  });
