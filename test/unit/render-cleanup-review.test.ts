// The yearly cleanup's review digest in English, Dutch and Norwegian Bokmål: the texts come
// from locales/<language>.json ("mail.review"), the dates and sizes are written the reader's
// way, and what comes from the mailbox (folder names, subjects) is escaped.
import { describe, expect, it } from "vitest";
import type { Locale } from "../../src/i18n/translate.ts";
import { digestFields } from "../../src/mailboxes/send-cleanup-digests.ts";
import { renderSystemEmail } from "../../src/newsletters/render/render-system-email.ts";
import { templatesDir } from "./render-support.ts";

const report = {
  cutoff: "2025-12-21T00:00:00.000Z",
  totals: { selected: 1234, selectedBytes: 1_572_864, deleted: 0, deletedBytes: 0 },
  folders: [
    { folder: "INBOX", selected: 1200, selectedBytes: 1_048_576 },
    { folder: "Sent <old> & co", selected: 34, selectedBytes: 524_288 },
    { folder: "Archive", selected: 0, selectedBytes: 0 },
  ],
} as unknown as Parameters<typeof digestFields>[0];

const highlights = {
  oldest: {
    folder: "INBOX",
    subject: "Minutes of the <b>2019</b> kickoff",
    message: { internalDate: new Date("2019-03-04T10:00:00Z") },
  },
  biggest: { folder: "Sent <old> & co", subject: "Huge scan", message: { size: 3_250_585 } },
};

const deleteAfter = new Date("2027-01-29T06:00:00Z");

function render(locale: Locale) {
  return renderSystemEmail(
    templatesDir,
    "cleanup-review",
    digestFields(report, deleteAfter, highlights, locale) as unknown as Record<string, string>,
    locale,
  );
}

const expected = {
  en: {
    subject: "Your yearly mailbox review: 1,234 old messages go on 29 January 2027",
    lines: [
      "Hello,",
      "1,234 messages (1.5 MB)",
      "received before 21 December 2025 will be deleted on 29 January 2027",
      "The oldest: Minutes of the <b>2019</b> kickoff in INBOX, received 4 March 2019.",
      "The biggest: Huge scan in Sent <old> & co, 3.1 MB.",
      "To keep a message, flag it",
      "A service message to employees from IT, sent by mailsteward.",
    ],
    header: ["Folder", "Messages", "Size"],
  },
  nl: {
    subject: "Uw jaarlijkse mailboxcontrole: 1.234 oude berichten gaan op 29 januari 2027 weg",
    lines: [
      "Hallo,",
      "1.234 berichten (1,5 MB)",
      "vóór 21 december 2025 binnenkwamen verwijderd op 29 januari 2027",
      "Het oudste: Minutes of the <b>2019</b> kickoff in INBOX, ontvangen op 4 maart 2019.",
      "Het grootste: Huge scan in Sent <old> & co, 3,1 MB.",
      "Wilt u een bericht bewaren, markeer het dan",
      "Een servicebericht van IT aan medewerkers, verstuurd door mailsteward.",
    ],
    header: ["Map", "Berichten", "Grootte"],
  },
  nb: {
    subject:
      "Den årlige gjennomgangen av e-postkassen din: 1\u00a0234 gamle meldinger slettes 29. januar 2027",
    lines: [
      "Hei,",
      "1 234 meldinger (1,5 MB)", // the text is compared with its spaces (here a no-break space) made plain
      "mottatt før 21. desember 2025 slettet 29. januar 2027",
      "Den eldste: Minutes of the <b>2019</b> kickoff i INBOX, mottatt 4. mars 2019.",
      "Den største: Huge scan i Sent <old> & co, 3,1 MB.",
      "Vil du beholde en melding, flagg den",
      "En tjenestemelding til ansatte fra IT, sendt av mailsteward.",
    ],
    header: ["Mappe", "Meldinger", "Størrelse"],
  },
} satisfies Record<Locale, { subject: string; lines: string[]; header: string[] }>;

describe("the review digest", () => {
  for (const locale of ["en", "nl", "nb"] as const)
    it(`speaks ${locale}: subject, texts, table, dates and sizes`, async () => {
      const mail = await render(locale);
      const want = expected[locale];
      expect(mail.subject).toBe(want.subject);
      expect(mail.html).toContain(`lang="${locale}"`);
      const text = mail.text.replace(/\s+/g, " ");
      for (const line of want.lines) expect(text).toContain(line);
      for (const cell of want.header) expect(mail.html).toContain(`>${cell}</th>`);
      // One row per folder that loses something, none for the folder that loses nothing.
      expect(mail.html).toContain(">INBOX</td>");
      expect(mail.html).not.toContain(">Archive</td>");
      // What came from the mailbox is escaped; the translation's own markup is kept.
      expect(mail.html).toContain("<em>Minutes of the &lt;b&gt;2019&lt;/b&gt; kickoff</em>");
      expect(mail.html).toContain("Sent &lt;old&gt; &amp; co");
      expect(mail.html).not.toContain("<b>2019</b>");
      expect(mail.html).toMatch(/<strong>[^<]*1.234[^<]*<\/strong>/);
      expect(mail.html).not.toMatch(/\{\{|\[\[|\]\]/);
      expect(mail.text).not.toMatch(/\{\{|\[\[|\]\]/);
    });

  it("leaves no English in the Dutch and Norwegian digests", async () => {
    const english = await render("en");
    const englishLines = expected.en.lines.filter((l) => !l.includes("Minutes of the"));
    for (const locale of ["nl", "nb"] as const) {
      const mail = await render(locale);
      const text = mail.text.replace(/\s+/g, " ");
      for (const line of englishLines)
        expect([locale, text.includes(line)]).toEqual([locale, false]);
      expect(mail.subject).not.toBe(english.subject);
    }
  });

  it("leaves out the oldest and the biggest when there is none", async () => {
    const mail = await renderSystemEmail(
      templatesDir,
      "cleanup-review",
      digestFields(report, deleteAfter, null, "nl") as unknown as Record<string, string>,
      "nl",
    );
    expect(mail.text).not.toContain("Het oudste");
    expect(mail.text).toContain("Map");
  });
});
