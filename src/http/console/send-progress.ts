/**
 * How far a campaign's send has got, from its delivery counts: the figures
 * the campaign report and the dashboard show (done of total, rate, time
 * left). Pure.
 *
 * Delivery rows are written as the shards go, so while a campaign sends the
 * ledger does not know the whole audience: `expected` (the audience counted
 * when the page was opened) is the 100% until the campaign has finished.
 */
export interface SendCounts {
  sent: number;
  failed: number;
  uncertain: number;
  skipped: number;
  bounced?: number;
  total: number;
}

export interface SendProgress {
  /** sent, failed, uncertain, skipped or bounced: no longer waiting */
  done: number;
  total: number;
  percent: number;
  sent: number;
  failed: number;
  uncertain: number;
  /** still scheduled or sending */
  live: boolean;
  /** messages handled per second since the start; 0 before any */
  rate: number;
  /** at this rate, while live; null when unknown */
  secondsLeft: number | null;
}

export function sendProgress(input: {
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  counts: SendCounts;
  expected: number;
  now: Date;
}): SendProgress {
  const c = input.counts;
  const done = c.sent + c.failed + c.uncertain + c.skipped + (c.bounced ?? 0);
  const finished = ["sent", "cancelled", "failed"].includes(input.status);
  const total = finished ? Math.max(c.total, 1) : Math.max(input.expected, c.total, 1);
  const percent = finished && input.status === "sent" ? 100 : Math.floor((done / total) * 100);
  const live = input.status === "scheduled" || input.status === "sending";
  const elapsed = input.startedAt
    ? ((input.finishedAt ?? input.now).getTime() - input.startedAt.getTime()) / 1000
    : 0;
  const rate = elapsed > 0 ? done / elapsed : 0;
  const secondsLeft = live && rate > 0 ? Math.max(0, total - done) / rate : null;
  return {
    done,
    total,
    percent,
    sent: c.sent,
    failed: c.failed,
    uncertain: c.uncertain,
    live,
    rate,
    secondsLeft,
  };
}
