/**
 * The shapes of stored submissions, as read back from SQLite. These schemas check structure
 * and nothing else: no cleaning, no length rules, no transforms. The request schemas
 * (./schemas.ts) clean and check text once, at the door; re-running those transforms on a
 * stored row could change it (or refuse it) long after it was accepted, and one such row
 * would fail every page it is on.
 */
import * as v from 'valibot';
import { CATEGORIES } from './categories.ts';

const Price = v.object({ amount: v.number(), currency: v.string() });

export const StoredAd = v.object({
  title: v.string(),
  text: v.string(),
  category: v.picklist(CATEGORIES),
  price: v.optional(v.nullable(Price)),
  contact: v.object({
    name: v.string(),
    email: v.optional(v.string()),
    phone: v.optional(v.string()),
  }),
  location: v.string(),
  lang: v.string(),
  images: v.array(v.string()),
});
export type StoredAd = v.InferOutput<typeof StoredAd>;

export const StoredNews = v.object({
  title: v.string(),
  text: v.string(),
  url: v.nullable(v.string()),
  section: v.string(),
  lang: v.string(),
  source: v.string(),
});
export type StoredNews = v.InferOutput<typeof StoredNews>;
