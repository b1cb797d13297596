import type { JobDefinition } from "../src/jobs.ts";
import { campaignSend } from "./campaign-send.ts";

/** Every job the worker runs. Names are stable: queued jobs refer to them. */
export const jobs: readonly JobDefinition[] = [campaignSend as JobDefinition];
