import { messageText } from "./message-text.ts";

/**
 * A reply's body -> what the person wrote (`text`) and what was cut (`removed`):
 * the quoted history, an embedded or forwarded earlier message, and the signature.
 *
 * The approach is email_reply_trimmer's (Discourse): give each line a class, then cut
 * where the pattern of classes says the person's own words end.
 *   t  text             q  quoted (">")           e  empty
 *   h  header of an embedded message: "On ... wrote:" and its translations (possibly
 *      wrapped over up to three lines), "-----Original Message-----", "Begin forwarded
 *      message:", and Outlook's From:/Sent: blocks in any of the supported languages
 *   s  signature start: "-- " (RFC 3676 section 4.3), "Sent from my iPhone" and kin
 *   d  delimiter: a line of only dashes, underscores, equals signs, stars and the like
 * The cut is at the first h, s or d that comes after some text, unless the quotes after
 * a header are interleaved with the person's answers (a t after a q), in which case
 * only the trailing quotes go. Quotes at the end with no header go too. Invariant:
 * when cutting would leave nothing, nothing is cut (`text` is the whole body and
 * `removed` is empty), so no reply is ever recorded empty.
 */

export interface TrimmedReply {
  text: string;
  removed: string;
}

export function trimReply(text: string | null, html: string | null): TrimmedReply {
  const body = messageText({ text, html });
  const lines = normalise(body).split("\n");
  const classes = lines.map(classify);
  markHeaderBlocks(lines, classes);

  const start = leadingBlockEnd(classes);
  const cut = findCut(classes, start);
  // In an interleaved reply the "On ... wrote:" line is not the person's; it goes.
  const dropped = new Set<number>();
  for (let i = start; i < cut; i++) if (classes[i] === "h") dropped.add(i);
  const kept = lines
    .slice(start, cut)
    .filter((_, k) => !dropped.has(start + k))
    .join("\n")
    .replace(/\s+$/, "")
    .replace(/^\s*\n/, "");
  if (kept.trim() === "") return { text: body.trim(), removed: "" };
  const removed = [
    lines.slice(0, start).join("\n"),
    [...dropped].map((i) => lines[i]).join("\n"),
    lines.slice(cut).join("\n"),
  ]
    .map((part) => part.replace(/^\s*\n/, "").replace(/\s+$/, ""))
    .filter((part) => part !== "")
    .join("\n\n");
  return { text: kept, removed };
}

type LineClass = "t" | "q" | "e" | "h" | "s" | "d" | "g";

function normalise(body: string): string {
  return (
    body
      .replace(/\r\n?/g, "\n")
      // zero-width characters and Gmail's tracking mark carry no words
      .replace(/\u200b|\u200c|\u200d|\u2060|\ufeff/g, "")
      .replace(/\u00a0/g, " ")
  );
}

const wroteWords = [
  "wrote",
  "writes",
  "schreef",
  "geschreven",
  "skrev",
  "skrifaði",
  "schrieb",
  "geschrieben",
  "écrit",
  "ecrit",
  "escribió",
  "escribio",
  "scritto",
  "scrisse",
  "pisze",
  "napisał",
  "napisała",
  "napisal",
  "escreveu",
  "написал",
  "написала",
  "написав",
  "пише",
  "kirjoitti",
  "írta",
  "napsal",
  "yazdı",
  "写道",
  "寫道",
].join("|");

/** "... wrote:" and its translations at the end ("napisał(a):", "a écrit :", Zoho's "wrote ----"). */
const endsWithWrote = new RegExp(
  String.raw`(?<!\p{L})(${wroteWords})(?!\p{L})(\(a\))?(.{0,120}:|\s*:|\s*-{2,})\s*$`,
  "iu",
);
const wroteAtEnd = new RegExp(String.raw`(?<!\p{L})(${wroteWords})\s*$`, "iu");
/** Gmail's older header: "2013/7/20 Name <a@b>" or "2016-03-03 17:21 GMT+01:00 Name". */
const dateLed =
  /^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?(\s+GMT[+-]\d{1,2}(:?\d{2})?)?,?\s+(?=.*(<[^>]*@|GMT))\p{L}.{0,150}$/u;
