/**
 * /admin: the dashboard every signed-in operator sees.
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "../create-server.ts";
import { html, operatorOf, sendPage } from "./console-kit.ts";

export function registerDashboardPages(app: FastifyInstance, _deps: HttpDeps): void {
  app.get("/admin", async (request, reply) => {
    const operator = operatorOf(request);
    return sendPage(request, reply, {
      title: "Dashboard",
      area: "dashboard",
      body: html`<p>Signed in as ${operator.email}.</p>`,
    });
  });
}
