import type { Segment } from "../../newsletters/create-campaign.ts";
import { findCampaign } from "../../newsletters/find-campaign.ts";
import type { Db } from "../../types.ts";

export type LoadedCampaign = Awaited<ReturnType<typeof loadCampaign>>;

/** A campaign as the console pages show it: findCampaign's fields plus lists, segment and finish time. */
export async function loadCampaign(db: Db, slug: string) {
  const found = await findCampaign(db, slug);
  const more = await db.campaign.findUniqueOrThrow({
    where: { id: found.id },
    select: {
      segment: true,
      finishedAt: true,
      lists: { select: { list: { select: { slug: true } } } },
    },
  });
  return {
    ...found,
    segment: (more.segment ?? null) as Segment | null,
    finishedAt: more.finishedAt,
    lists: more.lists.map((l) => l.list.slug).sort(),
  };
}
