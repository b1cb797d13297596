/**
 * Checks an email and password. Every attempt costs one scrypt, whether the
 * address is known, unknown, disabled or locked, so the answer's timing does
 * not tell which; the caller shows one message for every refusal.
 *
 * Backoff: after `freeAttempts` consecutive failures the account locks for
 * one minute, doubling with each further failure up to an hour. Attempts
 * during a lock are refused without being counted, so an attacker cannot keep
 * an operator out for longer than the lock they earned.
 *
 * Attempts sent together all read the account before any of them is judged,
 * so a right password is accepted only if no attempt failed (and no lock
 * began) while its hash ran: otherwise a burst of parallel guesses would try
 * as many passwords as it holds, whatever the lock.
 */
import { recordAudit } from "../privacy/record-audit.ts";
import { operatorSummary, type OperatorDeps, type OperatorSummary } from "./operator-deps.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";

export const freeAttempts = 5;
const firstLockMs = 60_000;
const longestLockMs = 3_600_000;

let dummyHash: Promise<string> | undefined;

export type SignInResult =
  { ok: true; operator: OperatorSummary } | { ok: false; reason: "wrong" | "locked" | "disabled" };

export async function verifySignIn(
  deps: Pick<OperatorDeps, "db" | "clock">,
  input: { email: string; password: string },
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const row = await deps.db.operator.findUnique({
    where: { email },
    select: {
      ...operatorSummary,
      passwordHash: true,
      failedAttempts: true,
      lockedUntil: true,
      disabledAt: true,
    },
  });
  dummyHash ??= hashPassword("no operator has this password");
  const matches = await verifyPassword(input.password, row?.passwordHash ?? (await dummyHash));
  const now = deps.clock.now();
  if (!row) return { ok: false, reason: "wrong" };
  if (row.disabledAt) return { ok: false, reason: "disabled" };
  if (row.lockedUntil && row.lockedUntil > now) return { ok: false, reason: "locked" };
  if (!matches) {
    const { failedAttempts } = await deps.db.operator.update({
      where: { id: row.id },
      data: { failedAttempts: { increment: 1 } },
      select: { failedAttempts: true },
    });
    const over = failedAttempts - freeAttempts;
    const lockedUntil =
      over >= 0 ? new Date(now.getTime() + Math.min(firstLockMs * 2 ** over, longestLockMs)) : null;
    if (lockedUntil)
      await deps.db.operator.update({ where: { id: row.id }, data: { lockedUntil } });
    await recordAudit(deps.db, {
      actor: "anonymous",
      action: lockedUntil ? "operator.locked" : "operator.sign_in_failed",
      subjectType: "operator",
      subjectId: row.id,
      detail: {
        failedAttempts,
        ...(lockedUntil ? { lockedUntil: lockedUntil.toISOString() } : {}),
      },
    });
    return { ok: false, reason: lockedUntil ? "locked" : "wrong" };
  }
  const accepted = await deps.db.operator.updateMany({
    where: {
      id: row.id,
      disabledAt: null,
      failedAttempts: row.failedAttempts,
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
    data: { failedAttempts: 0, lockedUntil: null },
  });
  if (accepted.count === 0) return { ok: false, reason: "locked" };
  const {
    passwordHash: _hash,
    failedAttempts: _f,
    lockedUntil: _l,
    disabledAt: _d,
    ...operator
  } = row;
  return { ok: true, operator };
}
