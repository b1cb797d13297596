/**
 * GET/POST /admin/sign-in and POST /admin/sign-out. A refused sign-in says
 * the same thing whatever was wrong (unknown address, wrong password,
 * disabled or locked account), so the page cannot be used to find out who
 * has an account.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createSession, shortUserAgent } from "../../operators/create-session.ts";
import { endSession } from "../../operators/end-session.ts";
import { freeAttempts, verifySignIn } from "../../operators/verify-sign-in.ts";
import { recordAudit } from "../../privacy/record-audit.ts";
import type { HttpDeps } from "../deps.ts";
import { html } from "../pages/layout.ts";
import { isAllowedOrigin } from "../same-origin.ts";
import type { ConsoleCookie } from "./console-cookie.ts";
import { consoleDocument } from "./console-document.ts";
import { safeNext } from "./safe-next.ts";

const refusal = `That email and password do not open an account here. After ${freeAttempts} failed attempts an account is locked for a while; an admin can reset a forgotten password.`;

function signInPage(opts: {
  next: string;
  email?: string;
  error?: string;
  notice?: string;
}): string {
  return consoleDocument({
    title: "Sign in",
    body: html`<main id="main" class="sign-in">
      <h1>Sign in to mailsteward</h1>
      ${opts.error ? html`<p class="notice error" role="alert" id="sign-in-error">${opts.error}</p>` : ""}
      ${opts.notice ? html`<p class="notice ok" role="status">${opts.notice}</p>` : ""}
      <form method="post" action="/admin/sign-in" class="stack">
        <input type="hidden" name="next" value="${opts.next}" />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${opts.email ?? ""}"
          ${opts.error ? html`aria-describedby="sign-in-error"` : ""}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <div class="actions"><button type="submit">Sign in</button></div>
      </form>
    </main>`,
  });
}

export function registerSignInPages(
  app: FastifyInstance,
  deps: HttpDeps,
  cookie: ConsoleCookie,
  origins: readonly string[],
): void {
  const page = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);

  app.get<{ Querystring: { next?: string; signed_out?: string } }>(
    "/admin/sign-in",
    async (request, reply) =>
      page(
        reply,
        signInPage({
          next: safeNext(request.query.next),
          notice: request.query.signed_out !== undefined ? "You are signed out." : undefined,
        }),
      ),
  );

  app.post<{ Body: { email?: unknown; password?: unknown; next?: unknown } }>(
    "/admin/sign-in",
    async (request, reply) => {
      const next = safeNext(request.body?.next);
      if (!fromOwnPage(request, origins))
        return page(
          reply,
          signInPage({ next, error: "This form was sent from another site; nothing was done." }),
          403,
        );
      const email = typeof request.body?.email === "string" ? request.body.email : "";
      const password = typeof request.body?.password === "string" ? request.body.password : "";
      const result = await verifySignIn(deps, { email, password });
      if (!result.ok) return page(reply, signInPage({ next, email, error: refusal }), 401);
      // Whatever session cookie came with the request is dropped, and a new id issued (session fixation).
      await endSession(deps, request.cookies[cookie.name]);
      const { sessionId, expiresAt } = await createSession(deps, {
        operatorId: result.operator.id,
        userAgent: request.headers["user-agent"],
      });
      await recordAudit(deps.db, {
        actor: `operator:${result.operator.id}`,
        action: "operator.signed_in",
        subjectType: "operator",
        subjectId: result.operator.id,
        detail: { userAgent: shortUserAgent(request.headers["user-agent"]) },
      });
      return reply
        .setCookie(cookie.name, sessionId, { ...cookie.options, expires: expiresAt })
        .redirect(next, 303);
    },
  );
}

/** POST /admin/sign-out; behind the session and CSRF checks like every other console POST. */
export function registerSignOut(app: FastifyInstance, deps: HttpDeps, cookie: ConsoleCookie): void {
  app.post("/admin/sign-out", async (request: FastifyRequest, reply: FastifyReply) => {
    await endSession(deps, request.cookies[cookie.name]);
    const operator = (request as FastifyRequest & { operator?: { id: number } }).operator;
    if (operator)
      await recordAudit(deps.db, {
        actor: `operator:${operator.id}`,
        action: "operator.signed_out",
        subjectType: "operator",
        subjectId: operator.id,
      });
    return reply
      .clearCookie(cookie.name, cookie.options)
      .redirect("/admin/sign-in?signed_out", 303);
  });
}

// Login CSRF: a sign-in form on another site must not sign the visitor in to an attacker's account.
function fromOwnPage(request: FastifyRequest, origins: readonly string[]): boolean {
  return isAllowedOrigin(
    {
      origin: request.headers.origin,
      referer: request.headers.referer,
      host: request.headers.host,
    },
    origins,
  );
}
