import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
const server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ["STARTTLS"], disableReverseLookup: true,
  onData(stream, session, cb) { stream.on("data", () => {}); stream.on("end", () => cb()); } });
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.server.address().port;
const t = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, maxConnections: 5, maxMessages: 100, logger: true });
await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x" });
const s = performance.now();
await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x" });
console.log(performance.now() - s, "ms");
t.close(); server.close();
