// The inbox and mailboxes console pages' pure parts: filters read from a query string, the
// employee form turned into the domain's input, the handover progress state, and the renderers
// (escaping, secrets only as references, htmx polling only while a handover is under way).
import { describe, expect, it } from "vitest";
import { emptyReport } from "../../src/mailboxes/handover-report.ts";
import type { EmployeeView } from "../../src/mailboxes/employee-view.ts";
import type { Employee } from "../../src/generated/prisma/client.ts";
import { employeeChangesInput, newEmployeeInput } from "../../src/http/console/employee-form.ts";
import type { HandoverProgress } from "../../src/http/console/handover-progress.ts";
import { dialogueListBody } from "../../src/http/console/inbox-dialogue-views.ts";
import { parseBounceFilter } from "../../src/http/console/list-bounce-events.ts";
import { directoryBody } from "../../src/http/console/mailbox-employee-views.ts";
import {
  handoverProgressView,
  progressState,
} from "../../src/http/console/mailbox-handover-views.ts";
import { dayRange } from "../../src/http/console/parse-filter.ts";
import { parseDialogueFilter } from "../../src/http/console/search-dialogues.ts";
import { html } from "../../src/http/console/console-kit.ts";

const csrf = html`<input type="hidden" name="_csrf" value="t" />`;

const pat: EmployeeView = {
  id: 7,
  address: "pat@example.com",
  imapHost: "imap.example.com",
  imapPort: 993,
  tlsMode: "tls",
  login: "pat@example.com",
  secretRef: "env:MAILBOX_PAT_PASSWORD",
  status: "active",
  successor: null,
  cleanupPolicy: null,
  departedAt: null,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
};

describe("filters", () => {
  it("reads blank fields as unset and refuses bad values by name", () => {
    expect(parseDialogueFilter({ contact: "", kind: "reply", flagged: "1", page: "2" })).toEqual({
      kind: "reply",
      flagged: "1",
      page: 2,
    });
    expect(() => parseDialogueFilter({ kind: "spam" })).toThrow(/kind/);
    expect(() => parseDialogueFilter({ from: "30.11.2026" })).toThrow(/from: expected a date/);
    expect(parseBounceFilter({ verdict: "hard", campaign: " november " })).toEqual({
      verdict: "hard",
      campaign: "november",
    });
    expect(() => parseBounceFilter({ verdict: "bad" })).toThrow(/verdict/);
  });

  it("takes the whole last day of a range", () => {
    expect(dayRange("2026-11-01", "2026-11-30")).toEqual({
      gte: new Date("2026-11-01T00:00:00Z"),
      lt: new Date("2026-12-01T00:00:00Z"),
    });
    expect(dayRange()).toBeUndefined();
  });
});

describe("employee form", () => {
  it("builds a new employee's input, with the cleanup policy only when given", () => {
    expect(
      newEmployeeInput({
        _csrf: "t",
        address: " pat@example.com ",
        imapHost: "imap.example.com",
        imapPort: "993",
        tlsMode: "tls",
        secretRef: "env:PAT",
        login: "",
        successor: "",
        cleanupOlderThanMonths: "",
      }),
    ).toEqual({
      address: "pat@example.com",
      imapHost: "imap.example.com",
      imapPort: "993",
      tlsMode: "tls",
      secretRef: "env:PAT",
    });
    expect(
      newEmployeeInput({ cleanupOlderThanMonths: "24", cleanupKeepFolders: "Contracts, \\Archive" })
        .cleanupPolicy,
    ).toEqual({ olderThanMonths: 24, keepFolders: ["Contracts", "\\Archive"] });
  });

  it("changes only the fields that differ", () => {
    const same = {
      imapHost: "imap.example.com",
      imapPort: "993",
      tlsMode: "tls",
      login: "pat@example.com",
      secretRef: "env:MAILBOX_PAT_PASSWORD",
      status: "active",
      successor: "",
    };
    expect(employeeChangesInput(same, pat)).toEqual({});
    expect(employeeChangesInput({ ...same, imapPort: "143", successor: "9" }, pat)).toEqual({
      imapPort: "143",
      successor: "9",
    });
    expect(employeeChangesInput(same, { ...pat, cleanupPolicy: { olderThanMonths: 24 } })).toEqual({
      cleanupPolicy: null,
    });
  });
});

