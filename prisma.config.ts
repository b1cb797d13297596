// The Prisma CLI's configuration: JavaScript schema engine over a driver
// adapter, so no engine binary is ever downloaded.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { MigratePg } from "./prisma/cli-adapter.ts";

// The CLI falls back to the binary engine when the schema's env("DATABASE_URL")
// is unset, so give it the local default the tests and `npm run db:migrate` use.
process.env.DATABASE_URL ||= "postgresql://postgres@127.0.0.1:5432/mailsteward";

// The wasm schema engine arms long timers; unref them so the CLI exits when done.
const setTimeoutOriginal = globalThis.setTimeout;
globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
  const timer = setTimeoutOriginal(...args);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true, externalTables: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: {
    path: path.join("prisma", "migrations"),
    initShadowDb: "",
  },
  tables: { external: ["public.agenda_jobs", "public.agenda_logs"] },
  adapter: async () => new MigratePg(process.env.DATABASE_URL!),
});
