/**
 * The handover's report: counts and sizes per folder, in the spirit of
 * imapsync's closing lines, kept in the audit log and on the handover row.
 * Never subjects or addresses; the dry run's sample (UID, date, size, why)
 * is printed only.
 */
import type { Employee } from "../generated/prisma/client.ts";
import type { RelevanceReason } from "./handover-relevance.ts";

export interface FolderReport {
  name: string;
  target?: string;
  /** messages in the folder when read */
  messages: number;
  selected: number;
  bytes: number;
  skipped?: string;
  copied?: number;
  matched?: number;
  verified?: number;
  vanished?: number;
  missing?: number;
  mismatched?: number;
  duplicates?: number;
}

export interface HandoverReport {
  handoverId: number | null;
  employeeId: number;
  successorId: number;
  mode: "all" | "relevant";
  dryRun: boolean;
  status: "dry-run" | "running" | "verified" | "emptied" | "completed";
  folders: FolderReport[];
  selected: number;
  selectedBytes: number;
  copied: number;
  copiedBytes: number;
  /** found at the target without a ledger row (copied before a crash) and recorded */
  matched: number;
  alreadyInLedger: number;
  verified: number;
  verifiedBytes: number;
  verifiedOk: boolean;
  vanished: number;
  missing: number;
  mismatched: number;
  duplicates: number;
  extras: number;
  retries: number;
  deleted: number;
  leftAtSource: number;
  hook: "none" | "command" | "url" | "failed" | "not yet";
  errors: number;
  error?: string;
  seconds: number;
  /** wall time per phase, seconds */
  phases: { select: number; copy: number; verify: number; empty: number };
  sample: Array<{
    folder: string;
    uid: number;
    date: string;
    size: number;
    reason: RelevanceReason;
  }>;
}

export function emptyReport(opts: {
  handover: number | null;
  employee: Employee;
  successor: Employee;
  req: { all: boolean; dryRun: boolean };
}): HandoverReport {
  return {
    handoverId: opts.handover,
    employeeId: opts.employee.id,
    successorId: opts.successor.id,
    mode: opts.req.all ? "all" : "relevant",
    dryRun: opts.req.dryRun,
    status: opts.req.dryRun ? "dry-run" : "running",
    folders: [],
    selected: 0,
    selectedBytes: 0,
    copied: 0,
    copiedBytes: 0,
    matched: 0,
    alreadyInLedger: 0,
    verified: 0,
    verifiedBytes: 0,
    verifiedOk: false,
    vanished: 0,
    missing: 0,
    mismatched: 0,
    duplicates: 0,
    extras: 0,
    retries: 0,
    deleted: 0,
    leftAtSource: 0,
    hook: "not yet",
    errors: 0,
    seconds: 0,
    phases: { select: 0, copy: 0, verify: 0, empty: 0 },
    sample: [],
  };
}

const n = (v: number) => v.toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export function formatHandoverReport(r: HandoverReport): string[] {
  const lines = [
    `handover ${r.handoverId ?? "(dry run)"}: employee ${r.employeeId} -> employee ${r.successorId}, ${r.mode === "all" ? "everything but Trash and Junk" : "relevant mail"}`,
  ];
  for (const f of r.folders) {
    if (f.skipped) lines.push(`  ${f.name}: ${n(f.messages)} messages, skipped (${f.skipped})`);
    else
      lines.push(
        `  ${f.name} -> ${f.target}: ${n(f.selected)} of ${n(f.messages)} selected, ${mb(f.bytes)}` +
          (f.verified !== undefined ? `, ${n(f.verified)} verified` : ""),
      );
  }
  if (r.dryRun) {
    lines.push(
      `  would copy ${n(r.selected)} messages, ${mb(r.selectedBytes)}; nothing was changed`,
    );
    for (const s of r.sample)
      lines.push(
        `    sample: ${s.folder} UID ${s.uid}, ${s.date}, ${n(s.size)} bytes, ${s.reason}`,
      );
    return lines;
  }
  lines.push(
    `  copied ${n(r.copied)} (${mb(r.copiedBytes)}), found already copied ${n(r.matched + r.alreadyInLedger)}, reconnects ${r.retries}, ${r.seconds} s`,
  );
  if (r.verifiedOk)
    lines.push(
      `  all ${n(r.selected)} selected messages are on the target, verified by UID, size and key (${mb(r.verifiedBytes)}), ${r.errors} errors`,
    );
  else
    lines.push(
      `  NOT verified: ${n(r.verified)} of ${n(r.selected)} verified; missing ${r.missing}, differing ${r.mismatched}, duplicates ${r.duplicates}, vanished from the source ${r.vanished}; nothing at the source was deleted; rerun to resume`,
    );
  if (r.extras > 0) lines.push(`  ${n(r.extras)} other messages in the target folders (kept)`);
  if (r.status === "emptied" || r.status === "completed" || r.deleted > 0)
    lines.push(
      `  source emptied: ${n(r.deleted)} messages deleted by UID, ${n(r.leftAtSource)} left`,
    );
  if (r.leftAtSource > 0)
    lines.push(
      `  ${n(r.leftAtSource)} messages arrived at the source after selection: rerun to hand them over`,
    );
  lines.push(`  account-deletion hook: ${r.hook}; status ${r.status}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines;
}
