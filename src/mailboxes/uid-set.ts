/**
 * UIDs as an IMAP sequence set (RFC 3501 §9, "sequence-set"): sorted, runs
 * collapsed, "1:5,7,9:12". Keeps a 50,000-UID command short.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(",");
}

/** The inverse, for sets this code wrote (no "*"). */
export function parseUidSet(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(",")) {
    if (part === "") continue;
    const [a, b] = part.split(":").map(Number);
    if (b === undefined) out.push(a!);
    else for (let u = Math.min(a!, b); u <= Math.max(a!, b); u++) out.push(u);
  }
  return out;
}
