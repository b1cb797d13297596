/**
 * The real edges of `mailsteward doctor` (src/doctor/check-setup.ts): an HTTP
 * GET, an SMTP connection through nodemailer's verify (connect, EHLO,
 * STARTTLS or implicit TLS, AUTH, QUIT), a DNS TXT lookup, and files.
 */
import dns from "node:dns/promises";
import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Config } from "../config/load-config.ts";
import type { SetupProbes } from "../doctor/doctor-types.ts";
import { smtpSettings } from "./mailer.ts";

const timeoutMs = 8000;

export function createSetupProbes(config: Config): SetupProbes {
  return {
    async fetchJson(url) {
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "manual",
        });
        const text = await response.text();
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the caller says it is not our health check
        }
        return { status: response.status, body };
      } catch (error) {
        return { error: describeFetchError(error) };
      }
    },
    async probeSmtp() {
      if (!config.smtp) return { ok: false, error: "SMTP_URL is not set" };
      let settings;
      try {
        settings = smtpSettings(config.smtp);
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
      const transport = nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        requireTLS: settings.requireTls,
        tls: settings.tls,
        ...(settings.auth ? { auth: settings.auth } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        await transport.verify();
        return { ok: true };
      } catch (error) {
        return { ok: false, error: scrub(describeSmtpError(error), settings.auth?.pass) };
      } finally {
        transport.close();
      }
    },
    async resolveTxt(name) {
      try {
        const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
        const records = await resolver.resolveTxt(name);
        return records.map((strings) => strings.join(""));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // no such name, or no TXT at it: an answer, not a failed lookup
        if (code === "ENOTFOUND" || code === "ENODATA") return [];
        return { error: code ?? (error as Error).message };
      }
    },
    readFile(file) {
      try {
        return { text: fs.readFileSync(file, "utf8") };
      } catch (error) {
        return { error: (error as NodeJS.ErrnoException).code ?? "unreadable" };
      }
    },
    generatedSigningKeys() {
      try {
        const stored = JSON.parse(
          fs.readFileSync(path.join(config.dataDir, "secrets.json"), "utf8"),
        ) as { signingKeys?: unknown };
        return typeof stored.signingKeys === "string" ? stored.signingKeys : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function describeSmtpError(error: unknown): string {
  const e = error as Error & { code?: string; response?: string };
  // nodemailer's codes: ECONNECTION, ETIMEDOUT, ETLS, EAUTH, ESOCKET...
  const tls = /certificate|self[- ]signed|CERT_|unable to verify/i.test(e.message)
    ? " (the certificate does not verify)"
    : "";
  return `${e.code ? `${e.code}: ` : ""}${e.response ?? e.message}${tls}`;
}

/** A server may echo what it was sent; a password must never reach the output. */
function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}
