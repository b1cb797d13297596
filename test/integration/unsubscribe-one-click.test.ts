// RFC 8058 one-click unsubscribe against the real server and PostgreSQL.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/unsubscribe/tokens.ts";
import {
  ledgerCounts,
  oneClick,
  oneClickBody,
  seedSubscribers,
  startTestServer,
  subscriptionStates,
  unsubscribeToken,
  type TestServer,
} from "./http-server.ts";

let t: TestServer;
let ids: number[];

beforeAll(async () => {
  t = await startTestServer();
  ({ contactIds: ids } = await seedSubscribers(t.db, {
    lists: ["news", "events", "offers"],
    contacts: 212,
  }));
});
afterAll(async () => t?.close());

const post = (
  token: string,
  body: string | FormData = oneClickBody,
  headers: Record<string, string> = oneClick,
) =>
  fetch(`${t.url}/u/${token}`, {
    method: "POST",
    headers: body instanceof FormData ? {} : headers,
    body,
  });

describe("POST /u/:token (one-click)", () => {
  it("unsubscribes from the token's list at once, sets no cookie, and a repeat changes nothing", async () => {
    const id = ids[0]!;
    const token = unsubscribeToken(t.config, id, "news");
    const before = await ledgerCounts(t.db);

    const first = await post(token);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toBeNull();
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect((await first.text()).length).toBeLessThan(100);
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "unsubscribed",
      offers: "subscribed",
    });

    const sub = await t.db.subscription.findFirst({
      where: { contactId: id, list: { slug: "news" } },
      select: { unsubscribedAt: true },
    });
    expect(sub?.unsubscribedAt).toBeInstanceOf(Date);
    // stored in UTC whatever the process's time zone (Prisma's convention for `timestamp` columns)
    expect(Math.abs(sub!.unsubscribedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    const events = await t.db.consentEvent.findMany({
      where: { contactId: id },
      select: { purpose: true, action: true, legalBasis: true, source: true, evidence: true },
    });
    expect(events).toEqual([
      {
        purpose: "newsletter:news",
        action: "withdraw",
        legalBasis: "consent",
        source: "one-click",
        evidence: expect.objectContaining({ method: "one-click", ip: "127.0.0.1" }),
      },
    ]);
    const audit = await t.db.auditEntry.findMany({
      where: { subjectId: String(id) },
      select: { actor: true, action: true, detail: true },
    });
    expect(audit).toEqual([
      {
        actor: "subscriber",
        action: "subscription.unsubscribed",
        detail: expect.objectContaining({ lists: ["news"], method: "one-click" }),
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain("@");

    const second = await post(token);
    expect(second.status).toBe(200);
    const after = await ledgerCounts(t.db);
    expect(after).toEqual({ consent: before.consent + 1, audit: before.audit + 1 });
    // the person is kept: retention deletes them two years later
    expect(await t.db.contact.count({ where: { id } })).toBe(1);
  });

  it("concurrent repeats write exactly one withdrawal", async () => {
    const id = ids[1]!;
    const token = unsubscribeToken(t.config, id, "events");
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(token)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(1);
  });

  it("a burst of concurrent requests (batched into shared statements) gives each its own, exactly-once result", async () => {
    const burst = ids.slice(12, 212);
    const before = await ledgerCounts(t.db);
    // each contact twice (a provider retry), half for one list and half for every list
    const tokens = burst.flatMap((id, i) => {
      const token = unsubscribeToken(t.config, id, i % 2 === 0 ? "news" : null);
      return [token, token];
    });
    const responses = await Promise.all(tokens.map((token) => post(token)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const after = await ledgerCounts(t.db);
    // news-only: 1 withdrawal; every list: 3 lists + newsletter:*; one audit entry per contact
    expect(after.consent - before.consent).toBe(100 * 1 + 100 * 4);
    expect(after.audit - before.audit).toBe(200);
    expect(await subscriptionStates(t.db, burst[0]!)).toEqual({
      events: "subscribed",
      news: "unsubscribed",
      offers: "subscribed",
    });
    expect(await subscriptionStates(t.db, burst[1]!)).toEqual({
      events: "unsubscribed",
      news: "unsubscribed",
      offers: "unsubscribed",
    });
  });

  it("an every-list token leaves every list and withdraws newsletter:*", async () => {
    const id = ids[2]!;
    expect((await post(unsubscribeToken(t.config, id, null))).status).toBe(200);
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "unsubscribed",
      offers: "unsubscribed",
    });
    const purposes = (
      await t.db.consentEvent.findMany({ where: { contactId: id }, select: { purpose: true } })
    )
      .map((e) => e.purpose)
      .sort();
    expect(purposes).toEqual([
      "newsletter:*",
      "newsletter:events",
      "newsletter:news",
      "newsletter:offers",
    ]);
    const count = await t.db.consentEvent.count({ where: { contactId: id } });
    expect((await post(unsubscribeToken(t.config, id, null))).status).toBe(200);
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(count);
  });

  it("a token for one list leaves the others alone", async () => {
    const id = ids[3]!;
    expect((await post(unsubscribeToken(t.config, id, "offers"))).status).toBe(200);
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "unsubscribed",
    });
    // another contact's subscriptions are untouched
    expect(await subscriptionStates(t.db, ids[4]!)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
  });

  it("accepts the multipart/form-data body RFC 8058 allows", async () => {
    const id = ids[5]!;
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    expect((await post(unsubscribeToken(t.config, id, "news"), form)).status).toBe(200);
    expect((await subscriptionStates(t.db, id)).news).toBe("unsubscribed");
  });

  it("answers 400 to any other body and changes nothing", async () => {
    const id = ids[6]!;
    const token = unsubscribeToken(t.config, id, "news");
    const before = await ledgerCounts(t.db);
    const bodies: Array<[string, Record<string, string>]> = [
      ["", oneClick],
      ["List-Unsubscribe=Yes", oneClick],
      ["foo=bar", oneClick],
      ["List-Unsubscribe=One-Click", { "content-type": "application/octet-stream" }],
      ['{"List-Unsubscribe":"One-Click"}', { "content-type": "text/plain" }],
    ];
    for (const [body, headers] of bodies) {
      expect((await post(token, body, headers)).status, `${headers["content-type"]} ${body}`).toBe(
        400,
      );
    }
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    expect(await ledgerCounts(t.db)).toEqual(before);
  });

  it("refuses forged, truncated, tampered, wrong-purpose and removed-key tokens with 400 and changes nothing", async () => {
    const id = ids[7]!;
    const good = unsubscribeToken(t.config, id, "news");
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === "a" ? "b" : "a") + s.slice(i + 1);
    const bad = [
      signToken([{ id: "t1", secret: crypto.randomBytes(32) }], {
        contactId: id,
        list: "news",
        purpose: "unsubscribe",
      }),
      good.slice(0, -1),
      good.slice(0, 20),
      flip(good, 0),
      flip(good, Math.floor(good.length / 2)),
      flip(good, good.length - 1),
      signToken(t.config.signingKeys, { contactId: id, list: "news", purpose: "confirm" }),
      signToken([{ id: "old", secret: crypto.randomBytes(32) }], {
        contactId: id,
        list: "news",
        purpose: "unsubscribe",
      }),
      "not-a-token",
    ];
    const before = await ledgerCounts(t.db);
    for (const token of bad) {
      const response = await post(token);
      expect(response.status, token).toBe(400);
      const page = await fetch(`${t.url}/u/${token}`);
      expect(page.status, token).toBe(400);
      expect(await page.text()).toContain("This link is not valid");
    }
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    expect(await ledgerCounts(t.db)).toEqual(before);
  });

  it("accepts the uppercase token (a mailto local part may lose its case)", async () => {
    const id = ids[8]!;
    expect((await post(unsubscribeToken(t.config, id, "news").toUpperCase())).status).toBe(200);
    expect((await subscriptionStates(t.db, id)).news).toBe("unsubscribed");
  });

  it("answers 200 for a contact that no longer exists", async () => {
    const token = unsubscribeToken(t.config, 987_654, "news");
    expect((await post(token)).status).toBe(200);
    expect((await fetch(`${t.url}/u/${token}`)).status).toBe(200);
  });
});
