import { z } from "zod";
import type { Config } from "../config/load-config.ts";
import { AppError } from "../errors.ts";

/**
 * What the yearly cleanup may delete in one mailbox. An employee's row keeps
 * only the fields that differ from the default policy (CLEANUP_* config), so a
 * change of the default reaches everyone who did not override it.
 *
 * Folders are names ("INBOX", "Projects/2024") or SPECIAL-USE attributes
 * (RFC 6154: "\Sent", "\Archive", "\Trash", "\Junk", "\Drafts", "\All",
 * "\Flagged"), so a Dutch "Verzonden items" is found as \Sent.
 * Always kept, whatever the policy: flagged messages, messages linked to a
 * dialogue record, messages to or from a contact with an open customer
 * relationship, and everything in `keepFolders`.
 */
export const cleanupOverridesSchema = z
  .object({
    olderThanMonths: z.number().int().positive().max(1200).optional(),
    folders: z.array(z.string().min(1)).min(1).optional(),
    keepFolders: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type CleanupOverrides = z.infer<typeof cleanupOverridesSchema>;

export interface CleanupPolicy {
  olderThanMonths: number;
  folders: string[];
  keepFolders: string[];
  /** from config only: how deletion is done */
  deleteMode: "expunge" | "trash";
  /** true when the employee has no overrides */
  isDefault: boolean;
}

export function cleanupPolicy(
  config: Pick<Config, "cleanup">,
  overrides: unknown,
  employeeId?: number,
): CleanupPolicy {
  const parsed = cleanupOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success)
    throw new AppError(
      "invalid_input",
      `${employeeId ? `employee ${employeeId}: ` : ""}cleanup policy is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "policy"}: ${i.message}`).join("; ")}; expected {olderThanMonths?, folders?, keepFolders?}`,
    );
  const o = parsed.data;
  return {
    olderThanMonths: o.olderThanMonths ?? config.cleanup.olderThanMonths,
    folders: o.folders ?? config.cleanup.folders,
    keepFolders: o.keepFolders ?? config.cleanup.keepFolders,
    deleteMode: config.cleanup.deleteMode,
    isDefault: Object.keys(o).length === 0,
  };
}
