import cliProgress from "cli-progress";
import { cliStderr } from "./cli-context.ts";

/**
 * Progress of a count towards a total on stderr (an import's rows, a
 * campaign's recipients): a bar with rate and time left on a terminal
 * (cli-progress), otherwise a plain line at the start, at each tenth and at
 * the end, so a log file or CI shows the course of it and not a stream of
 * redraws. `detail` is a short text after the figures ("sent 10, failed 1").
 */
export function countProgress(
  label: string,
  unit: string,
  stream: NodeJS.WriteStream = cliStderr(),
): { update(done: number, total: number, detail?: string): void; stop(): void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: ` ${label} [{bar}] {value}/{total} ${unit} {detail} {eta_formatted} left`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(done, total, detail = "") {
        if (!running) bar.start(Math.max(total, 1), done, { detail });
        running = true;
        bar.setTotal(Math.max(total, 1));
        bar.update(Math.min(done, Math.max(total, 1)), { detail });
      },
      stop: () => running && bar.stop(),
    };
  }
  let last: string | undefined;
  return {
    update(done, total, detail) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      const key = `${tenth} ${total}`;
      if (key === last) return;
      last = key;
      stream.write(`${label}: ${done}/${total} ${unit}${detail ? `, ${detail}` : ""}\n`);
    },
    stop() {},
  };
}
