import { AppError } from "../../errors.ts";

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * "2026-12-03T09:00" on the wall clock in `zone` (IANA, e.g. "Europe/Oslo")
 * -> the instant. Uses the zone's offsets just before and after the time as
 * candidates and keeps those that read back as the same wall-clock time, so
 * daylight saving is handled both ways: a time the clocks skip (02:30 on a
 * spring-forward night) is refused, and a time that happens twice (02:30 on a
 * fall-back night) is the first of the two, as calendar programs do.
 */
export function zonedTimeToUtc(local: string, zone: string): Date {
  const m = localPattern.exec(local);
  if (!m)
    throw new AppError(
      "invalid_input",
      `time ${JSON.stringify(local)} is not valid; expected a date and time such as 2026-12-03T09:00`,
    );
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
  } catch {
    throw new AppError(
      "invalid_input",
      `time zone ${JSON.stringify(zone)} is not known; expected an IANA zone such as Europe/Oslo or UTC`,
    );
  }
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const wall = (t: number) => {
    const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  };
  const offsetAt = (t: number) => Date.parse(`${wall(t)}:00Z`) - Math.floor(t / 60_000) * 60_000;
  const day = 86_400_000;
  const candidates = [...new Set([asUtc - offsetAt(asUtc - day), asUtc - offsetAt(asUtc + day)])]
    .filter((t) => wall(t) === local)
    .sort((a, b) => a - b);
  if (candidates.length === 0)
    throw new AppError(
      "invalid_input",
      `${local} does not exist in ${zone} (the clocks skip it when daylight saving starts); expected a time outside the skipped hour`,
    );
  return new Date(candidates[0]!);
}
