/**
 * The cleanup of one mailbox. Invariant (DESIGN.md 6): only what the policy
 * selects is deleted, only after the announced date, only by UID (UIDPLUS
 * UID EXPUNGE, RFC 4315), never by a plain EXPUNGE. A server without UIDPLUS
 * is refused before anything is touched. A lost connection is re-opened and
 * the run carries on: the step under way when it dropped was saved in the run
 * row first (cleanup-pending.ts) and is settled before anything else; every
 * batch is checked against the server again right before it goes.
 */
import type { ImapSession } from "../adapters/imap-connect.ts";
import type { Config } from "../config/load-config.ts";
import { AppError, isAppError } from "../errors.ts";
import type { CleanupRun, Employee } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";
import { cleanupCutoff } from "./cleanup-cutoff.ts";
import { settlePendingDeletion, type PendingDeletion } from "./cleanup-pending.ts";
import { cleanupPolicy, type CleanupPolicy } from "./cleanup-policy.ts";
import { totalsOf, type CleanupFolderReport, type CleanupReport } from "./cleanup-report.ts";
import {
  failCleanupRun,
  finishCleanupRun,
  openCleanupRun,
  refuseUnsafeServer,
  runProgress,
  savePendingDeletion,
  saveRunProgress,
  type RunProgress,
} from "./cleanup-run.ts";
import { deleteFolderSelection } from "./delete-folder-selection.ts";
import { findEmployee } from "./find-employee.ts";
import { loadKeepRules, type KeepRules } from "./load-keep-rules.ts";
import { openEmployeeMailbox, type MailboxDeps } from "./open-employee-mailbox.ts";
import { findCleanupTargets } from "./plan-cleanup.ts";
import { selectFolderMessages, type FolderSelection } from "./select-folder-messages.ts";

export interface CleanupDeps extends MailboxDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "mailboxes" | "cleanup">;
}

export interface CleanupProgress {
  phase: "select" | "delete";
  folder: string;
  done: number;
  total: number;
}

export interface CleanupOptions {
  actor: string;
  dryRun?: boolean;
  /** the run a review digest announced; without it (CLI) a run is opened now, or an unfinished one resumed */
  runId?: number;
  onProgress?: (p: CleanupProgress) => void;
  /** connection attempts in all; default 5 */
  maxAttempts?: number;
  /** pause before reconnecting, times the attempt number; default 500 ms */
  retryDelayMs?: number;
  batchSize?: number;
}

export interface CleanupOutcome {
  report: CleanupReport;
  /** for a dry run: exactly the messages that would go, per folder */
  selections: FolderSelection[];
}

interface RunState {
  cutoff: Date;
  folders: Map<string, CleanupFolderReport>;
  completed: Set<string>;
  reconnects: number;
  uidplus: boolean;
  settled: { expunged: number; restored: number } | null;
  unmatched: string[];
  selections: FolderSelection[];
}

export async function cleanupMailbox(
  deps: CleanupDeps,
  ref: string | number,
  opts: CleanupOptions,
): Promise<CleanupOutcome> {
  const employee = await findEmployee(deps.db, ref);
  if (employee.status !== "active")
    throw new AppError(
      "refused",
      `employee ${employee.id} is ${employee.status}: the handover, not the cleanup, decides what happens to this mailbox`,
    );
  const policy = cleanupPolicy(deps.config, employee.cleanupPolicy, employee.id);
  const run = opts.dryRun ? null : await openCleanupRun(deps, employee, opts.runId);
  const saved = runProgress(run);
  const state: RunState = {
    // a digest's run keeps the cutoff it announced: nothing newer than what the employee reviewed
    cutoff: saved.cutoff
      ? new Date(saved.cutoff)
      : cleanupCutoff(deps.clock.now(), policy.olderThanMonths),
    folders: new Map((saved.folders ?? []).map((f) => [f.folder, f])),
    completed: new Set(saved.completed ?? []),
    reconnects: 0,
    uidplus: false,
    settled: null,
    unmatched: [],
    selections: [],
  };
  const keep = await loadKeepRules(deps.db);
  const maxAttempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let session: ImapSession | undefined;
    try {
      session = await openEmployeeMailbox(deps, employee, { qresync: true });
      if (run) await refuseUnsafeServer(deps, session, employee, run, policy, opts.actor);
      await processMailbox(deps, session, { employee, run, policy, keep, state, opts });
      break;
    } catch (error) {
      const refused = isAppError(error, "refused");
      const lost =
        (session !== undefined && !session.usable) || isAppError(error, "mailbox_unreachable");
      if (refused || !lost || attempt >= maxAttempts) {
        if (run && !refused) await failCleanupRun(deps, run, progressOf(state), error, opts.actor);
        throw error;
      }
      state.reconnects++;
      deps.log.warn("cleanup: connection lost, resuming", {
        employeeId: employee.id,
        runId: run?.id ?? null,
        attempt,
      });
      await new Promise((resolve) => setTimeout(resolve, (opts.retryDelayMs ?? 500) * attempt));
    } finally {
      if (session?.usable) await session.logout().catch(() => {});
      else session?.close();
    }
  }
  const folders = [...state.folders.values()];
  const report: CleanupReport = {
    employeeId: employee.id,
    runId: run?.id ?? null,
    dryRun: !!opts.dryRun,
    cutoff: state.cutoff.toISOString(),
    deleteMode: policy.deleteMode,
    policyIsDefault: policy.isDefault,
    folders,
    unmatchedFolders: state.unmatched,
    totals: totalsOf(folders),
    uidplus: state.uidplus,
    reconnects: state.reconnects,
    settled: state.settled,
  };
  if (run) await finishCleanupRun(deps, run, report, opts.actor);
  return { report, selections: state.selections };
}