/** Where such a header starts, if it wraps over several lines. */
const headerStart =
  /^\s*(-{2,}\s*)?((on|op|den|am|le|el|il|w dniu|em|dne)(?!\p{L})|\d|[\p{Lu}][\p{L}'.-]*( [\p{Lu}][\p{L}'.-]*){0,3} <)/iu;

const wroteWord = new RegExp(String.raw`(?<!\p{L})(${wroteWords})(?!\p{L})`, "iu");
/** A line that starts a header of its own, which a wrapped header never runs into. */
const freshStart = /^\s*(-{2,}\s*)?((on|op|den|am|le|el|il|w dniu|em|dne)(?!\p{L})|\d)/iu;

function isEmbeddedHeader(candidate: string): boolean {
  const text = candidate.trim();
  if (text.length > 400) return false;
  if (endsWithWrote.test(text)) return /[\d@]/.test(text);
  // "On <date> <name> <a@b> wrote" without the colon
  if (freshStart.test(text) && /<[^<>\s]+@[^<>\s]+>/.test(text) && wroteAtEnd.test(text))
    return true;
  // Gmail in languages without a "wrote" word: "ср, 30 апр. 2025 г. в 15:19, Name <a@b>:"
  if (/@[^\s<>]+>?\s*\)?\s*:\s*$/.test(text) && /\d{1,2}[:.]\d{2}|\b\d{4}\b/.test(text))
    return text.length < 250;
  return dateLed.test(text) && text.length < 200;
}

