import { countAudience } from "../../newsletters/count-audience.ts";
import type { HttpDeps } from "../deps.ts";
import { listLiveCampaigns } from "./list-live-campaigns.ts";
import type { LiveCampaignsView } from "./render-live-campaigns.ts";

/**
 * The sending and scheduled campaigns; a sending one's audience is counted
 * once (the first time it is seen) and then handed back through `expected`.
 */
export async function loadLiveCampaigns(
  deps: Pick<HttpDeps, "db" | "clock" | "config">,
  expected: ReadonlyMap<number, number>,
): Promise<LiveCampaignsView> {
  const { sending, scheduled } = await listLiveCampaigns(deps.db, { scheduled: 5 });
  const counted = new Map<number, number>();
  for (const c of sending) {
    counted.set(
      c.id,
      expected.get(c.id) ??
        (
          await countAudience(
            { db: deps.db, suppressionKey: deps.config.suppressionKey },
            { lists: c.lists, segment: c.segment as never },
          )
        ).recipients,
    );
  }
  return { sending, scheduled, expected: counted, now: deps.clock.now() };
}
