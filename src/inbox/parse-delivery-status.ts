/**
 * The text of a message/delivery-status part (RFC 3464 section 2.1) -> its fields:
 * one block of per-message fields, then one block per recipient, blocks separated by
 * blank lines, each block "Name: value" lines that may be folded. Field names are
 * case-insensitive. message/global-delivery-status (RFC 6533) has the same layout
 * with UTF-8 allowed.
 */

export interface DeliveryStatusRecipient {
  /** from Final-Recipient (or Original-Recipient), address type stripped, lower-case */
  address: string | null;
  originalRecipient: string | null;
  action: string | null;
  /** the enhanced status code as given ("5.1.1"), or null */
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
}

export interface DeliveryStatus {
  /** per-message fields, lower-case name -> value */
  message: Map<string, string>;
  recipients: DeliveryStatusRecipient[];
}

export function parseDeliveryStatus(text: string): DeliveryStatus {
  const blocks = text
    .replace(/\r\n/g, "\n")
    .split(/\n[ \t]*\n/)
    .map(parseFields)
    .filter((fields) => fields.size > 0);
  const isRecipient = (fields: Map<string, string>): boolean =>
    fields.has("final-recipient") || fields.has("original-recipient") || fields.has("action");
  const message = blocks[0] && !isRecipient(blocks[0]) ? blocks[0] : new Map<string, string>();
  const recipients = blocks.filter(isRecipient).map((fields) => {
    const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get("status") ?? "")?.[1] ?? null;
    return {
      address: addressOf(fields.get("final-recipient") ?? fields.get("original-recipient")),
      originalRecipient: addressOf(fields.get("original-recipient")),
      action:
        fields
          .get("action")
          ?.toLowerCase()
          .split(/[\s(;]/)[0] ?? null,
      status,
      diagnostic: fields.get("diagnostic-code")?.replace(/^[a-z-]+;\s*/i, "") ?? null,
      remoteMta: fields.get("remote-mta")?.replace(/^[a-z-]+;\s*/i, "") ?? null,
    };
  });
  return { message, recipients };
}

function parseFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split("\n")) {
    if (/^[ \t]/.test(line) && last) {
      fields.set(last, `${fields.get(last)} ${line.trim()}`);
      continue;
    }
    const match = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!match) continue;
    last = match[1]!.toLowerCase();
    // The first occurrence counts (a field is not meant to repeat in a block).
    if (!fields.has(last)) fields.set(last, match[2]!.trim());
  }
  return fields;
}

/** "rfc822; Someone@Example.net" -> "someone@example.net" */
function addressOf(value: string | undefined): string | null {
  if (!value) return null;
  const bare = value.replace(/^[a-z0-9-]+;\s*/i, "").trim();
  const address = /<?([^\s<>;]+@[^\s<>;]+)>?/.exec(bare)?.[1];
  return address ? address.toLowerCase() : null;
}
