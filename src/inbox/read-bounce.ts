import { bounceVerdict } from "./bounce-verdict.ts";
import { findOriginalMessageId } from "./find-original-message-id.ts";
import type { BounceRecipient, Classification, ParsedMessage } from "./inbox-types.ts";
import { messageText } from "./message-text.ts";
import { parseDeliveryStatus } from "./parse-delivery-status.ts";
import { readBounceText, smtpCodes, type TextRecipient } from "./read-bounce-text.ts";

type Bounce = Extract<Classification, { kind: "bounce" }>;

/**
 * A delivery failure -> its recipients with a verdict each, or null when the message
 * is not a bounce.
 *
 * RFC 3464 first: a message/delivery-status part lists each recipient with Action,
 * Status and Diagnostic-Code. Recipients whose Action is delivered, relayed or expanded
 * did not fail and are left out (a report with only those is not a bounce). The notice
 * text adds words where the report has none.
 *
 * Without a report (qmail, many Exim and Sendmail set-ups, Yahoo, forwarded bounces),
 * a message counts as a bounce when two of three say so: it comes from a daemon
 * (MAILER-DAEMON, postmaster, "Mail Delivery System", or the null reverse-path of RFC
 * 5321 section 4.5.5), its subject is a bounce subject, its text has a bounce phrase.
 * One alone is not enough: an out-of-office also comes from the null sender, and a
 * person may write "your mail could not be delivered".
 */
export function readBounce(message: ParsedMessage, ownAddresses: readonly string[]): Bounce | null {
  const exclude = new Set<string>(
    [
      ...ownAddresses,
      ...message.from.map((e) => e.address),
      ...message.to.map((e) => e.address),
      ...message.cc.map((e) => e.address),
      ...message.deliveredTo,
      ...originalSenders(message),
    ].map((a) => a.toLowerCase()),
  );
  const statusParts = message.reports.filter((p) => /delivery-status$/.test(p.contentType));
  const text = messageText(message);

  if (statusParts.length > 0) {
    const fromText = new Map(readBounceText(text, exclude).map((r) => [r.address, r]));
    const recipients: BounceRecipient[] = [];
    let succeeded = 0;
    for (const part of statusParts) {
      for (const entry of parseDeliveryStatus(part.text).recipients) {
        if (entry.action && ["delivered", "relayed", "expanded"].includes(entry.action)) {
          succeeded++;
          continue;
        }
        const address = entry.address ?? entry.originalRecipient;
        if (!address) continue;
        const words = entry.diagnostic ?? fromText.get(address)?.diagnostic ?? null;
        recipients.push(recipient(address, entry.status, entry.action, words));
      }
    }
    // A success notice (RFC 3464 Action delivered/relayed/expanded only) is no bounce.
    if (recipients.length === 0 && (succeeded > 0 || !looksLikeBounce(message, text))) return null;
    return { kind: "bounce", recipients, originalMessageId: findOriginalMessageId(message) };
  }

  if (!looksLikeBounce(message, text)) return null;
  let found: TextRecipient[] = readBounceText(text, exclude);
  if (found.length === 0) {
    // Nothing in the notice names an address: the returned message's To still does.
    const to = returnedTo(message, exclude);
    if (to) found = [{ address: to, ...smtpCodes(text), diagnostic: text.slice(0, 1000) }];
  }
  return {
    kind: "bounce",
    // No report, so no RFC 3464 Action: a 4.x.x code still makes the verdict soft.
    recipients: found.map((r) => recipient(r.address, r.status, null, r.diagnostic, r.smtpCode)),
    originalMessageId: findOriginalMessageId(message),
  };
}

function recipient(
  address: string,
  status: string | null,
  action: string | null,
  diagnostic: string | null,
  smtpCode?: string | null,
): BounceRecipient {
  const line = diagnostic?.replace(/\s+/g, " ").trim().slice(0, 500) || null;
  const code = smtpCode ?? (line ? smtpCodes(line).smtpCode : null);
  const { verdict } = bounceVerdict({ status, action, diagnostic: line, smtpCode: code });
  return { address, status, action, verdict, diagnostic: line };
}

const daemonFrom =
  /^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|mdaemon|mail\.?delivery|bounce[sd]?|nobody)([+.-].*)?@/i;
const daemonName =
  /mail delivery (system|subsystem|service)|mailer-daemon|postmaster|mail administrator|microsoft outlook|delivery status/i;

const bounceSubject =
  /undeliver|undelivered|not delivered|delivery (status notification|failure|has failed|failed|problem|error|notification|report)|returned mail|mail delivery (failed|failure|problem|system)|failure notice|could not be delivered|non remis|non distribué|nicht zustellbar|unzustellbar|zustellung fehlgeschlagen|onbestelbaar|niet (af)?geleverd|kan ikke leveres|kunne ikke leveres|ikke levert|kunde inte levereras|olevererbart|ej levererat|returned to sender|mail system error|warning: (could not|delayed)|delayed mail|message delay|delivery delayed|retour|rejected|bounce/i;

const bouncePhrase =
  /could not be delivered|couldn'?t be delivered|wasn'?t delivered|was not delivered|permanent(ly)? (error|fatal|failure|failed)|failed permanently|following address(es)? failed|following recipient|delivery (has )?failed|undeliverable|unable to deliver|i'?m sorry to have to inform you|qmail-send program|mail delivery software|delivery to the following|not be delivered|returned to you|message you sent|delivery status notification|delivery incomplete|will retry|still trying|has been delayed|unable to be delivered|rejected your message|konnte nicht zugestellt|kon niet worden bezorgd|kunne ikke leveres|kunde inte levereras|n'a pas pu être remis/i;

function looksLikeBounce(message: ParsedMessage, text: string): boolean {
  const from = message.from[0];
  const returnPath = message.headers.get("return-path")?.[0]?.trim();
  const fromDaemon =
    (from !== undefined && (daemonFrom.test(from.address) || daemonName.test(from.name))) ||
    returnPath === "<>";
  // "Re:"/"Fwd:" from a person is someone writing about a bounce (a dialogue), not one.
  const answered = /^\s*(re|fw|fwd|aw|wg|sv|vs|antw|tr)\s*:/i.test(message.subject);
  const votes = [
    fromDaemon,
    bounceSubject.test(message.subject) && (fromDaemon || !answered),
    bouncePhrase.test(text.slice(0, 20_000)),
  ];
  return votes.filter(Boolean).length >= 2;
}

/** From and Return-Path of the returned original: the sending side, never a recipient. */
function originalSenders(message: ParsedMessage): string[] {
  const found: string[] = [];
  for (const part of message.reports) {
    if (!/rfc822-headers|global-headers/.test(part.contentType)) continue;
    for (const match of part.text.matchAll(/^(from|return-path|sender|reply-to):[ \t]*(.*)$/gim))
      found.push(...(match[2]!.match(/[^\s<>;:,"]+@[^\s<>;:,"]+/g) ?? []));
  }
  return found;
}

function returnedTo(message: ParsedMessage, exclude: ReadonlySet<string>): string | null {
  for (const part of message.reports) {
    if (!/rfc822-headers|global-headers/.test(part.contentType)) continue;
    const to = /^to:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/im.exec(part.text)?.[1] ?? "";
    const addresses = (to.match(/[^\s<>;:,"]+@[^\s<>;:,"]+/g) ?? [])
      .map((a) => a.toLowerCase())
      .filter((a) => !exclude.has(a));
    if (addresses.length === 1) return addresses[0]!;
  }
  return null;
}
