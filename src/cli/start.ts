import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("start")
    .description("run the worker and the web server (what `npm start` does)")
    .option("--no-worker", "web server only: do not run jobs")
    .option("--no-http", "worker only: no web server")
    .action(async (opts: { worker: boolean; http: boolean }) => {
      const { start } = await import("../main.ts");
      const running = await start({
        purpose: "mailsteward start",
        worker: opts.worker,
        http: opts.http,
      });
      const stop = () =>
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      // Fire-and-forget on purpose: stop() settles by exiting the process either way.
      process.once("SIGTERM", () => void stop());
      process.once("SIGINT", () => void stop());
    });
}
