#!/usr/bin/env node
// npm workspaces hoist every dependency to the root node_modules, so `npm pack` in a package folder finds
// none of the package's bundledDependencies there and ships a tarball that cannot load (`Cannot find module`).
// Before packing, this copies each bundled dependency and its runtime dependencies, at the versions the
// lockfile installed, from wherever Node resolves them into the package's own node_modules; `--clean` removes
// them again. Peer dependencies are the consumer's (aws-cdk-lib, constructs) and are never copied.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function readManifest(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
}

function bundledOf(manifest) {
  return manifest.bundledDependencies ?? manifest.bundleDependencies ?? [];
}

/** The folder Node would load `name` from when required inside `fromDir`. */
function resolvePackageDir(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`stage-bundled-deps: ${name}: not installed (run npm ci at the root)`);
    dir = parent;
  }
}

/**
 * Copies `name` (as resolved from `sourceFrom`) to `<targetParent>/node_modules/<name>`, then every runtime
 * dependency it does not carry itself: at the package's top level when free or the same version, nested
 * under the dependent otherwise, as npm would lay them out.
 */
function stage(name, sourceFrom, targetParent, packageRoot, placed, copied) {
  const source = resolvePackageDir(name, sourceFrom);
  const manifest = readManifest(source);
  const topLevel = path.join(packageRoot, 'node_modules', name);
  const atTop = placed.get(topLevel);
  if (atTop === manifest.version) return;
  const target = atTop === undefined ? topLevel : path.join(targetParent, 'node_modules', name);
  if (placed.has(target)) return;
  // npm already installed it here (a version that conflicts with the root's): it ships as it is.
  if (source !== target) {
    if (isWorkspacePackage(source)) copyPublishedFiles(source, target);
    else fs.cpSync(source, target, { recursive: true, dereference: true });
    copied.push(target);
  }
  placed.set(target, manifest.version);
  const carried = new Set(bundledOf(manifest));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (carried.has(dependency)) continue;
    if (fs.existsSync(path.join(source, 'node_modules', dependency, 'package.json'))) continue; // copied with it
    stage(dependency, source, target, packageRoot, placed, copied);
  }
}

/** A package of this workspace (linked, not installed): its folder holds sources, tests and build output. */
function isWorkspacePackage(dir) {
  return !dir.split(path.sep).includes('node_modules');
}

/**
 * A workspace package (the internal construct kit) ships what `npm pack` would put in its own tarball, not its
 * whole folder: compiled lib/ and the manifest, without src/, tests, coverage or its node_modules.
 */
function copyPublishedFiles(source, target) {
  const listing = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: source, encoding: 'utf-8' });
  if (listing.status !== 0) throw new Error(`stage-bundled-deps: ${source}: npm pack --dry-run failed: ${listing.stderr.trim().split('\n').pop()}`);
  const files = JSON.parse(listing.stdout)[0].files.map((f) => f.path);
  if (!files.some((f) => /^lib\/.*\.js$/.test(f))) throw new Error(`stage-bundled-deps: ${source}: no compiled lib/ to bundle (compile it first)`);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(source, file), path.join(target, file));
  }
}

/** Where the folders this script copied are recorded, so that `--clean` removes exactly those. */
const RECORD = '.staged-bundled-deps.json';

function unstage(modules) {
  const record = path.join(modules, RECORD);
  if (!fs.existsSync(record)) return;
  for (const folder of JSON.parse(fs.readFileSync(record, 'utf-8'))) {
    fs.rmSync(path.join(modules, folder), { recursive: true, force: true });
    // A scoped package leaves its scope folder (`@devsecops-factory/`) behind: remove it once empty.
    const parent = path.dirname(path.join(modules, folder));
    if (path.basename(parent).startsWith('@') && fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);
  }
  fs.rmSync(record);
  if (fs.readdirSync(modules).length === 0) fs.rmdirSync(modules);
}

function main() {
  const args = process.argv.slice(2);
  const packageDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? '.');
  const modules = path.join(packageDir, 'node_modules');
  unstage(modules);
  if (args.includes('--clean')) return;
  const manifest = readManifest(packageDir);
  const placed = new Map();
  const copied = [];
  for (const name of bundledOf(manifest)) stage(name, packageDir, packageDir, packageDir, placed, copied);
  if (copied.length > 0) fs.writeFileSync(path.join(modules, RECORD), JSON.stringify(copied.map((p) => path.relative(modules, p))));
  // stderr: stdout belongs to `npm pack --json`, which runs this as its prepack script.
  console.error(`stage-bundled-deps: ${manifest.name}: ${[...placed.keys()].map((p) => path.relative(packageDir, p)).join(', ') || 'nothing to bundle'}`);
}

try {
  main();
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
