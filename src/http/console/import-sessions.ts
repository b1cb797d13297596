/**
 * The console's CSV imports between upload and result: the uploaded file, the
 * column mapping, the progress and the outcome, in this process's memory.
 *
 * Why memory and not a table: the file holds personal data, and a staging
 * table would be one more place an erasure must find the person; here the
 * bytes live at most `ttlMs` after the last look and are dropped as soon as
 * the import ends (only the counts and per-line errors stay, for the page).
 * The cost: with several workers behind one address, the upload, the mapping
 * and the progress must reach the same worker (sticky sessions), and an
 * import under way dies with its process (the import itself commits in
 * chunks and says which lines were committed: see importContacts).
 */
import crypto from "node:crypto";
import { AppError } from "../../errors.ts";
import type { ImportResult } from "../../contacts/import-contacts.ts";
import type { LegalBasis } from "../../generated/prisma/client.ts";

export interface ImportRun {
  state: "running" | "done" | "failed";
  done: number;
  total: number;
  startedAt: number;
  finishedAt?: number;
  result?: ImportResult;
  /** the AppError's message when the import stopped (it says what was committed) */
  error?: string;
}

export interface ImportSession {
  id: string;
  operatorId: number;
  fileName: string;
  /** dropped when the import ends */
  bytes: Buffer | null;
  header: string[];
  /** the first few data records, to show beside the mapping */
  samples: string[][];
  records: number;
  list: string | null;
  consentSource: string;
  legalBasis: LegalBasis;
  touchedAt: number;
  run?: ImportRun;
}

export interface ImportSessions {
  add(session: Omit<ImportSession, "id" | "touchedAt">): ImportSession;
  /** the operator's own session, or undefined (unknown, expired, or someone else's) */
  get(id: string, operatorId: number): ImportSession | undefined;
}

export function createImportSessions(limits: {
  ttlMs: number;
  perOperator: number;
  total: number;
  now?: () => number;
}): ImportSessions {
  const now = limits.now ?? Date.now;
  const sessions = new Map<string, ImportSession>();
  const running = (s: ImportSession) => s.run?.state === "running";

  function sweep(): void {
    const cutoff = now() - limits.ttlMs;
    for (const [id, s] of sessions) if (!running(s) && s.touchedAt < cutoff) sessions.delete(id);
  }

  /** Drops the oldest sessions that are not running until `keep` fit; false if they cannot. */
  function makeRoom(candidates: ImportSession[], keep: number): boolean {
    const idle = candidates.filter((s) => !running(s)).sort((a, b) => a.touchedAt - b.touchedAt);
    let excess = candidates.length - keep;
    for (const s of idle) {
      if (excess <= 0) break;
      sessions.delete(s.id);
      excess--;
    }
    return excess <= 0;
  }

  return {
    add(input) {
      sweep();
      const own = [...sessions.values()].filter((s) => s.operatorId === input.operatorId);
      const roomForOwn = makeRoom(own, limits.perOperator - 1);
      const roomForAll = roomForOwn && makeRoom([...sessions.values()], limits.total - 1);
      if (!roomForAll)
        throw new AppError(
          "refused",
          `too many imports are under way (at most ${limits.perOperator} per operator, ${limits.total} in all); wait for one to finish and upload again`,
        );
      const session: ImportSession = { ...input, id: crypto.randomUUID(), touchedAt: now() };
      sessions.set(session.id, session);
      return session;
    },
    get(id, operatorId) {
      sweep();
      const s = sessions.get(id);
      if (!s || s.operatorId !== operatorId) return undefined;
      s.touchedAt = now();
      return s;
    },
  };
}