describe("renderers", () => {
  it("escape what comes from mail and show a secret only as its reference", () => {
    const body = dialogueListBody({
      filter: { contact: '"><script>x</script>' },
      mailboxes: ["sales"],
      rows: [
        {
          id: 1,
          kind: "reply",
          direction: "in",
          contactId: 1,
          campaignId: null,
          mailbox: "sales",
          subject: "<img src=x onerror=alert(1)>",
          threadId: null,
          flagged: true,
          receivedAt: "2026-11-30T10:00:00.000Z",
          contactEmail: "ann@example.com",
          campaignSlug: null,
        },
      ],
      hasMore: true,
    }).value;
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("<img");
    expect(body).toContain("&lt;img src=x");
    expect(body).toContain(
      'href="/admin/inbox?contact=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&amp;page=2"',
    );
    const directory = directoryBody({ employees: [pat], csrf }).value;
    expect(directory).toContain("env:MAILBOX_PAT_PASSWORD");
    expect(directory).not.toMatch(/type="password"/);
  });
});

function progress(p: Partial<HandoverProgress>): HandoverProgress {
  return {
    handover: null,
    ledger: { messages: 0, bytes: 0, folders: [] },
    queued: null,
    lastEvent: null,
    ...p,
  };
}

const row = (status: "running" | "completed", startedAt: string) => ({
  id: 3,
  status,
  all: false,
  successorId: 8,
  successorAddress: "sam@example.com",
  startedAt,
  verifiedAt: null,
  emptiedAt: null,
  finishedAt: null,
  report: {},
});

describe("handover progress", () => {
  it("polls while queued or running, and stops once the run after the request ended", () => {
    const queued = { at: "2026-12-02T08:00:00.000Z", expected: 40 };
    expect(progressState(progress({}))).toEqual({ polling: false, waiting: false });
    expect(progressState(progress({ queued }))).toEqual({ polling: true, waiting: true });
    const running = progress({ queued, handover: row("running", "2026-12-02T08:00:01.000Z") });
    expect(progressState(running)).toEqual({ polling: true, waiting: false });
    expect(
      progressState({
        ...running,
        lastEvent: { action: "handover.failed", at: "2026-12-02T08:01:00.000Z", error: "cut" },
      }),
    ).toEqual({ polling: false, waiting: false });
    // an earlier handover's completion does not end a later request
    expect(
      progressState(
        progress({
          queued,
          handover: row("completed", "2026-11-01T00:00:00.000Z"),
          lastEvent: { action: "handover.completed", at: "2026-11-01T01:00:00.000Z", error: null },
        }),
      ),
    ).toEqual({ polling: true, waiting: true });
  });

  it("renders the polling attribute only while in progress, with the ledger count", () => {
    const running = handoverProgressView(
      7,
      progress({
        queued: { at: "2026-12-02T08:00:00.000Z", expected: 40 },
        handover: row("running", "2026-12-02T08:00:01.000Z"),
        ledger: { messages: 12, bytes: 2048, folders: [] },
      }),
    ).value;
    expect(running).toContain('hx-get="/admin/mailboxes/employees/7/handover/progress"');
    expect(running).toMatch(/max="40"\s+value="12"/);
    const report = emptyReport({
      handover: 3,
      employee: { id: 7 } as Employee,
      successor: { id: 8 } as Employee,
      req: { all: false, dryRun: false },
    });
    const done = handoverProgressView(
      7,
      progress({
        handover: {
          ...row("completed", "2026-12-02T08:00:01.000Z"),
          report: { ...report, status: "completed", verifiedOk: true, selected: 40, verified: 40 },
        },
        lastEvent: { action: "handover.completed", at: "2026-12-02T08:02:00.000Z", error: null },
      }),
    ).value;
    expect(done).not.toContain("hx-get");
    expect(done).toContain("all verified");
  });
});
