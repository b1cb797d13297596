import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { parseMime } from "../adapters/parse-mime.ts";
import { isAppError } from "../errors.ts";
import { classifyMessage } from "../inbox/classify-message.ts";
import type { ParsedMessage } from "../inbox/inbox-types.ts";
import { commandGroup } from "./command-group.ts";
import { cliPath, cliStdout, setCliExitCode } from "./cli-context.ts";

/**
 * `mailsteward inbox classify --json FILE...`: the production parse and classification
 * on .eml files, one JSON object per file per line, in the order given.
 *
 * Needs no database and no configuration, so it works with an empty environment: it
 * does not go through withApp/openApp and never loads the config. The unsubscribe
 * address is `--unsubscribe-address`, else UNSUBSCRIBE_ADDRESS if set, else any
 * recipient whose local part is `unsubscribe` (what the default set-up uses). A file
 * that cannot be read or parsed prints as `unparseable` with the reason, and the rest
 * go on; the exit code is 0 unless no file could be read at all.
 */
export function register(program: Command): void {
  inboxGroup(program)
    .command("classify")
    .description(
      "parse .eml files and print what each one is (reply, bounce, ...), without a database",
    )
    .argument("<files...>", ".eml files (RFC 5322 messages)")
    .option("--json", "one JSON object per file per line (the only format)")
    .option(
      "--unsubscribe-address <address...>",
      "the bare unsubscribe address(es) (default: UNSUBSCRIBE_ADDRESS, else any unsubscribe@)",
    )
    .option("--own-address <address...>", "our own addresses, never a bounced recipient")
    .option("--details", "add a details object: token, original Message-ID, diagnostics, reasons")
    .action(
      async (
        files: string[],
        opts: { unsubscribeAddress?: string[]; ownAddress?: string[]; details?: boolean },
      ) => {
        let unreadable = 0;
        for (const file of files) {
          const line = await classifyFile(file, opts);
          if (line.kind === "unparseable" && line.unreadable) unreadable++;
          delete line.unreadable;
          cliStdout().write(JSON.stringify(line) + "\n");
        }
        if (unreadable === files.length) setCliExitCode(1);
      },
    );
}

/** The `inbox` command group; `inbox status` and the others attach to the same one. */
export function inboxGroup(program: Command): Command {
  return commandGroup(program, "inbox", "watched mailboxes: classify messages, show the watchers");
}

interface Line {
  file: string;
  kind: string;
  [field: string]: unknown;
}

async function classifyFile(
  file: string,
  opts: { unsubscribeAddress?: string[]; ownAddress?: string[]; details?: boolean },
): Promise<Line> {
  let raw: Buffer;
  try {
    raw = await readFile(cliPath(file));
  } catch (error) {
    const reason = `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    return { file, kind: "unparseable", reason, unreadable: true };
  }
  let message: ParsedMessage;
  try {
    message = await parseMime(raw);
  } catch (error) {
    if (isAppError(error, "unparseable"))
      return { file, kind: "unparseable", reason: error.message };
    return { file, kind: "unparseable", reason: `parser error: ${String(error)}` };
  }
  const configured =
    opts.unsubscribeAddress ??
    (process.env.UNSUBSCRIBE_ADDRESS ? [process.env.UNSUBSCRIBE_ADDRESS] : []);
  const unsubscribeAddresses =
    configured.length > 0 ? configured.map((a) => a.toLowerCase()) : unsubscribeRecipients(message);
  const result = classifyMessage(message, {
    unsubscribeAddresses,
    ownAddresses: opts.ownAddress ?? [],
  });
  // The issue fixes the fields: file and kind always, recipients for bounces, text and
  // removed for replies, reason for unparseable. --details adds the rest of what the
  // classifier found (token, original Message-ID, diagnostics, reasons).
  const line: Line = { file, kind: result.kind };
  if (result.kind === "bounce")
    line.recipients = result.recipients.map(({ address, status, action, verdict }) => ({
      address,
      status,
      action,
      verdict,
    }));
  if (result.kind === "reply") Object.assign(line, { text: result.text, removed: result.removed });
  if (result.kind === "unparseable") line.reason = result.reason;
  if (opts.details) {
    const { kind: _kind, ...rest } = result;
    line.details = rest;
  }
  return line;
}

/** Without configuration: every recipient `unsubscribe@d` or `unsubscribe+x@d` names base `unsubscribe@d`. */
function unsubscribeRecipients(message: ParsedMessage): string[] {
  return [
    ...message.deliveredTo,
    ...message.to.map((e) => e.address),
    ...message.cc.map((e) => e.address),
  ]
    .map((address) => /^unsubscribe(\+[^@]*)?(@.+)$/i.exec(address))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `unsubscribe${m[2]!.toLowerCase()}`);
}
