/**
 * The yearly review: each active employee gets a digest of what the cleanup
 * will delete from their mailbox and when; the deletion is queued for that
 * date. Nothing is deleted here. A mailbox whose server lacks UIDPLUS gets no
 * digest (it would announce a deletion that will be refused) and an audit entry.
 * Rerunning the job sends no second digest while a review is pending.
 * The digest speaks the employee's language (en, nl, nb), else DEFAULT_LANGUAGE;
 * its texts are in locales/<language>.json under "mail.review".
 */
import type { Config } from "../config/load-config.ts";
import { isAppError } from "../errors.ts";
import type { Employee, Prisma } from "../generated/prisma/client.ts";
import { toLocale } from "../i18n/pick-locale.ts";
import type { Locale } from "../i18n/translate.ts";
import type { JobQueue } from "../jobs.ts";
import { renderSystemEmail } from "../newsletters/render/render-system-email.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Mailer } from "../types.ts";
import { cleanupMailbox, type CleanupDeps } from "./cleanup-mailbox.ts";
import type { CleanupReport } from "./cleanup-report.ts";
import { openEmployeeMailbox } from "./open-employee-mailbox.ts";
import type { FolderSelection, SelectedMessage } from "./select-folder-messages.ts";

export const cleanupDeleteJob = "mailbox.cleanup-delete";

export interface DigestDeps extends CleanupDeps {
  config: Pick<Config, "mailboxes" | "cleanup" | "templatesDir" | "mailFrom" | "defaultLanguage">;
  mailer: Mailer;
  queue: JobQueue;
}

export interface DigestOutcome {
  sent: number;
  /** a review is pending already, or nothing would be deleted */
  skipped: number;
  refused: number;
  failed: number;
}

export async function sendCleanupDigests(
  deps: DigestDeps,
  opts: { actor: string; employeeIds?: number[] },
): Promise<DigestOutcome> {
  const outcome: DigestOutcome = { sent: 0, skipped: 0, refused: 0, failed: 0 };
  const employees = await deps.db.employee.findMany({
    where: { status: "active", ...(opts.employeeIds ? { id: { in: opts.employeeIds } } : {}) },
    orderBy: { id: "asc" },
  });
  for (const employee of employees) {
    const pending = await deps.db.cleanupRun.findFirst({
      where: { employeeId: employee.id, status: "review" },
      select: { id: true },
    });
    if (pending) {
      outcome.skipped++;
      continue;
    }
    try {
      outcome[await reviewMailbox(deps, employee, opts.actor)]++;
    } catch (error) {
      outcome.failed++;
      deps.log.error("cleanup review failed", {
        employeeId: employee.id,
        code: isAppError(error) ? error.code : ((error as { code?: string }).code ?? null),
        error: isAppError(error) ? error.message : (error as Error).name,
      });
    }
  }
  deps.log.info("cleanup digests", { ...outcome });
  return outcome;
}

async function reviewMailbox(
  deps: DigestDeps,
  employee: Employee,
  actor: string,
): Promise<"sent" | "skipped" | "refused"> {
  const { report, selections } = await cleanupMailbox(deps, employee.id, { actor, dryRun: true });
  if (!report.uidplus) {
    await recordAudit(deps.db, {
      actor,
      action: "mailbox.cleanup.refused",
      subjectType: "employee",
      subjectId: employee.id,
      detail: { missing: "UIDPLUS", stage: "review" },
    });
    deps.log.warn("cleanup review: server lacks UIDPLUS, no digest sent", {
      employeeId: employee.id,
    });
    return "refused";
  }
  if (report.totals.selected === 0) return "skipped";
  const now = deps.clock.now();
  const deleteAfter = new Date(now.getTime() + deps.config.cleanup.graceDays * 86_400_000);
  const highlights = await describeHighlights(deps, employee, selections);
  const run = await deps.db.cleanupRun.create({
    data: {
      employeeId: employee.id,
      status: "review",
      deleteAfter,
      report: { cutoff: report.cutoff } as Prisma.InputJsonValue,
    },
  });
  const locale = toLocale(employee.language) ?? deps.config.defaultLanguage ?? "en";
  try {
    const email = await renderSystemEmail(
      deps.config.templatesDir,
      "cleanup-review",
      digestFields(report, deleteAfter, highlights, locale) as unknown as Record<string, string>,
      locale,
    );
    await deps.mailer.send({
      from: deps.config.mailFrom,
      to: employee.address,
      subject: email.subject,
      html: email.html,
      text: email.text,
      messageId: `cleanup-review-${run.id}.${run.createdAt.getTime()}@${domainOf(deps.config.mailFrom)}`,
    });
  } catch (error) {
    await deps.db.cleanupRun.delete({ where: { id: run.id } });
    throw error;
  }
  await deps.db.cleanupRun.update({ where: { id: run.id }, data: { digestSentAt: now } });
  await deps.queue.at(deleteAfter, cleanupDeleteJob, { runId: run.id });
  await recordAudit(deps.db, {
    actor,
    action: "mailbox.cleanup.review-sent",
    subjectType: "employee",
    subjectId: employee.id,
    detail: {
      runId: run.id,
      deleteAfter: deleteAfter.toISOString(),
      cutoff: report.cutoff,
      selected: report.totals.selected,
      selectedBytes: report.totals.selectedBytes,
    },
  });
  return "sent";
}

