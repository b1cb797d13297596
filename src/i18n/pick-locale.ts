import { locales, type Locale } from "./translate.ts";

/**
 * A stored or declared language ("nb", "nb-NO", "no", "NL-be") as one of
 * ours, or undefined. Norwegian without a written standard ("no") and
 * Nynorsk ("nn") readers get Bokmål, which every Norwegian reader reads.
 */
export function toLocale(value: string | null | undefined): Locale | undefined {
  if (!value) return undefined;
  const primary = value.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  const mapped = primary === "no" || primary === "nn" ? "nb" : primary;
  return (locales as readonly string[]).includes(mapped) ? (mapped as Locale) : undefined;
}

/**
 * The language to speak to a person: theirs when we know it (the contact's
 * language), else the browser's Accept-Language (RFC 9110 §12.5.4, by q
 * value, first listed first among equals), else the fallback.
 */
export function pickLocale(opts: {
  language?: string | null;
  acceptLanguage?: string | string[] | undefined;
  fallback: Locale;
}): Locale {
  const own = toLocale(opts.language);
  if (own) return own;
  const header = [opts.acceptLanguage ?? []].flat().join(",");
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const qParam = params.find((p) => /^\s*q=/i.test(p));
      // a q value that is not a number drops the entry (RFC 9110 §12.4.2 allows 0 to 1, three decimals)
      const q =
        qParam === undefined
          ? 1
          : Number(/^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(qParam)?.[1] ?? NaN);
      return { tag: tag ?? "", q, index };
    })
    .filter((r) => r.tag !== "" && r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = toLocale(tag);
    if (locale) return locale;
  }
  return opts.fallback;
}
