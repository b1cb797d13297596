/**
 * RFC 8058 §3.1: the one-click POST carries `List-Unsubscribe=One-Click`,
 * "either as application/x-www-form-urlencoded or multipart/form-data".
 * Anything else is not a one-click request.
 */
export function isOneClickBody(body: unknown, contentType: string | undefined): boolean {
  // A JSON body that parses to the same object is not one-click: RFC 8058 names only these two types.
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") return false;
  if (typeof body !== "object" || body === null) return false;
  const value = (body as Record<string, unknown>)["List-Unsubscribe"];
  const values = Array.isArray(value) ? value : [value];
  return values.length === 1 && typeof values[0] === "string" && values[0].trim() === "One-Click";
}

/**
 * A minimal multipart/form-data reader (RFC 7578) for the one-click body:
 * text fields only, by name. Enough for a handful of short fields; not a
 * general parser (files and nested multiparts are ignored).
 */
export function parseMultipartFields(
  body: string,
  contentType: string,
): Record<string, string> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return null;
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${delimiter}`).slice(1)) {
    if (part.startsWith("--")) break;
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /content-disposition:\s*form-data;[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined || /filename=/i.test(headers)) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, "");
  }
  return fields;
}
