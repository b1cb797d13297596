/**
 * Contacts (marketing, privacy): search by email, name or company, paged; and
 * the contact page. The privacy actions are linked only for the roles that
 * may take them; their routes check the role again (contact-privacy-pages.ts).
 */
import type { FastifyInstance } from "fastify";
import { contactsStyles } from "./contacts-styles.ts";
import { z } from "zod";
import { findContactDetail } from "../../contacts/find-contact-detail.ts";
import { searchContacts, type ContactSearchPage } from "../../contacts/search-contacts.ts";
import { findContactRetention } from "../../privacy/find-contact-retention.ts";
import { parseBody } from "../admin/parse-body.ts";
import type { HttpDeps } from "../deps.ts";
import { html, operatorOf, requireRole, sendPage, type Html } from "./console-kit.ts";
import { readContactId } from "./read-contact-id.ts";
import { renderContactPage } from "./render-contact-page.ts";
import { badge, count, pager, table, when } from "./view-helpers.ts";

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const searchQuery = z.object({
  q: z.preprocess(blankIsUnset, z.string().trim().max(200).optional()),
  list: z.preprocess(blankIsUnset, z.string().trim().max(48).optional()),
  page: z.preprocess(blankIsUnset, z.coerce.number().int().min(1).max(100_000).optional()),
});

/** The roles that see and take the privacy actions on a contact (admin always). */
export const privacyActionRoles = ["privacy"] as const;

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const readers = { preHandler: requireRole("marketing", "privacy") };

  app.get("/admin/contacts", readers, async (request, reply) => {
    const q = parseBody(searchQuery, request.query, "search");
    const result = await searchContacts(deps.db, { query: q.q, list: q.list, page: q.page });
    return sendPage(request, reply, {
      title: "Contacts",
      area: "contacts",
      styles: contactsStyles,
      body: renderSearch(result, mayImport(operatorOf(request).role)),
    });
  });

  app.get<{ Params: { id: string } }>("/admin/contacts/:id", readers, async (request, reply) => {
    const id = readContactId(request.params.id);
    const [contact, retention] = await Promise.all([
      findContactDetail(deps.db, id),
      findContactRetention(deps, { id }),
    ]);
    const role = operatorOf(request).role;
    return sendPage(request, reply, {
      title: contact.name ?? contact.email,
      area: "contacts",
      styles: contactsStyles,
      body: renderContactPage(contact, retention, {
        privacyActions:
          role === "admin" || (privacyActionRoles as readonly string[]).includes(role),
      }),
    });
  });
}

function mayImport(role: string): boolean {
  return role === "marketing" || role === "admin";
}

function renderSearch(r: ContactSearchPage, importLink: boolean): Html {
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  return html`<form method="get" action="/admin/contacts" role="search" class="filters">
      <p>
        <label for="contact-search">Email, name or company contains</label>
        <input id="contact-search" type="search" name="q" value="${r.query}" maxlength="200" />
        ${r.list ? html`<input type="hidden" name="list" value="${r.list}" />` : ""}
        <button type="submit">Search</button>
      </p>
    </form>
    ${importLink ? html`<p><a href="/admin/contacts/import">Import contacts from a CSV file</a></p>` : ""}
    <p role="status">
      ${count(r.total)}
      contact${r.total === 1 ? "" : "s"}${r.query ? html` matching “${r.query}”` : ""}${
        r.list
          ? html` subscribed to <code>${r.list}</code> (<a
                href="/admin/contacts${r.query ? `?q=${encodeURIComponent(r.query)}` : ""}"
                >all lists</a
              >)`
          : ""
      }${r.total > r.pageSize ? html`; page ${r.page} of ${count(pages)}` : ""}
    </p>
    ${table({
      caption: "Contacts, newest first",
      headers: ["Email", "Name", "Company", "Customer", "Subscribed to", "On file since"],
      empty: r.query ? "No contact matches." : "No contacts yet.",
      rows: r.contacts.map(
        (c) =>
          html`<tr>
            <th scope="row"><a href="/admin/contacts/${c.id}">${c.email}</a></th>
            <td>${c.name}</td>
            <td>${c.company}</td>
            <td>${c.customerStatus === "none" ? "" : badge(c.customerStatus)}</td>
            <td>${c.subscribedTo.join(", ")}</td>
            <td>${when(c.createdAt)}</td>
          </tr>`,
      ),
    })}
    ${pager("/admin/contacts", { q: r.query, list: r.list }, r.page, r.page < pages)}`;
}
