import { describe, expect, it } from "vitest";
import { renderSystemEmail } from "../../src/newsletters/render/render-system-email.ts";
import { templatesDir } from "./render-support.ts";

const fields = {
  listName: "Widgets & <Gadgets>",
  confirmUrl: "https://news.acme.example/confirm/mfrggzdfmztwq2lk",
  postalAddress: "ACME Widgets Ltd\n12 Harbour Road",
  fromName: "ACME",
};

describe("renderSystemEmail confirm-subscription", () => {
  it("names the list, links the confirm button and tells what to do if not asked", async () => {
    const email = await renderSystemEmail(templatesDir, "confirm-subscription", fields);
    expect(email.subject).toBe("Please confirm your subscription to Widgets & <Gadgets>");
    expect(email.html).toContain("<strong>Widgets &amp; &lt;Gadgets&gt;</strong>");
    expect(email.html).toContain(`href="${fields.confirmUrl}"`);
    expect(email.html).toMatch(
      /display:none;[^"]*">One click and you are subscribed to Widgets &amp; &lt;Gadgets&gt;\./,
    );
    expect(email.html).toContain("ACME Widgets Ltd<br />12 Harbour Road");
    expect(email.text).toContain(`Confirm my subscription [${fields.confirmUrl}]`);
    expect(email.text).toContain("If you did not ask for this, ignore this email");
    expect(email.html).not.toMatch(/\{\{|\[\[/);
  });

  it("refuses a missing field, naming it", async () => {
    const { confirmUrl: _, ...without } = fields;
    await expect(
      renderSystemEmail(templatesDir, "confirm-subscription", without),
    ).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("[[confirmUrl]] has no value"),
    });
  });

  it("refuses a confirm link that is not http(s)", async () => {
    await expect(
      renderSystemEmail(templatesDir, "confirm-subscription", {
        ...fields,
        confirmUrl: "javascript:alert(1)",
      }),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("strips line breaks from values in the subject", async () => {
    const email = await renderSystemEmail(templatesDir, "confirm-subscription", {
      ...fields,
      listName: "News\r\nBcc: x@example.org",
    });
    expect(email.subject).toBe("Please confirm your subscription to News Bcc: x@example.org");
  });

  it("lists the known system templates for an unknown name", async () => {
    await expect(
      renderSystemEmail(templatesDir, "welcome" as "confirm-subscription", fields),
    ).rejects.toMatchObject({
      code: "not_found",
      message:
        'unknown system template "welcome"; known system templates: cleanup-review, confirm-subscription',
    });
  });
});
