import type { SubscriptionStatus } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";
import type { ListSummary } from "./create-list.ts";

export interface ListWithCounts extends ListSummary {
  createdAt: Date;
  counts: Record<SubscriptionStatus, number>;
}

export async function listLists(db: Db): Promise<ListWithCounts[]> {
  const [lists, groups] = await Promise.all([
    db.list.findMany({
      select: {
        id: true,
        slug: true,
        name: true,
        description: true,
        doubleOptIn: true,
        public: true,
        createdAt: true,
      },
      orderBy: { slug: "asc" },
    }),
    db.subscription.groupBy({ by: ["listId", "status"], _count: { _all: true } }),
  ]);
  return lists.map((list) => {
    const counts: Record<SubscriptionStatus, number> = {
      pending: 0,
      subscribed: 0,
      unsubscribed: 0,
    };
    for (const g of groups) if (g.listId === list.id) counts[g.status] = g._count._all;
    return { ...list, counts };
  });
}
