// The domain functions directly, against real PostgreSQL: exactly-once under
// concurrency without the HTTP layer's queue, batches, and the preference rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../src/errors.ts";
import { setPreferences } from "../../src/unsubscribe/set-preferences.ts";
import {
  unsubscribeContact,
  unsubscribeContacts,
} from "../../src/unsubscribe/unsubscribe-contact.ts";
import {
  seedSubscribers,
  startTestServer,
  subscriptionStates,
  type TestServer,
} from "./http-server.ts";

let t: TestServer;
let ids: number[];
const evidence = { method: "test", ip: "127.0.0.1" };

beforeAll(async () => {
  t = await startTestServer();
  ({ contactIds: ids } = await seedSubscribers(t.db, {
    lists: ["news", "events", "offers"],
    contacts: 10,
  }));
});
afterAll(async () => t?.close());

const deps = () => ({ db: t.db, clock: t.app.clock });

describe("unsubscribeContact", () => {
  it("concurrent every-list requests for one person write each withdrawal once", async () => {
    const id = ids[0]!;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        unsubscribeContact(deps(), { contactId: id, list: null, source: "test", evidence }),
      ),
    );
    expect(results.flatMap((r) => r.changed).sort()).toEqual(["events", "news", "offers"]);
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
    expect(
      await t.db.auditEntry.count({
        where: { subjectId: String(id), action: "subscription.unsubscribed" },
      }),
    ).toBe(1);
  });

  it("withdraws newsletter:* once for a person with no list left to leave", async () => {
    const id = ids[1]!;
    await unsubscribeContact(deps(), { contactId: id, list: "news", source: "test", evidence });
    await unsubscribeContact(deps(), { contactId: id, list: "events", source: "test", evidence });
    await unsubscribeContact(deps(), { contactId: id, list: "offers", source: "test", evidence });
    for (let i = 0; i < 2; i++)
      expect(
        await unsubscribeContact(deps(), { contactId: id, list: null, source: "test", evidence }),
      ).toEqual({ changed: [] });
    expect(
      await t.db.consentEvent.count({ where: { contactId: id, purpose: "newsletter:*" } }),
    ).toBe(1);
  });

  it("a batch answers each input with its own changes", async () => {
    const results = await unsubscribeContacts({ sql: t.app.sql, clock: t.app.clock }, [
      { contactId: ids[2]!, list: "news", source: "test", evidence },
      { contactId: ids[3]!, list: null, source: "test", evidence },
      { contactId: 999_999, list: "news", source: "test", evidence },
      { contactId: ids[4]!, list: "no-such-list", source: "test", evidence },
    ]);
    expect(results).toEqual([
      { changed: ["news"] },
      { changed: ["events", "news", "offers"] },
      { changed: [] },
      { changed: [] },
    ]);
    expect(await subscriptionStates(t.db, ids[4]!)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "subscribed",
    });
    await expect(
      unsubscribeContacts({ sql: t.app.sql, clock: t.app.clock }, [
        { contactId: 1, list: "a", source: "t", evidence },
        { contactId: 1, list: "b", source: "t", evidence },
      ]),
    ).rejects.toThrow(/twice/);
  });
});

describe("setPreferences", () => {
  it("rejoins only lists the person had, as a consent grant with evidence", async () => {
    const id = ids[5]!;
    await unsubscribeContact(deps(), { contactId: id, list: "events", source: "test", evidence });
    const result = await setPreferences(deps(), {
      contactId: id,
      subscribe: ["events"],
      unsubscribe: ["offers"],
      source: "preference-centre",
      evidence,
    });
    expect(result).toEqual({ subscribed: ["events"], unsubscribed: ["offers"] });
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      offers: "unsubscribed",
    });
    const grant = await t.db.consentEvent.findFirstOrThrow({
      where: { contactId: id, action: "grant" },
      select: { purpose: true, evidence: true, source: true },
    });
    expect(grant).toEqual({ purpose: "newsletter:events", evidence, source: "preference-centre" });
    const sub = await t.db.subscription.findFirstOrThrow({
      where: { contactId: id, list: { slug: "events" } },
      select: { unsubscribedAt: true },
    });
    expect(sub.unsubscribedAt).toBeNull();
  });

  it("refuses a list never confirmed (double opt-in's job) and contradictory choices, changing nothing", async () => {
    const id = ids[6]!;
    const list = await t.db.list.create({
      data: { slug: "pending-list", name: "Pending" },
      select: { id: true },
    });
    await t.db.subscription.create({ data: { contactId: id, listId: list.id, status: "pending" } });
    await unsubscribeContact(deps(), {
      contactId: id,
      list: "pending-list",
      source: "test",
      evidence,
    });
    const before = await t.db.consentEvent.count({ where: { contactId: id } });
    const attempt = setPreferences(deps(), {
      contactId: id,
      subscribe: ["pending-list"],
      unsubscribe: ["news"],
      source: "preference-centre",
      evidence,
    });
    await expect(attempt).rejects.toSatisfy(
      (e) => isAppError(e, "refused") && /pending-list/.test((e as Error).message),
    );
    await expect(
      setPreferences(deps(), {
        contactId: id,
        subscribe: ["news"],
        unsubscribe: ["news"],
        source: "x",
        evidence,
      }),
    ).rejects.toThrow(/both/);
    await expect(
      setPreferences(deps(), {
        contactId: id,
        subscribe: ["news"],
        unsubscribe: "all",
        source: "x",
        evidence,
      }),
    ).rejects.toThrow(/everything/);
    expect((await subscriptionStates(t.db, id)).news).toBe("subscribed");
    expect(await t.db.consentEvent.count({ where: { contactId: id } })).toBe(before);
  });

  it("everything: leaves all lists, withdraws newsletter:* once, keeps the person and starts the clock", async () => {
    const id = ids[7]!;
    for (let i = 0; i < 2; i++)
      await setPreferences(deps(), {
        contactId: id,
        subscribe: [],
        unsubscribe: "all",
        source: "preference-centre",
        evidence,
      });
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "unsubscribed",
      offers: "unsubscribed",
    });
    expect(
      await t.db.consentEvent.count({ where: { contactId: id, purpose: "newsletter:*" } }),
    ).toBe(1);
    expect(await t.db.subscription.count({ where: { contactId: id, unsubscribedAt: null } })).toBe(
      0,
    );
    expect(await t.db.contact.count({ where: { id } })).toBe(1);
  });
});
