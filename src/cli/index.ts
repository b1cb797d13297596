#!/usr/bin/env node
/**
 * `mailsteward <command>`: one command per file in this folder, each exporting
 * `register(program)`. Errors from the domain print their message and exit 1.
 */
import { Command } from "commander";
import { isAppError } from "../errors.ts";
import { register as registerStart } from "./start.ts";
import { register as registerStatus } from "./status.ts";
import { register as registerContactsImport } from "./contacts-import.ts";
import { register as registerLists } from "./lists.ts";
import { register as registerListsCreate } from "./lists-create.ts";
import { register as registerListsSetPublic } from "./lists-set-public.ts";
import { register as registerSubscribe } from "./subscribe.ts";
import { register as registerCampaignCreate } from "./campaign-create.ts";
import { register as registerCampaignPreview } from "./campaign-preview.ts";
import { register as registerCampaignTest } from "./campaign-test.ts";
import { register as registerCampaignSchedule } from "./campaign-schedule.ts";
import { register as registerCampaignPause } from "./campaign-pause.ts";
import { register as registerCampaignResume } from "./campaign-resume.ts";
import { register as registerCampaignCancel } from "./campaign-cancel.ts";
import { register as registerCampaignReport } from "./campaign-report.ts";
import { register as registerEmployeesAdd } from "./employees-add.ts";
import { register as registerEmployeesList } from "./employees-list.ts";
import { register as registerEmployeesShow } from "./employees-show.ts";
import { register as registerEmployeesSet } from "./employees-set.ts";
import { register as registerEmployeesRemove } from "./employees-remove.ts";
import { register as registerMailboxCheck } from "./mailbox-check.ts";
import { register as registerCleanup } from "./cleanup.ts";
import { register as registerHandover } from "./handover.ts";
import { register as registerPrivacyCommands } from "./privacy-commands.ts";
import { register as registerInboxClassify } from "./inbox-classify.ts";
import { register as registerInboxStatus } from "./inbox-status.ts";
import { register as registerDialogueList } from "./dialogue-list.ts";
import { register as registerDialogueShow } from "./dialogue-show.ts";

const program = new Command("mailsteward")
  .description(
    "Keeps a privacy statement's email promises: consent-gated newsletters, one-click unsubscribe, dialogue records, retention.",
  )
  .showHelpAfterError();

for (const register of [
  registerStart,
  registerStatus,
  registerContactsImport,
  registerLists,
  registerListsCreate,
  registerListsSetPublic,
  registerSubscribe,
  registerCampaignCreate,
  registerCampaignPreview,
  registerCampaignTest,
  registerCampaignSchedule,
  registerCampaignPause,
  registerCampaignResume,
  registerCampaignCancel,
  registerCampaignReport,
  registerEmployeesAdd,
  registerEmployeesList,
  registerEmployeesShow,
  registerEmployeesSet,
  registerEmployeesRemove,
  registerMailboxCheck,
  registerCleanup,
  registerHandover,
  registerPrivacyCommands,
  registerInboxClassify,
  registerInboxStatus,
  registerDialogueList,
  registerDialogueShow,
])
  register(program);

program.parseAsync(process.argv).catch((error) => {
  process.stderr.write(
    `mailsteward: ${isAppError(error) ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
