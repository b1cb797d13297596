// The handover against a real Dovecot: relevance selection, dry run, copy
// under Handover/<employee>/..., byte-equal with flags and internal dates,
// verification, emptying by UID, departed status, the hook, the report.
import { readFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHandover } from "../../src/mailboxes/run-handover.ts";
import { formatHandoverReport } from "../../src/mailboxes/handover-report.ts";
import { message, openHandoverWorld, type HandoverWorld } from "./handover-fixture.ts";

let world: HandoverWorld;
beforeAll(async () => {
  world = await openHandoverWorld();
});
afterAll(async () => {
  await world?.close();
});

const recent = "01-Jun-2026 10:00:00 +0000";
// Dovecot's Maildir++ layout refuses "." in names: the address's dots become "_".
const home = (address: string) => `Handover/${address.replace(/\./g, "_")}`;
const old = "01-Jan-2019 10:00:00 +0000";

describe("relevant-mail handover", () => {
  it("copies exactly what the rules select, verifies, empties the source, marks departed and calls the hook", async () => {
    const alice = await world.addEmployee("alice");
    const bob = await world.addEmployee("bob");
    await world.db.contact.create({ data: { email: "carol@client.example" } });
    await world.db.contact.create({
      data: { email: "dave@acme.example", customerStatus: "customer" },
    });
    await world.db.dialogueRecord.create({
      data: { kind: "reply", messageId: "dialogue-1@x.example", receivedAt: new Date() },
    });
    const a = alice.address;
    const picked = {
      contact: message({ from: "Carol <carol@client.example>", to: a }),
      domain: message({ from: a, to: "Eve <eve@acme.example>" }),
      dialogue: message({ from: "x@stranger.example", id: "<dialogue-1@x.example>" }),
      flaggedOld: message({ from: "x@stranger.example" }),
      nested: message({ from: "carol@client.example" }),
    };
    await world.append(a, "INBOX", [
      { raw: picked.contact, flags: ["\\Seen", "$Work"], date: recent },
      { raw: message({ from: "x@stranger.example" }), date: recent },
      { raw: picked.dialogue, date: recent },
      { raw: picked.flaggedOld, flags: ["\\Flagged"], date: old },
      { raw: message({ from: "carol@client.example" }), date: old },
    ]);
    await world.append(a, "Sent", [{ raw: picked.domain, flags: ["\\Seen"], date: recent }]);
    await world.append(a, "Trash", [
      { raw: message({ from: "carol@client.example" }), date: recent },
    ]);
    await world.append(a, "Drafts", [
      { raw: message({ to: "carol@client.example" }), date: recent },
    ]);
    await world.append(a, "Projects/Über Ärger", [{ raw: picked.nested, date: recent }]);

    const dry = await runHandover(world.deps(), {
      employee: a,
      successor: bob.address,
      all: false,
      dryRun: true,
    });
    expect(dry.selected).toBe(5);
    expect(dry.folders.find((f) => f.name === "INBOX")).toMatchObject({ messages: 5, selected: 3 });
    expect(dry.folders.find((f) => f.name === "Trash")?.skipped).toBe("trash");
    expect(dry.folders.find((f) => f.name === "Drafts")?.skipped).toBe("drafts");
    expect(dry.sample.map((s) => s.reason).sort()).toEqual(
      ["contacts", "contacts", "customer-domains", "dialogues", "flagged"].sort(),
    );
    expect(await world.folders(bob.address)).not.toContain(`${home(a)}/INBOX`);
    expect(await world.db.handover.count()).toBe(0);

    const before = await world.read(a, "INBOX");
    const hookDir = await mkdtemp(path.join(os.tmpdir(), "ho-hook-"));
    const report = await runHandover(
      world.deps({
        settings: {
          hook: {
            command: `echo "$MAILSTEWARD_EMPLOYEE_ID $MAILSTEWARD_EMPLOYEE_ADDRESS" > ${hookDir}/called`,
          },
        },
      }),
      { employee: a, successor: bob.address, all: false, dryRun: false },
    );
    expect(report).toMatchObject({
      selected: 5,
      copied: 5,
      verified: 5,
      verifiedOk: true,
      status: "completed",
    });
    const lines = formatHandoverReport(report).join("\n");
    expect(lines).toContain("all 5 selected messages are on the target");

    const inbox = await world.read(bob.address, `${home(a)}/INBOX`);
    const wanted = before.filter((m) => m.uid !== 2 && m.uid !== 5);
    expect(inbox.map(({ sha, flags, date, size }) => ({ sha, flags, date, size }))).toEqual(
      wanted.map(({ sha, flags, date, size }) => ({ sha, flags, date, size })),
    );
    expect(await world.read(bob.address, `${home(a)}/Sent`)).toHaveLength(1);
    expect(await world.read(bob.address, `${home(a)}/Projects/Über Ärger`)).toHaveLength(1);
    expect(
      (await world.folders(bob.address)).filter(
        (f) => /Trash|Drafts/.test(f) && f.startsWith("Handover"),
      ),
    ).toEqual([]);

    for (const folder of ["INBOX", "Sent", "Trash", "Drafts", "Projects/Über Ärger"])
      expect(await world.read(a, folder)).toEqual([]);
    const after = await world.db.employee.findUniqueOrThrow({ where: { id: alice.id } });
    expect(after.status).toBe("departed");
    expect(await readFile(path.join(hookDir, "called"), "utf8")).toBe(`${alice.id} ${a}\n`);

    const audit = await world.db.auditEntry.findMany({
      where: { action: { startsWith: "handover." } },
    });
    expect(audit.map((e) => e.action)).toEqual([
      "handover.verified",
      "handover.emptied",
      "handover.completed",
    ]);
    for (const entry of audit) expect(JSON.stringify(entry.detail)).not.toMatch(/@/);
    expect(await world.db.handoverCopy.count()).toBe(5);
  });
});

