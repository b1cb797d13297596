import { htmlToPlainText } from "../adapters/html-to-text.ts";

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
  const body = text !== null && text.trim() !== "" ? text : html ? htmlToPlainText(html) : "";
  const lines = normalise(body).split("\n");
  const classes = lines.map(classify);
  markHeaderBlocks(lines, classes);

  const cut = findCut(classes);
  const kept = lines
    .slice(0, cut)
    .join("\n")
    .replace(/\s+$/, "")
    .replace(/^\s*\n/, "");
  if (cut >= lines.length || kept.trim() === "") return { text: body.trim(), removed: "" };
  return {
    text: kept,
    removed: lines
      .slice(cut)
      .join("\n")
      .replace(/^\s*\n/, "")
      .replace(/\s+$/, ""),
  };
}

type LineClass = "t" | "q" | "e" | "h" | "s" | "d";

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
  "kirjoitti",
  "írta",
  "napsal",
  "yazdı",
  "写道",
  "寫道",
].join("|");

/** "On <date>, <name> wrote:" in its many languages and wrappings; ends with a colon. */
const embeddedHeader = new RegExp(
  String.raw`^\s*(on|op|den|am|le|el|il|w dniu|em|dne|el día|den \d|\d).{0,300}\b(${wroteWords})\b.{0,80}:\s*$|^.{0,200}\b(${wroteWords})\s*:\s*$`,
  "iu",
);

const originalMessage =
  /^\s*[-_=*]*\s*(original message|original-nachricht|ursprüngliche nachricht|oorspronkelijk bericht|origineel bericht|opprinnelig melding|opprinnelig e-?post|oprindelig meddelelse|ursprungligt meddelande|ursprungligt meddelande|message d'origine|message original|mensaje original|messaggio originale|mensagem original|alkuperäinen viesti|forwarded message|weitergeleitete nachricht|doorgestuurd bericht|doorgestuurde bericht|videresendt melding|videresendt meddelelse|vidarebefordrat meddelande|message transféré|mensaje reenviado|messaggio inoltrato|mensagem encaminhada|reply message|reply above this line)\s*[-_=*]*\s*$|^\s*(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|begin doorgestuurd bericht|videresendt melding|vidarebefordrat brev)\s*:?\s*$|^\s*-{2,}.{0,20}(reply above this line|svar over denne linjen|antwoord boven deze regel).{0,20}-*\s*$/iu;

const fromLabel =
  /^\s*[*_]*\s*(from|fra|van|von|de|från|frå|da|od|от|lähettäjä|feladó|kimden|от кого)\s*[*_]*\s*:/iu;
const secondLabel =
  /^\s*[*_]*\s*(sent|date|sendt|dato|verzonden|datum|gesendet|envoyé|date d'envoi|skickat|enviado|fecha|inviato|data|wysłano|отправлено|дата|lähetetty|päivämäärä|to|til|aan|an|à|till|para|a|do|кому|vastaanottaja|subject|emne|onderwerp|betreff|objet|ämne|asunto|oggetto|assunto|temat|тема|aihe|cc)\s*[*_]*\s*:/iu;

const signature =
  /^\s*(sent|sendt|skickat|verzonden|verstuurd|gesendet|envoyé|enviado|inviato|wysłane|lähetetty|отправлено|get outlook|hent outlook|download outlook|obtenir outlook|holen sie sich outlook|diese nachricht wurde)\b.{0,60}\b(iphone|ipad|android|mobil\w*|samsung|galaxy|phone|telefoon|telefon|smartphone|blackberry|outlook|windows|mail|gmail|yahoo|tablet|device|enhet|apparaat|gerät|huawei|xiaomi|pixel|ios|appareil|aol|proton\w*)\b.{0,40}$|^\s*(von|vom|from) (meinem|my|mein) .{0,40}(gesendet|sent)\.?\s*$|^\s*(envoyé|enviado|inviato) (de|depuis|desde|da) (mon|ma|mi|il mio|il) .{0,30}$/iu;

function classify(line: string): LineClass {
  if (line.trim() === "") return "e";
  if (/^\s*>/.test(line)) return "q";
  if (/^-- ?$/.test(line) || /^\s*--\s*$/.test(line)) return "s";
  if (/^\s*([-_=*#~+•·ᐧ]\s*){2,}$/.test(line) || /^\s*ᐧ\s*$/.test(line)) return "d";
  if (originalMessage.test(line)) return "h";
  if (line.length < 400 && embeddedHeader.test(line)) return "h";
  if (line.length < 120 && signature.test(line)) return "s";
  return "t";
}

/**
 * Headers that need more than one line: "On ... wrote:" wrapped by the client over up
 * to three lines, and Outlook's "From: ... / Sent: ... / To: ..." block (at least two
 * labels within five lines, the first one From).
 */
function markHeaderBlocks(lines: string[], classes: LineClass[]): void {
  for (let i = 0; i < lines.length; i++) {
    if (classes[i] !== "t" && classes[i] !== "q") continue;
    const unquoted = (j: number): string => lines[j]!.replace(/^\s*(>\s?)+/, "");
    // wrapped "On ... wrote:"
    for (let span = 2; span <= 3 && i + span <= lines.length; span++) {
      const joined = Array.from({ length: span }, (_, k) => unquoted(i + k).trim()).join(" ");
      if (
        joined.length < 400 &&
        embeddedHeader.test(joined) &&
        /^\s*(on|op|den|am|le|el|il|w dniu|em)\b/i.test(joined)
      ) {
        if (classes[i] === "t") classes[i] = "h";
        break;
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

function findCut(classes: LineClass[]): number {
  const firstText = classes.indexOf("t");
  if (firstText < 0) return classes.length;
  for (let i = firstText + 1; i < classes.length; i++) {
    const kind = classes[i];
    if (kind === "s" || kind === "d") return i;
    if (kind === "h") {
      if (interleaved(classes, i + 1)) return trailingQuotes(classes);
      return i;
    }
  }
  return trailingQuotes(classes);
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
