/**
 * The human-readable notice of a bounce -> the failed recipients and the server's
 * words for each, for the many bounces that carry no RFC 3464 delivery-status part
 * (qmail, older Exim and Sendmail, Yahoo, Exchange NDRs, Mimecast, forwarded bounces)
 * and to add words to the ones that do.
 *
 * The layouts differ, but every one puts the failed address at the start of a
 * paragraph or alone on a line, followed (in the same or the next paragraphs) by the
 * SMTP reply: Postfix `<a@b>: host x said: 550 5.1.1 ...`, qmail `<a@b>:` then
 * `Remote host said: ...`, Exim `  a@b` then indented lines, Sendmail `<a@b>... User
 * unknown`, Exchange `a@b` then `Remote Server returned '550 5.1.1 ...'`, Gmail
 * `Your message wasn't delivered to a@b because ...`. So: cut off the returned copy of
 * the message, split into paragraphs, and take each address that is not ours with the
 * words around it.
 */

export interface TextRecipient {
  address: string;
  /** the enhanced status code, if the words carry one */
  status: string | null;
  /** the basic SMTP reply code, if the words carry one */
  smtpCode: string | null;
  /** the server's words, Postfix's own framing removed, on one line */
  diagnostic: string;
}

/** Where the returned copy of the original message starts in the common layouts. */
const returnedCopy = new RegExp(
  [
    String.raw`^-+ ?(this is a copy of|below this line is a copy|original message|undelivered message|the original message|message headers? follows?|returned mail follows|start of (the )?returned message)`,
    String.raw`^(original message headers|oorspronkelijke berichtkoppen|ursprüngliche nachrichtenkopfzeilen|opprinnelige meldingshoder|en-têtes du message d'origine|ursprungliga meddelandehuvuden):`,
    String.raw`^-{3,} ?(original message|forwarded message)`,
    String.raw`^content-type: (message|text)\/rfc822`,
    String.raw`^(return-path|received|dkim-signature|x-received|arc-seal|authentication-results): `,
  ].join("|"),
  "im",
);

const addressPattern =
  /<?([a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)>?/gi;

/** Local parts that are never the failed recipient (they sign or relay the notice). */
const daemonLocal =
  /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|noreply|no-reply|abuse|root)$/i;

export function readBounceText(text: string, exclude: ReadonlySet<string>): TextRecipient[] {
  const normal = text.replace(/\r\n?/g, "\n");
  const cut = normal.search(returnedCopy);
  const notice = (cut > 0 ? normal.slice(0, cut) : normal).slice(0, 64 * 1024);
  const paragraphs = notice.split(/\n[ \t]*\n/);
  const mentions = new Map<string, number[]>();
  paragraphs.forEach((paragraph, index) => {
    for (const match of paragraph.matchAll(addressPattern)) {
      const address = match[1]!.toLowerCase().replace(/\.+$/, "");
      if (exclude.has(address) || daemonLocal.test(address.split("@")[0]!)) continue;
      const seen = mentions.get(address) ?? [];
      if (!seen.includes(index)) seen.push(index);
      mentions.set(address, seen);
    }
  });
  const mentionedIn = (index: number, address: string): boolean =>
    [...mentions].some(([other, at]) => other !== address && at.includes(index));
  const found: TextRecipient[] = [];
  for (const [address, indexes] of mentions) {
    // Exchange names the address twice (the notice, then "Remote Server returned ...")
    // and Gmail puts the server's reply paragraphs below: gather every mention, and
    // after one without a code the next paragraphs that name nobody else.
    const parts: string[] = [];
    for (const index of indexes) {
      let words = paragraphs[index]!;
      for (let next = index + 1; next < Math.min(paragraphs.length, index + 5); next++) {
        if (smtpCodes(words).status || smtpCodes(words).smtpCode) break;
        if (mentionedIn(next, address) || indexes.includes(next)) break;
        words += "\n" + paragraphs[next]!;
      }
      parts.push(words);
    }
    const diagnostic = cleanDiagnostic(parts.join("\n"));
    found.push({ address, ...smtpCodes(diagnostic), diagnostic });
  }
  return found;
}

/** The first enhanced status code (RFC 3463) and basic reply code (RFC 5321) in the words. */
export function smtpCodes(words: string): { status: string | null; smtpCode: string | null } {
  // Not part of an IP address or version number: no digit or dot-digit on either side.
  const status = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/.exec(words)?.[1] ?? null;
  const smtpCode =
    /(?<![\d.[\]-])([245][0-5]\d)(?=[ -]\d\.|[ :-]|$)(?!-?\d{2,})/m.exec(words)?.[1] ?? null;
  return { status, smtpCode };
}

/**
 * Postfix and Exim wrap the remote server's reply in their own framing ("host x[ip]
 * said:", "(in reply to RCPT TO command)", "refused to talk to me:"); its words
 * ("refused") would read as a policy reason, so they go before matching.
 */
function cleanDiagnostic(words: string): string {
  return words
    .replace(/\s+/g, " ")
    .replace(/\bhost \S+\[[^\]]*\](:\d+)? (said|refused to talk to me):/gi, " ")
    .replace(/\(in reply to [^)]*\)/gi, " ")
    .replace(/SMTP error from remote mail server after [A-Z ]+(:<[^>]*>)?:/gi, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 1000);
}
