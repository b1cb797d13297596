import net from "node:net";
const orig = net.connect;
net.connect = net.createConnection = function (...a) { const s = orig.apply(this, a); s.setNoDelay(true); return s; };
const nodemailer = (await import("nodemailer")).default;
const { SMTPServer } = await import("smtp-server");
const server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ["STARTTLS"], disableReverseLookup: true,
  onData(stream, session, cb) { stream.on("data", () => {}); stream.on("end", () => cb()); } });
server.server.on("connection", (s) => s.setNoDelay(true));
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.server.address().port;
const t = nodemailer.createTransport({ pool: true, url: `smtp://127.0.0.1:${port}`, maxConnections: 5, maxMessages: 100 });
const M = 2000; let i = 0; const s = performance.now();
await Promise.all(Array.from({ length: 10 }, async () => { while (i < M) { i++; await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x" }); } }));
console.log((M / ((performance.now() - s) / 1000)).toFixed(0), "msg/s");
t.close(); server.close();
