import fs from "node:fs";
import http from "node:http";
import type { Command } from "commander";
import { previewCampaign } from "../newsletters/preview-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("preview")
    .argument("<slug>", "the campaign")
    .description(
      "write one recipient's message as HTML and text (and .eml); --serve shows it in a browser",
    )
    .option("--contact <id>", "render for this contact", (v) => Number(v))
    .option("--email <address>", "render for the contact with this address")
    .option(
      "--out <file.html>",
      "where to write the HTML; the text goes next to it as .txt, the whole message as .eml",
      "preview.html",
    )
    .option("--serve [port]", "serve the preview on http://127.0.0.1:PORT until Ctrl-C")
    .action(
      async (
        slug: string,
        opts: { contact?: number; email?: string; out: string; serve?: string | boolean },
      ) => {
        const message = await withApp("campaign preview", (app) =>
          previewCampaign(
            { db: app.db, config: app.config, mailer: app.mailer },
            { slug, contactId: opts.contact, email: opts.email },
          ),
        );
        const base = opts.out.replace(/\.html?$/i, "");
        fs.writeFileSync(`${base}.html`, message.personalised.html);
        fs.writeFileSync(`${base}.txt`, message.personalised.text);
        fs.writeFileSync(`${base}.eml`, message.raw);
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
        await new Promise<void>((resolve) =>
          process.once("SIGINT", () => server.close(() => resolve())),
        );
      },
    );
}
