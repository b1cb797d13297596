import nodemailer from "nodemailer";
import { spawn } from "node:child_process";
import readline from "node:readline";
const child = spawn(process.execPath, ["--import", "tsx", "test/support/smtp-sink-process.ts"], { stdio: ["pipe", "pipe", "inherit"] });
const rl = readline.createInterface({ input: child.stdout });
const port = await new Promise((r) => rl.once("line", (l) => r(JSON.parse(l).port)));
for (const size of [100, 30000]) {
const t = nodemailer.createTransport({ pool: true, url: `smtp://127.0.0.1:${port}`, maxConnections: 5, maxMessages: 100 });
const M = 1000; let i = 0; const s = performance.now();
await Promise.all(Array.from({ length: 10 }, async () => { while (i < M) { i++; await t.sendMail({ from: "a@b.c", to: "x@y.z", subject: "hi", text: "x".repeat(size) }); } }));
console.log(size, (M / ((performance.now() - s) / 1000)).toFixed(0), "msg/s");
t.close();
}
child.kill();
