import type { BounceVerdict } from "./inbox-types.ts";

/**
 * One failed recipient -> will mail to this address get through later?
 *
 * Two steps, as sisimai does: first a reason from the server's words (they say more
 * than the code: "554 5.7.1 user does not exist" is a missing user whatever the class),
 * then from the enhanced status code (RFC 3463) when the words name nothing. Each
 * reason maps to a verdict on purpose (see `verdictOf`). The SMTP class alone is not
 * the answer: a full mailbox answered 552 will take mail again, and a 5.7.1 spam
 * rejection says nothing about the address.
 */

/** sisimai's reason names, where one of them fits. */
export type BounceReason =
  | "userunknown"
  | "hostunknown"
  | "hasmoved"
  | "notaccept"
  | "mailboxfull"
  | "suspend"
  | "mesgtoobig"
  | "exceedlimit"
  | "expired"
  | "networkerror"
  | "systemerror"
  | "systemfull"
  | "toomanyconn"
  | "speeding"
  | "blocked"
  | "spamdetected"
  | "policyviolation"
  | "virusdetected"
  | "authfailure"
  | "badreputation"
  | "requireptr"
  | "norelaying"
  | "securityerror"
  | "rejected"
  | "notcompliantrfc"
  | "contenterror"
  | "filtered"
  | "undefined";

/**
 * Why each reason gets its verdict:
 * - hard: the address or its domain is gone, so retrying only hurts the sender's
 *   reputation: userunknown (no such mailbox), hostunknown (no such domain / no MX),
 *   hasmoved (5.1.6: the mailbox moved, the old address is dead), notaccept (null MX,
 *   RFC 7505: the domain says it takes no mail at all).
 * - soft: the address exists or may exist and the cause may pass: mailboxfull,
 *   suspend (disabled or inactive accounts are often re-enabled, and a provider uses it
 *   for "over the rate" too), mesgtoobig and exceedlimit (our message, not the address),
 *   expired (queue lifetime ran out), the network and system errors, too many
 *   connections and rate limits (speeding), and filtered (the recipient's own rules
 *   refused it; nothing says the address is gone).
 * - policy: the rejection blames the sending side, so the recipient must not be
 *   suppressed: blocked (our IP or domain is listed), spamdetected and contenterror
 *   (our content), policyviolation (5.7.x), virusdetected, authfailure (SPF, DKIM,
 *   DMARC 5.7.26), badreputation, requireptr (our reverse DNS), norelaying (a
 *   misrouted send), securityerror (TLS required), rejected (the envelope sender was
 *   refused) and notcompliantrfc (our message broke a standard).
 * - unknown: undefined, when neither words nor code say anything.
 */
export function verdictOf(reason: BounceReason): BounceVerdict {
  switch (reason) {
    case "userunknown":
    case "hostunknown":
    case "hasmoved":
    case "notaccept":
      return "hard";
    case "mailboxfull":
    case "suspend":
    case "mesgtoobig":
    case "exceedlimit":
    case "expired":
    case "networkerror":
    case "systemerror":
    case "systemfull":
    case "toomanyconn":
    case "speeding":
    case "filtered":
      return "soft";
    case "blocked":
    case "spamdetected":
    case "policyviolation":
    case "virusdetected":
    case "authfailure":
    case "badreputation":
    case "requireptr":
    case "norelaying":
    case "securityerror":
    case "rejected":
    case "notcompliantrfc":
    case "contenterror":
      return "policy";
    case "undefined":
      return "unknown";
  }
}

/**
 * Phrases of the big MTAs and providers, checked in this order (the first match wins,
 * so the narrower causes come before the broad ones: "blocked" appears in
 * user-unknown texts too, "user" appears everywhere).
 */
