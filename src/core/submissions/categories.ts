/**
 * The fixed list of ad categories and how long an ad in each stays listed. One constant,
 * read by the schema (allowed values), the expiry rule and the OpenAPI document.
 */

const DAY_MS = 86_400_000;

/** Days an ad stays listed after it is posted or renewed, per category. */
export const CATEGORY_EXPIRY_DAYS = {
  services: 30,
  health: 30,
  education: 30,
  realty: 60,
  auto: 45,
  jobs: 30,
  electronics: 30,
  events: 14,
  travel: 30,
  other: 30,
} as const;

export type Category = keyof typeof CATEGORY_EXPIRY_DAYS;
export const CATEGORIES = Object.keys(CATEGORY_EXPIRY_DAYS) as Category[];

/** Default for anything not listed above (the "30 days by default"). */
export const DEFAULT_EXPIRY_DAYS = 30;

/** Reader news waits for moderation, and stays in the live merge after approval, this long. */
export const NEWS_RETENTION_DAYS = 30;

export function expiryDays(category: string): number {
  return (CATEGORY_EXPIRY_DAYS as Record<string, number>)[category] ?? DEFAULT_EXPIRY_DAYS;
}

/** When an ad posted (or renewed) at `now` expires. */
export function expiresAt(category: string, now: number): number {
  return now + expiryDays(category) * DAY_MS;
}

export function newsExpiresAt(now: number): number {
  return now + NEWS_RETENTION_DAYS * DAY_MS;
}
