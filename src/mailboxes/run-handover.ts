/**
 * The offboarding handover: select, copy, verify, and only then empty the
 * departed mailbox and call the account-deletion hook.
 *
 * Invariant (DESIGN.md 5): nothing at the source is written to, let alone
 * deleted, unless every selected message of every folder passed
 * verification in this same run. Emptying deletes by UID (UID EXPUNGE,
 * RFC 4315) only the UIDs seen when the folders were read; mail that
 * arrived since stays, and the employee is then not marked departed.
 * A rerun resumes from the ledger (see copy-handover-folder.ts).
 */
import type { HandoverConfig } from "../config/handover-config.ts";
import { AppError } from "../errors.ts";
import type { Employee } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db, Logger } from "../types.ts";
import type { CallHandoverHook } from "./handover-hook-port.ts";
import { copyHandoverFolder } from "./copy-handover-folder.ts";
import { findEmployee } from "./find-employee.ts";
import { isConnectionLoss, type OpenHandoverSession } from "./handover-types.ts";
import { openHandoverConnections } from "./open-handover-connections.ts";
import { verifyHandoverFolder } from "./verify-handover-folder.ts";
import { emptyHandoverSource } from "./empty-handover-source.ts";
import { planHandoverFolders, type PlannedFolder } from "./plan-handover-folders.ts";
import { emptyReport, type HandoverReport } from "./handover-report.ts";

export interface HandoverDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  settings: HandoverConfig;
  openSession: OpenHandoverSession;
  /** the account-deletion hook (src/adapters/handover-hook.ts) */
  callHook: CallHandoverHook;
  /** where employees' secrets are read from */
  secrets: { secretsDir: string; tlsVerify: boolean; env?: NodeJS.ProcessEnv };
  actor: string;
  onProgress?: (p: HandoverProgress) => void;
}

export interface HandoverProgress {
  phase: "select" | "copy" | "verify" | "empty";
  messages: number;
  totalMessages: number;
  bytes: number;
  totalBytes: number;
}

export interface HandoverRequest {
  employee: string | number;
  successor: string | number;
  all: boolean;
  dryRun: boolean;
}

