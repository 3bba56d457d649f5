#!/usr/bin/env node
// Copies a single-file bundle built by asff-parsers (scripts/bundle-asff.js: the findings-processor Lambda or
// the asff CLI) with its third-party notices into a construct package, so that consumers in any jsii language
// need neither esbuild, Docker nor a package registry at synth or build time. Source maps stay behind.
'use strict';
const fs = require('fs');
const path = require('path');

const [source, destination] = process.argv.slice(2);
const files = fs.existsSync(source) ? fs.readdirSync(source).filter((name) => !name.endsWith('.map')) : [];
if (!files.some((name) => name.endsWith('.js')) || !files.includes('THIRD-PARTY-NOTICES.txt')) {
  console.error(`embed-bundle: ${source}: no bundle with its THIRD-PARTY-NOTICES.txt; build @devsecops-factory/asff-parsers first (npx projen compile there)`);
  process.exit(2);
}
fs.rmSync(destination, { recursive: true, force: true });
fs.mkdirSync(destination, { recursive: true });
for (const name of files) fs.copyFileSync(path.join(source, name), path.join(destination, name));
