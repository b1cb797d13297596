// The retention policy over time, against real PostgreSQL with a clock the
// test moves: contacts in each situation of the privacy statement, judged by
// the daily job on the day before and the day each threshold passes. Exactly
// the due contacts go, on their day, each with an audit entry naming the rule.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { openApp, type App } from "../../src/main.ts";
import { privacyRetention } from "../../jobs/privacy-retention.ts";
import { applyRetention } from "../../src/privacy/apply-retention.ts";
import { findContactRetention } from "../../src/privacy/find-contact-retention.ts";
import { touchContact } from "../../src/privacy/touch-contact.ts";
import type { SubscriptionStatus } from "../../src/generated/prisma/client.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let database: TestDatabase;
let app: App;
let now = new Date("2024-01-10T12:00:00Z");
const clock = { now: () => now };
const at = (day: string, time = "13:00") => new Date(`${day}T${time}:00Z`);
const noon = (day: string) => new Date(`${day}T12:00:00Z`);

interface Situation {
  key: string;
  customerStatus?: "none" | "customer" | "former";
  customerEndedAt?: string;
  subs?: Array<[list: string, status: SubscriptionStatus, unsubscribedAt?: string]>;
}

const situations: Situation[] = [
  { key: "dialogue" },
  { key: "unsubscribed", subs: [["news", "unsubscribed", "2024-07-10"]] },
  { key: "customer", customerStatus: "customer" },
  { key: "ended-customer", customerStatus: "former", customerEndedAt: "2025-03-01" },
  {
    key: "mixed",
    subs: [
      ["news", "subscribed"],
      ["events", "unsubscribed", "2024-02-01"],
    ],
  },
  // Unsubscribed once, subscribed again: the old unsubscribe no longer counts.
  { key: "re-subscribed", subs: [["news", "subscribed"]] },
  // Subscribed again and then left again: counted from the second unsubscribe.
  { key: "re-unsubscribed", subs: [["news", "unsubscribed", "2025-05-05"]] },
  {
    key: "ended-customer-unsubscribed",
    customerStatus: "former",
    customerEndedAt: "2025-06-15",
    subs: [["news", "unsubscribed", "2024-02-01"]],
  },
  { key: "touched" },
  // A reply recorded by the inbox moves the clock as a contact registered by hand does.
  { key: "replied" },
];
const ids = new Map<string, number>();
const emailOf = (key: string) => `${key}@retention.example.test`;

