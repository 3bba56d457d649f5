#!/usr/bin/env node
// Copies the pre-bundled findings-processor Lambda into a construct package, so that
// consumers in any jsii language need neither esbuild nor Docker at synth time.
'use strict';
const fs = require('fs');
const path = require('path');

const [source, destination] = process.argv.slice(2);
const bundle = path.join(source, 'index.js');
if (!fs.existsSync(bundle)) {
  console.error(`embed-lambda: ${bundle}: missing; build @devsecops-factory/asff-parsers first (npx projen compile there)`);
  process.exit(2);
}
fs.rmSync(destination, { recursive: true, force: true });
fs.mkdirSync(destination, { recursive: true });
fs.copyFileSync(bundle, path.join(destination, 'index.js'));
