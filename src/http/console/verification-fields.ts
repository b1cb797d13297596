/**
 * How the requester of a data-subject request was verified: asked by every
 * privacy form (export, correct, erase, open a request). The method is
 * recorded with the request; the reference says where the proof is kept,
 * never the proof itself.
 */
import { z } from "zod";
import { html, type Html } from "./console-kit.ts";

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const verificationForm = z.object({
  verifiedBy: z
    .string({ error: 'say how the requester was verified, such as "signed-letter"' })
    .trim()
    .min(1, 'say how the requester was verified, such as "signed-letter"')
    .max(100),
  reference: z.preprocess(blankIsUnset, z.string().trim().max(200).optional()),
});

const methods = ["signed-letter", "email-from-address", "in-person-id-check", "phone-callback"];

export function verificationFields(): Html {
  return html`<fieldset>
    <legend>Verification</legend>
    <p>
      <label for="verified-by">How the requester was verified</label>
      <input
        id="verified-by"
        name="verifiedBy"
        required
        maxlength="100"
        list="verification-methods"
        aria-describedby="verified-by-help"
      />
      <datalist id="verification-methods">
        ${methods.map((m) => html`<option value="${m}"></option>`)}
      </datalist>
      <span id="verified-by-help" class="muted">such as ${methods.join(", ")}</span>
    </p>
    <p>
      <label for="verification-reference"
        >Where the proof is kept <span class="muted">(optional, e.g. "DMS #4711")</span></label
      >
      <input id="verification-reference" name="reference" maxlength="200" />
    </p>
  </fieldset>`;
}
