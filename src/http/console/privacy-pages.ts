/**
 * Privacy (privacy role; admin always): data-subject requests with their
 * deadlines (list, record, open, close), the retention dry run, the audit log
 * with filters, and the exports (one person's data as JSON or HTML; the
 * partner file of the four shareable fields). Every POST is audited as the
 * operator; the dry run is audited too (applyRetention records it).
 */
import type { FastifyInstance } from "fastify";
import { contactsStyles } from "./contacts-styles.ts";
import { z } from "zod";
import { normaliseAddress } from "../../consent/address-hash.ts";
import { requireEmail } from "../../contacts/upsert-contact.ts";
import type { PrivacyRequestKind } from "../../generated/prisma/client.ts";
import { applyRetention } from "../../privacy/apply-retention.ts";
import { describePolicy } from "../../privacy/describe-policy.ts";
import { exportContact } from "../../privacy/export-contact.ts";
import { exportPartnerContacts } from "../../privacy/export-partner-contacts.ts";
import { findPrivacyRequest } from "../../privacy/find-privacy-request.ts";
import { listPrivacyRequests } from "../../privacy/list-privacy-requests.ts";
import { closePrivacyRequest, openPrivacyRequest } from "../../privacy/open-privacy-request.ts";
import { queryAudit } from "../../privacy/query-audit.ts";
import { queryAuditPage } from "../../privacy/query-audit-page.ts";
import { parseBody } from "../admin/parse-body.ts";
import type { HttpDeps } from "../deps.ts";
import { actorOf, operatorOf, requireRole, sendPage } from "./console-kit.ts";
import { renderAuditPage } from "./render-audit-page.ts";
import {
  renderExports,
  renderRequest,
  renderRequests,
  renderRetention,
  requestKinds,
} from "./render-privacy-pages.ts";
import { sendContactExport } from "./send-contact-export.ts";
import { verificationForm } from "./verification-fields.ts";

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsUnset, schema.optional());
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a day such as 2026-11-30");

const requestsQuery = z.object({
  open: optional(z.enum(["true"])),
  kind: optional(z.enum(requestKinds)),
});
const auditQuery = z.object({
  actor: optional(z.string().trim().max(200)),
  action: optional(z.string().trim().max(200)),
  subject: optional(z.string().trim().max(320)),
  from: optional(day),
  to: optional(day),
  before: optional(z.coerce.number().int().min(1)),
});

