// A message produced by the campaign sender and received by a real SMTP server
// verifies with an independent DKIM implementation (Debian's python3-dkim),
// given the test public key through its DNS hook; a tampered copy does not.
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import {
  newCampaign,
  openWorld,
  seedAudience,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

const verifier = `
import sys, dkim
pub = sys.argv[1].encode()
key_type = sys.argv[2].encode()
msg = sys.stdin.buffer.read()
ok = dkim.verify(msg, dnsfunc=lambda name, timeout=5: b"v=DKIM1; k=" + key_type + b"; p=" + pub)
print("PASS" if ok else "FAIL")
`;

function verify(raw: Buffer, publicKeyB64: string, type: "rsa" | "ed25519"): string {
  const result = spawnSync("/usr/bin/python3", ["-c", verifier, publicKeyB64, type], {
    input: raw,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`python3-dkim failed: ${result.stderr}`);
  return result.stdout.trim();
}

for (const type of ["rsa", "ed25519"] as const) {
  describe(`DKIM ${type}`, () => {
    let world: World;
    let publicKey: string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dkim-"));
    beforeAll(async () => {
      const pair =
        type === "rsa"
          ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
          : crypto.generateKeyPairSync("ed25519");
      const der = pair.publicKey.export({ type: "spki", format: "der" });
      // RFC 8463 §4.2: an Ed25519 record carries the bare 32-byte key, not the SPKI structure.
      publicKey = (type === "rsa" ? der : der.subarray(der.length - 32)).toString("base64");
      const file = path.join(dir, "key.pem");
      fs.writeFileSync(file, pair.privateKey.export({ type: "pkcs8", format: "pem" }));
      world = await openWorld({
        DKIM_DOMAIN: "example.test",
        DKIM_SELECTOR: "news",
        DKIM_PRIVATE_KEY_FILE: file,
        MAIL_FROM: "Exämple Néws <news@example.test>",
      });
    });
    afterAll(async () => {
      await world?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("signs From, Subject, Date, Message-ID, To and the List-* headers, and verifies independently", async () => {
      const { app, pg, sink } = world;
      await seedAudience(pg, 3);
      await pg.query(`UPDATE contacts SET name = 'Zoë  "Q" Ünïcode'`);
      const id = await newCampaign(app, "signed", { subject: "Grüße, {{name}} — the news" });
      await scheduleCampaign(app, { slug: "signed" });
      await app.jobs.start();
      await waitForStatus(app, id, ["sent"]);
      expect(sink.count).toBe(3);
      const raw = sink.messages[0]!.raw;
      const head = raw
        .toString("latin1")
        .split("\r\n\r\n")[0]!
        .replace(/\r\n[ \t]+/g, " ");
      const h = /^DKIM-Signature: .*\bh=([^;]+);/m.exec(head)?.[1]?.split(":") ?? [];
      for (const name of [
        "from",
        "subject",
        "date",
        "message-id",
        "to",
        "list-unsubscribe",
        "list-unsubscribe-post",
      ])
        expect(h).toContain(name);
      expect(head).toMatch(type === "rsa" ? /a=rsa-sha256/ : /a=ed25519-sha256/);
      expect(head).toMatch(/c=relaxed\/relaxed/);

      expect(verify(raw, publicKey, type)).toBe("PASS");
      const tamperedBody = Buffer.from(
        raw
          .toString("latin1")
          .replace(
            /(\r\n\r\n--=_ms[^\r]*\r\n[^]*?\r\n\r\n)(.)/,
            (_m, a: string, c: string) => a + (c === "A" ? "B" : "A"),
          ),
        "latin1",
      );
      expect(tamperedBody.equals(raw)).toBe(false);
      expect(verify(tamperedBody, publicKey, type)).toBe("FAIL");
      const tamperedSubject = Buffer.from(
        raw.toString("latin1").replace(/^Subject: /m, "Subject: Re: "),
        "latin1",
      );
      expect(verify(tamperedSubject, publicKey, type)).toBe("FAIL");
    });
  });
}
