#!/usr/bin/env node
// Copies canonical buildspecs from /buildspecs into a package's assets folder at build time,
// so the YAML lives in one place and ships inside the published package.
'use strict';
const fs = require('fs');
const path = require('path');

const [destination, ...names] = process.argv.slice(2);
if (!destination || names.length === 0) {
  console.error('usage: embed-buildspecs.js <destination> <buildspec.yml>...');
  process.exit(2);
}
const source = path.join(__dirname, '..', 'buildspecs');
fs.mkdirSync(destination, { recursive: true });
for (const name of names) {
  const from = path.join(source, name);
  if (!fs.existsSync(from)) {
    console.error(`embed-buildspecs: ${from}: no such buildspec`);
    process.exit(2);
  }
  fs.copyFileSync(from, path.join(destination, name));
}
