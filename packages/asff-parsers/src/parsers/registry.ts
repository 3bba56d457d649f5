import { anchoreParser } from './anchore';
import { arachniParser } from './arachni';
import { banditParser } from './bandit';
import { checkovParser } from './checkov';
import { clairParser } from './clair';
import { clamavParser } from './clamav';
import { cyclonedxParser } from './cyclonedx';
import { dependencyCheckParser } from './dependency-check';
import { detectSecretsParser } from './detect-secrets';
import { ecrParser } from './ecr';
import { falcoParser } from './falco';
import { gitSecretsParser } from './git-secrets';
import { gitleaksParser } from './gitleaks';
import { grypeParser } from './grype';
import { hadolintParser } from './hadolint';
import { inspector2Parser } from './inspector2';
import { kicsParser } from './kics';
import { kubescapeParser } from './kubescape';
import { npmAuditParser } from './npm-audit';
import { osvScannerParser } from './osv-scanner';
import type { Parser } from './parser';
import { sarifParser } from './sarif';
import { semgrepParser } from './semgrep';
import { snykParser } from './snyk';
import { snykCodeParser } from './snyk-code';
import { sonarqubeParser } from './sonarqube';
import { stackhawkParser } from './stackhawk';
import { tfsecParser } from './tfsec';
import { trivyParser } from './trivy';
import { zapParser } from './zap';

/**
 * Every parser, in one list: the CLI, `--tool auto` detection, conformance
 * and the docs all read it. Adding a scanner = one import and one entry.
 */
export const PARSERS: readonly Parser[] = [
  zapParser,
  snykParser,
  snykCodeParser,
  anchoreParser,
  grypeParser,
  ecrParser,
  inspector2Parser,
  gitSecretsParser,
  sarifParser,
  trivyParser,
  semgrepParser,
  banditParser,
  gitleaksParser,
  npmAuditParser,
  hadolintParser,
  checkovParser,
  tfsecParser,
  dependencyCheckParser,
  clairParser,
  falcoParser,
  detectSecretsParser,
  sonarqubeParser,
  stackhawkParser,
  arachniParser,
  osvScannerParser,
  kicsParser,
  cyclonedxParser,
  clamavParser,
  kubescapeParser,
];

/** The parser for a tool id, or undefined. */
export function findParser(id: string, parsers: readonly Parser[] = PARSERS): Parser | undefined {
  return parsers.find((p) => p.id === id);
}

/** All tool ids, in registration order. */
export function toolIds(parsers: readonly Parser[] = PARSERS): string[] {
  return parsers.map((p) => p.id);
}
