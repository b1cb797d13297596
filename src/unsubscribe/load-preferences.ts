import type { SubscriptionStatus } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";

export interface ListPreference {
  slug: string;
  name: string;
  description: string | null;
  status: SubscriptionStatus;
  /**
   * Whether the preference centre may (re-)subscribe the person: only to a
   * list they were subscribed to before. A pending request was never
   * confirmed, so it goes through double opt-in instead.
   */
  canSubscribe: boolean;
}

export interface Preferences {
  /** false when the contact no longer exists (erased): there is nothing to show or change */
  found: boolean;
  lists: ListPreference[];
  /** the contact's stored language, for the pages that show these preferences */
  language: string | null;
}

/** The lists a contact has a subscription to, in any state, by list name. */
export async function loadPreferences(db: Db | DbOrTx, contactId: number): Promise<Preferences> {
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    select: {
      language: true,
      subscriptions: {
        select: {
          status: true,
          confirmedAt: true,
          unsubscribedAt: true,
          list: { select: { slug: true, name: true, description: true } },
        },
      },
    },
  });
  if (!contact) return { found: false, lists: [], language: null };
  const lists = contact.subscriptions
    .map((s) => ({
      slug: s.list.slug,
      name: s.list.name,
      description: s.list.description,
      status: s.status,
      canSubscribe: s.status === "subscribed" || s.confirmedAt !== null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
  return { found: true, lists, language: contact.language };
}
