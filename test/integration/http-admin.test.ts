// The admin mounting point's bearer auth, /health, and error mapping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe("/api", () => {
  it("answers 401 without a token, with a wrong one, or with another scheme", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token-0123456789abcdef0",
      `Bearer ${testKeys.ADMIN_TOKEN}x`,
      `Basic ${testKeys.ADMIN_TOKEN}`,
      `Bearer ${testKeys.ADMIN_TOKEN.slice(0, -1)}`,
    ]) {
      const response = await fetch(`${t.url}/api/whoami`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status, String(authorization)).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  it("answers 200 with the right token, and JSON 404 for unknown admin routes", async () => {
    const headers = { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` };
    const response = await fetch(`${t.url}/api/whoami`, { headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ admin: true });
    const missing = await fetch(`${t.url}/api/nothing-here`, { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });

  it("is closed when ADMIN_TOKEN is unset, and says how to open it", async () => {
    const { createServer } = await import("../../src/http/create-server.ts");
    const server = createServer({
      db: t.db,
      config: { ...t.config, adminToken: undefined },
      clock: t.app.clock,
      log: t.app.log,
      queue: t.app.queue,
      health: async () => ({ database: true, jobs: true }),
    });
    const response = await server.inject({
      url: "/api/whoami",
      headers: { authorization: "Bearer undefined" },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain("set ADMIN_TOKEN");
    await server.close();
  });
});

describe("/health", () => {
  it("reports the database and the job runner", async () => {
    const response = await fetch(`${t.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: true, jobs: true });
  });
});

describe("pages", () => {
  it("answers an HTML 404 outside /api", async () => {
    const response = await fetch(`${t.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("text/html");
  });
});
