import type { Clock, Db } from "../types.ts";

export interface ListGrowth {
  /** subscriptions confirmed in the window (a resubscription counts again) */
  joined: number;
  /** unsubscribes in the window */
  left: number;
}

/**
 * Joins and leaves per list over the last `days` days, by list id. Counted from
 * the subscription rows' own dates, so an erased person's history goes with
 * them, as erasure requires.
 */
export async function listListGrowth(
  deps: { db: Db; clock: Clock },
  days = 30,
): Promise<Map<number, ListGrowth>> {
  const since = new Date(deps.clock.now().getTime() - days * 86_400_000);
  const [joined, left] = await Promise.all([
    deps.db.subscription.groupBy({
      by: ["listId"],
      where: { confirmedAt: { gte: since } },
      _count: { _all: true },
    }),
    deps.db.subscription.groupBy({
      by: ["listId"],
      where: { unsubscribedAt: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  const growth = new Map<number, ListGrowth>();
  const entry = (listId: number) => {
    let g = growth.get(listId);
    if (!g) growth.set(listId, (g = { joined: 0, left: 0 }));
    return g;
  };
  for (const g of joined) entry(g.listId).joined = g._count._all;
  for (const g of left) entry(g.listId).left = g._count._all;
  return growth;
}
