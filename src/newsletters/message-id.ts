import crypto from "node:crypto";

/**
 * `<c{campaign}.r{contact}.{mac}@{domain}>` without the brackets: the same
 * for a (campaign, contact) pair on every run, so the ledger row and the sent
 * message agree and duplicates are recognisable; the MAC stops anyone from
 * guessing other recipients' ids from their own.
 */
export function deliveryMessageId(
  secret: Buffer,
  campaignId: number,
  contactId: number,
  domain: string,
): string {
  const local = `c${campaignId}.r${contactId}`;
  const mac = crypto.createHmac("sha256", secret).update(local).digest("hex").slice(0, 12);
  return `${local}.${mac}@${domain}`;
}

/** the domain of "News <news@example.com>" */
export function senderDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1]?.toLowerCase() ?? "localhost";
}

/** "News <news@example.com>" → "news@example.com" */
export function senderAddress(from: string): string {
  return /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}