const originalMessage =
  /^\s*[-_=*]*\s*(original message|original-nachricht|ursprüngliche nachricht|oorspronkelijk bericht|origineel bericht|opprinnelig melding|opprinnelig e-?post|oprindelig meddelelse|oprindelig besked|videresendt besked|ursprungligt meddelande|ursprungligt meddelande|message d'origine|message original|mensaje original|messaggio originale|mensagem original|alkuperäinen viesti|forwarded message|weitergeleitete nachricht|doorgestuurd bericht|doorgestuurde bericht|videresendt melding|videresendt meddelelse|vidarebefordrat meddelande|message transféré|mensaje reenviado|messaggio inoltrato|mensagem encaminhada|reply message|reply above this line)\s*[-_=*]*\s*$|^\s*(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|begin doorgestuurd bericht|videresendt melding|vidarebefordrat brev)\s*:?\s*$|^\s*-{2,}.{0,20}(reply above this line|svar over denne linjen|antwoord boven deze regel).{0,20}-*\s*$/iu;

const fromLabel =
  /^\s*[*_]*\s*(from|fra|van|von|de|från|frå|da|od|от|lähettäjä|feladó|kimden|от кого)\s*[*_]*\s*:/iu;
const secondLabel =
  /^\s*[*_]*\s*(sent|date|sendt|dato|verzonden|datum|gesendet|envoyé|date d'envoi|skickat|enviado|fecha|inviato|data|wysłano|отправлено|дата|lähetetty|päivämäärä|to|til|aan|an|à|till|para|a|do|кому|vastaanottaja|subject|emne|onderwerp|betreff|objet|ämne|asunto|oggetto|assunto|temat|тема|aihe|cc)\s*[*_]*\s*:/iu;

/** "Sent from TypeApp", "Sent with Spark": a signature only where the person's text ends. */
const genericSignature =
  /^\s*(sent|get|envoyé|gesendet|verzonden|sendt|skickat) (from|with|via|de|depuis|mit|met|fra|från|med) [\w .-]{2,30}(<https?:[^>\s]*>)?\s*$/iu;

const signature =
  /^\s*(envoyé à partir de|sent from outlook|von outlook|verzonden vanuit|sendt fra outlook)\b.{1,60}$|^\s*(sent from my|sendt fra min|sendt fra mi|verzonden (met|vanaf|van) mijn|verstuurd (met|vanaf|van) mijn|von meinem|gesendet von meinem|envoyé de mon|envoyé depuis mon|skickat från min|enviado desde mi|enviado do meu|inviato dal mio|inviato da)\b.{1,60}$|^\s*(sent|sendt|skickat|verzonden|verstuurd|gesendet|envoyé|enviado|inviato|wysłane|lähetetty|отправлено|get outlook|hent outlook|download outlook|obtenir outlook|holen sie sich outlook|diese nachricht wurde)\b.{0,60}\b(iphone|ipad|android|mobil\w*|samsung|galaxy|phone|telefoon|telefon|smartphone|blackberry|outlook|windows|mail|gmail|yahoo|tablet|device|enhet|apparaat|gerät|huawei|xiaomi|pixel|ios|appareil|aol|proton\w*)\b.{0,40}$|^\s*(von|vom|from) (meinem|my|mein) .{0,40}(gesendet|sent)\.?\s*$|^\s*(envoyé|enviado|inviato) (de|depuis|desde|da) (mon|ma|mi|il mio|il) .{0,30}$/iu;

function classify(line: string): LineClass {
  if (line.trim() === "") return "e";
  // ">" (RFC 3676), "|" (older clients) and SuperCite's "AB>" initials prefix
  if (/^\s*([>|]|[A-Za-z]{1,3}>)/.test(line)) return "q";
  if (/^-- ?$/.test(line) || /^\s*--\s*$/.test(line)) return "s";
  if (/^\s*([-_=*#~+•·ᐧ—–]\s*){2,}$/.test(line) || /^\s*[ᐧ—–]\s*$/.test(line)) return "d";
  if (originalMessage.test(line)) return "h";
  if (isEmbeddedHeader(line)) return "h";
  if (line.length < 120 && signature.test(line)) return "s";
  if (line.length < 100 && genericSignature.test(line)) return "g";
  return "t";
}

/**
 * Headers that need more than one line: "On ... wrote:" wrapped by the client over up
 * to three lines, and Outlook's "From: ... / Sent: ... / To: ..." block (at least two
 * labels within five lines, the first one From).
 */
function markHeaderBlocks(lines: string[], classes: LineClass[]): void {
  markWrappedHeaders(lines, classes);
  // A header wrapped before the address ("pe 20. lokakuuta 2017 klo 17.50 John Coe" /
  // "<a@b> kirjoitti:"): the line above, with a date in it, is where it starts.
  for (let i = 1; i < lines.length; i++) {
    if (classes[i] !== "h" || classes[i - 1] !== "t") continue;
    const line = lines[i]!.trim();
    const above = lines[i - 1]!.trim();
    if (/^(<|[^\s@]+@)/.test(line) && above.length < 200 && /\d/.test(above)) {
      classes[i - 1] = "h";
      classes[i] = "t";
    }
  }
}

function markWrappedHeaders(lines: string[], classes: LineClass[]): void {
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    // Lines inside a Markdown code fence are the person's text, whatever they look like.
    if (/^\s*```/.test(lines[i]!)) fenced = !fenced;
    if (fenced || /^\s*```/.test(lines[i]!)) {
      classes[i] = lines[i]!.trim() === "" ? "e" : "t";
      continue;
    }
    // Markdown's setext heading underline ("Title" then "-----") is text, not a delimiter.
    if (classes[i] === "d" && classes[i - 1] === "t" && /^\s*(-+|=+)\s*$/.test(lines[i]!))
      classes[i] = "t";
    // Only a text line can become a header here: a quoted one stays quoted whatever it says.
    if (classes[i] !== "t") continue;
    const first = unquote(lines[i]!);
    // A sentence ("On Monday I tried it.") does not open a header, unless it names the writer.
    const sentence = /[.!?]\s*$/.test(first) && !(wroteWord.test(first) && /[<@]/.test(first));
    if (!sentence && (headerStart.test(first) || wroteWord.test(first))) {
      // Wrapped "On ... wrote:": join up to six lines, to the first one ending in ":".
      let joined = first;
      for (let j = i + 1; j < Math.min(lines.length, i + 7) && !/:\s*$/.test(joined); j++) {
        // A wrapped header never runs into the start of another one or a signature.
        const next = unquote(lines[j]!);
        if (freshStart.test(next) || classes[j] === "s") break;
        joined += " " + next;
      }
      if (/:\s*$/.test(joined) && isEmbeddedHeader(joined.replace(/\s+/g, " "))) {
        if (classes[i] === "t") classes[i] = "h";
        continue;
      }
    }
    if (classes[i] === "t" && fromLabel.test(lines[i]!)) {
      let labels = 0;
      for (let j = i + 1; j < Math.min(lines.length, i + 6); j++)
        if (secondLabel.test(lines[j]!)) labels++;
      if (labels >= 1) classes[i] = "h";
    }
  }
}

function unquote(line: string): string {
  return line.replace(/^\s*(>\s?)+/, "").trim();
}

/**
 * Bottom-posting: a message that opens with an embedded header (and its quotes, or a
 * forwarded message's From:/Date: lines) followed by the person's text. Returns where
 * that text starts, or 0.
 */
function leadingBlockEnd(classes: LineClass[]): number {
  let i = classes.findIndex((kind) => kind !== "e");
  if (i < 0 || classes[i] !== "h") return 0;
  const header = i;
  i++;
  while (i < classes.length && classes[i] !== "e") i++;
  while (i < classes.length && (classes[i] === "e" || classes[i] === "q")) i++;
  if (classes[i] !== "t") return 0;
  // Quoted, answered, then more quotes answered below: an interleaved reply, kept whole.
  const quoted = classes.slice(header, i).includes("q");
  const rest = classes.slice(i);
  const nextQuote = rest.indexOf("q");
  if (quoted && nextQuote >= 0 && rest.slice(nextQuote).includes("t")) return 0;
  return i;
}

function findCut(classes: LineClass[], start: number): number {
  const firstText = classes.indexOf("t", start);
  if (firstText < 0) return classes.length;
  for (let i = firstText + 1; i < classes.length; i++) {
    const kind = classes[i];
    if (kind === "s" || kind === "d") return backOverQuotes(classes, i, firstText);
    if (kind === "g" && endsText(classes, i + 1)) return backOverQuotes(classes, i, firstText);
    if (kind === "h") {
      // Interleaved: the answers go on below; a later signature or delimiter still cuts.
      if (interleaved(classes, i + 1)) continue;
      return backOverQuotes(classes, i, firstText);
    }
  }
  return trailingQuotes(classes);
}

/** A quote block right before the cut (a quoted header, then the quoted message) goes too. */
function backOverQuotes(classes: LineClass[], cut: number, floor: number): number {
  let at = cut;
  while (at > floor + 1 && (classes[at - 1] === "q" || classes[at - 1] === "e")) at--;
  return classes.slice(at, cut).includes("q") ? at : cut;
}

/** Nothing of the person's follows: only blank lines, then the end or quoted history. */
function endsText(classes: LineClass[], from: number): boolean {
  for (let i = from; i < classes.length; i++) {
    if (classes[i] === "e") continue;
    return classes[i] !== "t" && classes[i] !== "g";
  }
  return true;
}

/** After a header: quoted lines with the person's own lines between them. */
function interleaved(classes: LineClass[], from: number): boolean {
  let sawQuote = false;
  for (let i = from; i < classes.length; i++) {
    const kind = classes[i];
    if (kind === "q") sawQuote = true;
    else if (kind === "t") {
      if (!sawQuote) return false;
      return classes.slice(i).includes("q") || true;
    } else if (kind === "h" || kind === "s" || kind === "d") return false;
  }
  return false;
}

/** The start of the quotes (and blank lines) that end the message, if any. */
function trailingQuotes(classes: LineClass[]): number {
  let cut = classes.length;
  while (cut > 0 && (classes[cut - 1] === "q" || classes[cut - 1] === "e")) cut--;
  if (!classes.slice(cut).includes("q")) return classes.length;
  // The header right before the trailing quotes goes with them.
  if (cut > 0 && classes[cut - 1] === "h") cut--;
  return cut;
}
