/**
 * The date messages must be received before to be selected: `months` before
 * today, at 00:00 UTC. IMAP's SEARCH BEFORE compares the internal date's day
 * only (RFC 3501 §6.4.4), and imapflow moves a Date that is not midnight UTC
 * to the next day, so the cutoff is always a UTC midnight.
 */
export function cleanupCutoff(now: Date, months: number): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1));
  // clamp the day: 31 March minus one month is 28/29 February, not 3 March
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  return new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(now.getUTCDate(), lastDay)),
  );
}
