// A real browser (Debian's Chromium via playwright-core) against the real
// server on loopback: what a subscriber sees and clicks.
import os from "node:os";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import {
  ledgerCounts,
  seedSubscribers,
  startTestServer,
  subscriptionStates,
  unsubscribeToken,
  type TestServer,
} from "../integration/http-server.ts";

let t: TestServer;
let ids: number[];
let browser: BrowserContext;
let launched: TestBrowser | undefined;
/** Screenshots are kept here for a person to look at; the path is printed. */
const shots = path.join(os.tmpdir(), "mailsteward-e2e");

beforeAll(async () => {
  t = await startTestServer();
  ({ contactIds: ids } = await seedSubscribers(t.db, {
    lists: ["news", "events", "product-updates"],
    contacts: 2,
  }));
  await t.db.list.update({
    where: { slug: "news" },
    data: { name: "Company News", description: "Monthly, what we built and why" },
  });
  launched = await launchBrowser();
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await t?.close();
});

describe("the unsubscribe page in a browser", () => {
  it("changes nothing on opening, unsubscribes on confirm, and says so", async () => {
    const id = ids[0]!;
    const page = await browser.newPage();
    const before = await ledgerCounts(t.db);
    const response = await page.goto(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { name: "Unsubscribe" }).isVisible()).resolves.toBe(
      true,
    );
    expect(await page.textContent("main")).toContain(
      "Do you want to stop receiving “Company News”?",
    );
    await page.screenshot({ path: path.join(shots, "unsubscribe-page.png"), fullPage: true });
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
      "product-updates": "subscribed",
    });
    expect(await ledgerCounts(t.db)).toEqual(before);

    await page.getByRole("button", { name: "Yes, unsubscribe me" }).click();
    await page.waitForURL(/\/confirm$/);
    expect(await page.getByRole("status").textContent()).toContain(
      "You are unsubscribed from “Company News”",
    );
    await page.screenshot({ path: path.join(shots, "unsubscribed.png"), fullPage: true });
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "unsubscribed",
      "product-updates": "subscribed",
    });
    expect(await browser.cookies()).toEqual([]);
    await page.close();
  });

  it("the preference centre turns one list off and leaves the rest", async () => {
    const id = ids[1]!;
    const page = await browser.newPage();
    await page.goto(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}`);
    const events = page.getByRole("checkbox", { name: /Events/ });
    expect(await events.isChecked()).toBe(true);
    await events.uncheck();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForURL(/\/preferences$/);
    expect(await page.getByRole("status").textContent()).toContain(
      "You are unsubscribed from “Events”",
    );
    expect(await page.getByRole("checkbox", { name: /Events/ }).isChecked()).toBe(false);
    await page.screenshot({ path: path.join(shots, "preferences-saved.png"), fullPage: true });
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "subscribed",
      "product-updates": "subscribed",
    });
    console.log(`screenshots in ${shots}`);
    await page.close();
  });

  it("an altered link shows the invalid-link page", async () => {
    const page = await browser.newPage();
    const response = await page.goto(
      `${t.url}/u/${unsubscribeToken(t.config, ids[1]!, "news").slice(0, -3)}`,
    );
    expect(response?.status()).toBe(400);
    expect(await page.getByRole("heading").first().textContent()).toBe("This link is not valid");
    await page.screenshot({ path: path.join(shots, "invalid-link.png"), fullPage: true });
    await page.close();
  });
});
