// A throw-away certificate authority and a server certificate for 127.0.0.1
// and localhost, made with openssl at test time in a temp dir (never
// committed keys), so TLS tests can trust their own CA through
// SMTP_TLS_CA_FILE instead of turning verification off.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  dir: string;
  /** the CA's certificate (PEM): what a client trusts */
  caFile: string;
  /** the server's key and certificate chain (PEM), signed by the CA */
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
  remove(): Promise<void>;
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailsteward-tls-"));
  // Postfix's smtpd reads the files as its own user: the dir must be traversable
  await chmod(dir, 0o755);
  const file = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=mailsteward test CA",
  ]);
  await run("openssl", [
    "req",
    ...ec,
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=localhost",
  ]);
  await writeFile(
    file("server.ext"),
    "subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n",
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.pem"),
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
  ]);
  // a test key in a throw-away dir; Postfix's and Dovecot's unprivileged users read it
  await chmod(file("server.key"), 0o644);
  return {
    dir,
    caFile: file("ca.pem"),
    keyFile: file("server.key"),
    certFile: file("server.pem"),
    key: await readFile(file("server.key")),
    cert: await readFile(file("server.pem")),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
