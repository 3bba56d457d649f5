import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { kubescapeParser } from '../../src/parsers/kubescape';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('kubescape parser', () => {
  test('without control status: one finding per failed rule per control per resource, severities read after the results', async () => {
    const findings = await convertFixture('kubescape', 'v2-no-status.json');
    expect(findings.map((f) => `${f.GeneratorId} | ${f.Title} | ${f.Severity!.Label}/${f.Severity!.Original}`)).toEqual([
      'kubescape/C-0017/immutable-container-filesystem | C-0017 Immutable container filesystem (Deployment shop/web) | LOW/scoreFactor 3',
      'kubescape/C-0009/resource-policies | C-0009 Resource limits (Deployment shop/web) | HIGH/scoreFactor 7',
      'kubescape/C-0009/resource-memory-limits | C-0009 Resource limits (Deployment shop/web) | HIGH/scoreFactor 7',
      'kubescape/C-0012/rule-credentials-in-env-var | C-0012 Applications credentials in configuration files (Secret shop/db) | HIGH/scoreFactor 8',
      // A control the summary does not rate is unrated: MEDIUM.
      'kubescape/C-0999/rule-unknown | C-0999 A control the summary forgot (Secret shop/db) | MEDIUM/unrated',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
    const [immutable] = findings;
    expect(immutable.Resources![0]).toMatchObject({
      Id: 'example-repo/deploy/web.yaml',
      Details: { Other: { resourceID: 'path=100/api=apps/v1/shop/Deployment/web', kind: 'Deployment', name: 'web', namespace: 'shop' } },
    });
    expect(immutable.Description).toContain('Fix at: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem');
    expect(findings[3].ProductFields!.Suppressed).toBe('excluded by a kubescape exception');
  });

  test('with control status: passed controls give nothing even when a rule says failed', async () => {
    const findings = await convertFixture('kubescape', 'v3-status.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.Severity!.Label}`)).toEqual(['kubescape/C-0057/rule-privilege-escalation CRITICAL']);
    expect(findings[0].ProductFields).toMatchObject({ Category: 'Workload', ScoreFactor: '9', File: 'agent.yaml' });
  });

  test('the scanned objects (env values, Secret data) are never copied', async () => {
    const everything = JSON.stringify(await convertFixture('kubescape', 'v2-no-status.json'));
    expect(everything).not.toContain('fixtureEnvTokenDoNotUse');
    expect(everything).not.toContain('fixtureSecretValueDoNotUse');
  });

  test('a report without results, resources or controls is refused', async () => {
    await expect(
      collect(convert({ tool: 'kubescape', input: memorySource('{"generationTime":"x"}'), context: SCAN, fileName: 'k.json' })),
    ).rejects.toThrow('k.json: not the expected report');
  });

  test('recognises kubescape reports whose head holds only resources', () => {
    expect(kubescapeParser.detect({ text: fixtureText('kubescape', 'v3-status.json'), complete: true })).toBe(0.95);
    expect(
      kubescapeParser.detect({ text: '{"generationTime":"2026","clusterAPIServerInfo":null,"resources":[{"resourceID":"x"', complete: false }),
    ).toBe(0.9);
    expect(kubescapeParser.detect({ text: '{"resources":[]}', complete: true })).toBeUndefined();
  });
});
