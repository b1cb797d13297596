import { describe, expect, it } from "vitest";
import { addMonths } from "../../src/privacy/add-months.ts";
import { decideRetention, type RetentionFacts } from "../../src/privacy/decide-retention.ts";

const policy = { dialogueMonths: 24, unsubscribedMonths: 24 };
const d = (s: string) => new Date(`${s}T12:00:00Z`);
const base: RetentionFacts = {
  createdAt: d("2023-06-01"),
  lastContactAt: d("2024-01-10"),
  customerStatus: "none",
  customerEndedAt: null,
  subscriptions: [],
};
const sub = (status: "subscribed" | "pending" | "unsubscribed", at: string) => ({
  status,
  requestedAt: d("2023-06-01"),
  unsubscribedAt: status === "unsubscribed" ? d(at) : null,
  ...(status === "pending" ? { requestedAt: d(at) } : {}),
});

describe("addMonths", () => {
  it("clamps to the end of a shorter month, like PostgreSQL", () => {
    expect(addMonths(d("2024-02-29"), 24).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(addMonths(d("2026-03-31"), 1).toISOString()).toBe("2026-04-30T12:00:00.000Z");
    expect(addMonths(d("2026-01-15"), -13).toISOString()).toBe("2024-12-15T12:00:00.000Z");
  });
});

describe("decideRetention", () => {
  it("active dialogue: kept until 2 years after the last contact, then due", () => {
    expect(decideRetention(base, policy, d("2026-01-09"))).toEqual({
      keep: true,
      rule: "dialogue",
      since: d("2024-01-10"),
      until: d("2026-01-10"),
    });
    expect(decideRetention(base, policy, d("2026-01-10"))).toEqual({
      keep: false,
      rule: "dialogue",
      since: d("2024-01-10"),
      expiredAt: d("2026-01-10"),
    });
  });

  it("without a recorded last contact, the clock runs from creation", () => {
    const r = decideRetention({ ...base, lastContactAt: null }, policy, d("2025-06-01"));
    expect(r).toMatchObject({ keep: false, rule: "dialogue", expiredAt: d("2025-06-01") });
  });

  it("subscribed: kept for as long as any list is subscribed, whatever the dates", () => {
    const r = decideRetention(
      { ...base, subscriptions: [sub("unsubscribed", "2024-02-01"), sub("subscribed", "")] },
      policy,
      d("2040-01-01"),
    );
    expect(r).toEqual({ keep: true, rule: "subscribed", until: null, since: null });
  });

  it("unsubscribed: kept 2 years from the latest unsubscribe when that outlasts the dialogue", () => {
    const facts = {
      ...base,
      subscriptions: [sub("unsubscribed", "2024-03-01"), sub("unsubscribed", "2024-07-10")],
    };
    expect(decideRetention(facts, policy, d("2026-07-09"))).toMatchObject({
      keep: true,
      rule: "unsubscribed",
      until: d("2026-07-10"),
    });
    expect(decideRetention(facts, policy, d("2026-07-10"))).toMatchObject({
      keep: false,
      rule: "unsubscribed",
    });
  });

  it("customer: kept while active; after it ends both clocks run from the end date", () => {
    const active = { ...base, customerStatus: "customer" as const };
    expect(decideRetention(active, policy, d("2040-01-01"))).toMatchObject({
      keep: true,
      rule: "customer",
      until: null,
    });
    const ended = {
      ...base,
      customerStatus: "former" as const,
      customerEndedAt: d("2025-06-15"),
      subscriptions: [sub("unsubscribed", "2024-02-01")],
    };
    expect(decideRetention(ended, policy, d("2027-06-14"))).toMatchObject({
      keep: true,
      rule: "dialogue",
      since: d("2025-06-15"),
      until: d("2027-06-15"),
    });
    expect(decideRetention(ended, policy, d("2027-06-15")).keep).toBe(false);
  });

  it("a reply in the dialogue records is a contact: it moves the dialogue clock", () => {
    const r = decideRetention(
      { ...base, lastDialogueAt: d("2025-09-09") },
      policy,
      d("2026-06-01"),
    );
    expect(r).toMatchObject({
      keep: true,
      rule: "dialogue",
      since: d("2025-09-09"),
      until: d("2027-09-09"),
    });
  });

  it("a pending sign-up is a contact: it moves the dialogue clock", () => {
    const r = decideRetention(
      { ...base, subscriptions: [sub("pending", "2025-05-01")] },
      policy,
      d("2026-06-01"),
    );
    expect(r).toMatchObject({ keep: true, rule: "dialogue", until: d("2027-05-01") });
  });

  it("the periods come from the policy", () => {
    const short = { dialogueMonths: 6, unsubscribedMonths: 36 };
    const facts = { ...base, subscriptions: [sub("unsubscribed", "2024-01-10")] };
    expect(decideRetention(facts, short, d("2026-06-01"))).toMatchObject({
      keep: true,
      rule: "unsubscribed",
      until: d("2027-01-10"),
    });
    expect(decideRetention(base, short, d("2024-07-10"))).toMatchObject({
      keep: false,
      rule: "dialogue",
    });
  });
});
