import type { FastifyRequest } from "fastify";
import type { Config } from "../config/load-config.ts";
import { pickLocale } from "../i18n/pick-locale.ts";
import { translator, type Translate } from "../i18n/translate.ts";

/**
 * The texts for a public page: in the person's own language when the page
 * knows who they are (a contact's stored language), else in the browser's
 * (Accept-Language), else DEFAULT_LANGUAGE.
 */
export function translatorFor(
  request: FastifyRequest,
  config: Pick<Config, "defaultLanguage">,
  language?: string | null,
): Translate {
  return translator(
    pickLocale({
      language,
      acceptLanguage: request.headers["accept-language"],
      fallback: config.defaultLanguage,
    }),
  );
}
