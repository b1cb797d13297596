import cliProgress from "cli-progress";
import type { HandoverProgress } from "../mailboxes/run-handover.ts";
import { cliStderr } from "./cli-context.ts";

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/**
 * Progress of a handover on stderr: one bar over all selected messages
 * (messages and MB, rate, time left) on a terminal; on anything else a
 * line per phase and per tenth, not a stream of redraws.
 */
export function handoverProgress(stream: NodeJS.WriteStream = cliStderr()): {
  update(p: HandoverProgress): void;
  stop(): void;
} {
  const started = Date.now();
  const rates = (p: HandoverProgress) => {
    const s = Math.max(0.001, (Date.now() - started) / 1000);
    return { rate: Math.round(p.messages / s), mbps: mb(p.bytes / s) };
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          " {phase} [{bar}] {value}/{total} messages, {mb}/{totalMb} MB, {rate} msg/s {mbps} MB/s, {eta_formatted} left",
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(p) {
        const payload = {
          phase: p.phase.padEnd(6),
          mb: mb(p.bytes),
          totalMb: mb(p.totalBytes),
          ...rates(p),
        };
        if (!running) {
          bar.start(Math.max(p.totalMessages, 1), p.messages, payload);
          running = true;
        }
        bar.setTotal(Math.max(p.totalMessages, 1));
        bar.update(Math.min(p.messages, Math.max(p.totalMessages, 1)), payload);
      },
      stop: () => running && bar.stop(),
    };
  }
  let last = "";
  return {
    update(p) {
      const tenth = p.totalMessages === 0 ? 0 : Math.floor((p.messages / p.totalMessages) * 10);
      const key = `${p.phase} ${tenth}`;
      if (key === last) return;
      last = key;
      const { rate, mbps } = rates(p);
      stream.write(
        `${p.phase}: ${p.messages}/${p.totalMessages} messages, ${mb(p.bytes)}/${mb(p.totalBytes)} MB, ${rate} msg/s, ${mbps} MB/s\n`,
      );
    },
    stop() {},
  };
}
