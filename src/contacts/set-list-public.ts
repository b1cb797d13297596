import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import type { ListSummary } from "./create-list.ts";
import { findListBySlug } from "./find-list-by-slug.ts";

/** Opens a list to the public sign-up form, or closes it; an internal list is never joined from a form. */
export async function setListPublic(
  deps: { db: Db },
  input: { slug: string; public: boolean; actor: string },
): Promise<ListSummary> {
  const list = await findListBySlug(deps.db, input.slug);
  if (list.public === input.public) return list;
  return deps.db.$transaction(async (tx) => {
    await tx.list.update({
      where: { id: list.id },
      data: { public: input.public },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor: input.actor,
      action: "list.visibility_changed",
      subjectType: "list",
      subjectId: list.id,
      detail: { slug: list.slug, public: input.public },
    });
    return { ...list, public: input.public };
  });
}
