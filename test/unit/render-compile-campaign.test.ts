import { describe, expect, it } from "vitest";
import { compileCampaign } from "../../src/newsletters/render/compile-campaign.ts";
import { maxArticles } from "../../src/newsletters/render/content-schemas.ts";
import { monthlyContent, monthlyInput } from "./render-support.ts";

describe("compileCampaign on templates/newsletters/monthly.mjml", () => {
  it("puts every article title, body and link into the html and the text part", async () => {
    const frozen = await compileCampaign(monthlyInput());
    for (const article of monthlyContent().articles) {
      expect(frozen.html).toContain(`>${article.title}</h2>`);
      expect(frozen.html).toContain(`href="${article.url}"`);
      expect(frozen.text).toContain(article.title);
      expect(frozen.text).toContain(`Read more [${article.url}]`);
    }
    expect(frozen.html).toContain('src="https://acme.example/img/1.png"');
    expect(frozen.html).not.toContain('src="https://acme.example/img/2.png"');
    expect(frozen.html).toContain("Here is what happened at ACME this month.");
    expect(frozen.html).not.toMatch(/\[\[|\]\]/);
  });

  it("keeps the recipient placeholders for the personaliser", async () => {
    const frozen = await compileCampaign(monthlyInput());
    expect(frozen.subject).toBe("ACME monthly for {{name}}");
    expect(frozen.html).toContain('href="{{unsubscribeUrl}}"');
    expect(frozen.html).toContain('href="{{preferencesUrl}}"');
    expect(frozen.html).toContain("{{#if name}}Hello {{name}},{{else}}Hello,{{/if}}");
    expect(frozen.text).toContain("Unsubscribe [{{unsubscribeUrl}}]");
    expect(frozen.text).toContain("[{{preferencesUrl}}]");
  });

  it("renders the preheader in the hidden preview block, and not in the text part", async () => {
    const frozen = await compileCampaign(monthlyInput({ preheader: "Five <widget> stories" }));
    expect(frozen.html).toMatch(/<div style="display:none;[^"]*">Five &lt;widget&gt; stories/);
    expect(frozen.text).not.toContain("Five <widget> stories");
  });

  it("puts the postal address and the reason for the email in the footer", async () => {
    const frozen = await compileCampaign(monthlyInput());
    expect(frozen.html).toContain("ACME Widgets Ltd<br />12 Harbour Road<br />Bristol BS1 4XY");
    expect(frozen.text).toContain("ACME Widgets Ltd\n12 Harbour Road\nBristol BS1 4XY");
    expect(frozen.text).toMatch(/You receive this email because \{\{email\}\} is subscribed/);
  });

  it("escapes campaign content, and content cannot add recipient placeholders", async () => {
    const content = monthlyContent(1);
    content.articles[0]!.title = `<script>alert(1)</script> {{unsubscribeUrl}}`;
    const frozen = await compileCampaign(monthlyInput({ content }));
    expect(frozen.html).not.toContain("<script>alert(1)");
    expect(frozen.html).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt; &#123;&#123;unsubscribeUrl&#125;&#125;",
    );
    expect(frozen.text).toContain("<script>alert(1)</script> \\{{unsubscribeUrl}}");
  });

  it("refuses a non-http(s) article link", async () => {
    const content = monthlyContent(1);
    content.articles[0]!.url = "javascript:alert(1)";
    await expect(compileCampaign(monthlyInput({ content }))).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining('content.articles[0].url is "javascript:alert(1)"'),
    });
  });

  it(`refuses content that does not fit the template (more than ${maxArticles} articles, no intro)`, async () => {
    await expect(
      compileCampaign(monthlyInput({ content: monthlyContent(maxArticles + 1) })),
    ).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("content.articles"),
    });
    await expect(
      compileCampaign(monthlyInput({ content: { articles: monthlyContent().articles } })),
    ).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("content.intro"),
    });
  });

  it.each([
    ["subject", { subject: "Hello\r\nBcc: everyone@example.org" }],
    ["subject", { subject: "Hello\nthere" }],
    ["preheader", { preheader: "line one\rline two" }],
  ])("refuses a %s with CR or LF (header injection)", async (field, overrides) => {
    await expect(compileCampaign(monthlyInput(overrides))).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(new RegExp(`^${field} .* contains a line break`)),
    });
  });

  it("refuses an empty postal address", async () => {
    await expect(compileCampaign(monthlyInput({ postalAddress: "  " }))).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("POSTAL_ADDRESS"),
    });
  });

  it("refuses an unknown placeholder in the subject", async () => {
    await expect(
      compileCampaign(monthlyInput({ subject: "Hi {{firstname}}" })),
    ).rejects.toMatchObject({
      code: "invalid_template",
      message: expect.stringContaining('unknown placeholder "{{firstname}}"'),
    });
  });

  it("names the known templates when asked for an unknown one", async () => {
    await expect(compileCampaign(monthlyInput({ template: "montly" }))).rejects.toMatchObject({
      code: "not_found",
      message: 'unknown template "montly"; known templates: monthly',
    });
    await expect(
      compileCampaign(monthlyInput({ template: "../layouts/default" })),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
