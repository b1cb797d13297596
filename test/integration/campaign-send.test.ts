import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignReport } from "../../src/newsletters/campaign-report.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { verifyToken } from "../../src/unsubscribe/tokens.ts";
import {
  deliveryCounts,
  newCampaign,
  openWorld,
  seedAudience,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

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
    await pg.query(
      `INSERT INTO subscriptions (contact_id, list_id, status, updated_at) SELECT $1, id, 'subscribed', now() FROM lists WHERE slug = 'events'`,
      [ids[0]],
    );
    // unsubscribed and suppressed contacts are not sent anything
    await pg.query(`UPDATE subscriptions SET status = 'unsubscribed' WHERE contact_id = $1`, [
      ids[1],
    ]);
    const { hashAddress } = await import("../../src/consent/address-hash.ts");
    const { rows } = await pg.query<{ email: string }>(`SELECT email FROM contacts WHERE id = $1`, [
      ids[2],
    ]);
    await pg.query(`INSERT INTO suppressions (address_hash, reason) VALUES ($1, 'complaint')`, [
      hashAddress(world.config.suppressionKey, rows[0]!.email),
    ]);

    const campaignId = await newCampaign(app, "first", { lists: ["news", "events"] });
    await scheduleCampaign({ ...app, actor: "test" }, { slug: "first" });
    await app.jobs.start();
    expect(await waitForStatus(app, campaignId, ["sent"])).toBe("sent");

    expect(sink.count).toBe(118);
    expect(sink.duplicates).toBe(0);
    expect(await deliveryCounts(pg, campaignId)).toEqual({ sent: 118 });
    const { rows: both } = await pg.query<{ email: string }>(
      `SELECT email FROM contacts WHERE id = $1`,
      [ids[0]],
    );
    const tokenOf = (raw: string) => {
      const lu =
        /^List-Unsubscribe: <(https:\/\/news\.example\.test\/u\/([a-z2-7]+))>,\r\n <mailto:unsubscribe\+([a-z2-7]+)@example\.test\?subject=unsubscribe>/m.exec(
          raw,
        );
      expect(lu).not.toBeNull();
      // the same token in the https link and the mailto address
      expect(lu![2]).toBe(lu![3]);
      return verifyToken(world.config.signingKeys, lu![2]!, "unsubscribe");
    };
    // on both lists: the token covers every list; on one: just that list
    const twoLists = sink.messages.find((m) => m.to[0] === both[0]!.email)!.raw.toString("utf8");
    expect(tokenOf(twoLists)).toEqual({ contactId: ids[0], list: null, purpose: "unsubscribe" });
    const raw = sink.messages.find((m) => m.to[0] !== both[0]!.email)!.raw.toString("utf8");
    expect(tokenOf(raw)).toMatchObject({ list: "news", purpose: "unsubscribe" });
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(raw).toMatch(/^List-Id: <news\.lists\.example\.test>\r$/m);
    expect(raw).toMatch(/^Feedback-ID: c\d+:news:mailsteward:example\.test\r$/m);
    expect(raw).toMatch(/^Message-ID: <c\d+\.r\d+\.[0-9a-f]{12}@example\.test>\r$/m);
    // no tracking: no image that is not the template's own, no rewritten links
    const htmlPart = raw
      .split(
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
      )[1]!
      .split("\r\n--")[0]!;
    const html = Buffer.from(htmlPart.replace(/\r\n/g, ""), "base64").toString("utf8");
    expect(html).toMatch(/https:\/\/news\.example\.test\/u\/[a-z2-7]+/);
    expect(html).not.toMatch(/<img[^>]+(track|pixel|open)/i);
    expect(html).not.toMatch(/[?&](utm_|click|track)/i);

    const report = await campaignReport(app.db, "first");
    expect(report.status).toBe("sent");
    expect(report.counts.sent).toBe(118);
    expect(report.uncertain).toEqual([]);
    const audit = await app.db.auditEntry.findFirst({
      where: { action: "campaign.sent", subjectId: String(campaignId) },
    });
    expect(audit?.detail).toEqual({ sent: 118 });
  });
});
