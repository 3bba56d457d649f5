#!/usr/bin/env node
// Bundles the findings-processor Lambda and the `asff` CLI of @devsecops-factory/asff-parsers, each into one
// self-contained file, with the same esbuild options and from the same sources in one run: the Lambda and the
// CLI a factory deploys are the same version by construction. Each bundle gets a THIRD-PARTY-NOTICES.txt
// beside it with the name, version, licence and licence text of every package compiled into it (esbuild's
// own legal-comment extraction keeps only `@license` comments, not the licences the packages ship).
//
// usage (from packages/asff-parsers): node ../../scripts/bundle-asff.js
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const packageDir = process.cwd();
const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf-8'));

const BUNDLES = [
  { entry: 'src/lambda/handler.ts', outfile: 'dist/lambda/index.js' },
  // The CLI runs as `node asff.js` in CodeBuild, or directly thanks to the shebang.
  { entry: 'src/cli/bundle-entry.ts', outfile: 'dist/cli/asff.js', banner: '#!/usr/bin/env node' },
];

/** Target: the Node.js LTS the Lambda runtime and the CodeBuild runtime use. */
const NODE_TARGET = 'node22';

async function bundle({ entry, outfile, banner }) {
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    banner: banner ? { js: banner } : undefined,
    define: { __ASFF_VERSION__: JSON.stringify(manifest.version) },
  });
  const notices = thirdPartyNotices(Object.keys(result.metafile.inputs), `${manifest.name} ${manifest.version} (${path.basename(outfile)})`);
  fs.writeFileSync(path.join(path.dirname(outfile), 'THIRD-PARTY-NOTICES.txt'), notices);
  if (banner) fs.chmodSync(outfile, 0o755);
  return outfile;
}

/** The package folder (`.../node_modules/<name>` or `.../node_modules/@scope/<name>`) of a bundled input file. */
function packageFolderOf(input) {
  const parts = input.split('/');
  const index = parts.lastIndexOf('node_modules');
  if (index < 0) return undefined;
  const length = parts[index + 1].startsWith('@') ? 3 : 2;
  return path.resolve(packageDir, parts.slice(0, index + length).join('/'));
}

/**
 * Licence texts of repositories whose published packages omit them (saxes 6, emitter-listener, Powertools),
 * taken from the repository itself: scripts/licences/<owner>__<repository>.txt.
 */
const LICENCE_OVERRIDES = path.join(__dirname, 'licences');

function licenceFile(folder) {
  const file = fs.readdirSync(folder).find((entry) => /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i.test(entry));
  return file ? fs.readFileSync(path.join(folder, file), 'utf-8').trim() : undefined;
}

/** `owner__repository` of a package's GitHub repository, the key of its licence override and of its siblings. */
function repositoryKey(pkg) {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url ?? '';
  // A URL on github.com, or npm's shorthand `owner/repository` (`github:owner/repository`), which spdx-license-ids uses.
  const match = /github\.com[/:]([^/]+)\/([^/#]+?)(\.git)?(#.*)?$/.exec(url) ?? /^(?:github:)?([\w.-]+)\/([\w.-]+?)(\.git)?$/.exec(url);
  return match ? `${match[1]}__${match[2]}` : undefined;
}

function thirdPartyNotices(inputs, title) {
  const folders = [...new Set(inputs.map(packageFolderOf).filter(Boolean))];
  const packages = folders.map((folder) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf-8'));
    const licence = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? 'UNKNOWN';
    return { id: `${pkg.name}@${pkg.version}`, licence, repository: repositoryKey(pkg), text: licenceFile(folder) };
  });
  for (const entry of packages.filter((p) => p.text === undefined)) {
    // A package of a monorepo (aws-sdk-js-v3) often omits the licence its siblings ship: the same repository's.
    const sibling = packages.find((p) => p.text !== undefined && p.repository !== undefined && p.repository === entry.repository && p.licence === entry.licence);
    const override = entry.repository && path.join(LICENCE_OVERRIDES, `${entry.repository}.txt`);
    if (sibling) entry.text = `(the licence of its repository, as ${sibling.id} ships it)\n${sibling.text}`;
    else if (override && fs.existsSync(override)) entry.text = fs.readFileSync(override, 'utf-8').trim();
    else throw new Error(`bundle-asff: ${entry.id} is bundled but ships no licence file; add its repository's licence as scripts/licences/${entry.repository ?? '<owner>__<repository>'}.txt`);
  }
  const unique = [...new Map(packages.map((p) => [p.id, p])).values()].sort((a, b) => a.id.localeCompare(b.id));
  const header = `Third-party software bundled into ${title}\n${unique.length} packages; each is followed by its licence.\n`;
  return [header, ...unique.map((p) => `${'='.repeat(78)}\n${p.id} (${p.licence})\n${'-'.repeat(78)}\n${p.text}\n`)].join('\n');
}

Promise.all(BUNDLES.map(bundle)).then(
  (files) => console.log(`bundle-asff: ${files.join(', ')} (${manifest.name}@${manifest.version})`),
  (error) => {
    console.error(error.message.split('\n')[0]);
    process.exit(2);
  },
);
