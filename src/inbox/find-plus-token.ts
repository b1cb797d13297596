import type { ParsedMessage } from "./inbox-types.ts";

/**
 * The token in a sub-addressed recipient: `unsubscribe+TOKEN@example.org` when
 * `unsubscribe@example.org` is one of `baseAddresses`, or a VERP bounce address
 * `bounces+TOKEN@...`. Looks where the message was really addressed: Delivered-To /
 * X-Original-To / Envelope-To first (the MTA wrote those; To and Cc are the sender's
 * words, and a bounce or a forward keeps the original ones), then To and Cc.
 *
 * Returns `{ address, token }` with token null for the bare base address, or null when
 * no recipient is one of the bases. The token is not verified here.
 */
export function findPlusToken(
  message: Pick<ParsedMessage, "deliveredTo" | "to" | "cc">,
  baseAddresses: readonly string[],
): { address: string; token: string | null } | null {
  const bases = new Set(baseAddresses.map((a) => a.trim().toLowerCase()));
  if (bases.size === 0) return null;
  const candidates = [
    ...message.deliveredTo,
    ...message.to.map((entry) => entry.address),
    ...message.cc.map((entry) => entry.address),
  ];
  let bare: string | null = null;
  for (const candidate of candidates) {
    const address = candidate.trim().toLowerCase();
    const at = address.lastIndexOf("@");
    if (at <= 0) continue;
    const local = address.slice(0, at);
    const domain = address.slice(at);
    const plus = local.indexOf("+");
    if (plus > 0 && bases.has(local.slice(0, plus) + domain)) {
      // Tokens are lower-case base32 and verified case-insensitively (RFC 5321 section
      // 2.4 lets relays change the case of a local part), so lower-casing loses nothing.
      const token = local.slice(plus + 1);
      if (token.length > 0) return { address, token };
    }
    if (bases.has(address)) bare ??= address;
  }
  return bare ? { address: bare, token: null } : null;
}
