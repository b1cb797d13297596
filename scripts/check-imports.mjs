// Lint rule of this codebase: only src/adapters/ may import the mail, database
// and job libraries, and only it constructs the Prisma client.
import fs from "node:fs";
import path from "node:path";

const restricted =
  /^(imapflow|nodemailer|mailparser|mjml|agenda|@agendajs\/|pg$|@electric-sql\/|@prisma\/adapter-pg|mongodb)/;
const problems = [];

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (file === path.join("src", "adapters") || file === path.join("src", "generated")) continue;
      walk(file);
    } else if (file.endsWith(".ts")) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+["']([^"']+)["']/gm)) {
        if (restricted.test(m[1]))
          problems.push(`${file}: imports ${m[1]} (only src/adapters/ may)`);
      }
      if (/new PrismaClient\(/.test(text))
        problems.push(`${file}: constructs PrismaClient (only src/adapters/ may)`);
    }
  }
}

walk("src");
walk("jobs");
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("imports: only src/adapters/ touches the mail, database and job libraries");
