import { unknownName } from "../errors.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";

/** The campaign named `slug`, or an error listing the known slugs. */
export async function findCampaign(db: DbOrTx, slug: string) {
  const campaign = await db.campaign.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      status: true,
      template: true,
      subject: true,
      preheader: true,
      content: true,
      scheduledAt: true,
      startedAt: true,
    },
  });
  if (campaign) return campaign;
  const known = await db.campaign.findMany({
    select: { slug: true },
    orderBy: { id: "desc" },
    take: 20,
  });
  throw unknownName(
    "campaign",
    slug,
    known.map((c) => c.slug),
  );
}