async function alive(): Promise<string[]> {
  const rows = await app.db.contact.findMany({
    where: { email: { endsWith: "@retention.example.test" } },
    select: { email: true },
  });
  return rows.map((r) => r.email.split("@")[0]!).sort();
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await openApp({
    purpose: "retention test",
    config: testConfig({ DATABASE_URL: database.url, RETENTION_BATCH_SIZE: "3" }),
    clock,
  });
  const lists = new Map<string, number>();
  for (const slug of ["news", "events"]) {
    const l = await app.db.list.create({ data: { slug, name: slug }, select: { id: true } });
    lists.set(slug, l.id);
  }
  for (const s of situations) {
    const c = await app.db.contact.create({
      data: {
        email: emailOf(s.key),
        name: `Person ${s.key}`,
        createdAt: noon("2023-06-01"),
        lastContactAt: noon("2024-01-10"),
        customerStatus: s.customerStatus ?? "none",
        customerEndedAt: s.customerEndedAt ? noon(s.customerEndedAt) : null,
      },
      select: { id: true },
    });
    ids.set(s.key, c.id);
    for (const [list, status, unsubscribedAt] of s.subs ?? [])
      await app.db.subscription.create({
        data: {
          contactId: c.id,
          listId: lists.get(list)!,
          status,
          requestedAt: noon("2023-06-01"),
          confirmedAt: noon("2023-06-02"),
          unsubscribedAt: unsubscribedAt ? noon(unsubscribedAt) : null,
        },
      });
  }
  // A call registered by hand moves the dialogue clock of "touched".
  now = noon("2025-12-01");
  await app.db.dialogueRecord.create({
    data: {
      contactId: ids.get("replied")!,
      kind: "reply",
      subject: "Re: offer",
      receivedAt: noon("2025-08-01"),
    },
  });
  await touchContact(app, {
    email: emailOf("touched"),
    via: "phone",
    note: "asked about prices",
    actor: "cli",
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** Runs the daily job's handler, as Agenda would, on the given day. */
async function runJobOn(day: Date): Promise<void> {
  now = day;
  await privacyRetention.handler(
    {},
    { ...app, touch: async () => {}, signal: new AbortController().signal },
  );
}

describe("retention over time", () => {
  const all = situations.map((s) => s.key).sort();
  const steps: Array<{ day: Date; erased: string[]; rule?: string }> = [
    { day: at("2026-01-09"), erased: [] },
    { day: at("2026-01-10", "11:59"), erased: [] },
    { day: at("2026-01-10"), erased: ["dialogue"], rule: "dialogue" },
    { day: at("2026-07-09"), erased: [] },
    { day: at("2026-07-10"), erased: ["unsubscribed"], rule: "unsubscribed" },
    { day: at("2027-02-28"), erased: [] },
    { day: at("2027-03-01"), erased: ["ended-customer"], rule: "dialogue" },
    { day: at("2027-05-04"), erased: [] },
    { day: at("2027-05-05"), erased: ["re-unsubscribed"], rule: "unsubscribed" },
    { day: at("2027-06-14"), erased: [] },
    {
      day: at("2027-06-15"),
      erased: ["ended-customer-unsubscribed"],
      // both clocks run from the end date and tie; the first rule listed is named
      rule: "dialogue",
    },
    { day: at("2027-07-31"), erased: [] },
    { day: at("2027-08-01"), erased: ["replied"], rule: "dialogue" },
    { day: at("2027-11-30"), erased: [] },
    { day: at("2027-12-01"), erased: ["touched"], rule: "dialogue" },
    { day: at("2040-01-01"), erased: [] },
  ];
  let remaining = all;

  for (const step of steps) {
    it(`on ${step.day.toISOString().slice(0, 16)}: ${step.erased.length > 0 ? `erases ${step.erased.join(", ")}` : "erases nobody"}`, async () => {
      now = step.day;
      const dry = await applyRetention(app, { dryRun: true, actor: "cli" });
      expect(dry.list.map((d) => d.email.split("@")[0]).sort()).toEqual(step.erased);
      expect(await alive()).toEqual(remaining);

      await runJobOn(step.day);
      remaining = remaining.filter((k) => !step.erased.includes(k));
      expect(await alive()).toEqual(remaining);
      for (const key of step.erased) {
        const hash = hashAddress(app.config.suppressionKey, emailOf(key));
        const entry = await app.db.auditEntry.findFirstOrThrow({
          where: { action: "contact.erased", subjectId: hash },
        });
        expect(entry.actor).toBe("job:privacy.retention");
        expect(entry.detail).toMatchObject({
          reason: "retention",
          rule: step.rule,
          formerContactId: ids.get(key),
        });
        expect(JSON.stringify(entry)).not.toContain(key + "@");
        expect(
          await app.db.suppression.count({ where: { addressHash: hash, reason: "erased" } }),
        ).toBe(1);
      }
    });
  }

  it("keeps the customer, the mixed and the re-subscribed contact, and says why", async () => {
    expect(remaining).toEqual(["customer", "mixed", "re-subscribed"]);
    const customer = await findContactRetention(app, { email: emailOf("customer") });
    expect(customer.decision).toEqual({ keep: true, rule: "customer", until: null, since: null });
    const mixed = await findContactRetention(app, { email: emailOf("mixed") });
    expect(mixed.decision).toMatchObject({ keep: true, rule: "subscribed" });
  });

  it("a dry run with a horizon lists who goes when, and changes nothing", async () => {
    now = at("2026-01-01");
    await app.db.contact.create({
      data: { email: emailOf("later"), createdAt: noon("2024-02-20"), lastContactAt: null },
    });
    const soon = await applyRetention(app, {
      dryRun: true,
      actor: "cli",
      horizon: at("2026-03-01"),
    });
    expect(soon.list).toEqual([
      expect.objectContaining({
        email: emailOf("later"),
        rule: "dialogue",
        expiredAt: noon("2026-02-20"),
      }),
    ]);
    expect(await alive()).toContain("later");
  });
});
