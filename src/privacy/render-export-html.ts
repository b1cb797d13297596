import type { ContactExport } from "./export-contact.ts";

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const esc = (v: unknown): string =>
  (typeof v === "string" ? v : v === null || v === undefined ? "" : JSON.stringify(v)).replace(
    /[&<>"']/g,
    (c) => entities[c]!,
  );

function table(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return "<p><em>none</em></p>";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td>${esc(r[c])}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A readable rendering of the export for the person: the same data, every value escaped, no scripts. */
export function renderExportHtml(doc: ContactExport): string {
  const sections: Array<[string, Array<Record<string, unknown>>]> = [
    ["Your contact details", [doc.contact]],
    ["Newsletter subscriptions", doc.subscriptions],
    ["Consent given and withdrawn", doc.consentLedger],
    ["Emails we sent you", doc.deliveries],
    ["Your emails to us (dialogue records)", doc.dialogueRecords],
    ["Contacts registered by hand", doc.contactEvents],
    ["Corrections", doc.corrections],
    ["Partners you are linked to", doc.partners],
    ["Partners your data was disclosed to", doc.disclosures],
    ["Your requests", doc.privacyRequests],
    ...Object.entries(doc.otherRecords).map(
      ([name, rows]) =>
        [`Other records (${name})`, rows] as [string, Array<Record<string, unknown>>],
    ),
  ];
  const contact = doc.contact as { email?: string; name?: string };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Your data: ${esc(contact.email)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2328}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:13px}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}</style>
</head><body>
<h1>Everything we hold about ${esc(contact.name || contact.email)}</h1>
<p>Request ${esc(doc.request.reference)}, produced ${esc(doc.generatedAt)}. The same data as JSON is in the file that came with this one.</p>
${sections.map(([title, rows]) => `<h2>${esc(title)}</h2>\n${table(rows)}`).join("\n")}
</body></html>
`;
}
