/**
 * IMAP's modified UTF-7 for mailbox names (RFC 3501 5.1.3): printable ASCII
 * stands for itself except "&", written "&-"; anything else is UTF-16 in
 * base64 with "," for "/", between "&" and "-".
 */
export function decodeModifiedUtf7(name: string): string {
  return name.replace(/&([^-]*)-/g, (_, run: string) => {
    if (run === "") return "&";
    const bytes = Buffer.from(run.replace(/,/g, "/"), "base64");
    let out = "";
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  });
}

export function encodeModifiedUtf7(name: string): string {
  let out = "";
  let run = "";
  const flush = () => {
    if (run === "") return;
    const bytes = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += "&" + bytes.toString("base64").replace(/=+$/, "").replace(/\//g, ",") + "-";
    run = "";
  };
  for (const ch of name) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === "&" ? "&-" : ch;
    } else run += ch;
  }
  flush();
  return out;
}
