import { isMap, isScalar, isSeq, Node, YAMLMap } from 'yaml';
import { SEVERITY_LABELS } from './severity';
import { LicensePolicy, LicenseRuleSettings, UNLICENSED_TREATMENTS, UnlicensedTreatment } from '../licenses/license-rules';
import { parseLicenseExpression, termName } from '../licenses/spdx-expression';
import type { SeverityLabel } from '../parsers/parser';

const SECTION_KEYS = ['deny', 'allow', 'severity', 'unlicensed', 'stages'];
const STAGE_KEYS = ['deny', 'allow', 'severity', 'unlicensed'];

type Fail = (node: Node | null | undefined, problem: string) => never;

/**
 * The `licenses:` section (docs/policy.md): deny and allow lists of SPDX licence ids, the severity of a violation,
 * the treatment of components without a licence, and per-stage entries. A list entry must be one licence on the
 * SPDX list (any case; deprecated ids name their current equivalent), a `LicenseRef-`, or either `WITH` an
 * exception: a misspelt id would deny nothing, so it is an error.
 */
export function parseLicenseSection(node: Node, fail: Fail): LicensePolicy {
  if (!isMap(node)) return fail(node, 'licenses must be a mapping with deny, allow, severity, unlicensed and stages');
  const settings = parseSettings(node, 'licenses', SECTION_KEYS, fail);
  const stagesNode = node.get('stages', true) as unknown as Node | undefined;
  if (stagesNode === undefined) return settings;
  if (!isMap(stagesNode)) return fail(stagesNode, 'licenses.stages must map stage names to licence rules');
  const stages: Record<string, LicenseRuleSettings> = {};
  for (const pair of (stagesNode as YAMLMap).items) {
    const name = isScalar(pair.key) && typeof pair.key.value === 'string'
      ? pair.key.value
      : fail(pair.key as Node, 'licenses.stages: a stage name must be a string');
    const value = pair.value as Node | null;
    if (!isMap(value)) {
      return fail(value ?? (pair.key as Node), `licenses.stages.${name} must be a mapping with deny, allow, severity and unlicensed`);
    }
    stages[name] = parseSettings(value, `licenses.stages.${name}`, STAGE_KEYS, fail);
  }
  return { ...settings, stages };
}

function parseSettings(map: YAMLMap, where: string, allowed: readonly string[], fail: Fail): LicenseRuleSettings {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !allowed.includes(key)) fail(pair.key as Node, `${where}: unknown key '${key ?? '?'}' (allowed: ${allowed.join(', ')})`);
  }
  const deny = licenseList(map.get('deny', true) as unknown as Node | undefined, `${where}.deny`, fail);
  const allow = licenseList(map.get('allow', true) as unknown as Node | undefined, `${where}.allow`, fail);
  const severityNode = map.get('severity', true) as unknown as Node | undefined;
  let severity: SeverityLabel | undefined;
  if (severityNode !== undefined) {
    const value = isScalar(severityNode) && typeof severityNode.value === 'string' ? severityNode.value.toUpperCase() : undefined;
    if (value === undefined || !(SEVERITY_LABELS as readonly string[]).includes(value)) {
      fail(severityNode, `${where}.severity must be one of ${SEVERITY_LABELS.join(', ')}`);
    }
    severity = value as SeverityLabel;
  }
  const unlicensedNode = map.get('unlicensed', true) as unknown as Node | undefined;
  let unlicensed: UnlicensedTreatment | undefined;
  if (unlicensedNode !== undefined) {
    const value = isScalar(unlicensedNode) && typeof unlicensedNode.value === 'string' ? unlicensedNode.value.toLowerCase() : undefined;
    if (value === undefined || !(UNLICENSED_TREATMENTS as readonly string[]).includes(value)) {
      fail(unlicensedNode, `${where}.unlicensed must be one of ${UNLICENSED_TREATMENTS.join(', ')}`);
    }
    unlicensed = value as UnlicensedTreatment;
  }
  return {
    ...(deny !== undefined ? { deny } : {}),
    ...(allow !== undefined ? { allow } : {}),
    ...(severity !== undefined ? { severity } : {}),
    ...(unlicensed !== undefined ? { unlicensed } : {}),
  };
}

function licenseList(node: Node | undefined, where: string, fail: Fail): string[] | undefined {
  if (node === undefined) return undefined;
  if (!isSeq(node)) return fail(node, `${where} must be a list of SPDX licence ids`);
  const names: string[] = [];
  node.items.forEach((item, index) => {
    const entry = `${where}[${index}]`;
    if (!isScalar(item) || typeof item.value !== 'string' || item.value.trim() === '') {
      return fail(item as Node, `${entry} must be an SPDX licence id`);
    }
    const parsed = parseLicenseExpression(item.value);
    // The entry is quoted only when it is short and licence-shaped: a policy file's text is not echoed blindly.
    const shown = /^[A-Za-z0-9.:+ -]{1,80}$/.test(item.value) ? ` '${item.value}'` : '';
    if (!parsed.ok) return fail(item, `${entry}${shown} is not an SPDX licence id (${parsed.problem})`);
    if (parsed.expression.kind !== 'license') return fail(item, `${entry}${shown} is an expression: list each licence on its own`);
    if (!parsed.expression.known) return fail(item, `${entry}: unknown SPDX licence id${shown} (see https://spdx.org/licenses/, or a LicenseRef-)`);
    names.push(termName(parsed.expression));
  });
  return names;
}
