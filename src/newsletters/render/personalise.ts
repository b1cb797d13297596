import Handlebars from "handlebars";
import { AppError } from "../../errors.ts";
import type { FrozenCampaign } from "./compile-campaign.ts";
import { firstLine } from "./placeholders.ts";

/** What the recipient stage may put into a frozen campaign. */
export interface RecipientFields {
  name: string | null;
  email: string;
  company: string | null;
  unsubscribeUrl: string;
  /** the same /u/<token> page as unsubscribeUrl: the preference centre lives there */
  preferencesUrl: string;
}

export interface Personalised {
  subject: string;
  html: string;
  text: string;
}

// Recipient stage only: its own environment, with nothing but the built-in helpers.
const recipientStage = Handlebars.create();
const options = { knownHelpersOnly: true, knownHelpers: { if: true, unless: true } } as const;

/**
 * Compiles the three frozen templates once and returns a function that fills
 * them for one recipient. HTML values are escaped by Handlebars; the subject
 * and text part are not HTML, so values go in unescaped but with CR and LF
 * removed, which would otherwise let a name such as "x\r\nBcc: ..." add a
 * header to the message (RFC 5322 section 2.2).
 */
export function createPersonaliser(frozen: FrozenCampaign): (r: RecipientFields) => Personalised {
  const subject = compile(frozen.subject, "subject", true);
  const html = compile(frozen.html, "html", false);
  const text = compile(frozen.text, "text", true);
  return (r) => {
    const plain = {
      name: oneLine(r.name),
      email: oneLine(r.email),
      company: oneLine(r.company),
      unsubscribeUrl: oneLine(r.unsubscribeUrl),
      preferencesUrl: oneLine(r.preferencesUrl),
    };
    return { subject: subject(plain), html: html(plain), text: text(plain) };
  };
}

function compile(
  source: string,
  part: string,
  noEscape: boolean,
): (fields: Record<string, string>) => string {
  try {
    const template = recipientStage.compile(source, { ...options, noEscape });
    // Handlebars compiles lazily on first use: do it now, so a broken frozen
    // campaign fails here, before the first message, not halfway through a batch.
    template({ name: "", email: "", company: "", unsubscribeUrl: "", preferencesUrl: "" });
    return template;
  } catch (error) {
    throw new AppError(
      "invalid_template",
      `the frozen campaign's ${part} does not compile: ${firstLine(error)}`,
    );
  }
}

function oneLine(value: string | null): string {
  return value === null ? "" : value.replace(/[\r\n]+/g, " ");
}
