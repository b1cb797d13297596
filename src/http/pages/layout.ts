/**
 * Server-rendered pages a subscriber sees: no JavaScript, no cookies, no
 * third-party resources (the CSP in create-server.ts forbids them), every
 * interpolated value escaped.
 */

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => entities[c]!);
}

/** Marks a string as already-escaped HTML so `html` does not escape it again. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolations are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(value);
}

const style = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:2rem 0 .5rem;padding-top:1.5rem;border-top:1px solid #e4e6ea}
p{margin:.5rem 0 1rem}
.muted{color:#59636e;font-size:.9rem}
.notice{padding:.75rem 1rem;border-radius:8px;background:#e9f6ee;color:#135c2e;border:1px solid #b9e2c8}
.notice.error{background:#fdecec;color:#8a1c1c;border-color:#f2c0c0}
button{font:inherit;cursor:pointer;border-radius:8px;padding:.6rem 1.1rem;border:1px solid #1f6feb;background:#1f6feb;color:#fff}
button.secondary{background:#fff;color:#1f2328;border-color:#c9ced6}
button.danger{background:#fff;color:#b42318;border-color:#e7a8a3}
button:focus-visible,input:focus-visible{outline:3px solid #9cc3ff;outline-offset:2px}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{padding:0}
label.list{display:flex;gap:.75rem;align-items:flex-start;padding:.6rem 0;border-bottom:1px solid #f0f1f3}
label.list input{margin-top:.3rem;width:1.1rem;height:1.1rem}
label.list small{display:block;color:#59636e}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1rem}
a{color:#1f6feb}
`;

export function layout(title: string, body: Html, lang = "en"): string {
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex,nofollow" />
        <meta name="referrer" content="same-origin" />
        <title>${title}</title>
        <style>
          ${new Html(style)}
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html> `.value;
}

/** A plain page with a heading and a notice, for outcomes and errors. */
export function messagePage(opts: {
  title: string;
  message: string;
  kind?: "ok" | "error";
  extra?: Html;
  /** the page's language (html lang); the texts must already be in it */
  lang?: string;
}): string {
  return layout(
    opts.title,
    html`<h1>${opts.title}</h1>
      <p class="notice${opts.kind === "error" ? " error" : ""}" role="status">${opts.message}</p>
      ${opts.extra ?? ""}`,
    opts.lang,
  );
}
