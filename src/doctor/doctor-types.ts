export type CheckStatus = "ok" | "warn" | "fail";

/** One finding of `mailsteward doctor`, also shown on the console's dashboard. */
export interface SetupCheck {
  /** stable id, e.g. "smtp", "dkim-dns" */
  id: string;
  status: CheckStatus;
  /** what was found, in one sentence */
  summary: string;
  /** how to fix it, when it is not ok */
  fix?: string;
}

/**
 * The checks' edges, handed in so the logic is tested with fakes and the
 * real probes live in src/adapters/setup-probes.ts.
 */
export interface SetupProbes {
  /** GET the URL; the status and JSON body, or why it could not be fetched */
  fetchJson(url: string): Promise<{ status: number; body: unknown } | { error: string }>;
  /** connect, TLS and AUTH as configured, then QUIT; never a secret in the error */
  probeSmtp(): Promise<{ ok: true } | { ok: false; error: string }>;
  /** the TXT record's texts (each joined from its strings), or why the lookup failed */
  resolveTxt(name: string): Promise<string[] | { error: string }>;
  /** a file's text, or the errno code */
  readFile(path: string): { text: string } | { error: string };
  /** the signing keys generated into DATA_DIR/secrets.json on the embedded default, if that file exists */
  generatedSigningKeys(): string | undefined;
}
