import type { Command } from "commander";
import fs from "node:fs";
import path from "node:path";
import {
  dkimRecordName,
  dkimRecordText,
  dkimZoneLine,
  generateDkimKey,
  type DkimKeyType,
} from "../doctor/dkim-key.ts";
import { AppError } from "../errors.ts";
import { commandGroup } from "./command-group.ts";

// RFC 6376 §3.1: a selector is one or more DNS labels; the domain a host name.
const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const selectorPattern = new RegExp(`^${label}(?:\\.${label})*$`);
const domainPattern = new RegExp(`^${label}(?:\\.${label})+$`);

/**
 * `mailsteward dkim generate --selector S --domain D`: a key pair, the
 * private key written 0600 (never over an existing file), and the DNS TXT
 * record to publish, printed with the settings that use it.
 */
export function register(program: Command): void {
  commandGroup(program, "dkim", "DKIM keys for signing outgoing mail (RFC 6376)")
    .command("generate")
    .description("create a DKIM key pair and print the DNS TXT record to publish")
    .requiredOption(
      "--selector <selector>",
      "the selector, e.g. news (the record is at <selector>._domainkey.<domain>)",
    )
    .requiredOption(
      "--domain <domain>",
      "the signing domain, normally MAIL_FROM's, e.g. example.com",
    )
    .option(
      "--type <type>",
      "rsa (verified everywhere) or ed25519 (RFC 8463; not all receivers verify it)",
      "rsa",
    )
    .option("--bits <bits>", "RSA key size", "2048")
    .option(
      "--out <file>",
      "where to write the private key (default: dkim/<selector>.<domain>.pem)",
    )
    .action(
      (opts: { selector: string; domain: string; type: string; bits: string; out?: string }) => {
        if (!selectorPattern.test(opts.selector))
          throw new AppError(
            "invalid_input",
            `--selector ${JSON.stringify(opts.selector)} is not valid; expected DNS labels of letters, digits and hyphens, e.g. news or news2026`,
          );
        const domain = opts.domain.toLowerCase().replace(/\.$/, "");
        if (!domainPattern.test(domain))
          throw new AppError(
            "invalid_input",
            `--domain ${JSON.stringify(opts.domain)} is not valid; expected a domain name such as example.com`,
          );
        if (opts.type !== "rsa" && opts.type !== "ed25519")
          throw new AppError(
            "invalid_input",
            `--type ${JSON.stringify(opts.type)} is not valid; expected rsa or ed25519`,
          );
        const bits = Number(opts.bits);
        if (!Number.isInteger(bits))
          throw new AppError(
            "invalid_input",
            `--bits ${JSON.stringify(opts.bits)} is not valid; expected a whole number such as 2048`,
          );
        const type: DkimKeyType = opts.type;
        const file = path.resolve(opts.out ?? path.join("dkim", `${opts.selector}.${domain}.pem`));
        const pair = generateDkimKey(type, bits);
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        try {
          fs.writeFileSync(file, pair.privateKeyPem, { flag: "wx", mode: 0o600 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EEXIST")
            throw new AppError(
              "conflict",
              `${file} exists; a key in use must not be overwritten (every signature made with it would stop verifying). Choose another --out or a new --selector`,
            );
          throw error;
        }
        const name = dkimRecordName(opts.selector, domain);
        process.stdout.write(
          [
            `wrote the private key to ${file} (mode 0600; keep it secret and back it up)`,
            "",
            `Publish this TXT record at ${name}:`,
            dkimZoneLine(opts.selector, domain, dkimRecordText(type, pair.publicKeyBase64)),
            "",
            "Then set:",
            `DKIM_DOMAIN=${domain}`,
            `DKIM_SELECTOR=${opts.selector}`,
            `DKIM_PRIVATE_KEY_FILE=${file}`,
            "and run `mailsteward doctor` once the record is published.",
            "",
          ].join("\n"),
        );
      },
    );
}
