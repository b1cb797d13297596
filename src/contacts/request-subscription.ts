import type { Prisma } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import { findListBySlug } from "./find-list-by-slug.ts";
import {
  CONFIRMATION_RESEND_AFTER_MS,
  processSubscriptionRequest,
  type ProcessDeps,
  type RequestOutcome,
} from "./process-subscription-request.ts";
import { recordSubscriptionRequest } from "./record-subscription-request.ts";

export { CONFIRMATION_RESEND_AFTER_MS };

export interface SubscriptionRequestEvidence {
  ip: string | null;
  userAgent: string | null;
  /** which form the request came from, e.g. "website footer" */
  form: string;
  [key: string]: unknown;
}

/**
 * Double opt-in in one call: records the request and processes it at once
 * (the web form instead records it and leaves the processing to the
 * `subscription.request` job, so its answer takes the same time whatever the
 * outcome). The answer is the same whatever happened; consent is granted in
 * the ledger only when the link is followed (confirmSubscription).
 */
export async function requestSubscription(
  deps: ProcessDeps,
  input: {
    email: string;
    name?: string | null;
    /** one list; or several in `lists`, confirmed by one email */
    list?: string;
    lists?: string[];
    evidence: SubscriptionRequestEvidence;
  },
): Promise<{ accepted: true; outcome: RequestOutcome }> {
  const slugs = [...(input.lists ?? []), ...(input.list !== undefined ? [input.list] : [])];
  for (const slug of slugs) await findListBySlug(deps.db as DbOrTx, slug);
  const { requestId } = await recordSubscriptionRequest(deps, {
    email: input.email,
    name: input.name ?? null,
    lists: slugs,
    evidence: { ...input.evidence } as Prisma.InputJsonObject,
  });
  const { outcome } = await processSubscriptionRequest(deps, requestId);
  return { accepted: true, outcome };
}
