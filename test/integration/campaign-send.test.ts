import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignReport } from "../../src/newsletters/campaign-report.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { verifyToken } from "../../src/unsubscribe/tokens.ts";
import { deliveryCounts, newCampaign, openWorld, seedAudience, waitForStatus, type World } from "./campaign-fixture.ts";

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(async () => world?.close());

describe("campaign.send", () => {
  it("sends once to each subscriber, with the RFC 8058 and RFC 2919 headers, and reports it", async () => {
    const { app, sink, pg } = world;
    const ids = await seedAudience(pg, 120);
    // a contact subscribed twice (news and events) is sent one message
    await pg.query(`INSERT INTO lists (slug, name) VALUES ('events', 'Events')`);
    await pg.query(`INSERT INTO subscriptions (contact_id, list_id, status, updated_at) SELECT $1, id, 'subscribed', now() FROM lists WHERE slug = 'events'`, [ids[0]]);
    // unsubscribed and suppressed contacts are not sent anything
    await pg.query(`UPDATE subscriptions SET status = 'unsubscribed' WHERE contact_id = $1`, [ids[1]]);
    const { hashAddress } = await import("../../src/consent/address-hash.ts");
    const { rows } = await pg.query<{ email: string }>(`SELECT email FROM contacts WHERE id = $1`, [ids[2]]);
    await pg.query(`INSERT INTO suppressions (address_hash, reason) VALUES ($1, 'complaint')`, [hashAddress(world.config.suppressionKey, rows[0]!.email)]);

    const campaignId = await newCampaign(app, "first", { lists: ["news", "events"] });
    await scheduleCampaign({ ...app, actor: "test" }, { slug: "first" });
    await app.jobs.start();
    expect(await waitForStatus(app, campaignId, ["sent"])).toBe("sent");

    expect(sink.count).toBe(118);
    expect(sink.duplicates).toBe(0);
    expect(await deliveryCounts(pg, campaignId)).toEqual({ sent: 118 });
    const raw = sink.messages[0]!.raw.toString("utf8");
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    const lu = /^List-Unsubscribe: <(https:\/\/news\.example\.test\/u\/([a-z2-7]+))>,\r\n <mailto:unsubscribe\+([a-z2-7]+)@example\.test\?subject=unsubscribe>/m.exec(raw);
    expect(lu).not.toBeNull();
    expect(lu![2]).toBe(lu![3]);
    const scope = verifyToken(world.config.signingKeys, lu![2]!, "unsubscribe");
    // contact ids[0] is on both lists: its token covers every list
    const first = sink.messages.find((m) => m.to[0] === (rowsEmail(raw)))!;
    expect(first).toBeDefined();
    expect(scope.contactId).toBeGreaterThan(0);
    expect(raw).toMatch(/^List-Id: <(events|news)\.lists\.example\.test>\r$/m);
    expect(raw).toMatch(/^Feedback-ID: c\d+:(events|news):mailsteward:example\.test\r$/m);
    expect(raw).toMatch(/^Message-ID: <c\d+\.r\d+\.[0-9a-f]{12}@example\.test>\r$/m);
    expect(raw).not.toMatch(/<img[^>]+(track|pixel|open)/i);

    const report = await campaignReport(app.db, "first");
    expect(report.status).toBe("sent");
    expect(report.counts.sent).toBe(118);
    expect(report.uncertain).toEqual([]);
    const audit = await app.db.auditEntry.findFirst({ where: { action: "campaign.sent", subjectId: String(campaignId) } });
    expect(audit?.detail).toEqual({ sent: 118 });
  });
});

function rowsEmail(raw: string): string {
  return /^To: .*<([^>]+)>\r$/m.exec(raw)?.[1] ?? "";
}
