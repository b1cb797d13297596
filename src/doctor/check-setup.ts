/**
 * `mailsteward doctor`: what a deliverable set-up needs, each finding with how
 * to fix it. A finding is `fail` when mail would not be delivered, could not
 * be unsubscribed from, or would break a promise of the privacy statement;
 * `warn` when it works but should not go to production like this.
 */
import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import { formatSigningKeys } from "../config/signing-keys.ts";
import { dkimRecordName, dkimRecordText, dkimZoneLine, parseDkimRecord } from "./dkim-key.ts";
import { publicKeyBase64 } from "./dkim-key.ts";
import type { SetupCheck, SetupProbes } from "./doctor-types.ts";

export async function checkSetup(config: Config, probes: SetupProbes): Promise<SetupCheck[]> {
  const production = config.databaseUrl !== undefined;
  const health = await probes.fetchJson(`${config.publicBaseUrl}/health`);
  return [
    checkBaseUrl(config, production),
    checkReachable(config, health),
    checkPostalAddress(config),
    ...(await checkDkim(config, probes, production)),
    checkMailbox(config, health, "unsubscribe"),
    checkMailbox(config, health, "bounce"),
    ...(await checkSmtp(config, probes)),
    checkSigningKeys(config, probes, production),
  ];
}

function checkBaseUrl(config: Config, production: boolean): SetupCheck {
  const url = new URL(config.publicBaseUrl);
  if (url.protocol === "https:")
    return {
      id: "base-url-https",
      status: "ok",
      summary: `PUBLIC_BASE_URL is https (${url.origin})`,
    };
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return {
    id: "base-url-https",
    status: production || !local ? "fail" : "warn",
    summary: `PUBLIC_BASE_URL is ${url.origin}: unsubscribe links in newsletters would be plain http${local ? " and reach only this machine" : ""}`,
    fix: "put the worker behind a TLS proxy and set PUBLIC_BASE_URL=https://news.example.com (mail clients and RFC 8058 one-click need https)",
  };
}

function checkReachable(
  config: Config,
  health: { status: number; body: unknown } | { error: string },
): SetupCheck {
  const url = `${config.publicBaseUrl}/health`;
  if ("error" in health) {
    return {
      id: "base-url-reachable",
      status: "fail",
      summary: `${url} is not reachable from this machine (${health.error})`,
      fix: "start the worker (npm start), and check that PUBLIC_BASE_URL's host resolves here and the proxy forwards to HOST:PORT",
    };
  }
  const status = (health.body as { status?: unknown } | null)?.status;
  if (health.status === 200 && status === "ok")
    return { id: "base-url-reachable", status: "ok", summary: `${url} answers: the worker is up` };
  if (health.status === 503 && status === "unavailable")
    return {
      id: "base-url-reachable",
      status: "fail",
      summary: `${url} answers 503: the worker is up but ${describeDown(health.body)}`,
      fix: "see the worker's log; `mailsteward inbox status` shows the watchers",
    };
  return {
    id: "base-url-reachable",
    status: "fail",
    summary: `${url} answers ${health.status}, not mailsteward's health check`,
    fix: "PUBLIC_BASE_URL must lead to this worker: check the proxy's routes for /health, /u/ and /admin",
  };
}

