/**
 * /admin: the dashboard every signed-in operator sees, with the sections
 * their role can act on (load-dashboard.ts), and the two parts htmx loads on
 * their own: the campaigns block, polled while campaigns send, and the
 * set-up checks, slow enough (SMTP, DNS) to come after the page.
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "../deps.ts";
import { cachedSetupChecks } from "./cached-setup-checks.ts";
import { areaRoles, operatorOf, requireRole, sendPage } from "./console-kit.ts";
import { loadDashboard, setupCheckRoles } from "./load-dashboard.ts";
import { loadLiveCampaigns } from "./load-live-campaigns.ts";
import { renderDashboard, setupChecksPath } from "./render-dashboard.ts";
import { liveCampaignsPath, parseExpected, renderLiveCampaigns } from "./render-live-campaigns.ts";
import { renderSetupChecks } from "./render-setup-checks.ts";

const styles = ["inbox-mailboxes.css", "dashboard.css"];

export function registerDashboardPages(app: FastifyInstance, deps: HttpDeps): void {
  const setupChecks = cachedSetupChecks(deps.config, deps.clock);

  app.get("/admin", async (request, reply) =>
    sendPage(request, reply, {
      title: "Dashboard",
      area: "dashboard",
      body: renderDashboard(await loadDashboard(deps, operatorOf(request))),
      styles,
    }),
  );

  app.get<{ Querystring: { expected?: string } }>(
    liveCampaignsPath,
    { preHandler: requireRole(...areaRoles.campaigns) },
    async (request, reply) => {
      const view = await loadLiveCampaigns(deps, parseExpected(request.query.expected));
      return reply.type("text/html; charset=utf-8").send(renderLiveCampaigns(view).value);
    },
  );

  app.get(
    setupChecksPath,
    { preHandler: requireRole(...setupCheckRoles) },
    async (request, reply) => {
      const body = renderSetupChecks(await setupChecks());
      if (request.headers["hx-request"])
        return reply.type("text/html; charset=utf-8").send(body.value);
      return sendPage(request, reply, { title: "Set-up checks", area: "dashboard", body, styles });
    },
  );
}
