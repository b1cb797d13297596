import { describe, expect, it } from "vitest";
import { compileCampaign } from "../../src/newsletters/render/compile-campaign.ts";
import { createPersonaliser } from "../../src/newsletters/render/personalise.ts";
import { monthlyContent, monthlyInput, recipient } from "./render-support.ts";

describe("createPersonaliser on the frozen monthly newsletter", () => {
  it("puts the unsubscribe URL in the footer link and in the text part", async () => {
    const personalise = createPersonaliser(await compileCampaign(monthlyInput()));
    const message = personalise(recipient);
    expect(message.html).toContain(
      `<a href="${recipient.unsubscribeUrl}" style="color:#1a73e8;">Unsubscribe</a>`,
    );
    expect(message.html).toContain(
      `<a href="${recipient.preferencesUrl}" style="color:#1a73e8;">Manage your preferences</a>`,
    );
    expect(message.text).toContain(`Unsubscribe [${recipient.unsubscribeUrl}]`);
    expect(message.html).not.toContain("{{");
    expect(message.text).not.toContain("{{");
  });

  it("fills the subject, greeting and footer address for the recipient", async () => {
    const personalise = createPersonaliser(await compileCampaign(monthlyInput()));
    const message = personalise(recipient);
    expect(message.subject).toBe("ACME monthly for Ada Lovelace");
    expect(message.html).toContain("Hello Ada Lovelace,");
    expect(message.text).toContain("Hello Ada Lovelace,");
    expect(message.text).toContain("You receive this email because ada@example.org is subscribed");
    for (const article of monthlyContent().articles) expect(message.text).toContain(article.title);
  });

  it("falls back when the recipient has no name", async () => {
    const personalise = createPersonaliser(
      await compileCampaign(monthlyInput({ subject: "ACME monthly" })),
    );
    const message = personalise({ ...recipient, name: null });
    expect(message.html).toContain(">Hello,</div>");
    expect(message.text).toMatch(/^Hello,$/m);
  });

  it("escapes recipient values in the html", async () => {
    const personalise = createPersonaliser(await compileCampaign(monthlyInput()));
    const message = personalise({ ...recipient, name: "<script>alert('x')</script>" });
    expect(message.html).not.toContain("<script>alert(");
    expect(message.html).toContain("Hello &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;,");
    // the text part is not HTML: the name goes in as it is
    expect(message.text).toContain("Hello <script>alert('x')</script>,");
  });

  it("strips CR and LF from values in the subject and text (header injection)", async () => {
    const personalise = createPersonaliser(await compileCampaign(monthlyInput()));
    const message = personalise({ ...recipient, name: "Eve\r\nBcc: all@example.org" });
    expect(message.subject).toBe("ACME monthly for Eve Bcc: all@example.org");
    expect(message.subject).not.toMatch(/[\r\n]/);
  });

  it("prints braces that came from campaign content literally", async () => {
    const content = monthlyContent(1);
    content.articles[0]!.body = "Use {{name}} and \\{{email}} in your own templates.";
    const message = createPersonaliser(await compileCampaign(monthlyInput({ content })))(recipient);
    expect(message.html).toContain(
      "Use &#123;&#123;name&#125;&#125; and &#92;&#123;&#123;email&#125;&#125; in your own templates.",
    );
    expect(message.text).toContain("Use {{name}} and \\\u200B{{email}} in your own templates.");
  });

  it("refuses a frozen campaign that does not compile, before any message", () => {
    expect(() => createPersonaliser({ subject: "Hi {{#if name}}", html: "", text: "" })).toThrow(
      expect.objectContaining({
        code: "invalid_template",
        message: expect.stringContaining("subject does not compile"),
      }),
    );
  });
});

describe("previewCampaign", () => {
  it("renders the campaign for a made-up recipient", async () => {
    const { previewCampaign, sampleRecipient } =
      await import("../../src/newsletters/render/preview-campaign.ts");
    const preview = await previewCampaign(monthlyInput());
    expect(preview.subject).toBe(`ACME monthly for ${sampleRecipient.name}`);
    expect(preview.text).toContain(`Unsubscribe [${sampleRecipient.unsubscribeUrl}]`);
    expect(preview.frozen.html).toContain("{{unsubscribeUrl}}");
  });
});
