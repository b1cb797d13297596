/**
 * multipart/form-data (RFC 7578) for the console's file uploads, without a
 * new dependency: the body is read whole, up to `bodyLimit`, and parsed by
 * the WHATWG fetch parser Node ships (undici's `Response.formData()`).
 * Buffering is fine at the sizes the console accepts (a CSV of a few MB);
 * anything larger is refused before it is parsed (413).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../errors.ts";

export interface UploadedFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/** Where the parsed body keeps its files; a symbol, so no form field can collide with it. */
export const uploadedFiles = Symbol("uploadedFiles");

export type MultipartBody = Record<string, string> & {
  [uploadedFiles]: Record<string, UploadedFile>;
};

/** Registers the parser in `app`'s encapsulation context only (call it inside a plugin). */
export function acceptMultipartForms(app: FastifyInstance, opts: { bodyLimit: number }): void {
  app.addContentTypeParser(
    "multipart/form-data",
    { parseAs: "buffer", bodyLimit: opts.bodyLimit },
    async (request: FastifyRequest, body: Buffer) => {
      let form: FormData;
      try {
        form = await new Response(body, {
          headers: { "content-type": String(request.headers["content-type"]) },
        }).formData();
      } catch {
        throw new AppError(
          "invalid_input",
          "the upload is not a valid multipart/form-data body; send the form from the page again",
        );
      }
      const fields: Record<string, string> = {};
      const files: Record<string, UploadedFile> = {};
      for (const [name, value] of form) {
        if (typeof value === "string") fields[name] = value;
        else
          files[name] = {
            name: value.name,
            type: value.type,
            bytes: Buffer.from(await value.arrayBuffer()),
          };
      }
      return Object.assign(fields, { [uploadedFiles]: files }) as MultipartBody;
    },
  );
}
