import { describe, expect, it } from "vitest";
import { classifySmtpAnswer, enhancedCode } from "../../src/newsletters/classify-smtp-answer.ts";

describe("classifySmtpAnswer", () => {
  it.each([
    [
      550,
      "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in virtual mailbox table",
      { transient: false, suppress: true, enhanced: "5.1.1" },
    ],
    [
      550,
      "550-5.1.1 The email account that you tried to reach does not exist.",
      { transient: false, suppress: true, enhanced: "5.1.1" },
    ],
    [554, "554 5.1.10 Null MX", { transient: false, suppress: true, enhanced: "5.1.10" }],
    [
      550,
      "550 5.2.1 The email account that you tried to reach is disabled.",
      { transient: false, suppress: true, enhanced: "5.2.1" },
    ],
    [552, "552 5.2.2 Mailbox full", { transient: false, suppress: false, enhanced: "5.2.2" }],
    [
      550,
      "550 5.7.1 Message rejected due to content restrictions",
      { transient: false, suppress: false, enhanced: "5.7.1" },
    ],
    [
      550,
      "550 5.7.26 Unauthenticated email from example.com is not accepted due to DMARC",
      { transient: false, suppress: false, enhanced: "5.7.26" },
    ],
    [554, "554 Transaction failed", { transient: false, suppress: false, enhanced: undefined }],
    [
      451,
      "451 4.7.1 Greylisted, please try again",
      { transient: true, suppress: false, enhanced: "4.7.1" },
    ],
    [
      421,
      "421 4.4.2 Connection timed out",
      { transient: true, suppress: false, enhanced: "4.4.2" },
    ],
    // a 4xx never suppresses, whatever it says
    [
      450,
      "450 4.1.1 Recipient temporarily unavailable",
      { transient: true, suppress: false, enhanced: "4.1.1" },
    ],
  ])("%i %s", (code, response, expected) => {
    expect(classifySmtpAnswer(code, response)).toEqual(expected);
  });

  it("reads the enhanced code after nodemailer's prefix", () => {
    expect(
      enhancedCode("Can't send mail - all recipients were rejected: 550 5.1.1 User unknown"),
    ).toBe("5.1.1");
  });
});
