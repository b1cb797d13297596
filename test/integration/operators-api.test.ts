// Per-operator API tokens on the real server and PostgreSQL: limited to the operator's role,
// attributed to operator:<id> in the audit log, dead once revoked or the operator disabled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../src/operators/create-api-token.ts";
import { disableOperator } from "../../src/operators/disable-operator.ts";
import { verifySignIn } from "../../src/operators/verify-sign-in.ts";
import { createOperator } from "../support/console.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const bearer = (token: string) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
});

describe("operator API tokens", () => {
  it("open only their role's areas and are audited as the operator", async () => {
    const marketing = await createOperator(t.db, "marketing");
    const { token } = await createApiToken(t.app, { operator: marketing.email, name: "ci" }, "cli");
    const lists = await fetch(`${t.url}/api/lists`, {
      method: "POST",
      headers: bearer(token),
      body: JSON.stringify({ slug: "token-news", name: "Token news" }),
    });
    expect(lists.status).toBe(201);
    const audit = await t.db.auditEntry.findFirst({
      where: { action: { startsWith: "list." } },
      orderBy: { id: "desc" },
      select: { actor: true },
    });
    expect(audit?.actor).toBe(`operator:${marketing.id}`);
    const privacy = await fetch(`${t.url}/api/privacy/requests`, { headers: bearer(token) });
    expect(privacy.status).toBe(403);
    const operators = await fetch(`${t.url}/api/operators`, { headers: bearer(token) });
    expect(operators.status).toBe(403);
    const wrong = await fetch(`${t.url}/api/lists`, { headers: bearer(token + "x") });
    expect(wrong.status).toBe(401);

    await disableOperator(t.app, marketing.id, "cli");
    const afterDisable = await fetch(`${t.url}/api/lists`, { headers: bearer(token) });
    expect(afterDisable.status).toBe(401);
  });

  it("an admin's token manages operators; passwords come back once and never as hashes", async () => {
    const admin = await createOperator(t.db, "admin");
    const { token } = await createApiToken(t.app, { operator: admin.id, name: "ops" }, "cli");
    const added = await fetch(`${t.url}/api/operators`, {
      method: "POST",
      headers: bearer(token),
      body: JSON.stringify({ email: "New.Person@Example.test", role: "privacy" }),
    });
    expect(added.status).toBe(201);
    const body = (await added.json()) as { operator: { email: string }; password: string };
    expect(body.operator.email).toBe("new.person@example.test");
    const signIn = await verifySignIn(t.app, {
      email: "new.person@example.test",
      password: body.password,
    });
    expect(signIn.ok).toBe(true);
    const listed = await (await fetch(`${t.url}/api/operators`, { headers: bearer(token) })).text();
    expect(listed).not.toContain("scrypt");
    expect(listed).not.toContain(body.password);
  });
});

describe("sign-in backoff", () => {
  it("locks after repeated failures, then refuses even the right password", async () => {
    const op = await createOperator(t.db, "it");
    for (let i = 0; i < 5; i++)
      expect((await verifySignIn(t.app, { email: op.email, password: "wrong password!" })).ok).toBe(
        false,
      );
    const locked = await verifySignIn(t.app, { email: op.email, password: op.password });
    expect(locked).toEqual({ ok: false, reason: "locked" });
    const unknown = await verifySignIn(t.app, {
      email: "nobody@example.test",
      password: op.password,
    });
    expect(unknown.ok).toBe(false);
  });
});
