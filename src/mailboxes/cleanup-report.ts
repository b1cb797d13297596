/** What one cleanup did (or would do) in one mailbox: counts and sizes, never subjects or addresses. */
export interface CleanupFolderReport {
  folder: string;
  specialUse: string | null;
  /** older than the cutoff, not flagged, not \Deleted */
  candidates: number;
  keptDialogue: number;
  keptCustomer: number;
  selected: number;
  selectedBytes: number;
  deleted: number;
  deletedBytes: number;
  /** selected, but flagged (or gone) when its batch came up: kept */
  unselectedAtDeletion: number;
  oldest: string | null;
}

export interface CleanupReport {
  employeeId: number;
  runId: number | null;
  dryRun: boolean;
  /** messages received before this date (UTC) were selected */
  cutoff: string;
  deleteMode: "expunge" | "trash";
  policyIsDefault: boolean;
  folders: CleanupFolderReport[];
  unmatchedFolders: string[];
  totals: { selected: number; selectedBytes: number; deleted: number; deletedBytes: number };
  /** the server offers UIDPLUS; without it nothing is ever deleted (a dry run still reports) */
  uidplus: boolean;
  /** connections lost and re-opened during the run */
  reconnects: number;
  /** an interrupted step of an earlier attempt, settled first */
  settled: { expunged: number; restored: number } | null;
}

export function totalsOf(folders: readonly CleanupFolderReport[]): CleanupReport["totals"] {
  const t = { selected: 0, selectedBytes: 0, deleted: 0, deletedBytes: 0 };
  for (const f of folders) {
    t.selected += f.selected;
    t.selectedBytes += f.selectedBytes;
    t.deleted += f.deleted;
    t.deletedBytes += f.deletedBytes;
  }
  return t;
}
