/**
 * A signed-in page: skip link, header (who is signed in, sign out), the
 * navigation for the operator's role, the page's heading, notice and content.
 */
import { html } from "../pages/layout.ts";
import { consoleDocument } from "./console-document.ts";
import {
  csrfField,
  mayOpen,
  type ConsoleArea,
  type ConsolePageInput,
  type SignedInOperator,
} from "./console-kit.ts";
import type { FastifyRequest } from "fastify";

export const areaLinks: ReadonlyArray<{ area: ConsoleArea; label: string; href: string }> = [
  { area: "dashboard", label: "Dashboard", href: "/admin" },
  { area: "campaigns", label: "Campaigns", href: "/admin/campaigns" },
  { area: "templates", label: "Templates", href: "/admin/templates" },
  { area: "lists", label: "Lists", href: "/admin/lists" },
  { area: "contacts", label: "Contacts", href: "/admin/contacts" },
  { area: "inbox", label: "Inbox", href: "/admin/inbox" },
  { area: "mailboxes", label: "Mailboxes", href: "/admin/mailboxes" },
  { area: "privacy", label: "Privacy", href: "/admin/privacy" },
  { area: "jobs", label: "Jobs", href: "/admin/jobs" },
  { area: "operators", label: "Operators", href: "/admin/operators" },
];

export function renderConsoleLayout(
  request: FastifyRequest,
  opts: {
    operator: SignedInOperator;
    csrfToken: string;
    page: ConsolePageInput;
    /** whether a page is mounted at a link's address; links to unmounted areas are left out */
    mounted: (href: string) => boolean;
  },
): string {
  const { operator, page } = opts;
  const links = areaLinks.filter((l) => mayOpen(operator, l.area) && opts.mounted(l.href));
  return consoleDocument({
    title: page.title,
    csrfToken: opts.csrfToken,
    scripts: page.scripts,
    styles: page.styles,
    body: html`<a class="skip-link" href="#main">Skip to content</a>
      <header class="console-header">
        <a class="brand" href="/admin">mailsteward</a>
        <nav aria-label="Console">
          <ul>
            ${links.map(
              (l) =>
                html`<li>
                  <a href="${l.href}" ${l.area === page.area ? html`aria-current="page"` : ""}
                    >${l.label}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <div class="who">
          <span
            >${operator.name ?? operator.email} <span class="role">(${operator.role})</span></span
          >
          <form method="post" action="/admin/sign-out">
            ${csrfField(request)}
            <button type="submit" class="secondary">Sign out</button>
          </form>
        </div>
      </header>
      <main id="main" tabindex="-1">
        <h1>${page.title}</h1>
        ${
          page.notice
            ? html`<p
                class="notice ${page.notice.kind}"
                role="${page.notice.kind === "error" ? "alert" : "status"}"
              >
                ${page.notice.message}
              </p>`
            : ""
        }
        ${page.body}
      </main>`,
  });
}
