// Run by `npm test` before vitest: makes sure the real services the
// integration tests use are present, installing them when we are root.
import { execSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import pg from "pg";

const isRoot = process.getuid?.() === 0;
const databaseUrl =
  process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const problems = [];
let aptUpdated = false;

function report(name, status) {
  console.log(`test-setup: ${name.padEnd(12)} ${status}`);
}

async function postgresAnswers() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensurePostgres() {
  const where = new URL(databaseUrl).host;
  if (await postgresAnswers()) return report("postgresql", `ok (${where})`);
  const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
  const start = `pg_ctlcluster --skip-systemctl-redirect ${versions[0] ?? "<version>"} main start`;
  if (!isRoot || versions.length === 0) {
    return problems.push(
      `PostgreSQL does not answer at ${where}; start it (as root: ${start}) or set TEST_DATABASE_URL`,
    );
  }
  spawnSync("sh", ["-c", start], { stdio: "inherit" });
  for (let i = 0; i < 20; i++) {
    if (await postgresAnswers()) return report("postgresql", `started (${where})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  problems.push(`PostgreSQL does not answer at ${where} even after: ${start}`);
}

function aptInstall(pkg) {
  if (!aptUpdated) execSync("apt-get update -qq", { stdio: "inherit" });
  aptUpdated = true;
  execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`, { stdio: "inherit" });
}

function ensurePackage(name, pkg, present) {
  if (present()) return report(name, "ok");
  if (!isRoot)
    return problems.push(
      `${name} is missing; install it with: sudo apt-get update && sudo apt-get install -y ${pkg}`,
    );
  try {
    aptInstall(pkg);
  } catch (error) {
    return problems.push(`${name}: apt-get install -y ${pkg} failed: ${error.message}`);
  }
  if (present()) report(name, `installed (${pkg})`);
  else problems.push(`${name} is still missing after apt-get install -y ${pkg}`);
}

await ensurePostgres();
ensurePackage("dovecot", "dovecot-imapd", () => existsSync("/usr/sbin/dovecot"));
// The inbox end-to-end test: Postfix delivering over LMTP into Dovecot. Their
// packages start daemons on install unless policy-rc.d refuses (exit 101):
// without it Postfix would bind port 25, so it is put in place first.
if (isRoot && !existsSync("/usr/sbin/postfix") && !existsSync("/usr/sbin/policy-rc.d")) {
  writeFileSync("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", { mode: 0o755 });
}
ensurePackage("dovecot-lmtp", "dovecot-lmtpd", () => existsSync("/usr/lib/dovecot/lmtp"));
ensurePackage("postfix", "postfix", () => existsSync("/usr/sbin/postfix"));
// The transport end-to-end test: OpenDKIM as Postfix's milter checks our signatures;
// openssl makes the test CA and certificate for STARTTLS and smtps.
ensurePackage("opendkim", "opendkim", () => existsSync("/usr/sbin/opendkim"));
ensurePackage("openssl", "openssl", () => existsSync("/usr/bin/openssl"));
ensurePackage("chromium", "chromium", () => existsSync("/usr/bin/chromium"));
// Debian's interpreter, not whatever `python3` is first on PATH (pyenv hides the apt module).
ensurePackage(
  "python3-dkim",
  "python3-dkim",
  () => spawnSync("/usr/bin/python3", ["-c", "import dkim"], { stdio: "ignore" }).status === 0,
);

if (problems.length > 0) {
  for (const problem of problems) console.error(`test-setup: ${problem}`);
  process.exit(1);
}
