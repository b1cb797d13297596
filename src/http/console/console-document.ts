/**
 * The console's HTML document around a page: the same head (our style sheet,
 * htmx, console.js; no inline script or style, the CSP forbids them) for the
 * sign-in page and the signed-in pages.
 */
import { html, Html } from "../pages/layout.ts";

export function consoleDocument(opts: {
  title: string;
  body: Html;
  /** absent on the sign-in page: no session, nothing for htmx to send */
  csrfToken?: string;
  scripts?: readonly string[];
  styles?: readonly string[];
}): string {
  const asset = (file: string) => `/admin/assets/${file}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex,nofollow" />
        <meta name="referrer" content="same-origin" />
        ${opts.csrfToken ? html`<meta name="csrf-token" content="${opts.csrfToken}" />` : ""}
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0}'
        />
        <title>${opts.title} · mailsteward</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${asset("console.css")}" />
        ${(opts.styles ?? []).map((file) => html`<link rel="stylesheet" href="${asset(file)}" />`)}
        <script src="${asset("htmx.min.js")}" defer></script>
        <script src="${asset("console.js")}" defer></script>
        ${(opts.scripts ?? []).map((file) => html`<script src="${asset(file)}" defer></script>`)}
      </head>
      <body>
        ${opts.body}
      </body>
    </html>`.value;
}
