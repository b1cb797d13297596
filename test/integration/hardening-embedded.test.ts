// Issue 7, local access to the embedded database: whatever the umask, DATA_DIR
// is 0700 with 0600 files; the PGlite socket server listens on no TCP port but
// on a Unix socket that no other local user can reach; `status` warns about
// modes it found too wide; two processes starting together on a fresh data
// directory end up with the same secrets.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli, startMain, type Started } from "../support/processes.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-hardening-"));
// The test directory itself is open to everyone, so only mailsteward's own modes protect DATA_DIR.
fs.chmodSync(dir, 0o755);
const dataDir = path.join(dir, ".data");
const env = {
  DATA_DIR: dataDir,
  OUTBOX_DIR: path.join(dir, "outbox"),
  DATABASE_URL: "",
  SMTP_URL: "",
};
let main: Started | undefined;
let previousUmask = 0o022;

function modesUnder(root: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return out;
}

/** `pid` and its descendants (tsx runs the program in a child process). */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** TCP ports in LISTEN state whose socket belongs to `pid` or its children (from /proc: no tools needed). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const p of processTree(pid)) {
    for (const fd of fs.readdirSync(`/proc/${p}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${p}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9]!)) continue;
      ports.push(parseInt(cols[1]!.split(":")[1]!, 16));
    }
  }
  return ports.sort();
}

beforeAll(async () => {
  // The widest umask an operator could have: PGlite's files would be 0666, directories 0777.
  previousUmask = process.umask(0);
  try {
    main = await startMain(env, 120_000);
  } finally {
    process.umask(previousUmask);
  }
}, 150_000);

afterAll(async () => {
  if (main && main.child.exitCode === null) {
    main.child.kill("SIGKILL");
    await main.exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database is private to its user", () => {
  it("keeps DATA_DIR 0700 with 0600 files under umask 000", () => {
    const entries = modesUnder(dataDir);
    expect(entries.length).toBeGreaterThan(50); // PGlite's cluster is hundreds of files
    const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600));
    expect(wrong.map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  });

  it("serves PGlite on no TCP port, only on a Unix socket other users cannot reach", () => {
    const pid = main!.child.pid!;
    const httpPort = Number(new URL(main!.url).port);
    expect(listeningTcpPorts(pid)).toEqual([httpPort]);
    const socket = path.join(dataDir, "run", ".s.PGSQL.5432");
    expect(fs.statSync(socket).isSocket()).toBe(true);
    // Another local account tries to connect, as `psql -h DATA_DIR/run` would.
    const probe = spawnSync(
      "runuser",
      [
        "-u",
        "nobody",
        "--",
        process.execPath,
        "-e",
        `require("net").connect(${JSON.stringify(socket)}).on("connect",()=>{console.log("connected");process.exit(0)}).on("error",e=>{console.log(e.code);process.exit(0)})`,
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(probe.stdout.trim()).toBe("EACCES");
  });

  it("status warns about modes it finds too wide, and tightens them", async () => {
    main!.child.kill("SIGTERM");
    expect(await main!.exited).toBe(0);
    fs.chmodSync(dataDir, 0o755);
    const someFile = modesUnder(path.join(dataDir, "pgdata")).find((e) => !e.dir)!.path;
    fs.chmodSync(someFile, 0o644);
    const result = await runCli(["status"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: \d+ entries under .* were open to other local users/);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(someFile).mode & 0o777).toBe(0o600);
    const again = await runCli(["status"], env);
    expect(again.stderr).not.toMatch(/warning:/);
  }, 120_000);
});

describe("secrets on a fresh data directory", () => {
  it("two processes starting together end up with the same secrets, the ones on disk", async () => {
    const script = `
      import crypto from "node:crypto";
      import { loadConfig } from ${JSON.stringify(path.join(repoRoot, "src/config/load-config.ts"))};
      const c = loadConfig({ DATA_DIR: process.env.RACE_DIR }, () => {});
      console.log(crypto.createHash("sha256").update(c.signingKeys[0].secret).update(c.suppressionKey).update(c.adminToken).digest("hex"));
    `;
    const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
    const run = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [tsx, "--eval", script], {
          cwd: repoRoot,
          env: { ...process.env, RACE_DIR: target },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
      });
    for (let trial = 0; trial < 5; trial++) {
      const target = path.join(dir, `race-${trial}`);
      const seen = await Promise.all([run(target), run(target), run(target)]);
      const stored = JSON.parse(fs.readFileSync(path.join(target, "secrets.json"), "utf8")) as {
        signingKeys: string;
        suppressionKey: string;
        adminToken: string;
      };
      const onDisk = crypto
        .createHash("sha256")
        .update(Buffer.from(stored.signingKeys.split(":")[1]!, "base64"))
        .update(stored.suppressionKey)
        .update(stored.adminToken)
        .digest("hex");
      expect(seen).toEqual([onDisk, onDisk, onDisk]);
      expect(fs.readdirSync(target).filter((f) => f.startsWith("secrets.json."))).toEqual([]);
    }
  }, 180_000);
});
