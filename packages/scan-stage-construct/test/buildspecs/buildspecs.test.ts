import { readFileSync } from 'fs';
import { join } from 'path';
import { GATE_STAGE, INSTALL_ASFF_CLI, POST_FEEDBACK, PREPARE_SCAN, scanBuildspec } from '../../src/private/buildspec';
import {
  BUILDSPEC_DIR, SCAN_BUILDSPECS, allBuildspecFiles, bashSyntax, commandBlocks, readBuildspec, shellcheckErrors,
} from '../support/buildspec-files';

describe('the checks themselves', () => {
  test('reject a block with a syntax error', () => {
    expect(bashSyntax('if [ -f x ]; then\n  echo y\n').ok).toBe(false);
  });
  test('reject a block with a shellcheck error', () => {
    expect(shellcheckErrors('for f in "$(ls)" do echo "$f"; done').ok).toBe(false);
  });
  test('accept a clean block', () => {
    const script = 'set -euo pipefail\necho "${HOME}"\n';
    expect([bashSyntax(script).ok, shellcheckErrors(script).ok]).toEqual([true, true]);
  });
});

const files = allBuildspecFiles();

test('the buildspec folder holds every scan buildspec this package embeds', () => {
  expect(files).toEqual(expect.arrayContaining(SCAN_BUILDSPECS));
});

describe.each(files)('%s', (file) => {
  const spec = readBuildspec(file);

  test('parses as a version 0.2 buildspec run by bash', () => {
    expect(String(spec.version)).toBe('0.2');
    expect(spec.env?.shell).toBe('bash');
    expect(commandBlocks(spec).length).toBeGreaterThan(0);
  });

  test.each(commandBlocks(spec).map((block) => [block.label, block.script]))(
    '%s passes bash -n and shellcheck -S error', (_label, script) => {
      const syntax = bashSyntax(script);
      expect(syntax.output).toBe('');
      expect(syntax.ok).toBe(true);
      const lint = shellcheckErrors(script);
      expect(lint.output).toBe('');
      expect(lint.ok).toBe(true);
    });
});

describe.each([INSTALL_ASFF_CLI, PREPARE_SCAN, POST_FEEDBACK, GATE_STAGE])('the shared script %s', (name) => {
  const script = readFileSync(join(BUILDSPEC_DIR, name), 'utf8');
  test('passes bash -n and shellcheck -S error, and fails fast', () => {
    expect(bashSyntax(script)).toEqual({ ok: true, output: '' });
    expect(shellcheckErrors(script)).toEqual({ ok: true, output: '' });
    expect(script).toMatch(/^set -euo pipefail$/m);
  });
});

describe.each(SCAN_BUILDSPECS)('scan buildspec %s', (file) => {
  const spec = readBuildspec(file);
  const blocks = commandBlocks(spec).map((b) => b.script);
  const all = blocks.join('\n');
  const variables: Record<string, string> = spec.env.variables;

  test('every multi-line block fails fast (set -euo pipefail)', () => {
    for (const block of blocks.filter((b) => b.includes('\n'))) {
      expect(block.trimStart().startsWith('set -euo pipefail')).toBe(true);
    }
  });

  test('installs nothing from the npm registry: the asff CLI comes from the shared install script', () => {
    expect(all).not.toMatch(/npm (install|i|ci)\b[^\n]*@devsecops-factory/);
    expect(all).not.toContain('asff-parsers@');
    const stageSpec = scanBuildspec(file);
    expect(stageSpec.phases.install.commands[0]).toBe(readFileSync(join(BUILDSPEC_DIR, INSTALL_ASFF_CLI), 'utf8'));
    expect(stageSpec.phases.install.commands.slice(1)).toEqual(spec.phases.install.commands);
  });

  test('writes the factory\'s policy and removes the repository\'s scanner configuration before any scanner runs', () => {
    const stageSpec = scanBuildspec(file);
    expect(stageSpec.phases.build.commands[0]).toBe(readFileSync(join(BUILDSPEC_DIR, PREPARE_SCAN), 'utf8'));
    expect(stageSpec.phases.build.commands.slice(1)).toEqual(spec.phases.build.commands);
  });

  test('asks CodeBuild for a supported Node.js LTS (22 or 24)', () => {
    expect([22, 24]).toContain(Number(spec.phases.install['runtime-versions'].nodejs));
  });

  test('pins every tool version exactly and every digest in full', () => {
    for (const [name, value] of Object.entries(variables)) {
      if (name.endsWith('_VERSION')) expect([name, String(value)]).toEqual([name, expect.stringMatching(/^\d+\.\d+\.\d+(-\d+)?$/)]);
      if (name.endsWith('_SHA256')) expect([name, value]).toEqual([name, expect.stringMatching(/^[0-9a-f]{64}$/)]);
    }
  });

  test('verifies every download against its pinned digest before using it', () => {
    // Downloads follow redirects (release assets); local API calls do not.
    const downloading = blocks.filter((b) => /curl [^\n]*--location/.test(b));
    expect(downloading.length).toBeGreaterThan(0);
    for (const block of downloading) {
      const downloads = (block.match(/curl [^\n]*--location/g) ?? []).length;
      const checks = (block.match(/sha256sum --check --strict -/g) ?? []).length;
      expect(checks).toBe(downloads);
      expect(block).toMatch(/--max-time \d+/);
    }
  });

  test('uploads each raw report with its metadata, converts it and gates on all of them at once', () => {
    expect(all).toMatch(/aws s3 cp "\$\{report\}"[\s\S]*--metadata "\$\{metadata\}"/);
    for (const key of ['tool', 'scope', 'stage', 'repository', 'branch', 'build-id', 'commit', 'image-digest', 'image', 'policy-key']) {
      expect(all).toContain(`"${key}":$`);
    }
    expect(all).toContain('aws s3 cp "${POLICY_FILE}" "s3://${REPORTS_BUCKET}/${policy_key}"');
    expect(all).toContain('asff convert --tool "${tool}"');
    // One verdict over every tool (gate-stage.sh), after the last conversion; no tool is gated on its own.
    expect(all).toMatch(/asff convert[\s\S]*\n\s*gate-stage\n/);
    expect(all).not.toContain('asff gate');
    expect(all).not.toMatch(/--policy "\$\{POLICY_FILE\}"/);
  });

  test('never pushes an image by tag or with docker push', () => {
    expect(all).not.toMatch(/docker push|:latest/);
  });
});