export async function runHandover(
  deps: HandoverDeps,
  req: HandoverRequest,
): Promise<HandoverReport> {
  const started = deps.clock.now();
  const employee = await findEmployee(deps.db, req.employee);
  const successor = await findEmployee(deps.db, req.successor);
  if (employee.id === successor.id)
    throw new AppError(
      "invalid_input",
      `employee ${employee.id} cannot hand over to themself; name a colleague with --to`,
    );
  if (successor.status === "departed")
    throw new AppError(
      "invalid_input",
      `successor ${successor.id} has departed; name an active colleague with --to`,
    );
  const handover = req.dryRun
    ? undefined
    : await openHandover(deps.db, employee, successor, req.all);
  const report = emptyReport({ handover: handover?.id ?? null, employee, successor, req });
  if (handover?.status === "completed") {
    report.status = "completed";
    return report;
  }
  if (handover?.status === "emptied") {
    // Only the hook is left: carry on with the report of the run that emptied the mailbox.
    const saved = handover.report as unknown as Partial<HandoverReport>;
    return finish(
      deps,
      handover.id,
      employee,
      { ...report, ...saved, errors: 0, error: undefined },
      started,
    );
  }

  const conns = await openHandoverConnections(deps, employee, successor);
  try {
    const { source, target } = await conns.control();
    requireUidPlus(source.capabilities, "source", employee.id);
    requireUidPlus(target.capabilities, "target", successor.id);
    const plan = await planHandoverFolders(
      deps,
      source,
      target,
      await target.separator(),
      employee,
      req,
      report,
    );
    let phaseStart = started.getTime();
    const phaseDone = (phase: keyof HandoverReport["phases"]) => {
      const now = deps.clock.now().getTime();
      report.phases[phase] = Math.round((now - phaseStart) / 10) / 100;
      phaseStart = now;
    };
    phaseDone("select");
    if (req.dryRun || !handover) return finalize(report, started, deps.clock);

    const progress = { messages: 0, bytes: 0 };
    const tick = (phase: HandoverProgress["phase"]) =>
      deps.onProgress?.({
        phase,
        ...progress,
        totalMessages: report.selected,
        totalBytes: report.selectedBytes,
      });
    try {
      for (const folder of plan.copy) {
        const fr = report.folders.find((r) => r.name === folder.entry.name)!;
        const result = await copyHandoverFolder(
          {
            db: deps.db,
            log: deps.log,
            conns,
            onCopied(n, bytes) {
              progress.messages += n;
              progress.bytes += bytes;
              tick("copy");
            },
          },
          ledgerFolder(handover.id, folder),
          folder.selected,
        );
        Object.assign(fr, {
          copied: result.copied,
          matched: result.matched,
          vanished: result.vanished.length,
        });
        report.copied += result.copied;
        report.copiedBytes += result.copiedBytes;
        report.matched += result.matched;
        report.alreadyInLedger += result.alreadyInLedger;
        progress.messages += result.alreadyInLedger;
        report.vanished += result.vanished.length;
        report.retries += result.retries;
        // A selected message that left the source mid-run: the selection no
        // longer matches the mailbox, so this run verifies but deletes nothing.
        const gone = new Set(result.vanished);
        if (gone.size > 0) folder.selected = folder.selected.filter((m) => !gone.has(m.uid));
      }
      phaseDone("copy");
      for (const folder of plan.copy) {
        tick("verify");
        const v = await withReconnect(report, async () =>
          verifyHandoverFolder(
            deps.db,
            (await conns.control()).target,
            ledgerFolder(handover.id, folder),
            folder.selected.map((m) => m.uid),
          ),
        );
        const fr = report.folders.find((r) => r.name === folder.entry.name)!;
        Object.assign(fr, {
          verified: v.verified,
          missing: v.missing.length,
          mismatched: v.mismatched.length,
          duplicates: v.duplicates.length,
        });
        report.verified += v.verified;
        report.verifiedBytes += v.verifiedBytes;
        report.missing += v.missing.length;
        report.mismatched += v.mismatched.length;
        report.duplicates += v.duplicates.length;
        report.extras += v.extras;
      }
    } catch (error) {
      report.errors++;
      report.error = (error as Error).message;
      await audit(deps, "handover.failed", employee.id, finalize(report, started, deps.clock));
      throw new AppError(
        "refused",
        `handover of employee ${employee.id} stopped, nothing at the source was touched: ${(error as Error).message}`,
        { report },
      );
    }
    report.verifiedOk =
      report.missing + report.mismatched + report.duplicates + report.vanished === 0 &&
      report.verified === report.selected;
    if (!report.verifiedOk) {
      report.status = "running";
      await saveReport(deps.db, handover.id, "running", finalize(report, started, deps.clock));
      await audit(deps, "handover.unverified", employee.id, report);
      return report;
    }
    await deps.db.handover.update({
      where: { id: handover.id },
      data: { status: "verified", verifiedAt: deps.clock.now() },
    });
    await audit(deps, "handover.verified", employee.id, finalize(report, started, deps.clock));

    phaseDone("verify");
    tick("empty");
    // Idempotent: UIDs already expunged are simply gone, so a cut connection is retried.
    const emptied = await withReconnect(report, async () =>
      emptyHandoverSource((await conns.control()).source, plan.empty),
    );
    phaseDone("empty");
    report.deleted = emptied.deleted;
    report.leftAtSource = emptied.left;
    if (emptied.left > 0) {
      report.status = "verified";
      await saveReport(deps.db, handover.id, "verified", finalize(report, started, deps.clock));
      await audit(deps, "handover.emptied-partly", employee.id, report);
      return report;
    }
    await deps.db.$transaction([
      deps.db.employee.update({
        where: { id: employee.id },
        data: { status: "departed", departedAt: deps.clock.now() },
      }),
      deps.db.handover.update({
        where: { id: handover.id },
        data: { status: "emptied", emptiedAt: deps.clock.now() },
      }),
    ]);
    await audit(deps, "handover.emptied", employee.id, finalize(report, started, deps.clock));
  } finally {
    await conns.closeAll();
  }
  return finish(deps, handover.id, employee, report, started);
}

