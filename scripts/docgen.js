#!/usr/bin/env node
// API.md for a jsii package of this workspace. jsii-docgen looks for dependency assemblies
// only below the package folder; npm workspaces hoist them to the root node_modules, which
// also links every workspace package, so that is the assemblies directory we hand it.
'use strict';
const fs = require('fs');
const path = require('path');
const { Documentation, Language } = require('jsii-docgen');

async function main() {
  const packageDir = process.cwd();
  const assembliesDir = path.join(__dirname, '..', 'node_modules');
  const docs = await Documentation.forProject(packageDir, { assembliesDir });
  const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, readme: false, allSubmodules: true });
  fs.writeFileSync(path.join(packageDir, 'API.md'), markdown.render());
}

main().catch((error) => {
  console.error(`docgen: ${path.basename(process.cwd())}: ${error.message}`);
  process.exit(1);
});