describe('the shared gate script', () => {
  const script = readFileSync(join(BUILDSPEC_DIR, GATE_STAGE), 'utf8');

  test('judges every tool of the manifest in one asff gate, with the factory\'s policy and one JUnit report', () => {
    // The factory's policy judges; the repository's file only through --repository-policy.
    expect(script).toContain('inputs+=(--input "reports/${tool}.asff.json")');
    expect(script).toContain('asff gate "${inputs[@]}" --policy "${FACTORY_POLICY_FILE}" "${repository_policy[@]}" --stage "${STAGE_NAME}"');
    expect(script).toContain('repository_policy=(--repository-policy "${POLICY_FILE}")');
    expect(script).toContain('--junit reports/junit-gate.xml --markdown reports/summary.md');
    expect(script.match(/asff gate/g)).toHaveLength(1);
  });
});

describe('image digest hand-over', () => {
  test('only the ECR stage exports IMAGE_URI and IMAGE_DIGEST, and only after a push by digest', () => {
    const exported = Object.fromEntries(SCAN_BUILDSPECS.map((f) => [f, readBuildspec(f).env['exported-variables'] ?? []]));
    expect(exported['ecr-scan.yml']).toEqual(['IMAGE_URI', 'IMAGE_DIGEST']);
    for (const file of SCAN_BUILDSPECS.filter((f) => f !== 'ecr-scan.yml')) expect(exported[file]).not.toContain('IMAGE_DIGEST');
    const ecr = commandBlocks(readBuildspec('ecr-scan.yml')).map((b) => b.script).join('\n');
    expect(ecr).toContain('--image-refs reports/image-ref.txt');
    expect(ecr).toMatch(/sha256:\*\) ;;/);
  });

  test('the image build publishes the tarball, its SBOM and its passed gate as an artifact and pushes nothing', () => {
    const spec = readBuildspec('image-scan.yml');
    expect(spec.artifacts.files).toEqual([
      'image/image.tar', 'image/image-id.txt', 'image/sbom.json', 'image/sbom-format.txt', 'image/sbom-key.txt', 'image/gates.json',
    ]);
    expect(commandBlocks(spec).map((b) => b.script).join('\n')).not.toMatch(/crane push|aws ecr/);
  });
});

describe('DAST secrets', () => {
  test('the ZAP API key only goes to 0600 files, never a URL, an argument or a log line', () => {
    const lines = commandBlocks(readBuildspec('dast-scan.yml')).flatMap((b) => b.script.split('\n'));
    const mentions = lines.filter((line) => line.includes('ZAP_API_KEY'));
    expect(mentions).toEqual([
      // Without a key from Secrets Manager, one drawn for this build in a command substitution (never echoed).
      expect.stringMatching(/^\s*if \[ -z "\$\{ZAP_API_KEY:-\}" \]; then ZAP_API_KEY="\$\(od -An -N32 -tx1 \/dev\/urandom \| tr -d ' \\n'\)"; fi$/),
      expect.stringMatching(/printf 'api\.key=%s\\n' "\$\{ZAP_API_KEY\}" > zap\/zap\.properties/),
      expect.stringMatching(/printf 'X-ZAP-API-Key: %s\\n' "\$\{ZAP_API_KEY\}" > zap\/api-header\.txt/),
    ]);
    expect(lines.join('\n')).toContain('umask 077');
    expect(lines.filter((line) => line.includes('curl')).every((line) => !line.includes('apikey'))).toBe(true);
  });
});
