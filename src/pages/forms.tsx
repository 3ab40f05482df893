/**
 * Form pieces for the submission pages: labelled fields with their error beside them
 * (linked by aria-describedby and marked aria-invalid), and the conversion of a
 * form-encoded body into the JSON shape the API's schemas validate. The field names are the
 * dotted paths of the problem details' `errors[].field` (`contact.email`, `price.amount`),
 * so an error from the same problem the API would answer lands next to its own field.
 */
import type { Child } from 'hono/jsx';
import type { FieldError } from '../http/problem.ts';

export type FormValues = Record<string, string>;

/** The errors of a field: its own path, or a path inside it (`images` holds `images.0`). */
export const errorsFor = (errors: readonly FieldError[], name: string) =>
  errors.filter((e) => e.field === name || e.field.startsWith(`${name}.`));

const idOf = (name: string) => `f-${name.replace(/\./g, '-')}`;

/** One field of a form: what it is; the values and errors come from the form. */
export interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
  multiline?: boolean;
  options?: readonly [value: string, label: string][];
  hint?: string;
  maxlength?: number;
  lang?: string;
}

interface FormState {
  values: FormValues;
  errors: readonly FieldError[];
}

export function Field(props: FieldSpec & FormState) {
  const id = idOf(props.name);
  const errors = errorsFor(props.errors, props.name);
  const describedBy =
    [props.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const common = {
    id,
    name: props.name,
    required: props.required,
    'aria-invalid': errors.length ? 'true' : undefined,
    'aria-describedby': describedBy,
  };
  const value = props.values[props.name] ?? '';
  let control: Child;
  if (props.options)
    control = (
      <select {...common}>
        {props.options.map(([v, label]) => (
          <option value={v} selected={v === value}>
            {label}
          </option>
        ))}
      </select>
    );
  else if (props.multiline)
    control = (
      <textarea {...common} rows={6} maxlength={props.maxlength}>
        {value}
      </textarea>
    );
  else
    control = (
      <input {...common} type={props.type ?? 'text'} value={value} maxlength={props.maxlength} />
    );
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? <small id={`${id}-hint`}>{props.hint}</small> : null}
      {control}
      {errors.length ? (
        <span class="error" id={`${id}-error`}>
          {errors.map((e) => e.message).join('; ')}
        </span>
      ) : null}
    </div>
  );
}

/** Fields in order, each with the form's values and errors. */
export function Fields({ specs, values, errors }: { specs: readonly FieldSpec[] } & FormState) {
  return (
    <>
      {specs.map((spec) => (
        <Field {...spec} values={values} errors={errors} />
      ))}
    </>
  );
}

/** The title and text every submission starts with (an ad's or a reader-news item's). */
export const titleAndText = (
  labels: [title: string, text: string],
  maxlength: [title: number, text: number],
): FieldSpec[] => [
  { name: 'title', label: labels[0], required: true, maxlength: maxlength[0] },
  { name: 'text', label: labels[1], required: true, multiline: true, maxlength: maxlength[1] },
];

/**
 * A form that asks for a secret once (the admin token, an ad's manage token) and posts it
 * as `token`: a password field, so it is neither shown nor kept in the URL.
 */
export function TokenForm(props: { action: string; label: string; submit: string }) {
  return (
    <form method="post" action={props.action}>
      <div class="field">
        <label for="f-token">{props.label}</label>
        <input id="f-token" name="token" type="password" required autocomplete="off" />
      </div>
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** The form's text fields as sent (files are not accepted). */
export async function formValues(req: { parseBody: () => Promise<Record<string, unknown>> }) {
  const body = await req.parseBody();
  const values: FormValues = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') values[k] = v;
  return values;
}

const optional = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s);

/** "2500" and "2500.50" become numbers; anything else stays text, for the schema to name. */
const amount = (s: string) => (/^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : s);

/** An ad form as the JSON body of POST /v1/ads (and of an owner's edit). */
export function adInput(f: FormValues) {
  const price = optional(f['price.amount']);
  const image = optional(f.images);
  return {
    title: f.title ?? '',
    text: f.text ?? '',
    category: f.category ?? '',
    price:
      price === undefined ? null : { amount: amount(price), currency: f['price.currency'] ?? '' },
    contact: {
      name: f['contact.name'] ?? '',
      email: optional(f['contact.email']),
      phone: optional(f['contact.phone']),
    },
    location: f.location ?? '',
    lang: f.lang ?? '',
    images: image === undefined ? [] : [image],
  };
}

/** A reader-news form as the JSON body of POST /v1/news. */
export function newsInput(f: FormValues) {
  return {
    title: f.title ?? '',
    text: f.text ?? '',
    url: optional(f.url) ?? null,
    section: f.section ?? '',
    lang: f.lang ?? '',
    source: optional(f.source),
  };
}

/** The anti-abuse fields every submission form carries (docs/submissions.md). */
export const abuseInput = (f: FormValues) => ({
  website: f.website ?? '',
  form_token: f.form_token ?? '',
});
