// Proves the test harness itself: isolated database clones, a real Dovecot,
// the SMTP sink's refusals and drops, and the TCP proxy.
import net from "node:net";
import { existsSync } from "node:fs";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/database.ts";
import { startDovecot } from "../support/dovecot.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { startProxy } from "../support/tcp-proxy.ts";

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("database clones", () => {
  it("are migrated and isolated from each other", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.url).not.toBe(b.url);
      const [inserted] = await query<{ id: number; double_opt_in: boolean; created_at: Date }>(
        a.url,
        "INSERT INTO lists (slug, name) VALUES ($1, $2) RETURNING id, double_opt_in, created_at",
        ["news", "News"],
      );
      expect(inserted).toMatchObject({ id: 1, double_opt_in: true });
      expect(inserted?.created_at).toBeInstanceOf(Date);
      expect(await query(a.url, "SELECT slug FROM lists")).toEqual([{ slug: "news" }]);
      expect(await query(b.url, "SELECT slug FROM lists")).toEqual([]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
    const names = [a, b].map((db) => new URL(db.url).pathname.slice(1));
    const left = await query(
      b.url.replace(/\/[^/]+$/, "/postgres"),
      "SELECT 1 FROM pg_database WHERE datname = ANY($1)",
      [names],
    );
    expect(left).toEqual([]);
  });
});

describe("Dovecot", () => {
  it("accepts a user added after start, and APPEND then FETCH round-trips a message", async () => {
    const dovecot = await startDovecot();
    try {
      const { user, password } = await dovecot.addUser("alice@test.local");
      const client = new ImapFlow({
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        auth: { user, pass: password },
        logger: false,
      });
      await client.connect();
      try {
        const specialUse = (await client.list())
          .map((box) => box.specialUse)
          .filter(Boolean)
          .sort();
        expect(specialUse).toEqual([
          "\\Archive",
          "\\Drafts",
          "\\Inbox",
          "\\Junk",
          "\\Sent",
          "\\Trash",
        ]);

        const raw = [
          "From: Bob <bob@test.local>",
          "To: alice@test.local",
          "Subject: Harness check",
          "Message-ID: <harness-1@test.local>",
          "Date: Tue, 25 Nov 2025 10:00:00 +0000",
          "",
          "Hello from the harness.",
          "",
        ].join("\r\n");
        const appended = await client.append("INBOX", raw, ["\\Seen"]);
        expect(appended && appended.uid).toBeGreaterThan(0);

        const lock = await client.getMailboxLock("INBOX");
        try {
          const fetched = await client.fetchOne("*", { envelope: true, source: true });
          expect(fetched && fetched.envelope?.subject).toBe("Harness check");
          expect(fetched && fetched.source?.toString()).toContain("Hello from the harness.");
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
      expect(await dovecot.doveadm(["search", "-u", user, "mailbox", "INBOX"])).toMatch(/\S+ 1\n/);
    } finally {
      await dovecot.stop();
    }
    expect(existsSync(dovecot.dir)).toBe(false);
  });
});

describe("SMTP sink", () => {
  let sink: SmtpSink;
  const transport = () =>
    nodemailer.createTransport({
      host: sink.host,
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    });
  const mail = (to: string | string[]) => ({
    from: "news@test.local",
    to,
    subject: "Sink check",
    text: "Hi.",
  });

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it("records the envelope, raw message and Message-ID", async () => {
    sink.clear();
    const info = await transport().sendMail(mail("alice@test.local"));
    const [message] = await sink.waitFor(1);
    expect(message).toMatchObject({
      from: "news@test.local",
      to: ["alice@test.local"],
      messageId: info.messageId,
    });
    expect(message?.raw.toString()).toContain("Subject: Sink check");
    expect(message?.acknowledged).toBe(true);
  });

  it("answers 451 on command, then recovers", async () => {
    sink.clear();
    let refusals = 1;
    sink.refuse((stage) =>
      stage === "rcpt" && refusals-- > 0
        ? { code: 451, message: "4.3.0 try again later" }
        : undefined,
    );
    await expect(transport().sendMail(mail("alice@test.local"))).rejects.toMatchObject({
      responseCode: 451,
    });
    expect(sink.count).toBe(0);
    await transport().sendMail(mail("alice@test.local"));
    expect(sink.count).toBe(1);
    sink.refuse(undefined);
  });

  it("refuses one recipient with 550 5.1.1 and accepts the others", async () => {
    sink.clear();
    sink.refuse((stage, address) =>
      stage === "rcpt" && address === "ghost@test.local"
        ? { code: 550, message: "5.1.1 unknown user" }
        : undefined,
    );
    const info = await transport().sendMail(mail(["alice@test.local", "ghost@test.local"]));
    expect(info.accepted).toEqual(["alice@test.local"]);
    expect(info.rejected).toEqual(["ghost@test.local"]);
    // nodemailer sets rejectedErrors; @types/nodemailer does not declare it.
    const { rejectedErrors } = info as typeof info & {
      rejectedErrors?: Array<{ response: string }>;
    };
    expect(rejectedErrors?.[0]?.response).toBe("550 5.1.1 unknown user");
    expect(sink.messages[0]?.to).toEqual(["alice@test.local"]);
    sink.refuse(undefined);
  });

  it("drops a connection before the greeting, and after DATA without acknowledging", async () => {
    sink.clear();
    sink.dropNextConnections(1);
    await expect(transport().sendMail(mail("alice@test.local"))).rejects.toThrow();
    await transport().sendMail(mail("alice@test.local"));
    expect(sink.count).toBe(1);

    sink.dropAfter(0);
    await expect(transport().sendMail(mail("alice@test.local"))).rejects.toThrow();
    expect(sink.messages.map((message) => message.acknowledged)).toEqual([true, false]);
    await transport().sendMail(mail("alice@test.local"));
    expect(sink.count).toBe(3);
  });

  it("counts repeated Message-IDs as duplicates", async () => {
    sink.clear();
    const message = { ...mail("alice@test.local"), messageId: "<same@test.local>" };
    await transport().sendMail(message);
    await transport().sendMail(message);
    expect(sink.duplicates).toBe(1);
  });
});

describe("TCP proxy", () => {
  it("adds latency, and drops live connections on command", async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const proxy = await startProxy({ targetPort: (echo.address() as net.AddressInfo).port });
    const connect = async () => {
      const socket = net.connect(proxy.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      return socket;
    };
    const roundTrip = async (socket: net.Socket) => {
      const started = Date.now();
      socket.write("ping");
      await new Promise((resolve) => socket.once("data", resolve));
      return Date.now() - started;
    };
    try {
      const first = await connect();
      expect(await roundTrip(first)).toBeLessThan(50);
      proxy.setLatency(50);
      const second = await connect();
      expect(await roundTrip(second)).toBeGreaterThanOrEqual(100);
      expect(proxy.connections).toBe(2);

      const closed = [first, second].map(
        (socket) => new Promise((resolve) => socket.once("close", resolve)),
      );
      proxy.dropAll();
      await Promise.all(closed);
      expect(proxy.connections).toBe(0);
      proxy.setLatency(0);
      expect(await roundTrip(await connect())).toBeLessThan(50);
    } finally {
      await proxy.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
