import formbody from "@fastify/formbody";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { isAppError } from "../errors.ts";
import { apiActorOf, checkApiAccess } from "./api-access.ts";
import { limitConnections } from "./connection-limits.ts";
import { httpStatusOf } from "./error-status.ts";
import { messagePage } from "./pages/layout.ts";
import { registerPublicRoutes } from "./public-routes.ts";
import { translatorFor } from "./request-locale.ts";
import { mountConsole } from "./console/mount-console.ts";
import { register as registerContactsAdmin } from "./admin/contacts.ts";
import { register as registerCampaignsAdmin } from "./admin/campaigns.ts";
import { register as registerInboxAdmin } from "./admin/inbox.ts";
import { register as registerEmployeesAdmin } from "./admin/employees.ts";
import { register as registerHandoversAdmin } from "./admin/handovers.ts";
import { register as registerPrivacyAdmin } from "./admin/privacy.ts";
import { register as registerOperatorsAdmin } from "./admin/operators.ts";
import { register as registerCliAdmin } from "./admin/cli.ts";
import type { HttpDeps } from "./deps.ts";

export type { HttpDeps } from "./deps.ts";

export type AdminModule = (app: FastifyInstance, deps: HttpDeps) => void;

/**
 * Admin API modules, mounted under /api behind the bearer token. Each module
 * is `src/http/admin/<area>.ts` exporting `register(app, deps)`; add one
 * import and one entry here.
 */
const adminModules: AdminModule[] = [
  registerContactsAdmin,
  registerCampaignsAdmin,
  registerPrivacyAdmin,
  registerEmployeesAdmin,
  registerHandoversAdmin,
  registerInboxAdmin,
  registerOperatorsAdmin,
  registerCliAdmin,
];

// Pages are ours alone: no scripts at all, inline styles only, forms post back here.
const contentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function createServer(deps: HttpDeps): FastifyInstance {
  // Tokens with long list slugs exceed the default 100-character path parameter.
  const { trustProxy, http } = deps.config;
  const app = Fastify({
    logger: false,
    // A hop count as proxy-addr's trust function: hop i (0 = the socket's peer) is a proxy while i < n.
    trustProxy:
      typeof trustProxy === "number"
        ? (_address: string, hop: number) => hop < trustProxy
        : trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 256 },
    // A slow client must not keep a connection (a file descriptor) for minutes: whole request,
    // headers and idle time are bounded; Node checks them every second rather than every 30 s.
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: Math.min(5000, http.idleTimeoutMs),
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
  });
  limitConnections(app.server, http);
  app.register(formbody, { bodyLimit: 64 * 1024 });

  app.addHook("onRequest", async (_request, reply) => {
    // Links carry tokens: keep them out of caches and out of Referer headers to other sites.
    reply.header("cache-control", "no-store");
    // same-origin, not no-referrer: our own forms must send a real Origin (no-referrer makes it "null").
    reply.header("referrer-policy", "same-origin");
    reply.header("x-content-type-options", "nosniff");
    reply.header("content-security-policy", contentSecurityPolicy);
  });

  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(deps, error, request, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    if (isApi(request))
      return reply.code(404).send({
        error: "not_found",
        message: `no route ${request.method} ${request.url.split("?")[0]}`,
      });
    const t = translatorFor(request, deps.config);
    return reply
      .code(404)
      .type("text/html; charset=utf-8")
      .send(
        messagePage({
          title: t("page.notFoundTitle"),
          message: t("page.notFound"),
          kind: "error",
          lang: t.locale,
        }),
      );
  });

  app.get("/health", async (_req, reply) => {
    const status = await deps.health();
    const ok = status.database && status.jobs && (status.inbox?.ok ?? true);
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", ...status });
  });

  // Root-level, so it runs before routing: an unknown /api path answers 401 like a known one
  // and the routes cannot be mapped without the token.
  app.addHook("onRequest", async (request, reply) => {
    if (!isApi(request)) return;
    const access = await checkApiAccess(deps, request);
    if (!access.ok) {
      if (access.status === 401) reply.header("www-authenticate", 'Bearer realm="mailsteward"');
      return reply.code(access.status).send({
        error: access.status === 401 ? "unauthorized" : "forbidden",
        message: access.message,
      });
    }
    (request as FastifyRequest & { apiActor?: string }).apiActor = access.actor;
  });
  app.register(
    async (api) => {
      api.get("/whoami", async (request) =>
        apiActorOf(request) === "api"
          ? { admin: true }
          : { admin: false, actor: apiActorOf(request) },
      );
      for (const register of adminModules) register(api, deps);
    },
    { prefix: "/api" },
  );

  mountConsole(app, deps);
  app.register(async (pages) => registerPublicRoutes(pages, deps));
  return app;
}

function isApi(request: FastifyRequest): boolean {
  const path = request.url.split("?")[0]!;
  return path === "/api" || path.startsWith("/api/");
}

function sendError(
  deps: HttpDeps,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let status: number;
  let code: string;
  let message: string;
  if (isAppError(error)) {
    status = httpStatusOf(error.code);
    code = error.code;
    message = error.message;
  } else if (error.validation) {
    status = 400;
    code = "invalid_input";
    message = error.message;
  } else if (
    typeof error.statusCode === "number" &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    status = error.statusCode;
    code = error.code ?? "invalid_input";
    message = error.message;
  } else {
    status = 500;
    code = "internal";
    message = "something went wrong on our side; nothing you sent was lost, please try again later";
  }
  if (status >= 500) {
    // The error itself may quote data; operators get its kind and the route, the stack goes to debug.
    deps.log.error("request failed", {
      route: request.routeOptions.url ?? null,
      method: request.method,
      code,
      error: error.name,
      errorCode: typeof error.code === "string" ? error.code : null,
    });
    deps.log.debug("request failure detail", { stack: error.stack ?? String(error) });
  }
  if (isApi(request)) return reply.code(status).send({ error: code, message });
  const t = translatorFor(request, deps.config);
  const title = t(
    status === 400
      ? "page.errorInvalid"
      : status === 404
        ? "page.errorNotFound"
        : status === 429
          ? "page.errorTooMany"
          : "page.errorInternal",
  );
  // A 4xx message says what was wrong with the request (in English, as the API's); a 5xx one is ours.
  const text = status >= 500 ? t("page.errorInternalMessage") : message;
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(messagePage({ title, message: text, kind: "error", lang: t.locale }));
}
