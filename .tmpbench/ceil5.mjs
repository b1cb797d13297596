import net from "node:net"; const oc = net.Socket.prototype.connect; net.Socket.prototype.connect = function (...a) { this.setNoDelay(true); return oc.apply(this, a); };
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
const t0 = performance.now();
const log = (...a) => console.log((performance.now() - t0).toFixed(1), ...a);
const server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ["STARTTLS"], disableReverseLookup: true,
  onData(stream, session, cb) { stream.on("data", () => {}); stream.on("end", () => { log("server end of data"); cb(); }); } });
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.server.address().port;
const logger = { level() {}, trace() {}, debug(_m, ...a) { log("D", ...a.map(String).slice(0, 2)); }, info(_m, ...a) { log("I", ...a.map(String).slice(0,2)); }, warn() {}, error() {}, fatal() {} };
const t = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, maxConnections: 1, debug: true, logger });
await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x" });
log("---- second");
await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x" });
log("done");
t.close(); server.close();
