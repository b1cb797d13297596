/**
 * What the dashboard shows an operator, loaded together. Each section goes to
 * the roles that can act on what it shows (console-kit's areaRoles; admin
 * sees all): campaigns and the sends/unsubscribes chart to campaigns'
 * roles, bounces and the inbox watchers to the inbox's, the job queue to
 * the jobs area's (admin). The set-up checks go to IT and admin, who run the
 * deployment; they load separately (htmx), being slow.
 */
import { inboxStatus, type MailboxStatus } from "../../inbox/inbox-status.ts";
import { countJobsByName, type JobNameCounts } from "../../job-queue/agenda-jobs.queries.ts";
import type { HttpDeps } from "../deps.ts";
import { mayOpen, type Role, type SignedInOperator } from "./console-kit.ts";
import { listBounceEvents, parseBounceFilter } from "./list-bounce-events.ts";
import { listDailyActivity, type DailyActivity } from "./list-daily-activity.ts";
import { loadLiveCampaigns } from "./load-live-campaigns.ts";
import type { LiveCampaignsView } from "./render-live-campaigns.ts";

export const activityDays = 30;
export const bounceDays = 7;
/** workers look for due jobs every 5 s (1 s embedded): one waiting a minute means none is free */
export const overdueAfterMs = 60_000;
/** the set-up checks: the deployment is IT's (and admin's) to fix */
export const setupCheckRoles: readonly Role[] = ["it"];

export interface DashboardView {
  campaigns?: LiveCampaignsView;
  activity?: DailyActivity[];
  /** `since`: the first day counted (yyyy-mm-dd, UTC); totals by verdict, and "complaint" */
  bounces?: { since: string; totals: Record<string, number> };
  watchers?: MailboxStatus[];
  /** null: the queue is on MongoDB, which this console does not read */
  jobs?: { counts: JobNameCounts[] } | null;
  setupChecks: boolean;
}

export async function loadDashboard(
  deps: HttpDeps,
  operator: SignedInOperator,
): Promise<DashboardView> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - (bounceDays - 1) * 86_400_000).toISOString().slice(0, 10);
  const campaigns = mayOpen(operator, "campaigns");
  const inbox = mayOpen(operator, "inbox");
  const jobs = mayOpen(operator, "jobs");
  const [live, activity, bounces, watchers, jobCounts] = await Promise.all([
    campaigns ? loadLiveCampaigns(deps, new Map()) : undefined,
    campaigns ? listDailyActivity(deps.db, { now, days: activityDays }) : undefined,
    inbox ? listBounceEvents(deps.db, parseBounceFilter({ from: since })) : undefined,
    inbox ? inboxStatus(deps) : undefined,
    jobs && !deps.config.agendaMongoUrl
      ? countJobsByName(deps.db, {
          now,
          lockLifetimeMs: deps.config.jobLockLifetimeMs,
          overdueAfterMs,
        })
      : undefined,
  ]);
  return {
    campaigns: live,
    activity,
    bounces: bounces && { since, totals: bounces.totals },
    watchers,
    jobs: jobs ? (jobCounts ? { counts: jobCounts } : null) : undefined,
    setupChecks: operator.role === "admin" || setupCheckRoles.includes(operator.role),
  };
}
