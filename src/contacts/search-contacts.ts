import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

export interface ContactHit {
  id: number;
  email: string;
  name: string | null;
  company: string | null;
  customerStatus: string;
  createdAt: Date;
  /** lists the contact is subscribed to now */
  subscribedTo: string[];
}

export interface ContactSearchPage {
  query: string;
  list: string | undefined;
  page: number;
  pageSize: number;
  total: number;
  contacts: ContactHit[];
}

export const CONTACT_PAGE_SIZE = 50;

/**
 * Contacts whose email, name or company contains `query` (case-insensitive),
 * optionally only the subscribers of one list, newest first, one page at a
 * time; an empty query lists everyone.
 */
export async function searchContacts(
  db: Db,
  input: { query?: string; list?: string; page?: number; pageSize?: number },
): Promise<ContactSearchPage> {
  const query = (input.query ?? "").trim();
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? CONTACT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1)
    throw new AppError("invalid_input", `page ${input.page} is not valid; expected 1 or more`);
  if (query.length > 200)
    throw new AppError(
      "invalid_input",
      `the search is ${query.length} characters long; expected at most 200`,
    );
  const contains = { contains: query, mode: "insensitive" as const };
  const where: Prisma.ContactWhereInput = {
    ...(query === ""
      ? {}
      : { OR: [{ email: contains }, { name: contains }, { company: contains }] }),
    // A list narrows to its subscribers now, as the list page counts them.
    ...(input.list
      ? { subscriptions: { some: { status: "subscribed", list: { slug: input.list } } } }
      : {}),
  };
  const [total, rows] = await Promise.all([
    db.contact.count({ where }),
    db.contact.findMany({
      where,
      orderBy: { id: "desc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        email: true,
        name: true,
        company: true,
        customerStatus: true,
        createdAt: true,
        subscriptions: {
          where: { status: "subscribed" },
          select: { list: { select: { slug: true } } },
          orderBy: { listId: "asc" },
        },
      },
    }),
  ]);
  return {
    query,
    list: input.list,
    page,
    pageSize,
    total,
    contacts: rows.map(({ subscriptions, ...c }) => ({
      ...c,
      subscribedTo: subscriptions.map((s) => s.list.slug),
    })),
  };
}
