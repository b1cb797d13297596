/** Where the mailboxes area's pages live, and its tabs. */
import type { Html } from "./console-kit.ts";
import { tabs } from "./view-helpers.ts";

export const mailboxPaths = {
  directory: "/admin/mailboxes",
  cleanup: "/admin/mailboxes/cleanup",
  handovers: "/admin/mailboxes/handovers",
  employee: (id: number) => `/admin/mailboxes/employees/${id}`,
  handover: (id: number) => `/admin/mailboxes/employees/${id}/handover`,
} as const;

export function mailboxTabs(current: string): Html {
  return tabs(
    "Mailboxes",
    [
      { href: mailboxPaths.directory, label: "Employees" },
      { href: mailboxPaths.cleanup, label: "Cleanup" },
      { href: mailboxPaths.handovers, label: "Handovers" },
    ],
    current,
  );
}
