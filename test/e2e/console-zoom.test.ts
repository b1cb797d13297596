// The console at 200% zoom, in Chromium against the real server: a 1280-pixel
// window zoomed to 200% lays pages out in 640 CSS pixels. Each main page must
// then fit its width (no sideways scrolling of the page: wide tables scroll in
// their own box), keep its navigation and heading visible, and pass axe.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSubscribers } from "../integration/http-server.ts";
import {
  checkAxe,
  createOperator,
  screenshot,
  signIn,
  startConsole,
  type ConsoleTest,
} from "../support/console.ts";

let c: ConsoleTest;

beforeAll(async () => {
  c = await startConsole();
  await seedSubscribers(c.db, { lists: ["news"], contacts: 3, emailPrefix: "zoom" });
}, 180_000);

afterAll(async () => {
  await c?.close();
});

const pages = [
  "/admin",
  "/admin/campaigns",
  "/admin/campaigns/new",
  "/admin/templates",
  "/admin/lists",
  "/admin/contacts",
  "/admin/contacts/import",
  "/admin/inbox",
  "/admin/inbox/bounces",
  "/admin/mailboxes",
  "/admin/mailboxes/cleanup",
  "/admin/privacy",
  "/admin/privacy/audit",
  "/admin/jobs",
  "/admin/operators",
];

describe("the console at 200% zoom", () => {
  it("fits every main page into 640 CSS pixels without sideways scrolling", async () => {
    const admin = await createOperator(c.db, "admin");
    const page = await c.newPage();
    await page.setViewportSize({ width: 640, height: 800 });
    await signIn(page, c.url, admin.email, admin.password);
    const overflowing: string[] = [];
    for (const path of pages) {
      const response = await page.goto(`${c.url}${path}`);
      expect(response?.status(), path).toBe(200);
      const { scrollWidth, width } = (await page.evaluate(
        "({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth })",
      )) as { scrollWidth: number; width: number };
      if (scrollWidth > width) {
        const wide = await page.evaluate(
          "[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')",
        );
        overflowing.push(`${path}: ${scrollWidth} px wide in ${width} (${String(wide)})`);
      }
      await expect(page.locator("h1").first().isVisible(), path).resolves.toBe(true);
      await expect(page.locator("nav").first().isVisible(), path).resolves.toBe(true);
      await checkAxe(page);
    }
    await screenshot(page, "zoom-200-operators");
    expect(overflowing).toEqual([]);
  }, 240_000);
});
