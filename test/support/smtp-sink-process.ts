// The SMTP sink as its own process, so a benchmark's sender does not share an
// event loop with the receiver. Start it with
//   node --import tsx test/support/smtp-sink-process.ts [port]
// (0.5 s; `tsx file` works too but takes ~1.4 s). It prints {"port":N}; a
// "stats" line on stdin prints {"count":N,"duplicates":D,"cpuMs":T}, and so do SIGTERM
// and stdin closing (the parent is gone) before it exits.
import readline from "node:readline";
import { startSmtpSink } from "./smtp-sink.ts";

const sink = await startSmtpSink({ keepMessages: false, port: Number(process.argv[2] ?? 0) });
// cpuMs: this process's CPU time so far, so a benchmark can tell whether the sink is its limit
const stats = () => {
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({
      count: sink.count,
      duplicates: sink.duplicates,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    }),
  );
};
let exiting = false;
const exit = () => {
  if (exiting) return;
  exiting = true;
  stats();
  void sink.close().finally(() => process.exit(0));
};
console.log(JSON.stringify({ port: sink.port }));

readline
  .createInterface({ input: process.stdin })
  .on("line", (line) => line.trim() === "stats" && stats())
  .once("close", exit);
process.once("SIGTERM", exit);
