// The contacts admin API through the real Fastify server: CSV import as a
// text/csv body, lists, direct subscription, a contact by id; bearer token required.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
const auth = { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` };
const json = { ...auth, "content-type": "application/json" };
// The API's answers, read loosely: the assertions below say what they must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- intended: JSON of any shape
const read = (response: Response) => response.json() as Promise<any>;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe("contacts admin API", () => {
  it("creates lists, refuses a duplicate or bad slug, and lists them with counts", async () => {
    const created = await fetch(`${t.url}/api/lists`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ slug: "news", name: "Monthly news" }),
    });
    expect(created.status).toBe(201);
    expect(await read(created)).toMatchObject({
      slug: "news",
      name: "Monthly news",
      doubleOptIn: true,
    });
    const again = await fetch(`${t.url}/api/lists`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ slug: "news", name: "Again" }),
    });
    expect(again.status).toBe(409);
    expect(await read(again)).toMatchObject({ error: "conflict" });
    const bad = await fetch(`${t.url}/api/lists`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ slug: "News!", name: "x" }),
    });
    expect(bad.status).toBe(400);
    const unauthorised = await fetch(`${t.url}/api/lists`);
    expect(unauthorised.status).toBe(401);
  });

  it("imports a CSV body and reports bad lines; a contact can then be read by id", async () => {
    const body = fs.readFileSync(new URL("../fixtures/csv/contacts-mixed.csv", import.meta.url));
    const response = await fetch(
      `${t.url}/api/contacts/import?list=news&consentSource=${encodeURIComponent("webinar-2026-10 signup form")}`,
      {
        method: "POST",
        headers: { ...auth, "content-type": "text/csv" },
        body,
      },
    );
    expect(response.status).toBe(200);
    const result = await read(response);
    expect(result).toMatchObject({ rows: 12, imported: 6, subscribed: 4, skippedSuppressed: 0 });
    expect(result.errors.map((e: { line: number }) => e.line)).toEqual([4, 5, 7, 8, 9, 13]);

    const lists = await read(await fetch(`${t.url}/api/lists`, { headers: auth }));
    expect(lists.lists).toEqual([
      expect.objectContaining({
        slug: "news",
        counts: { pending: 0, subscribed: 4, unsubscribed: 0 },
      }),
    ]);

    const alice = await t.db.contact.findUniqueOrThrow({
      where: { email: "alice@example.com" },
      select: { id: true },
    });
    const contact = await read(await fetch(`${t.url}/api/contacts/${alice.id}`, { headers: auth }));
    expect(contact).toMatchObject({
      email: "alice@example.com",
      company: "Archer ApS",
      subscriptions: [
        { list: "news", status: "subscribed", confirmedAt: "2026-10-01T09:30:00.000Z" },
      ],
    });
    expect(contact.consents.map((c: { purpose: string }) => c.purpose)).toEqual([
      "newsletter:news",
      "processing",
    ]);
    expect((await fetch(`${t.url}/api/contacts/999999`, { headers: auth })).status).toBe(404);
  });

  it("refuses an import with unknown columns (400, naming the known ones) or with no consent source", async () => {
    const post = (query: string, csv: string) =>
      fetch(`${t.url}/api/contacts/import?${query}`, {
        method: "POST",
        headers: { ...auth, "content-type": "text/csv" },
        body: csv,
      });
    const unknown = await post("consentSource=x", "email,shoe_size\na@x.com,44\n");
    expect(unknown.status).toBe(400);
    expect((await read(unknown)).message).toMatch(
      /unknown CSV column "shoe_size"; known columns: email, name/,
    );
    const noSource = await post("", "email\na@x.com\n");
    expect(noSource.status).toBe(400);
    expect((await read(noSource)).message).toMatch(/consentSource/);
  });

  it("subscribes directly with evidence, and refuses an unknown list naming the known ones", async () => {
    const body = {
      email: "zoe@example.com",
      list: "news",
      source: "phone call 2026-11-02",
      evidence: { recording: "call-881" },
    };
    const response = await fetch(`${t.url}/api/subscriptions`, {
      method: "POST",
      headers: json,
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    const { contactId } = await read(response);
    const grant = await t.db.consentEvent.findFirstOrThrow({
      where: { contactId },
      select: { purpose: true, evidence: true },
    });
    expect(grant).toEqual({
      purpose: "newsletter:news",
      evidence: { method: "api", recording: "call-881" },
    });
    const unknown = await fetch(`${t.url}/api/subscriptions`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ ...body, list: "newz" }),
    });
    expect(unknown.status).toBe(404);
    expect((await read(unknown)).message).toBe('unknown list "newz"; known lists: news');
  });
});
