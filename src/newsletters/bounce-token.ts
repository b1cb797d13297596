/**
 * VERP (variable envelope return path): each campaign message's envelope
 * sender is `bounces+TOKEN@domain`, so the DSN a remote MTA returns to it
 * (RFC 3464 §2: DSNs go to the envelope sender, RFC 5321 §4.5.5) names the
 * delivery in its recipient address even when it quotes none of the original
 * headers.
 *
 * The token is tokens.ts's signed format with its own purpose byte ("bounce"),
 * so it can never pass as an unsubscribe or confirmation token. Its scope's
 * contact slot is the contact and its list slot carries the campaign as
 * "c<id>": a (campaign, contact) pair is exactly one delivery (the ledger's
 * unique key). With key id "k1", a 6-digit contact and a 5-digit campaign the
 * token is 48 characters, so `bounces+TOKEN` stays within RFC 5321's 64-octet
 * local part for an 8-character base.
 */
import type { SigningKey } from "../config/signing-keys.ts";
import { isAppError } from "../errors.ts";
import { signToken, verifyToken } from "../unsubscribe/tokens.ts";

export interface BounceScope {
  campaignId: number;
  contactId: number;
}

export function signBounceToken(keys: SigningKey[], scope: BounceScope): string {
  return signToken(keys, {
    contactId: scope.contactId,
    list: `c${scope.campaignId}`,
    purpose: "bounce",
  });
}

/** null for anything that is not a valid bounce token (the caller tries other ways to match) */
export function verifyBounceToken(keys: SigningKey[], token: string): BounceScope | null {
  try {
    const scope = verifyToken(keys, token, "bounce");
    const campaign = /^c([1-9][0-9]{0,14})$/.exec(scope.list ?? "");
    if (!campaign) return null;
    return { campaignId: Number(campaign[1]), contactId: scope.contactId };
  } catch (error) {
    if (isAppError(error, "invalid_token")) return null;
    throw error;
  }
}

/** The envelope sender for one delivery: the bounce address, VERP-encoded when configured. */
export function envelopeSender(
  config: { bounce: { address: string; verp: boolean }; signingKeys: SigningKey[] },
  scope: BounceScope,
): string {
  const { address, verp } = config.bounce;
  if (!verp) return address;
  const at = address.lastIndexOf("@");
  return `${address.slice(0, at)}+${signBounceToken(config.signingKeys, scope)}${address.slice(at)}`;
}

/** The +TOKEN of `local+TOKEN@domain`, or null. */
export function plusToken(address: string): string | null {
  const local = address.slice(0, Math.max(0, address.lastIndexOf("@")));
  const plus = local.indexOf("+");
  return plus >= 0 && plus < local.length - 1 ? local.slice(plus + 1) : null;
}
