import Handlebars from "handlebars";
import { AppError } from "../../errors.ts";

/**
 * Per-recipient placeholders: `{{name}}`, `{{#if company}}...{{/if}}`. They
 * survive the campaign stage untouched and are filled by the personaliser.
 */
export const recipientFieldNames = [
  "name",
  "email",
  "company",
  "unsubscribeUrl",
  "preferencesUrl",
] as const;

const allowedHelpers = new Set(["if", "unless"]);

// Private-use code points: they cannot come from content (escapeContent drops them).
const open = "\uE000";
const close = "\uE001";
const mustache = /\{\{[^{}\n]*\}\}/g;
const sentinel = new RegExp(`${open}(\\d+)${close}`, "g");

export interface Protected {
  text: string;
  restore(text: string): string;
}

/** Swaps every `{{...}}` for an opaque marker that no later step can alter. */
export function protectPlaceholders(text: string): Protected {
  const saved: string[] = [];
  const replaced = text.replace(mustache, (m) => `${open}${saved.push(m) - 1}${close}`);
  return {
    text: replaced,
    restore: (t) => t.replace(sentinel, (_, i: string) => saved[Number(i)] ?? ""),
  };
}

export const sentinelPattern = sentinel;
export const sentinelChars = /[\uE000\uE001]/g;

/**
 * Refuses placeholders the personaliser cannot fill: a typo such as
 * `{{nmae}}` would otherwise render as nothing in every message sent.
 */
export function checkPlaceholders(text: string, where: string): void {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(text);
  } catch (error) {
    throw new AppError("invalid_template", `${where}: ${firstLine(error)}`);
  }
  const bad = new Set<string>();
  visit(ast, bad);
  if (bad.size > 0) {
    throw new AppError(
      "invalid_template",
      `${where}: unknown placeholder ${[...bad].map((b) => `"{{${b}}}"`).join(", ")}; known: ${recipientFieldNames.map((n) => `{{${n}}}`).join(", ")} and the helpers #if, #unless`,
    );
  }
}

function visit(node: unknown, bad: Set<string>): void {
  if (node === null || typeof node !== "object") return;
  const n = node as {
    type?: string;
    path?: unknown;
    params?: unknown[];
    hash?: unknown;
    original?: unknown;
  };
  switch (n.type) {
    case "PathExpression":
      if (!(recipientFieldNames as readonly string[]).includes(String(n.original)))
        bad.add(String(n.original));
      return;
    case "PartialStatement":
    case "PartialBlockStatement":
    case "Decorator":
    case "DecoratorBlock":
      bad.add("> partial");
      return;
    case "MustacheStatement":
    case "BlockStatement":
    case "SubExpression": {
      const isHelperCall = (n.params?.length ?? 0) > 0 || n.hash !== undefined;
      if (isHelperCall) {
        const helper = String((n.path as { original?: unknown }).original);
        if (!allowedHelpers.has(helper)) bad.add(helper);
      } else {
        visit(n.path, bad);
      }
      n.params?.forEach((p) => visit(p, bad));
      break;
    }
    default:
      // Content, comments and the program nodes name nothing; their children are walked below.
      break;
  }
  const { program, inverse, body } = node as {
    program?: unknown;
    inverse?: unknown;
    body?: unknown[];
  };
  visit(program, bad);
  visit(inverse, bad);
  body?.forEach((b) => visit(b, bad));
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}
