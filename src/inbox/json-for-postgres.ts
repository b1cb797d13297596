/**
 * JSON text that PostgreSQL's jsonb accepts for any string a message can
 * carry: jsonb refuses U+0000 and lone UTF-16 surrogates (which JSON.stringify
 * writes as `\ud800` escapes), where a text parameter would have had them
 * replaced on the way. Both become U+FFFD, never dropped silently.
 */
const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/g;

export function jsonForPostgres(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "string" ? v.replace(lone, "\uFFFD") : v,
  );
}
