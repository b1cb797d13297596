import { decodeModifiedUtf7, encodeModifiedUtf7 } from "./modified-utf7.ts";

/**
 * Where a source folder lands at the successor: Handover/<employee>/<the
 * source path>, each level of the source hierarchy a level at the target.
 * The separators may differ (Dovecot "/" or ".", Exchange "/"), so a level
 * name that holds the target's separator gets it replaced by "_": otherwise
 * "a.b" from a "/" server would become two levels on a "." server.
 * Returns the wire form (modified UTF-7) and the UTF-8 name.
 */
export function handoverTargetPath(opts: {
  employee: string;
  sourcePath: string;
  sourceSeparator: string | null;
  targetSeparator: string;
  /** characters the target refuses in names (Dovecot's Maildir++ layout refuses ".") */
  refused?: readonly string[];
}): { path: string; name: string } {
  const levels = opts.sourceSeparator
    ? opts.sourcePath.split(opts.sourceSeparator)
    : [opts.sourcePath];
  const clean = (level: string) =>
    [opts.targetSeparator, ...(opts.refused ?? [])].reduce((l, c) => l.split(c).join("_"), level);
  const names = ["Handover", opts.employee, ...levels.map((l) => decodeModifiedUtf7(l))].map(clean);
  return {
    path: names.map(encodeModifiedUtf7).join(opts.targetSeparator),
    name: names.join(opts.targetSeparator),
  };
}
