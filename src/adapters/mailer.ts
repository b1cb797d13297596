import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import path from "node:path";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { Config } from "../config/load-config.ts";
import { AppError } from "../errors.ts";
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
  const signer = config.dkim ? loadDkimSigner(config.dkim) : undefined;
  return config.smtp ? smtpMailer(config.smtp, signer) : outboxMailer(config.outboxDir, signer);
}

/**
 * System mail is composed by nodemailer and signed by our own signer, as
 * campaign mail is: nodemailer's DKIM signs RSA only and, given an Ed25519
 * key, sends the message unsigned without a word.
 */
const composer = () =>
  nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });

/** header fields signed when present (RFC 6376 §5.4.1's recommendations) */
const signedFields = new Set([
  "from",
  "reply-to",
  "subject",
  "date",
  "to",
  "cc",
  "message-id",
  "in-reply-to",
  "references",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "list-id",
  "list-unsubscribe",
  "list-unsubscribe-post",
]);

async function composeMessage(
  transport: ReturnType<typeof composer>,
  message: OutgoingMessage,
  signer: DkimSigner | undefined,
): Promise<{ envelope: { from: string; to: string[] }; raw: Buffer }> {
  const info = (await transport.sendMail(toMail(message))) as unknown as {
    envelope: { from: string | false; to: string[] };
    message: Buffer;
  };
  const envelope = { from: info.envelope.from || "", to: info.envelope.to };
  if (!signer) return { envelope, raw: info.message };
  const raw = info.message;
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.toString("latin1", 0, split);
  const body = raw.subarray(split + 4);
  const fields: Array<[string, string]> = [];
  for (const field of head.split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(":");
    const name = field.slice(0, colon);
    if (signedFields.has(name.toLowerCase())) fields.push([name, field.slice(colon + 1)]);
  }
  const signature = signer.signAsync
    ? await signer.signAsync(fields, body)
    : signer.sign(fields, body);
  return { envelope, raw: Buffer.concat([Buffer.from(signature, "latin1"), raw]) };
}

function toMail(message: OutgoingMessage): Mail.Options {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: `<${message.messageId}>`,
    headers: message.headers,
  };
}

/**
 * How to reach SMTP_URL: smtps:// is TLS from the first byte (RFC 8314 §3.3);
 * smtp:// upgrades with STARTTLS (RFC 3207) whenever the server offers it, and
 * with `requireTls` refuses a server that does not. Certificates are verified
 * (against SMTP_TLS_CA_FILE when set) unless the operator opted out.
 */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  tls: tls.ConnectionOptions;
  auth: { user: string; pass: string } | undefined;
}

export function smtpSettings(smtp: NonNullable<Config["smtp"]>): SmtpSettings {
  const url = new URL(smtp.url);
  const secure = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let ca: Buffer | undefined;
  if (smtp.caFile) {
    try {
      ca = fs.readFileSync(smtp.caFile);
    } catch (error) {
      throw new AppError(
        "config",
        `SMTP_TLS_CA_FILE: cannot read ${smtp.caFile} (${(error as NodeJS.ErrnoException).code ?? "error"}); expected a PEM file of CA certificates`,
      );
    }
  }
  return {
    host,
    port: Number(url.port || (secure ? 465 : 587)),
    secure,
    requireTls: smtp.requireTls,
    tls: {
      rejectUnauthorized: smtp.tlsVerify,
      ...(ca ? { ca } : {}),
      // SNI carries host names only (RFC 6066 §3); an address is checked against the certificate's IP SANs
      ...(net.isIP(host) ? {} : { servername: host }),
    },
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
  };
}

/**
 * nodemailer pool options for SMTP_URL, for the benchmark's ceiling, which
 * must use the same transport settings; the worker itself sends through one
 * raw pool (see smtpMailer).
 */
