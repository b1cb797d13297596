/**
 * Which folders a handover copies and which it empties, and what it selects
 * in each: Trash and Junk are never copied, Drafts only with --all, virtual
 * views (\\All, \\Flagged) never (they repeat real folders). Every real
 * folder's UIDs are noted as read, for emptying after verification.
 */
import { handoverTargetPath } from "./handover-target-path.ts";
import type { FolderEntry, HandoverSession } from "./handover-types.ts";
import type { FolderReport, HandoverReport } from "./handover-report.ts";
import type { EmptyPlan } from "./empty-handover-source.ts";
import type { HandoverDeps, HandoverRequest } from "./run-handover.ts";
import {
  customerDomains,
  selectHandoverMessages,
  type SelectedMessage,
} from "./select-handover-messages.ts";
import type { Employee } from "../generated/prisma/client.ts";

export interface PlannedFolder {
  entry: FolderEntry;
  uidValidity: number;
  targetPath: string;
  targetName: string;
  seen: number[];
  selected: SelectedMessage[];
}

/** Trash and Junk never go; Drafts only with --all; virtual views (\All, \Flagged) never, they repeat real folders. */
function skipReason(entry: FolderEntry, all: boolean): string | undefined {
  const uses = entry.specialUse.map((u) => u.toLowerCase());
  if (uses.includes("\\trash")) return "trash";
  if (uses.includes("\\junk")) return "junk";
  if (uses.includes("\\all") || uses.includes("\\flagged")) return "virtual";
  if (uses.includes("\\drafts") && !all) return "drafts";
  return undefined;
}

export async function planHandoverFolders(
  deps: HandoverDeps,
  source: HandoverSession,
  target: HandoverSession,
  targetSeparator: string,
  employee: Employee,
  req: HandoverRequest,
  report: HandoverReport,
): Promise<{ copy: PlannedFolder[]; empty: EmptyPlan[] }> {
  const copy: PlannedFolder[] = [];
  const empty: EmptyPlan[] = [];
  const domains = req.all
    ? new Set<string>()
    : await customerDomains(deps.db, deps.settings.customerDomains);
  const folders = (await source.listFolders()).filter((f) => !f.noselect);
  const refused = req.dryRun
    ? []
    : await refusedCharacters(target, targetSeparator, employee.address);
  for (const entry of folders) {
    const state = await source.open(entry.path);
    const skip = skipReason(entry, req.all);
    const fr: FolderReport = { name: entry.name, messages: state.exists, selected: 0, bytes: 0 };
    report.folders.push(fr);
    if (skip) {
      fr.skipped = skip;
      if (skip !== "virtual")
        empty.push({
          path: entry.path,
          uidValidity: state.uidValidity,
          uids: await source.searchAll(),
        });
      continue;
    }
    deps.onProgress?.({
      phase: "select",
      messages: report.selected,
      totalMessages: 0,
      bytes: 0,
      totalBytes: 0,
    });
    const selection = await selectHandoverMessages(
      { db: deps.db, settings: deps.settings, now: deps.clock.now(), customerDomains: domains },
      source,
      { all: req.all },
    );
    const target = handoverTargetPath({
      employee: employee.address,
      sourcePath: entry.path,
      sourceSeparator: entry.delimiter,
      targetSeparator,
      refused,
    });
    fr.target = target.name;
    fr.selected = selection.selected.length;
    fr.bytes = selection.selected.reduce((n, m) => n + m.size, 0);
    report.selected += fr.selected;
    report.selectedBytes += fr.bytes;
    for (const m of selection.selected.slice(0, Math.max(0, 10 - report.sample.length)))
      report.sample.push({
        folder: entry.name,
        uid: m.uid,
        date: m.internalDate,
        size: m.size,
        reason: m.reason,
      });
    copy.push({
      entry,
      uidValidity: state.uidValidity,
      targetPath: target.path,
      targetName: target.name,
      seen: selection.seen,
      selected: selection.selected,
    });
    empty.push({ path: entry.path, uidValidity: state.uidValidity, uids: selection.seen });
  }
  return { copy, empty };
}

/**
 * Whether the target takes "." in a folder name (an address has one; Dovecot's
 * Maildir++ layout refuses it): creates Handover/<address> to find out.
 */
async function refusedCharacters(
  target: HandoverSession,
  separator: string,
  address: string,
): Promise<string[]> {
  const name = handoverTargetPath({
    employee: address,
    sourcePath: "",
    sourceSeparator: null,
    targetSeparator: separator,
  });
  const parent = name.path.slice(0, name.path.lastIndexOf(separator));
  try {
    await target.createFolder(parent);
    return [];
  } catch {
    const plain = handoverTargetPath({
      employee: address,
      sourcePath: "",
      sourceSeparator: null,
      targetSeparator: separator,
      refused: ["."],
    });
    await target.createFolder(plain.path.slice(0, plain.path.lastIndexOf(separator)));
    return ["."];
  }
}
