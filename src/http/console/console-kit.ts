/**
 * The contract every console page module codes against. The sign-in,
 * sessions and CSRF behind it live beside this file (console foundation);
 * page modules only use what is exported here.
 *
 * A page module is `src/http/console/<area>-pages.ts` exporting
 * `register(app, deps)`, listed once in `consoleModules` (register-console.ts).
 * Every route it adds is under /admin, is reached only by a signed-in operator,
 * and declares the roles it allows with `requireRole`; `admin` is always allowed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { HttpDeps } from "../deps.ts";
import { html, Html } from "../pages/layout.ts";

export { html, Html, escapeHtml } from "../pages/layout.ts";

export const roles = ["marketing", "it", "privacy", "admin"] as const;
export type Role = (typeof roles)[number];

export interface SignedInOperator {
  id: number;
  email: string;
  name: string | null;
  role: Role;
}

export type ConsoleModule = (app: FastifyInstance, deps: HttpDeps) => void;

/** The navigation areas; a link is shown only to the roles that may open it. */
export type ConsoleArea =
  | "dashboard"
  | "campaigns"
  | "templates"
  | "lists"
  | "contacts"
  | "inbox"
  | "mailboxes"
  | "privacy"
  | "jobs"
  | "operators";

export interface ConsolePageInput {
  /** the page's <title> and its one <h1>, rendered by the layout: start the body below it */
  title: string;
  area: ConsoleArea;
  /** the page's main content, already escaped (build it with `html`) */
  body: Html;
  /** a notice shown above the content (after a redirect, e.g. "Campaign scheduled") */
  notice?: { kind: "ok" | "error"; message: string };
  /**
   * extra scripts, file names under /admin/assets/ (put the file in src/http/console/assets/):
   * loaded with `defer` after htmx and console.js. CodeMirror 5 is "codemirror/codemirror.js"
   * and "codemirror/xml.js" (with style "codemirror/codemirror.css"). No inline script: the CSP
   * is script-src 'self'.
   */
  scripts?: string[];
  /** extra style sheets under /admin/assets/; no inline style attributes either (style-src 'self') */
  styles?: string[];
}

/**
 * Which roles open which area (admin opens all). A page module guards its
 * routes with `requireRole(...areaRoles.<area>)` and the navigation shows a
 * link only to these roles:
 * - dashboard: everyone signed in;
 * - campaigns, templates, lists: marketing;
 * - contacts: marketing and privacy (the privacy actions on a contact page need the privacy role);
 * - inbox (dialogue records, bounces): marketing and privacy;
 * - mailboxes (employees, cleanup, handover): it;
 * - privacy (requests, retention, audit, exports): privacy;
 * - jobs, operators: admin only.
 */
export const areaRoles: Record<ConsoleArea, readonly Role[]> = {
  dashboard: ["marketing", "it", "privacy"],
  campaigns: ["marketing"],
  templates: ["marketing"],
  lists: ["marketing"],
  contacts: ["marketing", "privacy"],
  inbox: ["marketing", "privacy"],
  mailboxes: ["it"],
  privacy: ["privacy"],
  jobs: [],
  operators: [],
};

/** Whether an operator may open an area. */
export function mayOpen(operator: SignedInOperator, area: ConsoleArea): boolean {
  return operator.role === "admin" || areaRoles[area].includes(operator.role);
}

/** The audit actor for what an operator does: an id, never an address (invariant 10). */
export function actorOf(operator: SignedInOperator): string {
  return `operator:${operator.id}`;
}

/** Who is signed in; set by the console's onRequest hook before any /admin route runs. */
export function operatorOf(request: FastifyRequest): SignedInOperator {
  const operator = (request as FastifyRequest & { operator?: SignedInOperator }).operator;
  if (!operator) throw new Error("operatorOf called outside a signed-in /admin route");
  return operator;
}

/** A preHandler that answers 403 (with a page saying which roles may) unless the operator has one of `allowed` or is admin. */
export function requireRole(...allowed: readonly Role[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const operator = operatorOf(request);
    if (operator.role === "admin" || allowed.includes(operator.role)) return;
    await reply
      .code(403)
      .type("text/html; charset=utf-8")
      .send(
        renderConsolePage(request, {
          title: "Not allowed",
          area: "dashboard",
          body: html`<p>
            This page is for the ${[...allowed, "admin"].join(" or ")} role; you are signed in as
            ${operator.role}. Ask an admin if you need it.
          </p>`,
        }),
      );
  };
}

/** The hidden form field every state-changing form must carry (POST, PUT, DELETE are refused without it). */
export function csrfField(request: FastifyRequest): Html {
  return html`<input type="hidden" name="_csrf" value="${csrfTokenOf(request)}" />`;
}

/** The CSRF token, for htmx requests (sent as the `x-csrf-token` header by the layout's script). */
export function csrfTokenOf(request: FastifyRequest): string {
  const fn = (request as FastifyRequest & { consoleCsrfToken?: () => string }).consoleCsrfToken;
  if (!fn) throw new Error("csrfTokenOf called outside a signed-in /admin route");
  return fn();
}

/** The whole HTML document: layout, navigation for the operator's role, skip link, notice, body. */
export function renderConsolePage(request: FastifyRequest, page: ConsolePageInput): string {
  const render = (
    request as FastifyRequest & { renderConsolePage?: (page: ConsolePageInput) => string }
  ).renderConsolePage;
  if (!render) throw new Error("renderConsolePage called outside a signed-in /admin route");
  return render(page);
}

/** Sends a console page as the reply. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: ConsolePageInput,
  status = 200,
): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(renderConsolePage(request, page));
}
