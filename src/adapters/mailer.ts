import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { Config } from "../config/load-config.ts";
import { SendError, type Mailer, type OutgoingMessage } from "../types.ts";

/** SMTP when SMTP_URL is set; otherwise a folder of .eml files any mail client opens. */
export function createMailer(config: Pick<Config, "smtp" | "outboxDir" | "dkim">): Mailer {
  const dkim = config.dkim
    ? { domainName: config.dkim.domain, keySelector: config.dkim.selector, privateKey: fs.readFileSync(config.dkim.privateKeyFile, "utf8") }
    : undefined;
  return config.smtp ? smtpMailer(config.smtp, dkim) : outboxMailer(config.outboxDir, dkim);
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

function smtpMailer(smtp: NonNullable<Config["smtp"]>, dkim: Dkim): Mailer {
  const options: SMTPPool.Options = {
    pool: true,
    url: smtp.url,
    maxConnections: smtp.poolSize,
    maxMessages: smtp.maxMessages,
  };
  const transport = nodemailer.createTransport(options);
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(toMail(message, dkim));
        return { response: info.response };
      } catch (error) {
        throw toSendError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

function outboxMailer(dir: string, dkim: Dkim): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    async send(message) {
      const info = await transport.sendMail(toMail(message, dkim));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${message.messageId.replace(/[^A-Za-z0-9._-]/g, "_")}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      return { response: `250 written to ${file}` };
    },
    async close() {},
  };
}

/** nodemailer errors carry `responseCode` and `response` for SMTP answers. */
export function toSendError(error: unknown): SendError {
  const e = error as { message?: string; responseCode?: number; response?: string; code?: string };
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const response = e.response ?? e.message ?? String(error);
  if (code === undefined) return new SendError(response, undefined, response, "connection");
  return new SendError(response, code, response, code >= 500 ? "permanent" : "transient");
}
