import { unknownName } from "../errors.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import type { ListSummary } from "./create-list.ts";

/** Throws `unknown list "newz"; known lists: news, events`. */
export async function findListBySlug(db: DbOrTx, slug: string): Promise<ListSummary> {
  const list = await db.list.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      doubleOptIn: true,
      public: true,
    },
  });
  if (list) return list;
  const known = await db.list.findMany({ select: { slug: true }, orderBy: { slug: "asc" } });
  throw unknownName(
    "list",
    slug,
    known.map((l) => l.slug),
  );
}