type WithReference = { Params: { reference: string } };

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const privacy = { preHandler: requireRole("privacy") };
  const area = "privacy" as const;

  app.get("/admin/privacy", privacy, async (request, reply) => {
    const q = parseBody(requestsQuery, request.query, "filter");
    const rows = await listPrivacyRequests(deps, { open: q.open === "true", kind: q.kind });
    return sendPage(request, reply, {
      title: "Privacy",
      area,
      styles: contactsStyles,
      body: renderRequests(request, rows, { open: q.open === "true", kind: q.kind }),
    });
  });

  app.post("/admin/privacy/requests", privacy, async (request, reply) => {
    const form = parseBody(
      verificationForm.extend({ kind: z.enum(requestKinds), email: z.string().trim().max(320) }),
      request.body,
      "form",
    );
    const email = requireEmail(form.email);
    const contact = await deps.db.contact.findUnique({ where: { email }, select: { id: true } });
    const opened = await openPrivacyRequest(deps.db, {
      kind: form.kind as PrivacyRequestKind,
      contactId: contact?.id ?? null,
      email,
      suppressionKey: deps.config.suppressionKey,
      verification: { method: form.verifiedBy, reference: form.reference ?? null },
      actor: actorOf(operatorOf(request)),
      now: deps.clock.now(),
      detail: { source: "console" },
    });
    return reply.redirect(`/admin/privacy/requests/${opened.reference}`, 303);
  });

  app.get<WithReference>("/admin/privacy/requests/:reference", privacy, async (request, reply) => {
    const r = await findPrivacyRequest(deps, request.params.reference);
    const audit = await queryAudit(deps, { subject: `privacy_request:${r.id}`, limit: 100 });
    return sendPage(request, reply, {
      title: `Request ${r.reference}`,
      area,
      styles: contactsStyles,
      body: renderRequest(request, r, audit),
    });
  });

  app.post<WithReference>(
    "/admin/privacy/requests/:reference/close",
    privacy,
    async (request, reply) => {
      const form = parseBody(
        z.object({ state: z.enum(["done", "refused"]) }),
        request.body,
        "form",
      );
      const r = await findPrivacyRequest(deps, request.params.reference);
      if (r.state === "received")
        await closePrivacyRequest(deps.db, {
          id: r.id,
          state: form.state,
          now: deps.clock.now(),
          actor: actorOf(operatorOf(request)),
          detail: { ...(r.detail as object), closedFrom: "console" },
        });
      return reply.redirect(`/admin/privacy/requests/${r.reference}`, 303);
    },
  );

  app.get("/admin/privacy/retention", privacy, async (request, reply) => {
    const q = parseBody(
      z.object({
        within: optional(z.coerce.number().int().min(0).max(3650)),
        run: optional(z.enum(["1"])),
      }),
      request.query,
      "filter",
    );
    const within = q.within ?? 0;
    const now = deps.clock.now();
    const activeMailboxes = await deps.db.employee.count({ where: { status: "active" } });
    // A GET that changes nothing (the dry run erases nobody); it is audited as a dry run, as in the CLI.
    const result = q.run
      ? await applyRetention(deps, {
          dryRun: true,
          actor: actorOf(operatorOf(request)),
          horizon: within > 0 ? new Date(now.getTime() + within * 86_400_000) : undefined,
        })
      : undefined;
    return sendPage(request, reply, {
      title: "Retention dry run",
      area,
      styles: contactsStyles,
      body: renderRetention(result, within, describePolicy(deps.config, { activeMailboxes })),
    });
  });

  app.get("/admin/privacy/audit", privacy, async (request, reply) => {
    const q = parseBody(auditQuery, request.query, "filter");
    const page = await queryAuditPage(deps, {
      actor: q.actor,
      action: q.action,
      subject: q.subject,
      since: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      until: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
      beforeId: q.before,
    });
    return sendPage(request, reply, {
      title: "Audit log",
      area,
      styles: contactsStyles,
      body: renderAuditPage(page, q),
    });
  });

  app.get("/admin/privacy/exports", privacy, async (request, reply) => {
    const partners = await deps.db.partner.findMany({
      select: { name: true },
      orderBy: { name: "asc" },
    });
    return sendPage(request, reply, {
      title: "Exports",
      area,
      styles: contactsStyles,
      body: renderExports(
        request,
        partners.map((p) => p.name),
      ),
    });
  });

  app.post("/admin/privacy/exports/contact", privacy, async (request, reply) => {
    const form = parseBody(
      verificationForm.extend({
        email: z.string().trim().max(320),
        format: z.enum(["json", "html"]),
      }),
      request.body,
      "form",
    );
    const doc = await exportContact(deps, {
      email: normaliseAddress(form.email),
      verification: { method: form.verifiedBy, reference: form.reference ?? null },
      actor: actorOf(operatorOf(request)),
    });
    return sendContactExport(reply, doc, form.format);
  });

  app.post("/admin/privacy/exports/partner", privacy, async (request, reply) => {
    const form = parseBody(
      z.object({ partner: z.string().trim().min(1).max(200) }),
      request.body,
      "form",
    );
    const result = await exportPartnerContacts(deps, {
      partner: form.partner,
      actor: actorOf(operatorOf(request)),
    });
    const file = result.partner.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-|-$/g, "") || "partner";
    return reply
      .header(
        "content-disposition",
        `attachment; filename="partner-${file}-${result.exportId}.json"`,
      )
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(result, null, 2));
  });
}
