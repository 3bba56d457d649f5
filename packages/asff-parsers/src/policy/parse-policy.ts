import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from 'yaml';
import { ReportError } from '../errors';
import { compileGlob } from './glob';
import { parseLicenseSection } from './parse-licenses';
import { PolicyError } from './policy-error';
import {
  DEFAULT_REPOSITORY_RULES,
  GATE_MODES,
  GateMode,
  IN_SOURCE_SUPPRESSIONS,
  InSourceSuppressions,
  RepositoryRules,
  SecurityPolicy,
  SlaLimit,
  SlaLimits,
  Suppression,
} from './security-policy';
import { SEVERITY_LABELS, SeverityLabel, Threshold } from './severity';

const THRESHOLDS: readonly Threshold[] = [...SEVERITY_LABELS, 'NONE'];
const TOP_LEVEL_KEYS = ['version', 'stages', 'default', 'suppressions', 'repository', 'gate', 'licenses'];
const STAGE_KEYS = ['threshold', 'mode'];
const GATE_KEYS = ['mode', 'sla', 'inSourceSuppressions'];
const DURATION = /^([1-9]\d{0,4})([dh])$/;
const HOUR_MS = 60 * 60 * 1000;
const REPOSITORY_KEYS = ['suppressions', 'maxSuppressionDays'];
const SUPPRESSION_KEYS = ['id', 'rule', 'path', 'reason', 'expires', 'stages'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads a policy file. Every problem is a {@link PolicyError} naming the file
 * and the line, so a typo fails the pipeline with a message that says where.
 */
export async function loadPolicy(path: string): Promise<SecurityPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportError(path, `cannot read the policy file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'unreadable');
  }
  return parsePolicy(text, path);
}

/** Parses policy YAML (schema in docs/policy.md), one section at a time; the first problem found ends the parse. */
export function parsePolicy(text: string, fileName: string): SecurityPolicy {
  const { root, reader } = readYaml(text, fileName);
  const { fail } = reader;
  if (!isMap(root)) return fail(root, 'the policy must be a mapping with version, stages, default and suppressions');
  checkKeys(root, TOP_LEVEL_KEYS, '', fail);
  const version = entry(root, 'version');
  if (!isScalar(version) || version.value !== 1) fail(version ?? root, "'version: 1' is required");

  const { stages, stageModes, defaultThreshold } = parseThresholds(root, fail);
  const suppressions = parseSuppressions(entry(root, 'suppressions'), reader);
  const repositoryNode = entry(root, 'repository');
  const repositoryRules = repositoryNode === undefined ? undefined : parseRepositoryRules(repositoryNode, fail);
  const gateNode = entry(root, 'gate');
  const { defaultMode, sla, inSourceSuppressions } = gateNode === undefined ? {} : parseGateSection(gateNode, fail);
  const licensesNode = entry(root, 'licenses');
  const licenses = licensesNode === undefined ? undefined : parseLicenseSection(licensesNode, fail);
  return {
    fileName,
    stages,
    defaultThreshold,
    suppressions,
    ...(repositoryRules ? { repositoryRules } : {}),
    ...(defaultMode ? { defaultMode } : {}),
    ...(Object.keys(stageModes).length > 0 ? { stageModes } : {}),
    ...(sla ? { sla } : {}),
    ...(inSourceSuppressions ? { inSourceSuppressions } : {}),
    ...(licenses ? { licenses } : {}),
  };
}

type Fail = (node: Node | null | undefined, problem: string) => never;

/** How the section parsers report a problem: a PolicyError at the node's line. */
interface PolicyReader {
  readonly fail: Fail;
  readonly lineOf: (node: Node | null | undefined) => number;
}

function readYaml(text: string, fileName: string): { root: Node | null; reader: PolicyReader } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    // The yaml library quotes the offending text after ': ' in some messages (`Unresolved tag: !AKIA...`);
    // a policy file may hold anything, so only the problem and its position are told.
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').split(': ')[0];
    const column = error.linePos?.[0].col;
    throw new PolicyError(fileName, error.linePos?.[0].line ?? 1, `invalid YAML${column ? ` at column ${column}` : ''}: ${message}`);
  }
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail: Fail = (node, problem) => {
    throw new PolicyError(fileName, lineOf(node), problem);
  };
  return { root: doc.contents, reader: { fail, lineOf } };
}

/** The node under a key (scalars kept as nodes, so that a problem with one can name its line). */
function entry(map: YAMLMap, key: string): Node | undefined {
  return map.get(key, true) as Node | undefined;
}

function isOneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (values as readonly string[]).includes(value);
}

interface Thresholds {
  readonly stages: Record<string, Threshold>;
  /** The modes of the stages that set one (empty when none does). */
  readonly stageModes: Record<string, GateMode>;
  readonly defaultThreshold?: Threshold;
}

/** `stages:` (each a threshold, or a mapping with threshold and mode) and `default:`; a policy needs one of them. */
function parseThresholds(root: YAMLMap, fail: Fail): Thresholds {
  const stages: Record<string, Threshold> = {};
  const stageModes: Record<string, GateMode> = {};
  const stagesNode = entry(root, 'stages');
  if (stagesNode !== undefined) {
    if (!isMap(stagesNode)) return fail(stagesNode, 'stages must map each stage name to a threshold');
    for (const pair of stagesNode.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : fail(pair.key as Node, 'a stage name must be a string');
      const value = pair.value as Node | null;
      if (isMap(value) && value.has('mode')) stageModes[name] = parseMode(entry(value, 'mode'), `stages.${name}`, fail);
      stages[name] = parseThreshold(value, `stages.${name}`, STAGE_KEYS, fail);
    }
  }
  const defaultNode = entry(root, 'default');
  const defaultThreshold = defaultNode === undefined ? undefined : parseThreshold(defaultNode, 'default', ['threshold'], fail);
  if (stagesNode === undefined && defaultNode === undefined) fail(root, 'the policy needs stages or a default threshold');
  return { stages, stageModes, defaultThreshold };
}

/** A threshold, written as a value (`HIGH`) or as a mapping with `threshold:`, in any case. */
function parseThreshold(node: Node | null, where: string, allowedKeys: readonly string[], fail: Fail): Threshold {
  let scalar: Node | null | undefined = node;
  if (isMap(node)) {
    checkKeys(node, allowedKeys, where, fail);
    scalar = entry(node, 'threshold');
  }
  const value = isScalar(scalar) && typeof scalar.value === 'string' ? scalar.value.toUpperCase() : undefined;
  if (!isOneOf(THRESHOLDS, value)) return fail(scalar, `${where}: threshold must be one of ${THRESHOLDS.join(', ')}`);
  return value;
}

function parseMode(node: Node | undefined, where: string, fail: Fail): GateMode {
  const value = isScalar(node) && typeof node.value === 'string' ? node.value.toLowerCase() : undefined;
  if (!isOneOf(GATE_MODES, value)) return fail(node, `${where}: mode must be one of ${GATE_MODES.join(', ')}`);
  return value;
}

function parseSuppressions(node: Node | undefined, reader: PolicyReader): Suppression[] {
  // `suppressions:` with nothing after it is an empty list.
  if (node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) return reader.fail(node, 'suppressions must be a list');
  return node.items.map((item, index) => parseSuppression(item, `suppressions[${index}]`, reader));
}

/** One suppression: exactly one of id or rule, a path glob only with a rule, a reason and a real expiry date. */
function parseSuppression(item: unknown, where: string, { fail, lineOf }: PolicyReader): Suppression {
  if (!isMap(item)) return fail(item as Node, `${where} must be a mapping`);
  checkKeys(item, SUPPRESSION_KEYS, where, fail);
  const text = (key: string): string | undefined => textField(item, key, where, fail);
  const requiredText = (key: string): string => text(key) ?? fail(item, `${where}.${key} is required`);
  const id = text('id');
  const rule = text('rule');
  const path = text('path');
  if ((id === undefined) === (rule === undefined)) fail(item, `${where} needs exactly one of id or rule`);
  if (path !== undefined) {
    if (rule === undefined) fail(entry(item, 'path'), `${where}.path only applies with rule`);
    try {
      compileGlob(path);
    } catch (error) {
      fail(entry(item, 'path'), `${where}.path: ${(error as Error).message}`);
    }
  }
  const reason = requiredText('reason');
  const expires = requiredText('expires');
  const valid = DATE.test(expires) && new Date(`${expires}T00:00:00Z`).toISOString().startsWith(expires);
  if (!valid) fail(entry(item, 'expires'), `${where}.expires must be a date YYYY-MM-DD, got '${expires}'`);
  return { id, rule, path, reason, expires, stages: stageNames(entry(item, 'stages'), where, fail), line: lineOf(item) };
}

/** A text field of a suppression: a non-empty string, or a number taken as written (a numeric rule id). */
function textField(item: YAMLMap, key: string, where: string, fail: Fail): string | undefined {
  const node = entry(item, key);
  if (node === undefined) return undefined;
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number') || String(node.value).trim() === '') {
    return fail(node, `${where}.${key} must be a non-empty string`);
  }
  return String(node.value).trim();
}

function stageNames(node: Node | undefined, where: string, fail: Fail): string[] | undefined {
  if (node === undefined) return undefined;
  const problem = `${where}.stages must be a list of stage names`;
  if (!isSeq(node)) return fail(node, problem);
  return node.items.map((stage) => (isScalar(stage) && typeof stage.value === 'string' ? stage.value : fail(node, problem)));
}

/** `repository:` (factory policy): whether and for how long a repository's own file may add suppressions. */
function parseRepositoryRules(node: Node, fail: Fail): RepositoryRules {
  if (!isMap(node)) return fail(node, 'repository must be a mapping with suppressions and maxSuppressionDays');
  checkKeys(node, REPOSITORY_KEYS, 'repository', fail);
  let { allowSuppressions, maxSuppressionDays } = DEFAULT_REPOSITORY_RULES;
  const allow = entry(node, 'suppressions');
  if (allow !== undefined) {
    if (!isScalar(allow) || typeof allow.value !== 'boolean') return fail(allow, 'repository.suppressions must be true or false');
    allowSuppressions = allow.value;
  }
  const days = entry(node, 'maxSuppressionDays');
  if (days !== undefined) {
    if (!isScalar(days) || typeof days.value !== 'number' || !Number.isInteger(days.value) || days.value < 1 || days.value > 3650) {
      return fail(days, 'repository.maxSuppressionDays must be a whole number of days from 1 to 3650');
    }
    maxSuppressionDays = days.value;
  }
  return { allowSuppressions, maxSuppressionDays };
}

/** `gate:`: the mode of stages without their own, the maximum age per severity, and whether in-source suppressions count. */
function parseGateSection(node: Node, fail: Fail): { defaultMode?: GateMode; sla?: SlaLimits; inSourceSuppressions?: InSourceSuppressions } {
  if (!isMap(node)) return fail(node, 'gate must be a mapping with mode, sla and inSourceSuppressions');
  checkKeys(node, GATE_KEYS, 'gate', fail);
  const modeNode = entry(node, 'mode');
  const slaNode = entry(node, 'sla');
  const inSourceNode = entry(node, 'inSourceSuppressions');
  return {
    defaultMode: modeNode === undefined ? undefined : parseMode(modeNode, 'gate', fail),
    sla: slaNode === undefined ? undefined : parseSla(slaNode, fail),
    inSourceSuppressions: inSourceNode === undefined ? undefined : parseInSourceSuppressions(inSourceNode, fail),
  };
}

function parseInSourceSuppressions(node: Node, fail: Fail): InSourceSuppressions {
  const value = isScalar(node) && typeof node.value === 'string' ? node.value.toLowerCase() : undefined;
  if (!isOneOf(IN_SOURCE_SUPPRESSIONS, value)) {
    return fail(node, `gate.inSourceSuppressions must be one of ${IN_SOURCE_SUPPRESSIONS.join(', ')}`);
  }
  return value;
}

function parseSla(node: Node, fail: Fail): SlaLimits {
  if (!isMap(node)) return fail(node, 'gate.sla must map severities to a maximum age such as 7d or 12h');
  const sla: Partial<Record<SeverityLabel, SlaLimit>> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value.toUpperCase() : undefined;
    if (!isOneOf(SEVERITY_LABELS, key)) {
      const written = isScalar(pair.key) ? String(pair.key.value) : '?';
      return fail(pair.key as Node, `gate.sla: unknown severity '${written}' (allowed: ${[...SEVERITY_LABELS].reverse().join(', ')})`);
    }
    const age = isScalar(pair.value) ? String(pair.value.value).trim() : '';
    const match = DURATION.exec(age);
    if (!match) {
      const problem = 'the maximum age must be a whole number of days or hours such as 7d or 12h';
      return fail(pair.value as Node, `gate.sla.${key}: ${problem}, got '${age.slice(0, 20)}'`);
    }
    sla[key] = { text: age, ms: Number(match[1]) * (match[2] === 'd' ? 24 : 1) * HOUR_MS };
  }
  return sla;
}

function checkKeys(map: YAMLMap, allowed: readonly string[], where: string, fail: Fail): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !allowed.includes(key)) {
      fail(pair.key as Node, `${where ? `${where}: ` : ''}unknown key '${key ?? '?'}' (allowed: ${allowed.join(', ')})`);
    }
  }
}