export function smtpPoolOptions(
  smtp: NonNullable<Config["smtp"]>,
): SMTPPool.Options & { maxRequeues: number } {
  const settings = smtpSettings(smtp);
  const { host, port, secure } = settings;
  return {
    pool: true,
    host,
    port,
    secure,
    requireTLS: settings.requireTls,
    tls: settings.tls,
    ...(settings.auth ? { auth: settings.auth } : {}),
    // Nagle's algorithm holds DATA's final "." back until the body's segment is
    // acknowledged, which a delayed ACK makes 40 ms: one message per 40 ms per
    // connection. Our own sockets, with TCP_NODELAY.
    getSocket: (_options, callback) => {
      connectSocket(settings).then(
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

function connectSocket(settings: SmtpSettings): Promise<net.Socket> {
  const { host, port, secure } = settings;
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, ...settings.tls })
      : net.connect({ host, port, noDelay: true });
    socket.setNoDelay(true);
    socket.once("error", reject);
    socket.once(secure ? "secureConnect" : "connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
  });
}

/**
 * Every form in which the SMTP password could reach an error text: as given,
 * URL-encoded, and base64 as AUTH PLAIN and AUTH LOGIN send it (RFC 4616,
 * draft-murchison-sasl-login). An error message is logged and stored; the
 * password must never be in it.
 */
function redactor(auth: SmtpSettings["auth"]): (text: string) => string {
  if (!auth?.pass) return (text) => text;
  const forms = [
    auth.pass,
    encodeURIComponent(auth.pass),
    Buffer.from(auth.pass).toString("base64"),
    Buffer.from(`\u0000${auth.user}\u0000${auth.pass}`).toString("base64"),
  ].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((out, form) => out.split(form).join("[redacted]"), text);
}

/**
 * One pool of SMTP connections per worker, for campaigns and system mail
 * alike, so a worker never holds more than SMTP_POOL_SIZE connections: system
 * mail is built (and DKIM-signed) by nodemailer's MIME composer, then sent as
 * raw bytes through the same pool as campaign messages.
 */
function smtpMailer(smtp: NonNullable<Config["smtp"]>, signer: DkimSigner | undefined): Mailer {
  const settings = smtpSettings(smtp);
  const redact = redactor(settings.auth);
  const compose = composer();
  // campaign messages skip the Mail object nodemailer's pool builds per message; see raw-smtp-pool.ts
  const rawPool = createRawSmtpPool({
    secure: settings.secure,
    requireTls: settings.requireTls,
    tls: settings.tls,
    ...(settings.auth ? { auth: settings.auth } : {}),
    size: smtp.poolSize,
    maxMessages: smtp.maxMessages,
    connect: () => connectSocket(settings),
  });
  const sendBytes = async (envelope: { from: string; to: string[] }, raw: Buffer) => {
    try {
      return await rawPool.send(envelope, raw);
    } catch (error) {
      // until DATA's final "." (RFC 5321 §4.1.1.4) is written the server cannot have accepted the message
      const handedOver = (error as { handedOver?: boolean }).handedOver === true;
      throw toSendError(error, handedOver, redact);
    }
  };
  return {
    dkim: signer,
    poolSize: smtp.poolSize,
    async send(message) {
      let composed: Awaited<ReturnType<typeof composeMessage>>;
      try {
        composed = await composeMessage(compose, message, signer);
      } catch (error) {
        throw toSendError(error, false, redact);
      }
      return sendBytes(composed.envelope, composed.raw);
    },
    sendRaw(envelope: Envelope, raw: Buffer) {
      return sendBytes({ from: envelope.from, to: [envelope.to] }, raw);
    },
    async close() {
      rawPool.close();
      await signer?.close?.();
    },
  };
}

function outboxMailer(dir: string, signer: DkimSigner | undefined): Mailer {
  const transport = composer();
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
      const { raw } = await composeMessage(transport, message, signer);
      return write(message.messageId, raw);
    },
    async sendRaw(_envelope, raw) {
      return write(`${Date.now()}-${crypto.randomBytes(6).toString("hex")}`, raw);
    },
    async close() {
      await signer?.close?.();
    },
  };
}

/** nodemailer's error types for a session that failed before MAIL FROM */
const transportFailures = new Set(["EAUTH", "ETLS", "ECONNECTION", "EPROTOCOL", "ESOCKET"]);

/**
 * nodemailer errors carry `responseCode` and `response` for SMTP answers;
 * without them the connection failed, and `handedOver` says whether the whole
 * message may have reached the server first.
 */
export function toSendError(
  error: unknown,
  handedOver: boolean,
  redact: (text: string) => string = (text) => text,
): SendError {
  const e = error as { message?: string; responseCode?: number; response?: string; code?: string };
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const response = redact(e.response ?? e.message ?? String(error));
  // nodemailer refuses a malformed address before talking to the server
  if (code === undefined && e.code === "EENVELOPE")
    return new SendError(response, undefined, response, "permanent");
  if (code === undefined)
    return new SendError(response, undefined, response, "connection", handedOver);
  // Refused before any envelope (greeting, EHLO, STARTTLS, AUTH: wrong credentials are 535
  // 5.7.8, RFC 4954 §6): our transport failed, not the recipient; the message was never
  // handed over, and it may go once the transport is fixed.
  if (e.code !== undefined && transportFailures.has(e.code)) {
    // nodemailer's message says which step failed ("Invalid login: 535 ...")
    const text = e.message ? redact(e.message) : response;
    return new SendError(text, code, text, "connection", false);
  }
  return new SendError(response, code, response, code >= 500 ? "permanent" : "transient");
}
