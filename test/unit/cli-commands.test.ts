// The CLI loads only the files of the command it runs (src/cli/commands.ts); this keeps that
// table true: each file registers exactly the commands the table says, and no command file
// is left out of it.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandFiles, filesFor } from "../../src/cli/commands.ts";

const cliDir = fileURLToPath(new URL("../../src/cli/", import.meta.url));

describe("the CLI's command table", () => {
  it("names, for each file, exactly the top-level commands it registers", async () => {
    for (const [file, commands] of commandFiles) {
      const { register } = (await import(path.join(cliDir, file))) as {
        register(program: Command): void;
      };
      const program = new Command("mailsteward");
      register(program);
      expect([file, program.commands.map((c) => c.name()).sort()]).toEqual([
        file,
        [...commands].sort(),
      ]);
    }
  }, 60_000);

  it("leaves out no file that registers commands (directly or through one that is listed)", async () => {
    const listed = new Set(commandFiles.map(([file]) => file));
    const sources = new Map<string, string>();
    for (const file of await readdir(cliDir))
      if (file.endsWith(".ts")) sources.set(file, await readFile(path.join(cliDir, file), "utf8"));
    const importedByListed = new Set(
      [...listed].flatMap((file) =>
        [...(sources.get(file) ?? "").matchAll(/from "\.\/([a-z-]+\.ts)"/g)].map((m) => m[1]!),
      ),
    );
    const registering = [...sources].filter(([, text]) =>
      /export function register\(program: Command\)/.test(text),
    );
    const missing = registering
      .map(([file]) => file)
      .filter((file) => !listed.has(file) && !importedByListed.has(file));
    expect(missing).toEqual([]);
  });

  it("loads a command's own files, and every file for help or an unknown word", () => {
    expect(filesFor(["lists", "create", "news"])).toEqual([
      "lists.ts",
      "lists-create.ts",
      "lists-set-public.ts",
    ]);
    expect(filesFor(["contacts", "import", "x.csv"])).toEqual([
      "contacts-import.ts",
      "privacy-commands.ts",
    ]);
    expect(filesFor(["--help"])).toHaveLength(commandFiles.length);
    expect(filesFor(["contcts"])).toHaveLength(commandFiles.length);
  });
});