const phrases: Array<[BounceReason, RegExp]> = [
  [
    "authfailure",
    /\b(dmarc|spf|dkim)\b.{0,60}\b(fail|policy|reject|alignment|authenticat)|unauthenticated email|5\.7\.2[3-7]\b|authentication (failure|required|checks)|sender authentication/i,
  ],
  [
    "requireptr",
    /reverse dns|\bptr\b.{0,30}(record|lookup|missing)|no ptr|cannot find your hostname|client host rejected: cannot find/i,
  ],
  [
    "norelaying",
    /relay(ing)? (access )?(denied|not permitted|not allowed)|unable to relay|not permitted to relay|relay not permitted/i,
  ],
  [
    "rejected",
    /sender (address )?(rejected|refused|denied|not allowed)|unauthori[sz]ed sender|sender verify failed|domain of sender address|mail from .{0,40}(rejected|refused)|envelope sender|bad sender/i,
  ],
  ["virusdetected", /\bvirus\b|malware|infected|\bmalicious\b/i],
  [
    "notaccept",
    /null ?mx|does not accept (e-?)?mail|accepts no mail|not accept(ing)? (any )?mail|domain .{0,40}does not receive mail/i,
  ],
  [
    "hostunknown",
    /host (or domain name )?not found|unknown host|domain (name )?not found|no such domain|domain does not exist|dns domain .{0,60}does not exist|unrouteable (mail )?domain|name or service not known|no mx (record|host)|mx .{0,20}not found|unable to route|host unknown|nxdomain|couldn'?t find any host named|server_unknown|domain .{0,40}(is )?unknown/i,
  ],
  ["hasmoved", /has moved|address (has )?changed|\b5\.1\.6\b|moved permanently/i],
  [
    "mailboxfull",
    /mailbox (is )?full|over ?quota|quota (exceeded|full)|exceeded (the |its |their )?(storage|quota)|insufficient (system )?storage|mailbox size limit|(inbox|mailbox|account) is full|user is over|out of storage|disk quota|storage (space|allocation|limit)|mail ?box (has )?exceeded|full mailbox/i,
  ],
  [
    "suspend",
    /account (is |has been )?(disabled|suspended|inactive|locked|deactivated|closed|expired)|(disabled|suspended|inactive|deactivated|expired) (user|account|mailbox)|mailbox (is )?(disabled|inactive|suspended|not active|frozen)|is inactive|temporarily (disabled|deactivated)|not currently accepting mail|disableduser/i,
  ],
  [
    "userunknown",
    /user(name)? unknown|unknown (user|recipient|mailbox|local.?part|address|alias)|no such (user|recipient|mailbox|address|account|person)|\b(user|recipient|mailbox|address|account|e-?mail)\b.{0,60}(does not|doesn'?t|did not|do not) exist|does not exist|doesn'?t exist|invalid (recipient|mailbox|address|user|e-?mail|destination)|recipient (address )?(not found|unknown|invalid)|(user|mailbox|recipient|address|account) (was )?not found|not (a )?(valid|known) (user|recipient|mailbox|address)|no mailbox|unknown or illegal alias|addressee unknown|not our customer|no longer on (this )?server|bad destination|does(n'?t| not) have an? .{0,40}account|couldn'?t be found|could not be found|recipientnotfound|resolver\.adr|undeliverable address|no valid recipients|unrouteable address|nosuchuser|5\.4\.1 .{0,80}access denied|recipient address rejected: access denied|not configured to receive|dosn'?t exist|niet gevonden|bestaat niet|onbekend|existiert nicht|unbekannt|nicht gefunden|finnes ikke|ble ikke funnet|eksisterer ikke|n'existe pas|introuvable|inconnu|not a valid (e-?mail|address)|address (is )?(invalid|unknown)|unknown e-?mail|mailbox unknown|no longer (valid|available|in use|active)/i,
  ],
  ["systemerror", /greylist|graylist/i],
  [
    "mesgtoobig",
    /message (is )?too (big|large)|size (limit|exceeds)|exceeds .{0,40}size|message length exceeds|too large/i,
  ],
  [
    "blocked",
    /blocked|block-?send-?er|blacklist|blocklist|block ?list|black ?listed|denylist|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda|listed (at|on|in)|ip .{0,30}(rejected|refused|banned)|client host .{0,40}rejected|access denied|banned|not allowed to send|sender (ip|address|domain) .{0,30}(rejected|refused|denied|blocked)/i,
  ],
  [
    "badreputation",
    /reputation|sender score|untrusted ip|new or untrusted|user complaints|unexpected volume/i,
  ],
  [
    "spamdetected",
    /\bspam\b|junk mail|unsolicited|bulk mail|content (rejected|filter)|looks like spam|suspicious|considered (as )?spam|spamassassin|phish/i,
  ],
  [
    "speeding",
    /rate limit|too many (messages|emails|mails|recipients)|rate that prevents|sending rate|receiving mail at a rate|throttl|exceeded .{0,30}rate|rate.?limited|unusual rate/i,
  ],
  [
    "toomanyconn",
    /too many (connections|concurrent|sessions)|connection limit|max(imum)? connections/i,
  ],
  ["securityerror", /tls (is )?required|must issue a starttls|encryption required/i],
  // Postfix's prefix for any recipient restriction, and the generic 550 text: weaker
  // than every cause above, stronger than the vague policy words below.
  [
    "userunknown",
    /recipient (address )?rejected|mailbox .{0,60} unavailable|address rejected|mailbox (is )?(unavailable|not available)|invalid mailbox|mailbox not found/i,
  ],
  [
    "networkerror",
    /timed? ?out|timeout|connection (refused|reset|closed|dropped|lost)|network (error|unreachable)|no route to host|lost connection|unable to connect|could not connect|mail loop|loops back|too many hops|hop count/i,
  ],
  [
    "policyviolation",
    /policy|(mail|message) (was )?(rejected|refused)|rejet[eé]|not (permitted|allowed|authori[sz]ed)|prohibited|restricted|refused|administrative(ly)? (prohibit|reasons)|permission/i,
  ],
  [
    "notcompliantrfc",
    /rfc ?(5322|2822|822|5321)|duplicate header|multiple .{0,20}headers|equal headers|header .{0,30}(invalid|malformed)|malformed|syntax/i,
  ],
  [
    "expired",
    /delivery (time|period) expired|message expired|retry time(out)? (exceeded|not reached)|too long in (the )?queue|gave up|giving up|could not be delivered for \d+ (days|hours)|queued too long|delivery attempts will continue/i,
  ],
  ["systemfull", /system (is )?full|insufficient disk|out of disk/i],
  [
    "systemerror",
    /local error|system error|internal error|server error|temporar(y|ily)|try (again )?later|service (not available|unavailable)|server busy|busy|resources|unavailable|deferred/i,
  ],
];

export function reasonFromText(text: string): BounceReason | null {
  // Addresses say nothing about the cause ("dmarc@..." is not a DMARC failure).
  const words = text.replace(/[\w.+%=-]+@[\w-]+(\.[\w-]+)+/g, "<address>");
  for (const [reason, pattern] of phrases) if (pattern.test(words)) return reason;
  return null;
}

/** RFC 3463 enhanced status code -> reason, for when the words said nothing. */
export function reasonFromStatus(status: string): BounceReason {
  const [klass, subject, detail] = status.split(".").map(Number);
  if (subject === 1) {
    if (detail === 2 || detail === 10) return "hostunknown";
    if (detail === 6) return "hasmoved";
    // 5.1.7 and 5.1.8 are about the sender's address, not the recipient's.
    if (detail === 7 || detail === 8) return "rejected";
    return "userunknown";
  }
  if (subject === 2) {
    if (detail === 2) return "mailboxfull";
    if (detail === 3) return "mesgtoobig";
    if (detail === 1) return "suspend";
    return klass === 4 ? "systemerror" : "filtered";
  }
  if (subject === 3) return detail === 4 ? "mesgtoobig" : "systemerror";
  if (subject === 4) {
    if (detail === 4 || detail === 310) return "hostunknown";
    if (detail === 7) return "expired";
    return "networkerror";
  }
  if (subject === 5) return "systemerror";
  if (subject === 6) return "contenterror";
  if (subject === 7) {
    if (detail !== undefined && detail >= 23 && detail <= 27) return "authfailure";
    if (detail === 25) return "requireptr";
    return "policyviolation";
  }
  return "undefined";
}

export interface VerdictInput {
  status: string | null;
  action: string | null;
  diagnostic: string | null;
  /** the basic SMTP reply code ("550"), when there is no enhanced code */
  smtpCode?: string | null;
}

export function bounceVerdict(input: VerdictInput): {
  verdict: BounceVerdict;
  reason: BounceReason;
} {
  const action = input.action?.toLowerCase() ?? null;
  const fromText = input.diagnostic ? reasonFromText(input.diagnostic) : null;
  const fromStatus = input.status ? reasonFromStatus(input.status) : null;
  let reason: BounceReason = fromText ?? fromStatus ?? "undefined";
  // A 5.1.1 in the code beats a vague phrase ("550 5.1.1 ... rejected", "... refused").
  if (
    fromStatus &&
    fromText &&
    ["policyviolation", "systemerror", "networkerror", "blocked", "filtered"].includes(fromText) &&
    verdictOf(fromStatus) === "hard"
  )
    reason = fromStatus;
  let verdict = verdictOf(reason);
  // RFC 3464 section 2.3.3: "delayed" is a warning that delivery goes on; and a
  // 4.x.x code is transient by definition (RFC 3463 section 3.1), whatever the words.
  const klass = input.status?.[0] ?? input.smtpCode?.[0] ?? null;
  const transient = action === "delayed" || klass === "4";
  if (transient && (verdict === "hard" || verdict === "unknown")) verdict = "soft";
  if (action === "delayed" && verdict !== "policy") verdict = "soft";
  return { verdict, reason };
}
