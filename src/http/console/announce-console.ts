import type { App } from "../../main.ts";
import { ensureFirstOperator } from "../../operators/ensure-first-operator.ts";

/**
 * What `npm start` prints for people: where the console is, every time; on
 * the embedded default's first start also the admin account it just made
 * (its password is printed this once and never stored in the clear).
 */
export async function announceConsole(app: App, write: (line: string) => void): Promise<void> {
  const where = `${app.config.publicBaseUrl}/admin`;
  write(`The console is at ${where}`);
  // A failure here must not stop a worker that is already serving: say so and go on.
  const first = await (
    app.database.embedded
      ? ensureFirstOperator(app, { mailFrom: app.config.mailFrom })
      : Promise.resolve(undefined)
  ).catch((error: unknown) => {
    app.log.warn("could not create the first operator", { error: String(error) });
    return undefined;
  });
  if (first) {
    write(`Sign in with ${first.email} and the password ${first.password}`);
    write(
      "This password is shown only now; change it with: mailsteward operators reset-password " +
        first.email,
    );
  } else if (!app.database.embedded && (await app.db.operator.count()) === 0) {
    write("No operator yet: add one with mailsteward operators add EMAIL --role admin");
  }
}
