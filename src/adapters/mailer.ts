import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import path from "node:path";
import { Readable } from "node:stream";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { Config } from "../config/load-config.ts";
import {
  SendError,
  type DkimSigner,
  type Envelope,
  type Mailer,
  type OutgoingMessage,
} from "../types.ts";
import { loadDkimSigner } from "./dkim.ts";
import { createRawSmtpPool } from "./raw-smtp-pool.ts";

/** SMTP when SMTP_URL is set; otherwise a folder of .eml files any mail client opens. */
export function createMailer(config: Pick<Config, "smtp" | "outboxDir" | "dkim">): Mailer {
  const dkim = config.dkim
    ? {
        domainName: config.dkim.domain,
        keySelector: config.dkim.selector,
        privateKey: fs.readFileSync(config.dkim.privateKeyFile, "utf8"),
      }
    : undefined;
  const signer = config.dkim ? loadDkimSigner(config.dkim) : undefined;
  return config.smtp
    ? smtpMailer(config.smtp, dkim, signer)
    : outboxMailer(config.outboxDir, dkim, signer);
}

type Dkim = Mail.Options["dkim"];

function toMail(message: OutgoingMessage, dkim: Dkim): Mail.Options {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: `<${message.messageId}>`,
    headers: message.headers,
    dkim,
  };
}

/**
 * nodemailer pool options for SMTP_URL (exported for the benchmark's ceiling,
 * which must use the same transport settings).
 */
export function smtpPoolOptions(
  smtp: NonNullable<Config["smtp"]>,
): SMTPPool.Options & { maxRequeues: number } {
  const url = new URL(smtp.url);
  const secure = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 465 : 587));
  return {
    pool: true,
    host,
    port,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // Nagle's algorithm holds DATA's final "." back until the body's segment is
    // acknowledged, which a delayed ACK makes 40 ms: one message per 40 ms per
    // connection. Our own sockets, with TCP_NODELAY.
    getSocket: (_options, callback) => {
      connectSocket(host, port, secure).then(
        (socket) => callback(null, { connection: socket, ...(secure ? { secured: true } : {}) }),
        (error: Error) => callback(error, undefined),
      );
    },
    maxConnections: smtp.poolSize,
    maxMessages: smtp.maxMessages,
    // nodemailer's pool re-sends a message whose connection closed, even when
    // the server may have accepted it before closing: a double send. We decide.
    maxRequeues: 0,
  };
}

function connectSocket(host: string, port: number, secure: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, servername: host })
      : net.connect({ host, port, noDelay: true });
    socket.setNoDelay(true);
    socket.once("error", reject);
    socket.once(secure ? "secureConnect" : "connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
  });
}

function smtpMailer(
  smtp: NonNullable<Config["smtp"]>,
  dkim: Dkim,
  signer: DkimSigner | undefined,
): Mailer {
  const options = smtpPoolOptions(smtp);
  const transport = nodemailer.createTransport(options);
  // campaign messages (sendRaw) skip the Mail object nodemailer's pool builds per message; see raw-smtp-pool.ts
  const rawPool = createRawSmtpPool({
    host: options.host!,
    port: options.port!,
    secure: options.secure!,
    ...(options.auth ? { auth: options.auth as { user: string; pass: string } } : {}),
    size: smtp.poolSize,
    maxMessages: smtp.maxMessages,
    connect: () => connectSocket(options.host!, options.port!, options.secure!),
  });
  return {
    dkim: signer,
    poolSize: smtp.poolSize,
    async send(message) {
      try {
        const info = await transport.sendMail(toMail(message, dkim));
        return { response: info.response };
      } catch (error) {
        throw toSendError(error, true);
      }
    },
    async sendRaw(envelope: Envelope, raw: Buffer) {
      // The message goes in as a stream so we learn whether all of it was
      // read: until its last byte is consumed the final "." of DATA (RFC 5321
      // §4.1.1.4) cannot have been sent, so the server cannot have accepted it.
      let consumed = false;
      const stream = new Readable({
        read() {
          this.push(raw);
          this.push(null);
        },
      });
      stream.once("end", () => (consumed = true));
      try {
        return await rawPool.send({ from: envelope.from, to: [envelope.to] }, stream);
      } catch (error) {
        throw toSendError(error, consumed);
      }
    },
    async close() {
      transport.close();
      rawPool.close();
      await signer?.close?.();
    },
  };
}

function outboxMailer(dir: string, dkim: Dkim, signer: DkimSigner | undefined): Mailer {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "windows",
  });
  // The name comes from what our code chose (the Message-ID it set, or a fresh random one),
  // never from parsing the message: a 100,000-character header must not become a file name.
  // Files are 0600 in a 0700 folder: each holds an address and a live unsubscribe link.
  const write = (name: string, data: Buffer) => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const safe = name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120);
    const file = path.join(dir, `${safe}.eml`);
    // write then rename: a mail client watching the folder never sees half a message
    fs.writeFileSync(`${file}.part`, data, { mode: 0o600 });
    fs.renameSync(`${file}.part`, file);
    return { response: `250 written to ${file}` };
  };
  return {
    dkim: signer,
    poolSize: 1,
    async send(message) {
      const info = await transport.sendMail(toMail(message, dkim));
      return write(message.messageId, info.message as Buffer);
    },
    async sendRaw(_envelope, raw) {
      return write(`${Date.now()}-${crypto.randomBytes(6).toString("hex")}`, raw);
    },
    async close() {
      await signer?.close?.();
    },
  };
}

/**
 * nodemailer errors carry `responseCode` and `response` for SMTP answers;
 * without them the connection failed, and `handedOver` says whether the whole
 * message may have reached the server first.
 */
export function toSendError(error: unknown, handedOver: boolean): SendError {
  const e = error as { message?: string; responseCode?: number; response?: string; code?: string };
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const response = e.response ?? e.message ?? String(error);
  // nodemailer refuses a malformed address before talking to the server
  if (code === undefined && e.code === "EENVELOPE")
    return new SendError(response, undefined, response, "permanent");
  if (code === undefined)
    return new SendError(response, undefined, response, "connection", handedOver);
  return new SendError(response, code, response, code >= 500 ? "permanent" : "transient");
}
