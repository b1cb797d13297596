import fs from "node:fs";
import http from "node:http";
import type { Command } from "commander";
import { previewCampaign } from "../newsletters/preview-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";
import { cliPath, untilInterrupted } from "./cli-context.ts";

/** 0600 whatever the umask, also when the file existed with wider modes. */
function writePrivate(file: string, data: string | Buffer): void {
  fs.writeFileSync(cliPath(file), data, { mode: 0o600 });
  fs.chmodSync(cliPath(file), 0o600);
}

export function register(program: Command): void {
  campaignGroup(program)
    .command("preview")
    .argument("<slug>", "the campaign")
    .description(
      "write one recipient's message as HTML and text (and .eml), for a sample reader unless --contact names one; files are mode 0600; --serve shows it in a browser",
    )
    .option(
      "--contact <email>",
      "render for the contact with this address (or id); the files then hold their data and a live unsubscribe link",
    )
    .option(
      "--out <file.html>",
      "where to write the HTML; the text goes next to it as .txt, the whole message as .eml",
      "preview.html",
    )
    .option("--serve [port]", "serve the preview on http://127.0.0.1:PORT until Ctrl-C")
    .action(
      async (slug: string, opts: { contact?: string; out: string; serve?: string | boolean }) => {
        const byId = opts.contact !== undefined && /^\d+$/.test(opts.contact);
        const message = await withApp("campaign preview", (app) =>
          previewCampaign(
            { db: app.db, config: app.config, mailer: app.mailer },
            {
              slug,
              ...(byId ? { contactId: Number(opts.contact) } : {}),
              ...(opts.contact !== undefined && !byId ? { email: opts.contact } : {}),
            },
          ),
        );
        const base = opts.out.replace(/\.html?$/i, "");
        writePrivate(`${base}.html`, message.personalised.html);
        writePrivate(`${base}.txt`, message.personalised.text);
        writePrivate(`${base}.eml`, message.raw);
        say(`subject: ${message.personalised.subject}`);
        say(
          `wrote ${base}.html, ${base}.txt and ${base}.eml (${message.raw.length} bytes) for contact ${message.recipient.contactId || "(sample)"}`,
        );
        if (opts.serve === undefined || opts.serve === false) return;
        const port = typeof opts.serve === "string" ? Number(opts.serve) : 0;
        const server = http.createServer((req, res) => {
          const text = req.url === "/text";
          res.writeHead(200, {
            "content-type": text ? "text/plain; charset=utf-8" : "text/html; charset=utf-8",
          });
          res.end(text ? message.personalised.text : message.personalised.html);
        });
        await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
        const address = server.address();
        const actual = typeof address === "object" && address ? address.port : port;
        say(`serving the preview on http://127.0.0.1:${actual}/ (text part: /text); Ctrl-C stops`);
        await untilInterrupted();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    );
}
