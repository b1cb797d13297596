/**
 * Which file registers which top-level command, so that `mailsteward campaign ...` loads only
 * the campaign commands and not the IMAP, MIME and MJML code of every other one: loading all of
 * them cost about 5 s of CPU per invocation. Files of one group register in this order (the first
 * to register a group gives it its description). test/unit/cli-commands.test.ts checks this table
 * against what each file really registers.
 */
export const commandFiles: ReadonlyArray<readonly [file: string, commands: readonly string[]]> = [
  ["start.ts", ["start"]],
  ["status.ts", ["status"]],
  ["contacts-import.ts", ["contacts"]],
  ["lists.ts", ["lists"]],
  ["lists-create.ts", ["lists"]],
  ["lists-set-public.ts", ["lists"]],
  ["subscribe.ts", ["subscribe"]],
  ["campaign-create.ts", ["campaign"]],
  ["campaign-preview.ts", ["campaign"]],
  ["campaign-test.ts", ["campaign"]],
  ["campaign-schedule.ts", ["campaign"]],
  ["campaign-pause.ts", ["campaign"]],
  ["campaign-resume.ts", ["campaign"]],
  ["campaign-cancel.ts", ["campaign"]],
  ["campaign-report.ts", ["campaign"]],
  ["employees-add.ts", ["employees"]],
  ["employees-list.ts", ["employees"]],
  ["employees-show.ts", ["employees"]],
  ["employees-set.ts", ["employees"]],
  ["employees-remove.ts", ["employees"]],
  ["mailbox-check.ts", ["mailbox"]],
  ["cleanup.ts", ["cleanup"]],
  ["handover.ts", ["handover"]],
  ["privacy-commands.ts", ["privacy", "contacts", "audit"]],
  ["inbox-classify.ts", ["inbox"]],
  ["inbox-status.ts", ["inbox"]],
  ["inbox-held.ts", ["inbox"]],
  ["dialogue-list.ts", ["dialogue"]],
  ["dialogue-show.ts", ["dialogue"]],
  ["operators-add.ts", ["operators"]],
  ["operators-list.ts", ["operators"]],
  ["operators-disable.ts", ["operators"]],
  ["operators-token.ts", ["operators"]],
  ["operators-reset-password.ts", ["operators"]],
  ["doctor.ts", ["doctor"]],
  ["dkim-generate.ts", ["dkim"]],
];

/** The files to load for these arguments: a known command's own, otherwise (help, typos) all. */
export function filesFor(args: readonly string[]): string[] {
  const name = args.find((a) => !a.startsWith("-"));
  const own = commandFiles.filter(([, commands]) => name !== undefined && commands.includes(name));
  return (own.length > 0 ? own : commandFiles).map(([file]) => file);
}
