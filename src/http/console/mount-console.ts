/**
 * The console under /admin: cookies, the session check in front of every
 * page, CSRF and Origin checks on every state change, the console's own CSP,
 * the assets, the sign-in pages and the page modules (register-console.ts).
 *
 * Route paths are absolute ("/admin/campaigns"); the hooks here apply to the
 * routes registered inside this plugin only, never to the public pages.
 */
import fastifyCookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { findSession } from "../../operators/find-session.ts";
import type { HttpDeps } from "../deps.ts";
import { isAllowedOrigin } from "../same-origin.ts";
import { registerConsoleAssets } from "./console-assets.ts";
import { consoleCookie } from "./console-cookie.ts";
import { registerDashboardPages } from "./dashboard-pages.ts";
import { csrfTokenFor, hasValidCsrfToken } from "./console-csrf.ts";
import { html, sendPage, type ConsolePageInput } from "./console-kit.ts";
import { renderConsoleLayout } from "./console-layout.ts";
import { consoleModules } from "./register-console.ts";
import { safeNext } from "./safe-next.ts";
import { registerSignInPages, registerSignOut } from "./sign-in-pages.ts";

// Scripts and styles from our own origin only, no inline ones; frames only ours (the live
// preview), and only we may frame the console (the preview iframe is a console page).
export const consoleContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Paths reached without a session. */
function isOpenPath(path: string): boolean {
  return path === "/admin/sign-in" || path.startsWith("/admin/assets/");
}

export function mountConsole(app: FastifyInstance, deps: HttpDeps): void {
  const cookie = consoleCookie(deps.config.publicBaseUrl);
  const origins = [new URL(deps.config.publicBaseUrl).origin];
  const secret = deps.config.suppressionKey;
  const mountedCache = new Map<string, boolean>();
  const mounted = (href: string) => {
    let known = mountedCache.get(href);
    if (known === undefined) {
      known = app.hasRoute({ method: "GET", url: href });
      mountedCache.set(href, known);
    }
    return known;
  };

  app.register(async (admin) => {
    await admin.register(fastifyCookie);
    admin.decorateRequest("operator", null);
    admin.decorateRequest("consoleSessionId", null);
    admin.decorateRequest("consoleCsrfToken", null);
    admin.decorateRequest("renderConsolePage", null);

    admin.addHook("onRequest", async (request, reply) => {
      reply.header("content-security-policy", consoleContentSecurityPolicy);
      const path = request.url.split("?")[0]!;
      if (isOpenPath(path)) return;
      const found = await findSession(deps, request.cookies[cookie.name]);
      if (!found) return sendToSignIn(request, reply);
      const { operator, sessionId } = found;
      const csrfToken = csrfTokenFor(secret, sessionId);
      Object.assign(request, {
        operator,
        consoleSessionId: sessionId,
        consoleCsrfToken: () => csrfToken,
        renderConsolePage: (page: ConsolePageInput) =>
          renderConsoleLayout(request, { operator, csrfToken, page, mounted }),
      });
    });

    // After body parsing, so the `_csrf` form field can be read.
    admin.addHook("preHandler", async (request, reply) => {
      if (!unsafeMethods.has(request.method)) return;
      const path = request.url.split("?")[0]!;
      if (isOpenPath(path)) return;
      const sessionId = (request as FastifyRequest & { consoleSessionId?: string })
        .consoleSessionId;
      const sameOrigin = isAllowedOrigin(
        {
          origin: request.headers.origin,
          referer: request.headers.referer,
          host: request.headers.host,
        },
        origins,
      );
      if (sameOrigin && sessionId && hasValidCsrfToken(request, secret, sessionId)) return;
      return sendPage(
        request,
        reply,
        {
          title: "This request was refused",
          area: "dashboard",
          notice: {
            kind: "error",
            message: sameOrigin
              ? "The form's security token is missing or belongs to another session; nothing was changed. Reload the page and try again."
              : "This form was sent from another site; nothing was changed.",
          },
          body: html``,
        },
        403,
      );
    });

    registerConsoleAssets(admin);
    registerSignInPages(admin, deps, cookie, origins);
    registerSignOut(admin, deps, cookie);
    registerDashboardPages(admin, deps);
    for (const register of consoleModules) register(admin, deps);
  });
}

function sendToSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const target = `/admin/sign-in?next=${encodeURIComponent(safeNext(request.url))}`;
  // htmx follows HX-Redirect with a full page load instead of swapping the sign-in page into a fragment.
  if (request.headers["hx-request"]) return reply.code(401).header("hx-redirect", target).send();
  return reply.redirect(target, 303);
}
