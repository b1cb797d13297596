import type { LogFields, Logger } from "../types.ts";

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof levels;

/** One JSON object per line on stderr, so stdout stays free for command output. */
export function createLogger(
  level: LogLevel = "info",
  base: LogFields = {},
  write: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Logger {
  const min = levels[level];
  const emit = (lvl: LogLevel) => (message: string, fields?: LogFields) => {
    if (levels[lvl] < min) return;
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: lvl,
        msg: message,
        ...base,
        ...fields,
      }),
    );
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
