// Subscriber-facing texts in en, nl and nb: every key in every language, the language picked
// from the contact or the browser, and the system mail rendered through the real MJML pipeline.
import { describe, expect, it } from "vitest";
import { pickLocale, toLocale } from "../../src/i18n/pick-locale.ts";
import { locales, translationKeys, translator } from "../../src/i18n/translate.ts";
import { renderSystemEmail } from "../../src/newsletters/render/render-system-email.ts";
import { defaultTemplatesDir } from "../../src/config/templates-dir.ts";

describe("translations", () => {
  it("has every English key in Dutch and Norwegian, and no extra ones", () => {
    const english = translationKeys("en");
    expect(english.length).toBeGreaterThan(50);
    for (const locale of locales)
      expect([locale, translationKeys(locale)]).toEqual([locale, english]);
  });

  it("keeps each translation's placeholders", () => {
    const en = translator("en");
    for (const locale of locales) {
      const t = translator(locale);
      for (const key of translationKeys("en")) {
        const placeholders = (text: string) =>
          [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
        const source = (en as unknown as { (k: string, v: object): string })(key, {});
        expect([locale, key, placeholders(t(key, { interpolation: "" } as never))]).toEqual([
          locale,
          key,
          placeholders(source),
        ]);
      }
    }
  });
});

describe("picking the language", () => {
  it("prefers the contact's language, then Accept-Language by q value, then the default", () => {
    expect(pickLocale({ language: "nb", acceptLanguage: "nl", fallback: "en" })).toBe("nb");
    expect(
      pickLocale({ language: "de", acceptLanguage: "de-DE, nl;q=0.8, en;q=0.9", fallback: "nb" }),
    ).toBe("en");
    expect(pickLocale({ acceptLanguage: "fr-FR,fr;q=0.9,nl-BE;q=0.8", fallback: "en" })).toBe("nl");
    expect(pickLocale({ acceptLanguage: "no, en;q=0.5", fallback: "en" })).toBe("nb");
    expect(pickLocale({ acceptLanguage: "nl;q=0, nb;q=abc", fallback: "en" })).toBe("en");
    expect(pickLocale({ acceptLanguage: undefined, fallback: "nl" })).toBe("nl");
    expect(toLocale("NB-no")).toBe("nb");
    expect(toLocale("nn")).toBe("nb");
    expect(toLocale("xx")).toBeUndefined();
  });
});

describe("the confirmation mail", () => {
  it("speaks Norwegian and Dutch, escaping the list name but keeping the translation's markup", async () => {
    const fields = {
      listName: "Nytt <b>&</b> nyttig",
      confirmUrl: "https://news.example.com/confirm/abc",
      postalAddress: "Example AS, Havnegata 1, 0150 Oslo",
    };
    const nb = await renderSystemEmail(defaultTemplatesDir, "confirm-subscription", fields, "nb");
    expect(nb.subject).toBe("Bekreft abonnementet ditt på Nytt <b>&</b> nyttig");
    expect(nb.html).toContain('lang="nb"');
    expect(nb.html).toContain("<strong>Nytt &lt;b&gt;&amp;&lt;/b&gt; nyttig</strong>");
    expect(nb.text).toContain("Bekreft abonnementet mitt");
    expect(nb.text).toContain("engangs tjenestemelding");
    const nl = await renderSystemEmail(defaultTemplatesDir, "confirm-subscription", fields, "nl");
    expect(nl.subject).toContain("Bevestig uw aanmelding");
    expect(nl.text).toContain("Hallo,");
    const en = await renderSystemEmail(defaultTemplatesDir, "confirm-subscription", fields);
    expect(en.text).toContain("Confirm my subscription");
  });
});
