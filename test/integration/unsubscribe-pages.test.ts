// The unsubscribe page and the preference centre, over real HTTP and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ledgerCounts,
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
    contacts: 8,
  }));
});
afterAll(async () => t?.close());

const form = (fields: Array<[string, string]>) => new URLSearchParams(fields).toString();
const postForm = (
  path: string,
  fields: Array<[string, string]>,
  headers: Record<string, string> = {},
) =>
  fetch(`${t.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: form(fields),
  });

describe("GET /u/:token", () => {
  it("asks, names the list, offers the preference centre, and changes nothing", async () => {
    const id = ids[0]!;
    const token = unsubscribeToken(t.config, id, "news");
    const before = await ledgerCounts(t.db);
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${t.url}/u/${token}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      // same-origin: no token in a Referer to other sites, while our own forms still send their Origin
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      const body = await response.text();
      expect(body).toContain("“News”");
      expect(body).toContain(`action="/u/${token}/confirm"`);
      expect(body).toContain(`action="/u/${token}/preferences"`);
      expect(body).not.toMatch(/<script|https?:\/\//);
    }
    expect((await fetch(`${t.url}/u/${token}`, { method: "HEAD" })).status).toBe(200);
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    expect(await ledgerCounts(t.db)).toEqual(before);
  });

  it("escapes list names", async () => {
    await t.db.list.update({
      where: { slug: "offers" },
      data: { name: `Offers <script>alert("x")</script> & more` },
    });
    const body = await (
      await fetch(`${t.url}/u/${unsubscribeToken(t.config, ids[0]!, "offers")}`)
    ).text();
    expect(body).not.toContain("<script>");
    expect(body).toContain("Offers &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    await t.db.list.update({ where: { slug: "offers" }, data: { name: "Offers" } });
  });
});

describe("POST /u/:token/confirm", () => {
  it("unsubscribes from the token's list only and says so; a repeat says it already was", async () => {
    const id = ids[1]!;
    const token = unsubscribeToken(t.config, id, "events");
    const first = await postForm(`/u/${token}/confirm`, []);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("You are unsubscribed from “Events”");
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    const event = await t.db.consentEvent.findFirst({
      where: { contactId: id },
      select: { source: true, evidence: true },
    });
    expect(event).toEqual({
      source: "unsubscribe-page",
      evidence: expect.objectContaining({ method: "page", userAgent: expect.any(String) }),
    });
    const second = await postForm(`/u/${token}/confirm`, []);
    expect(await second.text()).toContain("already unsubscribed");
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(1);
  });

  it("records the client address from X-Forwarded-For only when TRUST_PROXY is set", async () => {
    const id = ids[2]!;
    await postForm(`/u/${unsubscribeToken(t.config, id, "news")}/confirm`, [], {
      "x-forwarded-for": "203.0.113.9",
    });
    const event = await t.db.consentEvent.findFirst({
      where: { contactId: id },
      select: { evidence: true },
    });
    expect(event?.evidence).toMatchObject({ ip: "127.0.0.1" });

    const proxied = await startTestServer({ env: { TRUST_PROXY: "1" } });
    try {
      const { contactIds } = await seedSubscribers(proxied.db, { lists: ["news"], contacts: 1 });
      const cid = contactIds[0]!;
      await fetch(`${proxied.url}/u/${unsubscribeToken(proxied.config, cid, "news")}/confirm`, {
        method: "POST",
        headers: {
          "x-forwarded-for": "203.0.113.9",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "",
      });
      const e = await proxied.db.consentEvent.findFirst({
        where: { contactId: cid },
        select: { evidence: true },
      });
      expect(e?.evidence).toMatchObject({ ip: "203.0.113.9" });
    } finally {
      await proxied.close();
    }
  });

  it("refuses an invalid token with the 400 page", async () => {
    const response = await postForm(
      `/u/${unsubscribeToken(t.config, ids[3]!, "news").slice(0, -2)}/confirm`,
      [],
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This link is not valid");
    expect(await subscriptionStates(t.db, ids[3]!)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
  });
});

describe("POST /u/:token/preferences", () => {
  it("leaves the unticked lists at once; re-joining mails a fresh confirmation and grants nothing yet", async () => {
    const id = ids[4]!;
    const token = unsubscribeToken(t.config, id, "news");
    const saved = await postForm(`/u/${token}/preferences`, [
      ["list", "news"],
      ["list", "offers"],
      ["action", "save"],
    ]);
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("You are unsubscribed from “Events”");
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "subscribed",
      offers: "subscribed",
    });

    // Whoever holds a forwarded newsletter's link is not necessarily the person: no grant from a click.
    const rejoin = await postForm(`/u/${token}/preferences`, [
      ["list", "news"],
      ["list", "offers"],
      ["list", "events"],
      ["action", "save"],
    ]);
    expect(await rejoin.text()).toContain(
      "To receive “Events” again, follow the link in the email we have just sent you.",
    );
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    const events = await t.db.consentEvent.findMany({
      where: { contactId: id },
      orderBy: { id: "asc" },
      select: { purpose: true, action: true, source: true, evidence: true },
    });
    expect(events).toEqual([
      {
        purpose: "newsletter:events",
        action: "withdraw",
        source: "preference-centre",
        evidence: expect.objectContaining({ method: "preference-centre" }),
      },
    ]);
    const request = await t.db.subscriptionRequest.findFirstOrThrow({
      where: { contactId: id },
      select: { lists: true, status: true, evidence: true },
    });
    expect(request).toMatchObject({
      lists: ["events"],
      status: "received",
      evidence: expect.objectContaining({ method: "preference-centre" }),
    });
    const unchanged = await postForm(`/u/${token}/preferences`, [
      ["list", "news"],
      ["list", "offers"],
      ["action", "save"],
    ]);
    expect(await unchanged.text()).toContain("Nothing needed to change");
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(1);
  });

  it("unsubscribe from everything leaves all lists and withdraws newsletter:*", async () => {
    const id = ids[5]!;
    const response = await postForm(`/u/${unsubscribeToken(t.config, id, "news")}/preferences`, [
      ["list", "news"],
      ["action", "all"],
    ]);
    expect(await response.text()).toContain("unsubscribed from all our newsletters");
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "unsubscribed",
      offers: "unsubscribed",
    });
    expect(
      await t.db.consentEvent.count({
        where: { contactId: id, purpose: "newsletter:*", action: "withdraw" },
      }),
    ).toBe(1);
  });

  it("will not subscribe anyone to a list they never had", async () => {
    const id = ids[6]!;
    await t.db.list.create({ data: { slug: "secret", name: "Secret" } });
    const response = await postForm(`/u/${unsubscribeToken(t.config, id, "news")}/preferences`, [
      ["list", "news"],
      ["list", "events"],
      ["list", "offers"],
      ["list", "secret"],
      ["action", "save"],
    ]);
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("cannot subscribe to &quot;secret&quot;");
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(0);
  });
});
