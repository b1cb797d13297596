import cliProgress from "cli-progress";
import type { CleanupProgress } from "../mailboxes/cleanup-mailbox.ts";
import { cliStderr } from "./cli-context.ts";

/**
 * Progress of a cleanup on stderr: a bar per phase and folder on a terminal
 * (cli-progress), plain lines otherwise (a log file or CI shows each folder's
 * start and end and every tenth in between, not a stream of redraws).
 */
export function cleanupProgress(stream: NodeJS.WriteStream = cliStderr()): {
  update(p: CleanupProgress): void;
  stop(): void;
} {
  let key = "";
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: " {phase} {folder} [{bar}] {value}/{total} messages  {eta_formatted} left",
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const k = `${p.phase} ${p.folder}`;
        const payload = {
          phase: p.phase === "select" ? "selecting" : "deleting ",
          folder: p.folder,
        };
        if (k !== key) {
          if (started) bar.stop();
          bar.start(p.total, p.done, payload);
          started = true;
          key = k;
        } else bar.update(p.done, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(p) {
      const k = `${p.phase} ${p.folder}`;
      const tenth = p.total === 0 ? 10 : Math.floor((p.done / p.total) * 10);
      if (k !== key || tenth !== lastTenth) {
        stream.write(
          `${p.phase === "select" ? "selecting" : "deleting"} ${p.folder}: ${p.done}/${p.total}\n`,
        );
        key = k;
        lastTenth = tenth;
      }
    },
    stop() {},
  };
}
