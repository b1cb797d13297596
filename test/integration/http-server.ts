// Shared by the http-*, unsubscribe-* and e2e tests: the real app (PostgreSQL
// clone, Prisma, job queue) behind the real Fastify server on a loopback port.
import type { FastifyInstance } from "fastify";
import type { Config } from "../../src/config/load-config.ts";
import { createServer, type HttpDeps } from "../../src/http/create-server.ts";
import { openApp, type App } from "../../src/main.ts";
import type { SubscriptionStatus } from "../../src/generated/prisma/client.ts";
import type { Db } from "../../src/types.ts";
import { signToken } from "../../src/unsubscribe/tokens.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

export interface TestServer {
  app: App;
  db: Db;
  config: Config;
  server: FastifyInstance;
  url: string;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { env?: Record<string, string | undefined>; deps?: Partial<HttpDeps> } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url, ...opts.env });
  const app = await openApp({ purpose: "http test", config });
  const server = createServer({
    db: app.db,
    sql: app.sql,
    config,
    clock: app.clock,
    log: app.log,
    queue: app.queue,
    mailer: app.mailer,
    async health() {
      const ok = await app.db.$queryRaw`select 1`.then(
        () => true,
        () => false,
      );
      return { database: ok, jobs: true };
    },
    ...opts.deps,
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    app,
    db: app.db,
    config,
    server,
    url,
    database,
    async close() {
      await server.close();
      await app.close();
      await database.drop();
    },
  };
}

/** Lists by slug, and contacts each with a subscription per list in the given state. */
export async function seedSubscribers(
  db: Db,
  opts: { lists: string[]; contacts: number; status?: SubscriptionStatus; emailPrefix?: string },
): Promise<{ contactIds: number[]; listIds: Record<string, number> }> {
  const listIds: Record<string, number> = {};
  for (const slug of opts.lists) {
    const list = await db.list.upsert({
      where: { slug },
      create: { slug, name: slug.charAt(0).toUpperCase() + slug.slice(1).replace(/-/g, " ") },
      update: {},
      select: { id: true },
    });
    listIds[slug] = list.id;
  }
  const prefix = opts.emailPrefix ?? "person";
  const stamp = Date.now().toString(36);
  await db.contact.createMany({
    data: Array.from({ length: opts.contacts }, (_, i) => ({
      email: `${prefix}${i}.${stamp}@example.test`,
      name: `Person ${i}`,
    })),
  });
  const contacts = await db.contact.findMany({
    where: { email: { endsWith: `.${stamp}@example.test` } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const contactIds = contacts.map((c) => c.id);
  const status = opts.status ?? "subscribed";
  const confirmedAt = status === "subscribed" ? new Date() : null;
  await db.subscription.createMany({
    data: contactIds.flatMap((contactId) =>
      Object.values(listIds).map((listId) => ({
        contactId,
        listId,
        status,
        confirmedAt,
        source: "test",
      })),
    ),
  });
  return { contactIds, listIds };
}

export function unsubscribeToken(config: Config, contactId: number, list: string | null): string {
  return signToken(config.signingKeys, { contactId, list, purpose: "unsubscribe" });
}

export async function subscriptionStates(
  db: Db,
  contactId: number,
): Promise<Record<string, string>> {
  const rows = await db.subscription.findMany({
    where: { contactId },
    select: { status: true, list: { select: { slug: true } } },
  });
  return Object.fromEntries(rows.map((r) => [r.list.slug, r.status]).sort());
}

export async function ledgerCounts(db: Db): Promise<{ consent: number; audit: number }> {
  const [consent, audit] = await Promise.all([db.consentEvent.count(), db.auditEntry.count()]);
  return { consent, audit };
}

export const oneClick = { "content-type": "application/x-www-form-urlencoded" };
export const oneClickBody = "List-Unsubscribe=One-Click";
