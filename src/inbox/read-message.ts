/**
 * One raw message to what it means: parse, classify, and the key that
 * recognises it again (dedupe on Message-ID within a mailbox, else on the
 * content hash). Never throws: whatever the parser or a classifier cannot
 * handle becomes `unparseable` with the reason, so one bad message cannot
 * stall the watcher (DESIGN.md invariant 8).
 */
import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import type { Classification, ParsedMessage } from "./inbox-types.ts";

export interface ReadDeps {
  parse(raw: Buffer): Promise<ParsedMessage>;
  classify(
    message: ParsedMessage,
    opts: { unsubscribeAddresses: string[]; ownAddresses?: string[] },
  ): Classification;
  unsubscribeAddresses: string[];
  ownAddresses: string[];
  /** larger messages are not parsed (recorded unparseable); default 64 MB */
  maxBytes?: number;
}

export interface ReadMessage {
  parsed: ParsedMessage | null;
  classification: Classification;
  /** "mid:<Message-ID>" or "sha256:<hex>" */
  dedupeKey: string;
  messageId: string | null;
  size: number;
}

/** The sender's own addresses and the unsubscribe address, which the classifiers need. */
export function readOptionsOf(
  config: Config,
): Pick<ReadDeps, "unsubscribeAddresses" | "ownAddresses"> {
  return {
    unsubscribeAddresses: [config.unsubscribeAddress],
    ownAddresses: [config.bounce.address, senderOf(config.mailFrom)],
  };
}

export async function readMessage(deps: ReadDeps, raw: Buffer): Promise<ReadMessage> {
  if (raw.length > (deps.maxBytes ?? 64 * 1024 * 1024))
    return unreadable(
      raw,
      `message of ${raw.length} bytes is over the ${deps.maxBytes} byte limit`,
    );
  let parsed: ParsedMessage;
  try {
    parsed = await deps.parse(raw);
  } catch (error) {
    return unreadable(raw, reasonOf(error));
  }
  let classification: Classification;
  try {
    classification = deps.classify(parsed, {
      unsubscribeAddresses: deps.unsubscribeAddresses,
      ownAddresses: deps.ownAddresses,
    });
  } catch (error) {
    classification = { kind: "unparseable", reason: `classifier failed: ${reasonOf(error)}` };
  }
  const messageId = cleanMessageId(parsed.messageId);
  return {
    parsed,
    classification,
    dedupeKey: messageId ? `mid:${messageId}` : hashKey(raw),
    messageId,
    size: raw.length,
  };
}

/** A message recorded as unparseable, recognised again by its content hash. */
export function unreadable(raw: Buffer, reason: string): ReadMessage {
  return {
    parsed: null,
    classification: { kind: "unparseable", reason },
    dedupeKey: hashKey(raw),
    messageId: null,
    size: raw.length,
  };
}

function hashKey(raw: Buffer): string {
  return `sha256:${crypto.createHash("sha256").update(raw).digest("hex")}`;
}

function senderOf(from: string): string {
  return /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").slice(0, 300) || "unknown parse failure";
}

/** Message-IDs are compared as mailparser returns them, without brackets; junk is dropped */
function cleanMessageId(id: string | null): string | null {
  const clean = id?.trim().replace(/^<|>$/g, "") ?? "";
  return clean.length > 0 && clean.length <= 900 && !/[\s\0]/.test(clean) ? clean : null;
}