async function finish(
  deps: HandoverDeps,
  handoverId: number,
  employee: Employee,
  report: HandoverReport,
  started: Date,
): Promise<HandoverReport> {
  report.verifiedOk ||= true;
  try {
    report.hook = await deps.callHook(deps.settings, {
      event: "handover.emptied",
      handoverId,
      employeeId: employee.id,
      address: employee.address,
      login: employee.login,
    });
  } catch (error) {
    report.hook = "failed";
    report.errors++;
    report.error = (error as Error).message;
    report.status = "emptied";
    await saveReport(deps.db, handoverId, "emptied", finalize(report, started, deps.clock));
    await audit(deps, "handover.hook-failed", employee.id, report);
    throw error;
  }
  report.status = "completed";
  await saveReport(
    deps.db,
    handoverId,
    "completed",
    finalize(report, started, deps.clock),
    deps.clock.now(),
  );
  await audit(deps, "handover.completed", employee.id, report);
  return report;
}

async function openHandover(db: Db, employee: Employee, successor: Employee, all: boolean) {
  const open = await db.handover.findFirst({
    where: { employeeId: employee.id },
    orderBy: { id: "desc" },
  });
  if (open && open.successorId !== successor.id && open.status !== "completed")
    throw new AppError(
      "conflict",
      `employee ${employee.id} is already being handed over to employee ${open.successorId} (handover ${open.id}, ${open.status}); rerun with --to ${open.successorId} to finish it`,
    );
  if (open && (open.status !== "completed" || employee.status === "departed")) {
    if (open.all !== all) await db.handover.update({ where: { id: open.id }, data: { all } });
    return open;
  }
  await db.employee.update({
    where: { id: employee.id },
    data: { status: "departing", successorId: successor.id },
  });
  return db.handover.create({ data: { employeeId: employee.id, successorId: successor.id, all } });
}

/** Runs `fn` again on fresh connections after a lost one (verification and emptying are idempotent). */
async function withReconnect<T>(report: HandoverReport, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isConnectionLoss(error) || attempt >= 5) throw error;
      report.retries++;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

function requireUidPlus(capabilities: ReadonlySet<string>, side: string, employeeId: number): void {
  if (!capabilities.has("UIDPLUS"))
    throw new AppError(
      "refused",
      `the ${side} server (employee ${employeeId}) does not offer UIDPLUS (RFC 4315); the handover needs it to learn where each copy landed (APPENDUID) and to delete by UID (UID EXPUNGE) rather than risk a plain EXPUNGE; nothing was copied or deleted`,
    );
}

function ledgerFolder(handoverId: number, folder: PlannedFolder) {
  return {
    handoverId,
    sourceFolder: folder.entry.path,
    sourceUidValidity: folder.uidValidity,
    targetFolder: folder.targetPath,
    targetPath: folder.targetPath,
  };
}

function finalize(report: HandoverReport, started: Date, clock: Clock): HandoverReport {
  report.seconds = Math.round((clock.now().getTime() - started.getTime()) / 100) / 10;
  return report;
}

async function saveReport(
  db: Db,
  id: number,
  status: "running" | "verified" | "emptied" | "completed",
  report: HandoverReport,
  finishedAt?: Date,
): Promise<void> {
  await db.handover.update({
    where: { id },
    data: {
      status,
      report: JSON.parse(JSON.stringify(report)),
      ...(finishedAt ? { finishedAt } : {}),
    },
  });
}

/**
 * Counts and sizes per folder only: the sample stays out of the audit log,
 * and so do target folder names, which hold the employee's address.
 */
async function audit(
  deps: HandoverDeps,
  action: string,
  employeeId: number,
  report: HandoverReport,
) {
  const { sample: _sample, folders, ...rest } = report;
  void _sample;
  const detail = { ...rest, folders: folders.map(({ target: _target, ...f }) => f) };
  await recordAudit(deps.db, {
    actor: deps.actor,
    action,
    subjectType: "employee",
    subjectId: employeeId,
    detail: JSON.parse(JSON.stringify(detail)),
  });
}