function progressOf(state: RunState): RunProgress {
  return {
    cutoff: state.cutoff.toISOString(),
    completed: [...state.completed],
    folders: [...state.folders.values()],
  };
}

async function processMailbox(
  deps: CleanupDeps,
  session: ImapSession,
  ctx: {
    employee: Employee;
    run: CleanupRun | null;
    policy: CleanupPolicy;
    keep: KeepRules;
    state: RunState;
    opts: CleanupOptions;
  },
): Promise<void> {
  const { run, state, opts } = ctx;
  state.uidplus = session.capabilities.has("UIDPLUS");
  const pending = run
    ? ((await deps.db.cleanupRun.findUnique({ where: { id: run.id }, select: { pending: true } }))
        ?.pending as PendingDeletion | null)
    : null;
  if (run && pending) {
    const settled = await settlePendingDeletion(session, pending);
    state.settled = {
      expunged: (state.settled?.expunged ?? 0) + settled.expunged,
      restored: (state.settled?.restored ?? 0) + settled.restored,
    };
    if (pending.stage === "flag") {
      const entry =
        state.folders.get(pending.folder) ??
        emptyFolderReport({ path: pending.folder, specialUse: null });
      state.folders.set(pending.folder, entry);
      entry.deleted += settled.expunged;
    }
    await savePendingDeletion(deps.db, run.id, null);
  }
  const targets = await findCleanupTargets(session, ctx.policy);
  state.unmatched = targets.unmatched;
  if (run && ctx.policy.deleteMode === "trash" && targets.trashPath === null)
    throw new AppError(
      "refused",
      `employee ${ctx.employee.id}: CLEANUP_DELETE_MODE=trash, but the mailbox has no folder marked \\Trash; nothing was deleted`,
    );
  for (const folder of targets.folders) {
    if (state.completed.has(folder.path)) continue;
    const selection = await selectFolderMessages(session, folder, {
      cutoff: state.cutoff,
      keep: ctx.keep,
      readOnly: run === null,
      onProgress: (done, total) =>
        opts.onProgress?.({ phase: "select", folder: folder.path, done, total }),
    });
    const entry = state.folders.get(folder.path) ?? emptyFolderReport(folder);
    state.folders.set(folder.path, entry);
    entry.candidates = entry.deleted + selection.candidates;
    entry.keptDialogue = selection.keptDialogue;
    entry.keptCustomer = selection.keptCustomer;
    // resumed folder: the earlier attempt's deletions are counted already; the rest is selected now
    entry.selected = entry.deleted + selection.messages.length;
    entry.selectedBytes =
      entry.deletedBytes + selection.messages.reduce((sum, m) => sum + m.size, 0);
    for (const m of selection.messages) {
      const at = m.internalDate.toISOString();
      if (entry.oldest === null || at < entry.oldest) entry.oldest = at;
    }
    if (!run) {
      state.selections.push(selection);
      state.completed.add(folder.path);
      continue;
    }
    await deleteFolderSelection(session, selection, {
      cutoff: state.cutoff,
      mode: ctx.policy.deleteMode,
      trashPath: targets.trashPath,
      savePending: (p) => savePendingDeletion(deps.db, run.id, p),
      batchSize: opts.batchSize,
      onTally: (deleted, bytes, unselected) => {
        entry.deleted += deleted;
        entry.deletedBytes += bytes;
        entry.unselectedAtDeletion += unselected;
      },
      onProgress: (done, total) =>
        opts.onProgress?.({ phase: "delete", folder: folder.path, done, total }),
    });
    state.completed.add(folder.path);
    await saveRunProgress(deps.db, run.id, progressOf(state));
  }
}

function emptyFolderReport(folder: {
  path: string;
  specialUse: string | null;
}): CleanupFolderReport {
  return {
    folder: folder.path,
    specialUse: folder.specialUse,
    candidates: 0,
    keptDialogue: 0,
    keptCustomer: 0,
    selected: 0,
    selectedBytes: 0,
    deleted: 0,
    deletedBytes: 0,
    unselectedAtDeletion: 0,
    oldest: null,
  };
}
