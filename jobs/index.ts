import type { JobDefinition } from "../src/jobs.ts";
import { campaignSend } from "./campaign-send.ts";
import { campaignSendShard } from "./campaign-send-shard.ts";
import { subscriptionRequest } from "./subscription-request.ts";
import { mailboxHandover } from "./mailbox-handover.ts";
import { mailboxCleanupReview } from "./mailbox-cleanup-review.ts";
import { mailboxCleanupDelete } from "./mailbox-cleanup-delete.ts";
import { privacyRetention } from "./privacy-retention.ts";
import { inboxEnsureWatchers } from "./inbox-ensure-watchers.ts";
import { inboxWatch } from "./inbox-watch.ts";

/** Every job the worker runs. Names are stable: queued jobs refer to them. */
export const jobs: readonly JobDefinition[] = [
  campaignSend as JobDefinition,
  campaignSendShard as JobDefinition,
  mailboxHandover as JobDefinition,
  mailboxCleanupReview as JobDefinition,
  mailboxCleanupDelete as JobDefinition,
  privacyRetention as JobDefinition,
  inboxWatch as JobDefinition,
  inboxEnsureWatchers as JobDefinition,
  subscriptionRequest as JobDefinition,
];