describe("--all handover of awkward mail", () => {
  it("copies every message byte-equal once: duplicates, no Message-ID, 8-bit and malformed headers, odd folder names", async () => {
    const frank = await world.addEmployee("frank");
    const gina = await world.addEmployee("gina");
    const f = frank.address;
    const dup = message({ subject: "same" });
    const noId = message({ id: null, subject: "no id" });
    const eightBit = Buffer.concat([
      Buffer.from("From: J\xf6rg <j@x.example>\r\nSubject: Gr\xfc\xdfe ", "latin1"),
      Buffer.from("und Grüße\r\nMessage-ID: <8bit@x>\r\n\r\nbody\r\n", "utf8"),
    ]);
    const malformed =
      "Subject no colon here\r\nFrom: <<broken@@\r\nMessage-ID:\r\n\tnot-an-id\r\n\r\nbody\r\n";
    await world.append(f, "INBOX", [
      { raw: dup },
      { raw: dup },
      { raw: noId },
      { raw: noId },
      { raw: eightBit },
      { raw: malformed },
    ]);
    await world.append(f, "With Space", [{ raw: message({}) }]);
    await world.append(f, "a/b/c", [{ raw: message({}) }]);
    await world.append(f, "Drafts", [{ raw: message({}) }]);
    await world.append(f, "Junk", [{ raw: message({}) }]);
    const sourceInbox = await world.read(f, "INBOX");

    const report = await runHandover(world.deps(), {
      employee: f,
      successor: gina.address,
      all: true,
      dryRun: false,
    });
    expect(report).toMatchObject({
      selected: 9,
      copied: 9,
      verified: 9,
      verifiedOk: true,
      duplicates: 0,
    });
    const copied = await world.read(gina.address, `${home(f)}/INBOX`);
    expect(copied.map((m) => m.sha).sort()).toEqual(sourceInbox.map((m) => m.sha).sort());
    expect(await world.read(gina.address, `${home(f)}/With Space`)).toHaveLength(1);
    expect(await world.read(gina.address, `${home(f)}/a/b/c`)).toHaveLength(1);
    expect(await world.read(gina.address, `${home(f)}/Drafts`)).toHaveLength(1);
    expect(await world.folders(gina.address)).not.toContain(`${home(f)}/Junk`);

    // A rerun finds everything done and copies nothing.
    const again = await runHandover(world.deps(), {
      employee: f,
      successor: gina.address,
      all: true,
      dryRun: false,
    });
    expect(again.status).toBe("completed");
    expect(await world.read(gina.address, `${home(f)}/INBOX`)).toHaveLength(6);
  });
});

describe("the account-deletion webhook", () => {
  it("a failing hook leaves the handover emptied; the rerun only calls the hook again", async () => {
    const { createServer } = await import("node:http");
    const calls: Array<{ status: number; body: string }> = [];
    let answer = 500;
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        calls.push({ status: answer, body });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/delete-account`;
    try {
      const hana = await world.addEmployee("hana");
      const ivan = await world.addEmployee("ivan");
      await world.append(hana.address, "INBOX", [{ raw: message({}), flags: ["\\Flagged"] }]);
      const deps = world.deps({ settings: { hook: { url } } });
      const req = { employee: hana.id, successor: ivan.id, all: false, dryRun: false };
      await expect(runHandover(deps, req)).rejects.toThrow(/HANDOVER_HOOK_URL answered 500.*rerun/);
      const emptied = await world.db.handover.findFirstOrThrow({ where: { employeeId: hana.id } });
      expect(emptied.status).toBe("emptied");
      expect((await world.db.employee.findUniqueOrThrow({ where: { id: hana.id } })).status).toBe(
        "departed",
      );
      answer = 204;
      const done = await runHandover(deps, req);
      expect(done).toMatchObject({ status: "completed", hook: "url", copied: 1, verified: 1 });
      expect(calls.map((c) => c.status)).toEqual([500, 204]);
      expect(JSON.parse(calls[1]!.body)).toMatchObject({
        event: "handover.emptied",
        employeeId: hana.id,
        address: hana.address,
      });
      expect(await world.read(ivan.address, `${home(hana.address)}/INBOX`)).toHaveLength(1);
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});
