/**
 * The privacy actions on a contact (privacy role; admin always): export,
 * correct, erase. Each is a form that says what will happen and asks how the
 * person was verified, then a POST that records a data-subject request and an
 * audit entry attributed to the operator (operator:<id>, never an address).
 * Opening a form changes nothing.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { contactsStyles } from "./contacts-styles.ts";
import { z } from "zod";
import { findContactDetail } from "../../contacts/find-contact-detail.ts";
import { correctableFields, correctContact } from "../../privacy/correct-contact.ts";
import { countContactRecords } from "../../privacy/count-contact-records.ts";
import { eraseContact } from "../../privacy/erase-contact.ts";
import { exportContact } from "../../privacy/export-contact.ts";
import { parseBody } from "../admin/parse-body.ts";
import type { HttpDeps } from "../deps.ts";
import { actorOf, csrfField, html, operatorOf, requireRole, sendPage } from "./console-kit.ts";
import { sendContactExport } from "./send-contact-export.ts";
import { verificationFields, verificationForm } from "./verification-fields.ts";
import { readContactId } from "./read-contact-id.ts";
import { count } from "./view-helpers.ts";

type WithId = { Params: { id: string } };

const exportForm = verificationForm.extend({ format: z.enum(["json", "html"]) });
const eraseForm = verificationForm.extend({
  kind: z.enum(["erasure", "withdrawal"]),
  confirm: z.literal("yes", { error: "tick the box to confirm that the erasure cannot be undone" }),
});
const correctForm = verificationForm.extend(
  Object.fromEntries(correctableFields.map((f) => [f, z.string().max(2000).optional()])) as Record<
    (typeof correctableFields)[number],
    z.ZodOptional<z.ZodString>
  >,
);

const fieldLabels: Record<(typeof correctableFields)[number], string> = {
  email: "Email",
  name: "Name",
  phone: "Phone",
  company: "Company",
  jobTitle: "Job title",
  industry: "Industry",
  companyWebsite: "Company website",
  notes: "Notes",
};

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const privacy = { preHandler: requireRole("privacy") };
  const back = (id: number) => html`<p><a href="/admin/contacts/${id}">Back to the contact</a></p>`;

  app.get<WithId>("/admin/contacts/:id/export", privacy, async (request, reply) => {
    const c = await countContactRecords(deps.db, readContactId(request.params.id));
    return sendPage(request, reply, {
      title: `Export ${c.email}`,
      area: "contacts",
      styles: contactsStyles,
      body: html`<p>
          Everything held about this person (art. 15 and 20): fields, subscriptions, the consent
          ledger, ${count(c.counts.deliveries)} deliveries, ${count(c.counts.dialogues)} dialogue
          records and every other record that refers to them. The export is recorded as a request.
        </p>
        <form method="post" action="/admin/contacts/${c.id}/export">
          ${csrfField(request)} ${verificationFields()}
          <p class="actions">
            <button type="submit" name="format" value="json">Download JSON</button>
            <button type="submit" name="format" value="html" class="secondary">View as HTML</button>
          </p>
        </form>
        ${back(c.id)}`,
    });
  });

  app.post<WithId>("/admin/contacts/:id/export", privacy, async (request, reply) => {
    const id = readContactId(request.params.id);
    const form = parseBody(exportForm, request.body, "form");
    const c = await countContactRecords(deps.db, id);
    const doc = await exportContact(deps, {
      email: c.email,
      verification: { method: form.verifiedBy, reference: form.reference ?? null },
      actor: actorOf(operatorOf(request)),
    });
    return sendContactExport(reply, doc, form.format);
  });

  app.get<WithId>("/admin/contacts/:id/correct", privacy, async (request, reply) => {
    const c = await findContactDetail(deps.db, readContactId(request.params.id));
    return sendPage(request, reply, {
      title: `Correct ${c.email}`,
      area: "contacts",
      styles: contactsStyles,
      body: html`<p>
          Change the fields the person asked to have corrected (art. 16). The audit log records
          which fields changed; the old and new values are kept only beside the person.
        </p>
        <form method="post" action="/admin/contacts/${c.id}/correct">
          ${csrfField(request)}
          <fieldset>
            <legend>Fields</legend>
            ${correctableFields.map((f) => {
              const value = c[f] ?? "";
              return html`<p>
                <label for="correct-${f}">${fieldLabels[f]}</label>
                ${
                  f === "notes"
                    ? html`<textarea id="correct-${f}" name="${f}" rows="3">${value}</textarea>`
                    : html`<input
                        id="correct-${f}"
                        name="${f}"
                        value="${value}"
                        ${f === "email" ? html`type="email" required` : ""}
                      />`
                }
              </p>`;
            })}
          </fieldset>
          ${verificationFields()}
          <p><button type="submit">Save the correction</button></p>
        </form>
        ${back(c.id)}`,
    });
  });

  app.post<WithId>("/admin/contacts/:id/correct", privacy, async (request, reply) => {
    const id = readContactId(request.params.id);
    const form = parseBody(correctForm, request.body, "form");
    const c = await countContactRecords(deps.db, id);
    const changes = Object.fromEntries(
      correctableFields.filter((f) => form[f] !== undefined).map((f) => [f, form[f]!]),
    );
    const result = await correctContact(deps, {
      email: c.email,
      changes,
      verification: { method: form.verifiedBy, reference: form.reference ?? null },
      actor: actorOf(operatorOf(request)),
    });
    return sendPage(request, reply, {
      title: "Correction saved",
      area: "contacts",
      styles: contactsStyles,
      notice: {
        kind: "ok",
        message:
          result.changed.length === 0
            ? `Nothing differed from what is on file; request ${result.reference} is recorded as done.`
            : `Corrected ${result.changed.map((f) => fieldLabels[f]).join(", ")} (request ${result.reference}).`,
      },
      body: html`${back(id)}
        <p><a href="/admin/privacy/requests/${result.reference}">The request</a></p>`,
    });
  });

  app.get<WithId>("/admin/contacts/:id/erase", privacy, async (request, reply) =>
    sendPage(request, reply, {
      title: "Erase this contact?",
      area: "contacts",
      styles: contactsStyles,
      body: await renderEraseForm(request, deps, readContactId(request.params.id)),
    }),
  );

  app.post<WithId>("/admin/contacts/:id/erase", privacy, async (request, reply) => {
    const id = readContactId(request.params.id);
    const parsed = eraseForm.safeParse(request.body ?? {});
    if (!parsed.success)
      return sendPage(
        request,
        reply,
        {
          title: "Erase this contact?",
          area: "contacts",
          styles: contactsStyles,
          notice: { kind: "error", message: parsed.error.issues.map((i) => i.message).join("; ") },
          body: await renderEraseForm(request, deps, id),
        },
        400,
      );
    const form = parsed.data;
    const result = await eraseContact(deps, {
      contact: { id },
      kind: form.kind,
      verification: { method: form.verifiedBy, reference: form.reference ?? null },
      actor: actorOf(operatorOf(request)),
      source: "console",
    });
    return sendPage(request, reply, {
      title: "Contact erased",
      area: "contacts",
      styles: contactsStyles,
      notice: {
        kind: "ok",
        message: `The contact was erased everywhere (request ${result.reference}); only a keyed hash stays in suppression so the address is never mailed again.`,
      },
      body: html`<p>
        <a href="/admin/privacy/requests/${result.reference}">The request</a> ·
        <a
          href="/admin/privacy/audit?subject=${encodeURIComponent(`address_hash:${result.addressHash}`)}"
          >its audit entries</a
        >
        · <a href="/admin/contacts">Contacts</a>
      </p>`,
    });
  });
}

async function renderEraseForm(request: FastifyRequest, deps: HttpDeps, id: number) {
  const c = await countContactRecords(deps.db, id);
  const n = c.counts;
  return html`<p>
      This removes <strong>${c.name ? html`${c.name} (${c.email})` : c.email}</strong> from every
      table, in one transaction: ${count(n.subscriptions)} subscriptions, ${count(n.consents)}
      consent events, ${count(n.deliveries)} deliveries, ${count(n.dialogues)} dialogue records,
      ${count(n.events)} registered contacts and ${count(n.corrections)} corrections. Only a keyed
      hash of the address is kept, in suppression, so that it is never mailed again. This cannot be
      undone.
    </p>
    <form method="post" action="/admin/contacts/${c.id}/erase">
      ${csrfField(request)}
      <fieldset>
        <legend>Why</legend>
        <p>
          <input type="radio" id="erase-kind-erasure" name="kind" value="erasure" checked />
          <label for="erase-kind-erasure">The person asked to be erased (art. 17)</label>
        </p>
        <p>
          <input type="radio" id="erase-kind-withdrawal" name="kind" value="withdrawal" />
          <label for="erase-kind-withdrawal">The person withdrew consent to processing</label>
        </p>
      </fieldset>
      ${verificationFields()}
      <p>
        <input type="checkbox" id="erase-confirm" name="confirm" value="yes" required />
        <label for="erase-confirm">I understand that the erasure cannot be undone</label>
      </p>
      <p class="actions">
        <button type="submit" class="danger">Erase ${c.email}</button>
        <a href="/admin/contacts/${c.id}">Cancel</a>
      </p>
    </form>`;
}
