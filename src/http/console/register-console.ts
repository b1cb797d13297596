/**
 * The console's page modules, mounted under /admin behind the sign-in. Add one
 * import and one entry per module (`src/http/console/<area>-pages.ts`).
 */
import { register as registerCampaignPages } from "./campaigns-pages.ts";
import type { ConsoleModule } from "./console-kit.ts";
import { register as registerTemplatePages } from "./templates-pages.ts";
import { register as registerListsPages } from "./lists-pages.ts";
import { register as registerImportPages } from "./import-pages.ts";
import { register as registerContactsPages } from "./contacts-pages.ts";
import { register as registerContactPrivacyPages } from "./contact-privacy-pages.ts";
import { register as registerPrivacyPages } from "./privacy-pages.ts";
import { register as registerInboxPages } from "./inbox-pages.ts";
import { register as registerMailboxDirectoryPages } from "./mailbox-directory-pages.ts";
import { register as registerMailboxCleanupPages } from "./mailbox-cleanup-pages.ts";
import { register as registerMailboxHandoverPages } from "./mailbox-handover-pages.ts";
import { register as registerJobsPages } from "./jobs-pages.ts";
import { register as registerOperatorsPages } from "./operators-pages.ts";

export const consoleModules: ConsoleModule[] = [
  registerCampaignPages,
  registerTemplatePages,
  registerListsPages,
  registerImportPages,
  registerContactsPages,
  registerContactPrivacyPages,
  registerPrivacyPages,
  registerInboxPages,
  registerMailboxDirectoryPages,
  registerMailboxCleanupPages,
  registerMailboxHandoverPages,
  registerJobsPages,
  registerOperatorsPages,
];
