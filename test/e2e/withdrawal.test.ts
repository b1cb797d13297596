// "Delete my data" in the preference centre, in a real browser (Debian's
// Chromium via playwright-core) against the real server: opening the page
// changes nothing; confirming erases the person from every table.
import os from "node:os";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { findEverywhere } from "../integration/find-everywhere.ts";
import {
  seedSubscribers,
  startTestServer,
  unsubscribeToken,
  type TestServer,
} from "../integration/http-server.ts";

let t: TestServer;
let browser: BrowserContext;
let launched: TestBrowser | undefined;
const shots = path.join(os.tmpdir(), "mailsteward-e2e");

beforeAll(async () => {
  t = await startTestServer();
  launched = await launchBrowser();
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await t?.close();
});

describe("withdrawal through the preference centre", () => {
  it("asks first, then deletes the person everywhere and says so", async () => {
    const { contactIds } = await seedSubscribers(t.db, {
      lists: ["news", "events"],
      contacts: 2,
      emailPrefix: "withdraw",
    });
    const [id, other] = contactIds as [number, number];
    const person = await t.db.contact.update({
      where: { id },
      data: { name: "Wanda Withdrawn-Qx", phone: "+47 400 11 222" },
      select: { email: true },
    });
    await t.db.consentEvent.create({
      data: {
        contactId: id,
        purpose: "newsletter:news",
        action: "grant",
        legalBasis: "consent",
        source: "web-form",
        evidence: { form: "footer", email: person.email },
      },
    });
    await t.db.dialogueRecord.create({
      data: {
        contactId: id,
        kind: "reply",
        body: "Thanks, Wanda Withdrawn-Qx",
        receivedAt: new Date(),
      },
    });
    const needles = [person.email, "Wanda Withdrawn-Qx", "+47 400 11 222"];
    expect((await findEverywhere(t.database.url, needles)).length).toBeGreaterThan(0);

    const page = await browser.newPage();
    await page.goto(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}`);
    await page.getByRole("link", { name: "Withdraw my consent and delete my data" }).click();
    await page.waitForURL(/\/delete$/);
    expect(await page.getByRole("heading", { name: "Delete my data" }).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, "delete-my-data.png"), fullPage: true });
    // Opening the page changed nothing.
    expect(await t.db.contact.count({ where: { id } })).toBe(1);
    // Another site cannot post the confirmation for the visitor.
    const forged = await fetch(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}/delete`, {
      method: "POST",
      headers: {
        origin: "https://elsewhere.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "confirm=yes",
    });
    expect(forged.status).toBe(403);
    expect(await t.db.contact.count({ where: { id } })).toBe(1);

    await page.getByRole("button", { name: "Yes, delete all my data" }).click();
    await page.waitForURL(/\/delete$/);
    const status = await page.getByRole("status").textContent();
    expect(status).toContain("We have deleted everything we held about you");
    const reference = /DSR-\d{8}-[0-9A-F]{6}/.exec(status ?? "")?.[0];
    expect(reference).toBeDefined();
    await page.screenshot({ path: path.join(shots, "data-deleted.png"), fullPage: true });

    expect(await findEverywhere(t.database.url, needles)).toEqual([]);
    const hash = hashAddress(t.config.suppressionKey, person.email);
    expect(await t.db.suppression.findUnique({ where: { addressHash: hash } })).toMatchObject({
      reason: "erased",
    });
    expect(
      await t.db.privacyRequest.findUnique({ where: { reference: reference! } }),
    ).toMatchObject({ kind: "withdrawal", state: "done", verificationMethod: "signed-link" });
    expect(await t.db.contact.count({ where: { id: other } })).toBe(1);

    // The link again: nothing is held any more, and the page says so.
    await page.goto(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}/delete`);
    expect(await page.getByRole("status").textContent()).toContain("We hold no data about you");
    expect(await browser.cookies()).toEqual([]);
    await page.close();
  });
});
