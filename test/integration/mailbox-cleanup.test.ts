// The yearly cleanup against real Dovecot servers: what the policy selects
// goes, by UID, and nothing else; a server without UIDPLUS is refused; a cut
// connection resumes; an interrupted deletion step is settled safely.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../src/errors.ts";
import { checkMailbox } from "../../src/mailboxes/check-mailbox.ts";
import { cleanupMailbox } from "../../src/mailboxes/cleanup-mailbox.ts";
import { updateEmployee } from "../../src/mailboxes/update-employee.ts";
import { systemClock } from "../../src/types.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { testConfig } from "../support/app-config.ts";
import { startProxy } from "../support/tcp-proxy.ts";
import { daysAgo, openCleanupWorld, type CleanupWorld } from "./mailbox-cleanup-fixture.ts";

let world: CleanupWorld;
let dovecot: Dovecot;
let noUidplus: Dovecot;

beforeAll(async () => {
  [world, dovecot, noUidplus] = await Promise.all([
    openCleanupWorld(),
    startDovecot({ mailFsync: "never" }),
    // Dovecot's post-login capability list, with UIDPLUS left out
    startDovecot({
      mailFsync: "never",
      imapCapability:
        "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT NAMESPACE CHILDREN LIST-EXTENDED LIST-STATUS MOVE SPECIAL-USE CONDSTORE LITERAL+",
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([world?.close(), dovecot?.stop(), noUidplus?.stop()]);
});

const subjects = (list: { subject: string }[]) => list.map((m) => m.subject).sort();

describe("cleanup", () => {
  it("deletes only what the policy selects, by UID; flagged, linked, customer, young, kept-folder and other \\Deleted mail survives", async () => {
    const pat = await world.employee(dovecot, "pat");
    const customer = `buyer-${pat.id}@customer.test`;
    await world.db.contact.create({ data: { email: customer, customerStatus: "customer" } });
    await world.db.contact.create({
      data: { email: `gone-${pat.id}@former.test`, customerStatus: "former" },
    });
    await world.db.dialogueRecord.create({
      data: { kind: "reply", messageId: `linked-${pat.id}@seed.test`, receivedAt: new Date() },
    });
    await world.db.dialogueRecord.create({
      data: {
        kind: "reply",
        messageId: `answer-${pat.id}@seed.test`,
        inReplyTo: `<asked-${pat.id}@seed.test>`,
        receivedAt: new Date(),
      },
    });
    const projects = "Projekte Ä/Kunden 2024";
    await updateEmployee(
      { db: world.db, clock: systemClock },
      pat.id,
      {
        cleanupPolicy: {
          folders: ["INBOX", "\\Sent", "\\Trash", projects],
          keepFolders: ["Verträge"],
        },
      },
      "test",
    );
    await world.seed(dovecot, pat.address, "INBOX", [
      { subject: "old plain", date: daysAgo(800) },
      { subject: "old flagged", date: daysAgo(800), flags: ["\\Flagged"] },
      { subject: "old linked", date: daysAgo(700), messageId: `linked-${pat.id}@seed.test` },
      { subject: "old customer", date: daysAgo(600), from: customer },
      { subject: "old former customer", date: daysAgo(600), from: `gone-${pat.id}@former.test` },
      { subject: "old marked deleted by the client", date: daysAgo(500), flags: ["\\Deleted"] },
      { subject: "young", date: daysAgo(30) },
      { subject: "young marked deleted", date: daysAgo(20), flags: ["\\Deleted"] },
    ]);
    await world.seed(dovecot, pat.address, "Sent", [
      {
        subject: "old sent, answered in a dialogue",
        date: daysAgo(900),
        messageId: `asked-${pat.id}@seed.test`,
      },
      { subject: "old sent", date: daysAgo(900), to: "someone@elsewhere.test" },
    ]);
    await world.seed(dovecot, pat.address, "Trash", [{ subject: "old trash", date: daysAgo(400) }]);
    await world.seed(dovecot, pat.address, projects, [
      { subject: "old project mail", date: daysAgo(450) },
      { subject: "recent project mail", date: daysAgo(100) },
    ]);
    await world.seed(dovecot, pat.address, "Verträge", [
      { subject: "old contract", date: daysAgo(2000) },
    ]);
    await world.seed(dovecot, pat.address, "Archive", [
      { subject: "old archive", date: daysAgo(2000) },
    ]);

    const inboxBefore = await world.read(dovecot, pat.address, "INBOX");
    const dry = await cleanupMailbox(world.deps(), pat.id, { actor: "test", dryRun: true });
    const wouldGo = Object.fromEntries(
      dry.selections.map((s) => [s.path, s.messages.map((m) => m.uid)]),
    );
    const uidOf = (subject: string) => inboxBefore.find((m) => m.subject === subject)!.uid;
    expect(wouldGo.INBOX).toEqual([uidOf("old plain"), uidOf("old former customer")]);
    expect(wouldGo.Sent).toHaveLength(1);
    expect(wouldGo.Trash).toHaveLength(1);
    expect(wouldGo[projects]).toHaveLength(1);
    expect(Object.keys(wouldGo)).not.toContain("Verträge");
    expect(Object.keys(wouldGo)).not.toContain("Archive");
    expect(dry.report.totals.selected).toBe(5);
    expect(dry.report.folders.find((f) => f.folder === "INBOX")).toMatchObject({
      keptDialogue: 1,
      keptCustomer: 1,
    });
    // a dry run changes nothing
    expect(await world.read(dovecot, pat.address, "INBOX")).toEqual(inboxBefore);
    expect(await world.db.cleanupRun.count({ where: { employeeId: pat.id } })).toBe(0);

    const { report } = await cleanupMailbox(world.deps(), pat.id, { actor: "test" });
    expect(report.totals.deleted).toBe(5);
    expect(report.totals.deletedBytes).toBe(dry.report.totals.selectedBytes);
    expect(subjects(await world.read(dovecot, pat.address, "INBOX"))).toEqual([
      "old customer",
      "old flagged",
      "old linked",
      "old marked deleted by the client",
      "young",
      "young marked deleted",
    ]);
    // other \Deleted messages keep their flag: no plain EXPUNGE ran
    const inbox = await world.read(dovecot, pat.address, "INBOX");
    expect(inbox.find((m) => m.subject === "young marked deleted")!.flags).toContain("\\Deleted");
    expect(subjects(await world.read(dovecot, pat.address, "Sent"))).toEqual([
      "old sent, answered in a dialogue",
    ]);
    expect(await world.read(dovecot, pat.address, "Trash")).toEqual([]);
    expect(subjects(await world.read(dovecot, pat.address, projects))).toEqual([
      "recent project mail",
    ]);
    expect(subjects(await world.read(dovecot, pat.address, "Verträge"))).toEqual(["old contract"]);
    expect(subjects(await world.read(dovecot, pat.address, "Archive"))).toEqual(["old archive"]);

    const audit = await world.db.auditEntry.findFirstOrThrow({
      where: { action: "mailbox.cleanup.completed", subjectId: String(pat.id) },
    });
    const detail = JSON.stringify(audit.detail);
    expect(detail).not.toMatch(/@|old plain|old sent|Body of/);
    expect(audit.detail).toMatchObject({ employeeId: pat.id, totals: { deleted: 5 } });
    const run = await world.db.cleanupRun.findFirstOrThrow({ where: { employeeId: pat.id } });
    expect(run).toMatchObject({ status: "done", pending: null });

    // a second run finds nothing more
    const again = await cleanupMailbox(world.deps(), pat.id, { actor: "test" });
    expect(again.report.totals.deleted).toBe(0);
  }, 60_000);

  it("in trash mode moves the selection to Trash and expunges exactly those there; the rest of Trash stays", async () => {
    const rob = await world.employee(dovecot, "rob");
    await world.seed(dovecot, rob.address, "INBOX", [
      { subject: "old inbox 1", date: daysAgo(700) },
      { subject: "old inbox 2", date: daysAgo(700) },
      { subject: "young inbox", date: daysAgo(7) },
    ]);
    await world.seed(dovecot, rob.address, "Trash", [
      { subject: "recently binned", date: daysAgo(2), flags: ["\\Deleted"] },
      { subject: "binned last week", date: daysAgo(9) },
    ]);
    const config = testConfig({ DATABASE_URL: world.database.url, CLEANUP_DELETE_MODE: "trash" });
    const { report } = await cleanupMailbox(world.deps({ config }), rob.id, { actor: "test" });
    expect(report).toMatchObject({ deleteMode: "trash", totals: { deleted: 2 } });
    expect(subjects(await world.read(dovecot, rob.address, "INBOX"))).toEqual(["young inbox"]);
    const trash = await world.read(dovecot, rob.address, "Trash");
    expect(subjects(trash)).toEqual(["binned last week", "recently binned"]);
    expect(trash.find((m) => m.subject === "recently binned")!.flags).toContain("\\Deleted");
  }, 60_000);

  it("refuses a server without UIDPLUS and deletes nothing", async () => {
    const sam = await world.employee(noUidplus, "sam");
    await world.seed(noUidplus, sam.address, "INBOX", [
      { subject: "old one", date: daysAgo(800) },
      { subject: "old two", date: daysAgo(800) },
      { subject: "marked", date: daysAgo(10), flags: ["\\Deleted"] },
    ]);
    const check = await checkMailbox(world.deps(), sam.id);
    expect(check.capabilities.UIDPLUS).toBe(false);
    expect(check.cleanupReady).toBe(false);
    const error = await cleanupMailbox(world.deps(), sam.id, { actor: "test" }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, "refused")).toBe(true);
    expect((error as Error).message).toMatch(
      /does not offer UIDPLUS \(RFC 4315\).*nothing was deleted/,
    );
    expect(subjects(await world.read(noUidplus, sam.address, "INBOX"))).toEqual([
      "marked",
      "old one",
      "old two",
    ]);
    expect(await world.db.cleanupRun.findFirst({ where: { employeeId: sam.id } })).toMatchObject({
      status: "refused",
    });
    expect(
      await world.db.auditEntry.count({
        where: { action: "mailbox.cleanup.refused", subjectId: String(sam.id) },
      }),
    ).toBe(1);
  }, 60_000);

  it("resumes after the proxy cuts the connection mid-deletion and deletes nothing unselected", async () => {
    const proxy = await startProxy({ targetPort: dovecot.port });
    try {
      const kim = await world.employee(dovecot, "kim", { port: proxy.port });
      const old = Array.from({ length: 600 }, (_, i) => ({
        subject: `old ${i}`,
        date: daysAgo(400 + i),
        ...(i % 50 === 0 ? { flags: ["\\Flagged"] } : {}),
      }));
      await world.seed(dovecot, kim.address, "INBOX", [
        ...old,
        { subject: "young", date: daysAgo(5) },
        { subject: "young deleted", date: daysAgo(5), flags: ["\\Deleted"] },
      ]);
      let cut = 0;
      const { report } = await cleanupMailbox(world.deps(), kim.id, {
        actor: "test",
        batchSize: 50,
        retryDelayMs: 50,
        onProgress: (p) => {
          if (p.phase === "delete" && p.done >= 200 && cut === 0) {
            cut++;
            proxy.dropAll();
          }
        },
      });
      expect(cut).toBe(1);
      expect(report.reconnects).toBeGreaterThanOrEqual(1);
      const left = await world.read(dovecot, kim.address, "INBOX");
      expect(subjects(left)).toEqual(
        subjects([
          ...old.filter((m) => m.flags),
          { subject: "young" },
          { subject: "young deleted" },
        ]),
      );
      expect(report.totals.deleted).toBe(588);
      expect(left.find((m) => m.subject === "young deleted")!.flags).toContain("\\Deleted");
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it("settles a step cut between STORE \\Deleted and UID EXPUNGE: still selected goes, flagged meanwhile gets its flag back", async () => {
    const lee = await world.employee(dovecot, "lee");
    await world.seed(dovecot, lee.address, "INBOX", [
      { subject: "old a", date: daysAgo(800) },
      { subject: "old b", date: daysAgo(800) },
      { subject: "old c", date: daysAgo(800) },
      { subject: "young d", date: daysAgo(3), flags: ["\\Deleted"] },
    ]);
    // What a run killed after its STORE leaves behind: \Deleted on its batch, the step in the run row.
    const s = await world.session(dovecot, lee.address);
    const box = await s.mailboxOpen("INBOX");
    const msgs = await world.read(dovecot, lee.address, "INBOX");
    const uid = (subject: string) => msgs.find((m) => m.subject === subject)!.uid;
    await s.messageFlagsAdd([uid("old a"), uid("old b")].join(","), ["\\Deleted"], { uid: true });
    // the employee flags "old b" before the run resumes
    await s.messageFlagsAdd(String(uid("old b")), ["\\Flagged"], { uid: true });
    await s.logout();
    const cutoff = new Date(Date.UTC(2030, 0, 1)).toISOString();
    await world.db.cleanupRun.create({
      data: {
        employeeId: lee.id,
        status: "deleting",
        deleteAfter: new Date(),
        pending: {
          stage: "flag",
          folder: "INBOX",
          uidValidity: String(box.uidValidity),
          uids: `${uid("old a")}:${uid("old b")}`,
          cutoff,
        },
      },
    });
    const { report } = await cleanupMailbox(world.deps(), lee.id, { actor: "test" });
    expect(report.settled).toEqual({ expunged: 1, restored: 1 });
    const left = await world.read(dovecot, lee.address, "INBOX");
    expect(subjects(left)).toEqual(["old b", "young d"]);
    expect(left.find((m) => m.subject === "old b")!.flags).not.toContain("\\Deleted");
    expect(left.find((m) => m.subject === "young d")!.flags).toContain("\\Deleted");
    // "old c" was selected afresh and went too? No: it is older than the cutoff, unflagged: it went.
    expect(report.totals.deleted).toBe(2);
  }, 60_000);

  it("says clearly when the password is wrong or the host unreachable", async () => {
    const wrong = await world.employee(dovecot, "wrong", { password: "not-the-password" });
    const error = await cleanupMailbox(world.deps(), wrong.id, {
      actor: "test",
      dryRun: true,
    }).catch((e: unknown) => e);
    expect(isAppError(error, "mailbox_login_failed")).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`employee ${wrong.id}: IMAP login at 127\\.0\\.0\\.1:${dovecot.port} was refused`),
    );
    expect((error as Error).message).not.toMatch(/not-the-password|@/);

    await updateEmployee({ db: world.db, clock: systemClock }, wrong.id, { imapPort: 1 }, "test");
    const unreachable = await checkMailbox(world.deps(), wrong.id).catch((e: unknown) => e);
    expect(isAppError(unreachable, "mailbox_unreachable")).toBe(true);
    expect((unreachable as Error).message).toMatch(
      /cannot reach the IMAP server at 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    );

    delete world.env[Object.keys(world.env).find((k) => k.includes("WRONG"))!];
    const unset = await checkMailbox(world.deps(), wrong.id).catch((e: unknown) => e);
    expect(isAppError(unset, "config")).toBe(true);
    expect((unset as Error).message).toMatch(
      /environment variable CLEANUP_PW_WRONG_\w+, which is not set/,
    );
  }, 60_000);

  it("mailbox check lists the capabilities that matter and folders with counts", async () => {
    const max = await world.employee(dovecot, "max");
    await world.seed(dovecot, max.address, "INBOX", [
      { subject: "a", date: daysAgo(1) },
      { subject: "b", date: daysAgo(1) },
    ]);
    await world.seed(dovecot, max.address, "Ordner mit Leerzeichen", [
      { subject: "c", date: daysAgo(1) },
    ]);
    const check = await checkMailbox(world.deps(), max.address);
    expect(check.capabilities).toMatchObject({
      UIDPLUS: true,
      MOVE: true,
      "SPECIAL-USE": true,
      CONDSTORE: true,
      "LITERAL+": true,
    });
    expect(check.folders).toEqual(
      expect.arrayContaining([
        { path: "INBOX", specialUse: "\\Inbox", messages: 2 },
        { path: "Ordner mit Leerzeichen", specialUse: null, messages: 1 },
        { path: "Sent", specialUse: "\\Sent", messages: 0 },
        { path: "Trash", specialUse: "\\Trash", messages: 0 },
      ]),
    );
  }, 60_000);
});
