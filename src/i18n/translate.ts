/**
 * What subscribers read, in their language: the public pages and the system
 * mails in English, Dutch and Norwegian Bokmål. The texts live in
 * locales/<language>.json at the top of the repository, for translators to
 * edit; a key missing in one language falls back to English (and the unit
 * test lists every key that is missing).
 *
 * Interpolated values are not escaped here: pages escape everything they
 * print (the `html` template), and mail templates are handed values that
 * were escaped before interpolation (see translateHtml).
 */
import fs from "node:fs";
import { createInstance, type i18n } from "i18next";

export const locales = ["en", "nl", "nb"] as const;
export type Locale = (typeof locales)[number];

export interface Translate {
  (key: string, vars?: Record<string, string | number>): string;
  readonly locale: Locale;
}

const localesDir = new URL("../../locales/", import.meta.url);

let instance: i18n | undefined;

function i18next(): i18n {
  if (instance) return instance;
  const resources = Object.fromEntries(
    locales.map((locale) => [
      locale,
      { translation: JSON.parse(fs.readFileSync(new URL(`${locale}.json`, localesDir), "utf8")) },
    ]),
  );
  const created = createInstance();
  void created.init({
    resources,
    lng: "en",
    fallbackLng: "en",
    supportedLngs: [...locales],
    initAsync: false,
    returnNull: false,
    // values inserted into a translation are not themselves searched for placeholders
    interpolation: { escapeValue: false, skipOnVariables: true },
  });
  instance = created;
  return created;
}

export function translator(locale: Locale): Translate {
  const fixed = i18next().getFixedT(locale);
  const t = (key: string, vars?: Record<string, string | number>) => fixed(key, vars ?? {});
  return Object.assign(t, { locale });
}

/** Every key of the English file, dotted ("page.notFound"), for the completeness test. */
export function translationKeys(locale: Locale): string[] {
  const data = i18next().getResourceBundle(locale, "translation") as Record<string, unknown>;
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === "string") keys.push(prefix);
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  walk(data, "");
  return keys.sort();
}

/**
 * Every text under `prefix` ("mail", "footer") in one language, as an object
 * of the same shape, for mail templates to use as `[[t.confirm.button]]`.
 * `vars` are interpolated; `escape` is applied to each value first, so a
 * translation's own markup (<strong>) stays while what is filled in cannot
 * add any.
 */
export function textTree(
  locale: Locale,
  prefix: string,
  vars: Record<string, string>,
  escape: (value: string) => string = (value) => value,
): Record<string, unknown> {
  const t = translator(locale);
  const escaped = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, escape(v)]));
  const english = i18next().getResourceBundle("en", "translation") as Record<string, unknown>;
  const build = (value: unknown, key: string): unknown => {
    if (typeof value === "string") return t(key, escaped);
    if (!value || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, build(v, `${key}.${k}`)]));
  };
  return build(english[prefix], prefix) as Record<string, unknown>;
}
