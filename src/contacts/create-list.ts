import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";

export interface ListSummary {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  doubleOptIn: boolean;
  /** whether the public sign-up form may subscribe to it */
  public: boolean;
}

/** Slugs travel in tokens, URLs and CLI arguments: keep them short and plain. */
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

export async function createList(
  deps: { db: Db },
  input: {
    slug: string;
    name: string;
    description?: string | null;
    doubleOptIn?: boolean;
    public?: boolean;
    actor?: string;
  },
): Promise<ListSummary> {
  if (!slugPattern.test(input.slug)) {
    throw new AppError(
      "invalid_input",
      `list slug "${input.slug}" is not valid; expected 1-48 lowercase letters, digits and dashes, such as "news" or "product-updates"`,
    );
  }
  const name = input.name.trim();
  if (name === "")
    throw new AppError(
      "invalid_input",
      `list "${input.slug}" needs a name, such as --name "Monthly news"`,
    );
  const select = {
    id: true,
    slug: true,
    name: true,
    description: true,
    doubleOptIn: true,
    public: true,
  } as const;
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.list.findUnique({
      where: { slug: input.slug },
      select: { id: true },
    });
    if (existing)
      throw new AppError("conflict", `list "${input.slug}" already exists; choose another slug`);
    const created = await tx.list.createManyAndReturn({
      data: [
        {
          slug: input.slug,
          name,
          description: input.description ?? null,
          doubleOptIn: input.doubleOptIn ?? true,
          public: input.public ?? false,
        },
      ],
      skipDuplicates: true,
      select,
    });
    // A concurrent creator won the unique slug between our check and insert.
    const list = created[0];
    if (!list)
      throw new AppError("conflict", `list "${input.slug}" already exists; choose another slug`);
    await recordAudit(tx, {
      actor: input.actor ?? "system",
      action: "list.created",
      subjectType: "list",
      subjectId: list.id,
      detail: { slug: list.slug, public: list.public },
    });
    return list;
  });
}
