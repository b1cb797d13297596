// The pure parts of the cleanup: UID sets, the cutoff date, folder selection
// by SPECIAL-USE and name, secret references.
import { describe, expect, it } from "vitest";
import { cleanupCutoff } from "../../src/mailboxes/cleanup-cutoff.ts";
import { parseSecretRef } from "../../src/mailboxes/parse-secret-ref.ts";
import {
  resolveCleanupFolders,
  type ListedFolder,
} from "../../src/mailboxes/resolve-cleanup-folders.ts";
import { parseUidSet, uidSet } from "../../src/mailboxes/uid-set.ts";

const folder = (path: string, specialUse?: string, source = "extension"): ListedFolder => ({
  path,
  delimiter: "/",
  flags: new Set(),
  specialUse,
  specialUseSource: specialUse ? source : undefined,
});

describe("uidSet", () => {
  it("collapses runs, sorts, drops duplicates, and round-trips", () => {
    expect(uidSet([9, 1, 2, 3, 5, 3, 10, 11, 12])).toBe("1:3,5,9:12");
    expect(uidSet([])).toBe("");
    expect(parseUidSet("1:3,5,9:12")).toEqual([1, 2, 3, 5, 9, 10, 11, 12]);
  });
});

describe("cleanupCutoff", () => {
  it("is a UTC midnight the given number of months back, clamping the day", () => {
    expect(cleanupCutoff(new Date("2026-12-01T15:30:00Z"), 12).toISOString()).toBe(
      "2025-12-01T00:00:00.000Z",
    );
    expect(cleanupCutoff(new Date("2026-03-31T23:59:00Z"), 1).toISOString()).toBe(
      "2026-02-28T00:00:00.000Z",
    );
    expect(cleanupCutoff(new Date("2026-01-15T00:00:00Z"), 18).toISOString()).toBe(
      "2024-07-15T00:00:00.000Z",
    );
  });
});

describe("resolveCleanupFolders", () => {
  const listed = [
    folder("INBOX", undefined),
    folder("Verzonden items", "\\Sent"),
    folder("Prullenbak", "\\Trash"),
    folder("Archief", "\\Archive"),
    folder("Archief/Contracten"),
    folder("Sent", "\\Sent", "name"),
    { ...folder("Shared"), flags: new Set(["\\Noselect"]) },
  ];
  it("finds Sent, Trash and Archive by SPECIAL-USE in any language; ignores name guesses when the server advertises SPECIAL-USE", () => {
    const { folders, unmatched } = resolveCleanupFolders(
      listed,
      { folders: ["INBOX", "\\Sent", "\\Trash", "\\Junk"], keepFolders: [] },
      true,
    );
    expect(folders.map((f) => f.path)).toEqual(["INBOX", "Verzonden items", "Prullenbak"]);
    expect(unmatched).toEqual(["\\Junk"]);
  });
  it("uses name guesses when the server has no SPECIAL-USE", () => {
    const { folders } = resolveCleanupFolders(
      listed,
      { folders: ["\\Sent"], keepFolders: [] },
      false,
    );
    expect(folders.map((f) => f.path)).toEqual(["Verzonden items", "Sent"]);
  });
  it("keeps a kept folder with its subfolders; '*' is every selectable folder", () => {
    const { folders } = resolveCleanupFolders(
      listed,
      { folders: ["*"], keepFolders: ["\\Archive"] },
      true,
    );
    expect(folders.map((f) => f.path)).toEqual(["INBOX", "Verzonden items", "Prullenbak", "Sent"]);
  });
});

describe("parseSecretRef", () => {
  it("takes env: and file: references and refuses anything that looks like a password", () => {
    expect(parseSecretRef("env:MAILBOX_PAT")).toEqual({ kind: "env", name: "MAILBOX_PAT" });
    expect(parseSecretRef("file:/run/secrets/pat")).toEqual({
      kind: "file",
      path: "/run/secrets/pat",
    });
    expect(() => parseSecretRef("hunter2")).toThrow(
      /not valid; expected env:VARIABLE_NAME or file:/,
    );
    expect(() => parseSecretRef("env:bad-name")).toThrow(/not valid/);
  });
});
