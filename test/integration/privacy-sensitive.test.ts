// The sensitive-data guard at scheduling, against real PostgreSQL and the real
// template: a newsletter carrying a card number, a national identity number or
// a listed word is refused with the reason and the position, and stays a
// draft; an operator's override with a reason schedules it and is audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createList } from "../../src/contacts/create-list.ts";
import { isAppError } from "../../src/errors.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { content, newCampaign, openWorld, type World } from "./campaign-fixture.ts";

let world: World;

beforeAll(async () => {
  world = await openWorld({ SENSITIVE_KEYWORDS: "diagnosis, HIV" });
  await createList({ db: world.app.db }, { slug: "news", name: "Monthly news" });
});

afterAll(async () => {
  await world?.close();
});

async function withArticle(slug: string, body: string): Promise<void> {
  await newCampaign(world.app, slug);
  await world.app.db.campaign.update({
    where: { slug },
    data: {
      content: {
        ...content,
        articles: [{ title: "Note", body, url: "https://example.test/n" }, ...content.articles],
      },
    },
  });
}

describe("sensitive data in newsletters", () => {
  it("refuses a payment card number with the reason and the position, and leaves a draft", async () => {
    await withArticle("card", "Pay with card 4111 1111 1111 1111 today.");
    const error = await scheduleCampaign(world.app, { slug: "card" }).catch((e: unknown) => e);
    expect(isAppError(error, "refused")).toBe(true);
    expect((error as Error).message).toMatch(
      /^campaign "card" contains what looks like a payment card number in the text at line \d+, column \d+; sensitive personal data must not travel by email/,
    );
    expect((error as { details?: { findings: unknown[] } }).details?.findings).toEqual([
      expect.objectContaining({ kind: "payment-card", part: "text" }),
    ]);
    expect(
      (await world.app.db.campaign.findUniqueOrThrow({ where: { slug: "card" } })).status,
    ).toBe("draft");
  });

  it("refuses a Norwegian national identity number and a configured keyword", async () => {
    await withArticle("fnr", "Ola (fødselsnummer 15057010077) has a new diagnosis.");
    const error = await scheduleCampaign(world.app, { slug: "fnr" }).catch((e: unknown) => e);
    expect(isAppError(error, "refused")).toBe(true);
    const kinds = (
      error as { details: { findings: Array<{ kind: string }> } }
    ).details.findings.map((f) => f.kind);
    expect(kinds).toEqual(["fodselsnummer", "keyword"]);
    expect((error as Error).message).toContain("(and 1 more)");
  });

  it("schedules clean content, and dates, phone and order numbers are not findings", async () => {
    await withArticle(
      "clean",
      "Order #4111111111111111 shipped on 2026-11-30; call +47 912 34 567.",
    );
    const result = await scheduleCampaign(world.app, { slug: "clean" });
    expect(result.id).toBeGreaterThan(0);
    await world.app.queue.cancel("campaign.send", { campaignId: result.id });
  });

  it("an operator's override with a reason schedules it, audited with kinds and positions only", async () => {
    const result = await scheduleCampaign(
      { ...world.app, actor: "cli" },
      {
        slug: "card",
        allowSensitive: "test card number from the payment provider's documentation",
      },
    );
    await world.app.queue.cancel("campaign.send", { campaignId: result.id });
    expect(
      (await world.app.db.campaign.findUniqueOrThrow({ where: { slug: "card" } })).status,
    ).toBe("scheduled");
    const audit = await world.app.db.auditEntry.findFirstOrThrow({
      where: { action: "campaign.sensitive_override" },
    });
    expect(audit).toMatchObject({
      actor: "cli",
      subjectType: "campaign",
      subjectId: String(result.id),
    });
    expect(audit.detail).toMatchObject({
      reason: "test card number from the payment provider's documentation",
      findings: [expect.objectContaining({ kind: "payment-card", part: "text" })],
    });
    expect(JSON.stringify(audit)).not.toContain("4111");
  });
});
