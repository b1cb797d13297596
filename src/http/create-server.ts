import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "../config/load-config.ts";
import type { JobQueue } from "../jobs.ts";
import type { Clock, Db, Logger } from "../types.ts";

export interface HttpDeps {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
  /** whether the database and the job runner answer */
  health(): Promise<{ database: boolean; jobs: boolean }>;
}

export function createServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: deps.config.trustProxy });
  app.get("/health", async (_req, reply) => {
    const status = await deps.health();
    const ok = status.database && status.jobs;
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", ...status });
  });
  return app;
}
