import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from 'yaml';
import { ReportError } from '../errors';
import { compileGlob } from './glob';
import { parseLicenseSection } from './parse-licenses';
import { PolicyError } from './policy-error';
import { DEFAULT_REPOSITORY_RULES, GATE_MODES, GateMode, RepositoryRules, SecurityPolicy, SlaLimit, Suppression } from './security-policy';
import { SEVERITY_LABELS, SeverityLabel, Threshold } from './severity';

const THRESHOLDS: readonly string[] = [...SEVERITY_LABELS, 'NONE'];
const TOP_LEVEL_KEYS = ['version', 'stages', 'default', 'suppressions', 'repository', 'gate', 'licenses'];
const STAGE_KEYS = ['threshold', 'mode'];
const GATE_KEYS = ['mode', 'sla'];
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

/** Parses policy YAML (schema in docs/policy.md). */
export function parsePolicy(text: string, fileName: string): SecurityPolicy {
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
  const fail = (node: Node | null | undefined, problem: string): never => {
    throw new PolicyError(fileName, lineOf(node), problem);
  };

  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'the policy must be a mapping with version, stages, default and suppressions');
  checkKeys(root, TOP_LEVEL_KEYS, '', fail);

  const version = root.get('version', true) as unknown as Node | undefined;
  if (!isScalar(version) || version.value !== 1) fail(version ?? root, "'version: 1' is required");

  const mode = (node: unknown, where: string): GateMode => {
    const value = isScalar(node) && typeof node.value === 'string' ? node.value.toLowerCase() : undefined;
    if (value === undefined || !(GATE_MODES as readonly string[]).includes(value)) fail(node as Node, `${where}: mode must be one of ${GATE_MODES.join(', ')}`);
    return value as GateMode;
  };
  const stageModes: Record<string, GateMode> = {};

  const threshold = (node: unknown, where: string): Threshold => {
    if (isMap(node) && node.has('mode')) stageModes[where.replace(/^stages\./, '')] = mode(node.get('mode', true), where);
    const scalar = isMap(node) ? (checkKeys(node, where.startsWith('stages.') ? STAGE_KEYS : ['threshold'], where, fail), node.get('threshold', true)) : node;
    const value = isScalar(scalar) && typeof scalar.value === 'string' ? scalar.value.toUpperCase() : undefined;
    if (value === undefined || !THRESHOLDS.includes(value)) {
      fail(scalar as Node, `${where}: threshold must be one of ${THRESHOLDS.join(', ')}`);
    }
    return value as Threshold;
  };

  const stages: Record<string, Threshold> = {};
  const stagesNode = root.get('stages', true) as unknown as Node | undefined;
  if (stagesNode !== undefined) {
    if (!isMap(stagesNode)) fail(stagesNode, 'stages must map each stage name to a threshold');
    for (const pair of (stagesNode as YAMLMap).items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : fail(pair.key as Node, 'a stage name must be a string');
      stages[name] = threshold(pair.value, `stages.${name}`);
    }
  }
  const defaultNode = root.get('default', true) as unknown as Node | undefined;
  const defaultThreshold = defaultNode === undefined ? undefined : threshold(defaultNode, 'default');
  if (stagesNode === undefined && defaultNode === undefined) fail(root, 'the policy needs stages or a default threshold');

  const suppressions: Suppression[] = [];
  const suppressionsNode = root.get('suppressions', true) as unknown as Node | undefined;
  if (suppressionsNode !== undefined && !(isScalar(suppressionsNode) && suppressionsNode.value === null)) {
    if (!isSeq(suppressionsNode)) fail(suppressionsNode, 'suppressions must be a list');
    (suppressionsNode as { items: unknown[] }).items.forEach((item, index) => {
      const where = `suppressions[${index}]`;
      if (!isMap(item)) return fail(item as Node, `${where} must be a mapping`);
      checkKeys(item, SUPPRESSION_KEYS, where, fail);
      const stringField = (key: string, required: boolean): string | undefined => {
        const node = item.get(key, true);
        if (node === undefined) return required ? fail(item, `${where}.${key} is required`) : undefined;
        if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number') || String(node.value).trim() === '') {
          return fail(node as Node, `${where}.${key} must be a non-empty string`);
        }
        return String(node.value).trim();
      };
      const id = stringField('id', false);
      const rule = stringField('rule', false);
      const path = stringField('path', false);
      if ((id === undefined) === (rule === undefined)) fail(item, `${where} needs exactly one of id or rule`);
      if (path !== undefined && rule === undefined) fail(item.get('path', true) as Node, `${where}.path only applies with rule`);
      if (path !== undefined) {
        try {
          compileGlob(path);
        } catch (error) {
          fail(item.get('path', true) as Node, `${where}.path: ${(error as Error).message}`);
        }
      }
      const reason = stringField('reason', true)!;
      const expires = stringField('expires', true)!;
      const date = DATE.exec(expires);
      const valid = date && new Date(`${expires}T00:00:00Z`).toISOString().startsWith(expires);
      if (!valid) fail(item.get('expires', true) as Node, `${where}.expires must be a date YYYY-MM-DD, got '${expires}'`);
      let stageList: string[] | undefined;
      const stagesOfItem = item.get('stages', true);
      if (stagesOfItem !== undefined) {
        if (!isSeq(stagesOfItem) || stagesOfItem.items.some((s) => !isScalar(s) || typeof s.value !== 'string')) {
          fail(stagesOfItem as Node, `${where}.stages must be a list of stage names`);
        }
        stageList = (stagesOfItem as unknown as { items: { value: string }[] }).items.map((s) => s.value);
      }
      suppressions.push({ id, rule, path, reason, expires, stages: stageList, line: lineOf(item) });
    });
  }
  let repositoryRules: RepositoryRules | undefined;
  const repositoryNode = root.get('repository', true) as unknown as Node | undefined;
  if (repositoryNode !== undefined) {
    if (!isMap(repositoryNode)) fail(repositoryNode, 'repository must be a mapping with suppressions and maxSuppressionDays');
    checkKeys(repositoryNode as YAMLMap, REPOSITORY_KEYS, 'repository', fail);
    const allow = (repositoryNode as YAMLMap).get('suppressions', true) as unknown as Node | undefined;
    if (allow !== undefined && !(isScalar(allow) && typeof allow.value === 'boolean')) fail(allow, 'repository.suppressions must be true or false');
    const days = (repositoryNode as YAMLMap).get('maxSuppressionDays', true) as unknown as Node | undefined;
    if (days !== undefined && !(isScalar(days) && Number.isInteger(days.value) && (days.value as number) >= 1 && (days.value as number) <= 3650)) {
      fail(days, 'repository.maxSuppressionDays must be a whole number of days from 1 to 3650');
    }
    repositoryRules = {
      allowSuppressions: allow === undefined ? DEFAULT_REPOSITORY_RULES.allowSuppressions : (allow as { value: boolean }).value,
      maxSuppressionDays: days === undefined ? DEFAULT_REPOSITORY_RULES.maxSuppressionDays : (days as { value: number }).value,
    };
  }
  let defaultMode: GateMode | undefined;
  let sla: Partial<Record<SeverityLabel, SlaLimit>> | undefined;
  const gateNode = root.get('gate', true) as unknown as Node | undefined;
  if (gateNode !== undefined) {
    if (!isMap(gateNode)) fail(gateNode, 'gate must be a mapping with mode and sla');
    checkKeys(gateNode as YAMLMap, GATE_KEYS, 'gate', fail);
    const modeNode = (gateNode as YAMLMap).get('mode', true) as unknown as Node | undefined;
    if (modeNode !== undefined) defaultMode = mode(modeNode, 'gate');
    const slaNode = (gateNode as YAMLMap).get('sla', true) as unknown as Node | undefined;
    if (slaNode !== undefined) {
      if (!isMap(slaNode)) fail(slaNode, 'gate.sla must map severities to a maximum age such as 7d or 12h');
      sla = {};
      for (const pair of (slaNode as YAMLMap).items) {
        const key = isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value.toUpperCase() : undefined;
        if (key === undefined || !(SEVERITY_LABELS as readonly string[]).includes(key)) {
          fail(pair.key as Node, `gate.sla: unknown severity '${isScalar(pair.key) ? String(pair.key.value) : '?'}' (allowed: ${[...SEVERITY_LABELS].reverse().join(', ')})`);
        }
        const age = isScalar(pair.value) ? String(pair.value.value).trim() : '';
        const match = DURATION.exec(age);
        if (!match) fail(pair.value as Node, `gate.sla.${key}: the maximum age must be a whole number of days or hours such as 7d or 12h, got '${age.slice(0, 20)}'`);
        sla[key as SeverityLabel] = { text: age, ms: Number(match![1]) * (match![2] === 'd' ? 24 : 1) * HOUR_MS };
      }
    }
  }
  const licensesNode = root.get('licenses', true) as unknown as Node | undefined;
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
    ...(licenses ? { licenses } : {}),
  };
}

function checkKeys(map: YAMLMap, allowed: readonly string[], where: string, fail: (node: Node | null | undefined, problem: string) => never): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !allowed.includes(key)) {
      fail(pair.key as Node, `${where ? `${where}: ` : ''}unknown key '${key ?? '?'}' (allowed: ${allowed.join(', ')})`);
    }
  }
}