interface Highlight {
  folder: string;
  message: SelectedMessage;
  subject: string;
}

/** The oldest and the biggest message: the digest names their subjects, to the employee only. */
async function describeHighlights(
  deps: DigestDeps,
  employee: Employee,
  selections: FolderSelection[],
): Promise<{ oldest: Highlight; biggest: Highlight } | null> {
  let oldest: { folder: string; message: SelectedMessage } | null = null;
  let biggest: { folder: string; message: SelectedMessage } | null = null;
  for (const s of selections)
    for (const m of s.messages) {
      if (!oldest || m.internalDate < oldest.message.internalDate)
        oldest = { folder: s.path, message: m };
      if (!biggest || m.size > biggest.message.size) biggest = { folder: s.path, message: m };
    }
  if (!oldest || !biggest) return null;
  const session = await openEmployeeMailbox(deps, employee);
  try {
    const subjectOf = async (h: { folder: string; message: SelectedMessage }) => {
      await session.mailboxOpen(h.folder, { readOnly: true });
      const m = await session.fetchOne(String(h.message.uid), { envelope: true }, { uid: true });
      return { ...h, subject: (m && m.envelope?.subject) || "(no subject)" };
    };
    return { oldest: await subjectOf(oldest), biggest: await subjectOf(biggest) };
  } finally {
    await session.logout().catch(() => {});
  }
}

const dateLocales: Record<Locale, string> = { en: "en-GB", nl: "nl-NL", nb: "nb-NO" };

/** "21 December 2026", "21 december 2026", "21. desember 2026" */
const day = (d: Date, locale: Locale) =>
  d.toLocaleDateString(dateLocales[locale], {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });

/** "1.5 MB" in English, "1,5 MB" in Dutch and Norwegian */
export function formatSize(bytes: number, locale: Locale = "en"): string {
  const number = (n: number, digits: number) =>
    n.toLocaleString(dateLocales[locale], {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  if (bytes >= 1024 * 1024) return `${number(bytes / 1024 / 1024, 1)} MB`;
  return `${number(Math.max(1, Math.round(bytes / 1024)), 0)} KB`;
}

/** The digest's values; the template's texts interpolate them (mail.review in locales/). */
export function digestFields(
  report: Pick<CleanupReport, "totals" | "cutoff" | "folders">,
  deleteAfter: Date,
  h: {
    oldest: { folder: string; message: Pick<SelectedMessage, "internalDate">; subject: string };
    biggest: { folder: string; message: Pick<SelectedMessage, "size">; subject: string };
  } | null,
  locale: Locale = "en",
): Record<string, unknown> {
  const size = (bytes: number) => formatSize(bytes, locale);
  return {
    total: report.totals.selected.toLocaleString(dateLocales[locale]),
    totalSize: size(report.totals.selectedBytes),
    cutoffDate: day(new Date(report.cutoff), locale),
    deleteDate: day(deleteAfter, locale),
    folders: report.folders
      .filter((f) => f.selected > 0)
      .map((f) => ({
        folder: f.folder,
        count: f.selected.toLocaleString(dateLocales[locale]),
        size: size(f.selectedBytes),
      })),
    oldestSubject: h?.oldest.subject ?? "",
    oldestFolder: h?.oldest.folder ?? "",
    oldestDate: h ? day(h.oldest.message.internalDate, locale) : "",
    biggestSubject: h?.biggest.subject ?? "",
    biggestFolder: h?.biggest.folder ?? "",
    biggestSize: h ? size(h.biggest.message.size) : "",
  };
}

function domainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "localhost";
}