function describeDown(body: unknown): string {
  const b = body as { database?: boolean; jobs?: boolean; inbox?: { down?: string[] } };
  const parts = [
    b.database === false && "the database does not answer",
    b.jobs === false && "the job runner does not answer",
    (b.inbox?.down?.length ?? 0) > 0 && `inbox watchers are down (${b.inbox!.down!.join(", ")})`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join("; ") : "something is down";
}

function checkPostalAddress(config: Config): SetupCheck {
  if (config.postalAddress.trim() !== "")
    return { id: "postal-address", status: "ok", summary: "POSTAL_ADDRESS is set" };
  return {
    id: "postal-address",
    status: "fail",
    summary: "POSTAL_ADDRESS is empty: newsletters go out without the sender's postal address",
    fix: 'set POSTAL_ADDRESS="Example Ltd, Harbour Street 1, 0150 Oslo" (the footer shows it; marketing law in many countries requires it)',
  };
}

async function checkDkim(
  config: Config,
  probes: SetupProbes,
  production: boolean,
): Promise<SetupCheck[]> {
  const generate =
    "create a key with `mailsteward dkim generate --selector news --domain example.com`, publish the TXT record it prints, and set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE";
  const dkim = config.dkim;
  if (!dkim) {
    return [
      {
        id: "dkim-key",
        status: production ? "fail" : "warn",
        summary:
          "DKIM is not configured: Gmail and Yahoo reject or junk bulk mail without a signature",
        fix: generate,
      },
    ];
  }
  const file = probes.readFile(dkim.privateKeyFile);
  if ("error" in file) {
    return [
      {
        id: "dkim-key",
        status: "fail",
        summary: `DKIM_PRIVATE_KEY_FILE ${dkim.privateKeyFile} cannot be read (${file.error})`,
        fix: "give the worker's user read access (chmod 0600, owned by that user), or point DKIM_PRIVATE_KEY_FILE at the key",
      },
    ];
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(file.text);
  } catch {
    return [
      {
        id: "dkim-key",
        status: "fail",
        summary: `DKIM_PRIVATE_KEY_FILE ${dkim.privateKeyFile} is not a PEM private key`,
        fix: generate,
      },
    ];
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && type !== "ed25519") {
    return [
      {
        id: "dkim-key",
        status: "fail",
        summary: `the DKIM key is ${type ?? "of an unknown type"}; expected RSA or Ed25519`,
        fix: generate,
      },
    ];
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  const keyCheck: SetupCheck =
    type === "rsa" && bits !== undefined && bits < 2048
      ? {
          id: "dkim-key",
          status: "warn",
          summary: `the DKIM key is RSA-${bits}: receivers treat keys under 2048 bits as weak`,
          fix: generate,
        }
      : {
          id: "dkim-key",
          status: "ok",
          summary: `DKIM signs as ${dkim.selector}._domainkey.${dkim.domain} with ${type === "rsa" ? `RSA-${bits}` : "Ed25519"}${type === "ed25519" ? " (RFC 8463; some receivers verify only RSA)" : ""}`,
        };
  const published = publicKeyBase64(key);
  const name = dkimRecordName(dkim.selector, dkim.domain);
  const zone = dkimZoneLine(dkim.selector, dkim.domain, dkimRecordText(type, published));
  const answer = await probes.resolveTxt(name);
  let dnsCheck: SetupCheck;
  if (!Array.isArray(answer)) {
    dnsCheck = {
      id: "dkim-dns",
      status: "warn",
      summary: `could not look up ${name} (${answer.error})`,
      fix: `publish this record, then run doctor again where DNS is reachable:\n${zone}`,
    };
  } else {
    const keys = answer.map((text) => parseDkimRecord(text).get("p"));
    dnsCheck = keys.includes(published)
      ? { id: "dkim-dns", status: "ok", summary: `${name} publishes the key the worker signs with` }
      : {
          id: "dkim-dns",
          status: "fail",
          summary:
            keys.length === 0
              ? `${name} has no DKIM record: every signature would fail`
              : `${name} publishes a different key than DKIM_PRIVATE_KEY_FILE holds: every signature would fail`,
          fix: `publish this record (or point DKIM_PRIVATE_KEY_FILE at the matching key):\n${zone}`,
        };
  }
  return [keyCheck, dnsCheck];
}

function checkMailbox(
  config: Config,
  health: { status: number; body: unknown } | { error: string },
  role: "unsubscribe" | "bounce",
): SetupCheck {
  const id = `${role}-mailbox`;
  const address = role === "unsubscribe" ? config.unsubscribeAddress : config.bounce.address;
  const what =
    role === "unsubscribe"
      ? `mailed unsubscribes (the List-Unsubscribe mailto to ${address})`
      : `bounces (the Return-Path ${address})`;
  const mailbox = config.inbox.mailboxes.find((m) => m.role === role);
  if (!mailbox) {
    return {
      id,
      status: "fail",
      summary: `no ${role} mailbox is watched: ${what} go unread`,
      fix: `add ${role === "unsubscribe" ? "unsubscribe" : "bounces"} to INBOX_MAILBOXES and set INBOX_${role === "unsubscribe" ? "UNSUBSCRIBE" : "BOUNCES"}_URL=imaps://login@imap.example.com/INBOX with its _PASSWORD_FILE (see .env.example)`,
    };
  }
  const down =
    !("error" in health) &&
    ((health.body as { inbox?: { down?: string[] } } | null)?.inbox?.down ?? []).includes(
      mailbox.key,
    );
  if (down) {
    return {
      id,
      status: "fail",
      summary: `the ${role} mailbox "${mailbox.name}" is configured but its watcher is down`,
      fix: "`mailsteward inbox status` shows its last error (credentials, TLS, host)",
    };
  }
  return {
    id,
    status: "ok",
    summary: `${what} are watched in "${mailbox.name}" (${mailbox.host})`,
  };
}

async function checkSmtp(config: Config, probes: SetupProbes): Promise<SetupCheck[]> {
  const smtp = config.smtp;
  if (!smtp) {
    return [
      {
        id: "smtp",
        status: "fail",
        summary: `SMTP_URL is not set: mail is written to ${config.outboxDir}, not sent`,
        fix: "set SMTP_URL=smtps://login:password@smtp.example.com:465 (or smtp://...:587 with STARTTLS)",
      },
    ];
  }
  const url = new URL(smtp.url);
  const where = `${url.protocol}//${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)}`;
  const result = await probes.probeSmtp();
  const checks: SetupCheck[] = [
    result.ok
      ? {
          id: "smtp",
          status: "ok",
          summary: `${where} accepts a connection${url.username ? " and the login" : ""} with the configured TLS`,
        }
      : {
          id: "smtp",
          status: "fail",
          summary: `${where} cannot be used: ${result.error}`,
          fix: "check SMTP_URL's host, port and login, and SMTP_TLS_CA_FILE if the server's certificate comes from a private CA",
        },
  ];
  if (!smtp.tlsVerify) {
    checks.push({
      id: "smtp-tls-verify",
      status: "warn",
      summary: "SMTP_TLS_VERIFY=false: the SMTP server's certificate is not checked",
      fix: "set SMTP_TLS_CA_FILE to the CA that signed it and remove SMTP_TLS_VERIFY",
    });
  }
  if (url.protocol === "smtp:" && !smtp.requireTls) {
    checks.push({
      id: "smtp-require-tls",
      status: "warn",
      summary:
        "smtp:// without SMTP_REQUIRE_TLS: a server (or an attacker in between) that offers no STARTTLS gets mail and login in clear",
      fix: "set SMTP_REQUIRE_TLS=true, or use smtps://",
    });
  }
  return checks;
}

function checkSigningKeys(config: Config, probes: SetupProbes, production: boolean): SetupCheck {
  const generated = probes.generatedSigningKeys();
  const inUse = formatSigningKeys(config.signingKeys);
  if (production && generated !== undefined && generated === inUse) {
    return {
      id: "signing-keys",
      status: "fail",
      summary: `SIGNING_KEYS are the development keys generated into ${config.dataDir}/secrets.json`,
      fix: "set SIGNING_KEYS=k1:$(openssl rand -base64 32) from a secret store (links sent with the old keys stop working; keep them second in the list until those links may lapse)",
    };
  }
  if (!production && generated === inUse) {
    return {
      id: "signing-keys",
      status: "warn",
      summary: `the signing keys were generated into ${config.dataDir}/secrets.json: fine on the embedded default, lost with that folder`,
      fix: "back up DATA_DIR, or set SIGNING_KEYS and SUPPRESSION_KEY before going to production",
    };
  }
  return {
    id: "signing-keys",
    status: "ok",
    summary: `${config.signingKeys.length} signing key(s) from SIGNING_KEYS; new links are signed with "${config.signingKeys[0]!.id}"`,
  };
}
