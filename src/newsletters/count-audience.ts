import { hashAddress } from "../consent/address-hash.ts";
import type { Db } from "../types.ts";
import type { Segment } from "./create-campaign.ts";
import { suppressedHashes } from "./select-recipients.ts";
import { sqlOf } from "../adapters/sql-of.ts";

export interface AudienceCount {
  /** contacts the send would pick today: subscribed to a list, matching the segment, not suppressed */
  recipients: number;
  /** subscribed and matching, but on the suppression list (never sent to) */
  suppressed: number;
}

const pageSize = 5000;

/**
 * How many people a campaign to these lists and this segment would reach if
 * it started now, before it is scheduled. The filter is selectRecipients'
 * (an active `subscribed` subscription to one of the lists, one count per
 * contact, the segment's case-insensitive filters); the two must stay alike,
 * and a test compares them. Suppression is keyed by an HMAC of the address,
 * which SQL cannot compute, so the matching addresses are paged through and
 * hashed here (about 1 µs each).
 * Raw SQL: the case-insensitive array overlap of the segment has no Prisma form.
 */
export async function countAudience(
  deps: { db: Db; suppressionKey: string },
  input: { lists: string[]; segment: Segment | null },
): Promise<AudienceCount> {
  if (input.lists.length === 0) return { recipients: 0, suppressed: 0 };
  const lower = (values?: string[]) => (values ? values.map((v) => v.toLowerCase()) : null);
  let after = 0;
  let matching = 0;
  let suppressed = 0;
  for (;;) {
    const rows = await deps.db.$queryRawUnsafe<Array<{ id: number; email: string }>>(
      `SELECT c.id, c.email
         FROM contacts c
        WHERE c.id > $1
          AND EXISTS (SELECT 1 FROM subscriptions s JOIN lists l ON l.id = s.list_id
                       WHERE s.contact_id = c.id AND s.status = 'subscribed' AND l.slug = ANY($2::text[]))
          AND ($3::text[] IS NULL OR lower(c.industry) = ANY($3::text[]))
          AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest(c.product_interests) i WHERE lower(i) = ANY($4::text[])))
          AND ($5::text[] IS NULL OR lower(c.company) = ANY($5::text[]))
        ORDER BY c.id
        LIMIT $6`,
      after,
      input.lists,
      lower(input.segment?.industry),
      lower(input.segment?.productInterests),
      lower(input.segment?.company),
      pageSize,
    );
    if (rows.length === 0) break;
    matching += rows.length;
    const hashes = rows.map((r) => hashAddress(deps.suppressionKey, r.email));
    suppressed += (await suppressedHashes(sqlOf(deps), hashes)).size;
    after = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) break;
  }
  return { recipients: matching - suppressed, suppressed };
}
