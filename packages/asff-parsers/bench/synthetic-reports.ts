import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** The synthetic report kinds the benchmark generates. */
export type SyntheticKind = 'grype' | 'sarif' | 'zap';

const RULES = 50;

function grypeMatch(i: number): string {
  return JSON.stringify({
    vulnerability: {
      id: `CVE-2025-${100000 + (i % 90000)}`,
      dataSource: `https://nvd.nist.gov/vuln/detail/CVE-2025-${100000 + (i % 90000)}`,
      namespace: 'debian:distro:debian:12',
      severity: ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'][i % 6],
      urls: [`https://security-tracker.debian.org/tracker/CVE-2025-${i}`, `https://example.test/advisory/${i}`],
      description: `Synthetic vulnerability number ${i}: a buffer overflow in a parsing routine allows a remote attacker to crash the process ` +
        'or execute code via crafted input.',
      cvss: [{
        source: 'nvd@nist.gov',
        type: 'Primary',
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        metrics: { baseScore: (i % 100) / 10, exploitabilityScore: 3.9, impactScore: 5.9 },
        vendorMetadata: {},
      }],
      fix: { versions: [`1.${i % 10}.1`], state: i % 3 === 0 ? 'not-fixed' : 'fixed' },
      advisories: [],
    },
    relatedVulnerabilities: [],
    matchDetails: [{
      type: 'exact-direct-match',
      matcher: 'dpkg-matcher',
      searchedBy: {
        distro: { type: 'debian', version: '12' },
        namespace: 'debian:distro:debian:12',
        package: { name: `pkg${i}`, version: `1.${i % 10}.0` },
      },
      found: { versionConstraint: `< 1.${i % 10}.1 (deb)`, vulnerabilityID: `CVE-2025-${i}` },
    }],
    artifact: {
      id: `a${i}`,
      name: `pkg${i}`,
      version: `1.${i % 10}.0`,
      type: 'deb',
      locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:0123456789abcdef' }],
      language: '',
      licenses: ['MIT'],
      cpes: [`cpe:2.3:a:pkg${i}:pkg${i}:1.0:*:*:*:*:*:*:*`],
      purl: `pkg:deb/debian/pkg${i}@1.${i % 10}.0?distro=debian-12`,
      upstreams: [],
    },
  });
}

function sarifResult(i: number): string {
  return JSON.stringify({
    ruleId: `BENCH${i % RULES}`,
    ruleIndex: i % RULES,
    level: ['error', 'warning', 'note'][i % 3],
    message: { text: `Synthetic result ${i}: untrusted input reaches a sensitive sink without validation in this function.` },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: `src/module${i % 1000}/file${i}.ts`, uriBaseId: '%SRCROOT%' },
        region: { startLine: (i % 500) + 1, startColumn: 5, endLine: (i % 500) + 1, endColumn: 40 },
      },
    }],
    partialFingerprints: { primaryLocationLineHash: `${i.toString(16)}:1` },
    properties: { tags: ['security', 'bench'] },
  });
}

function zapAlert(i: number): string {
  return JSON.stringify({
    pluginid: String(10000 + i),
    alertRef: `${10000 + i}-${i % 7}`,
    alert: `Synthetic alert ${i}`,
    name: `Synthetic alert ${i}`,
    riskcode: String(i % 4),
    confidence: String((i % 3) + 1),
    riskdesc: 'Medium (Medium)',
    desc: `<p>Synthetic alert ${i} describes a missing security header on responses of this site.</p>`,
    instances: Array.from({ length: 5 }, (_, k) => ({ uri: `https://bench.example.test/path/${i}/${k}`, method: 'GET', param: `p${k}`, attack: '', evidence: `evidence ${k}` })),
    count: '5',
    solution: '<p>Set the header on every response.</p>',
    otherinfo: '',
    reference: '<p>https://owasp.org/</p>',
    cweid: '693',
    wascid: '15',
    sourceid: '3',
  });
}

const SHAPES: Record<SyntheticKind, { head: string; element: (i: number) => string; tail: string }> = {
  grype: {
    head: '{"matches":[',
    element: grypeMatch,
    tail: '],"source":{"type":"image","target":{"userInput":"bench/app:1","manifestDigest":"sha256:00"}},' +
      '"distro":{"name":"debian","version":"12"},"descriptor":{"name":"grype","version":"0.74.0"}}',
  },
  sarif: {
    head: `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"BenchScanner","rules":[${Array.from({ length: RULES }, (_, r) => JSON.stringify({ id: `BENCH${r}`, shortDescription: { text: `Bench rule ${r}` }, helpUri: `https://bench.example.test/rules/${r}` })).join(',')}]}},"results":[`,
    element: sarifResult,
    tail: ']}]}',
  },
  zap: {
    head: '{"@programName":"ZAP","@version":"2.14.0","@generated":"now","site":[{"@name":"https://bench.example.test","@host":"bench.example.test","@port":"443","@ssl":"true","alerts":[',
    element: zapAlert,
    tail: ']}]}',
  },
};

/** Writes a synthetic report of about `bytes` bytes, streaming; returns the number of elements written. */
export async function writeSyntheticReport(kind: SyntheticKind, path: string, bytes: number): Promise<number> {
  const shape = SHAPES[kind];
  const out = createWriteStream(path);
  let written = 0;
  let count = 0;
  const put = async (text: string): Promise<void> => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await put(shape.head);
  let batch: string[] = [];
  let batchBytes = 0;
  while (written + batchBytes < bytes - shape.tail.length) {
    const element = (count === 0 ? '' : ',') + shape.element(count);
    batch.push(element);
    batchBytes += element.length;
    count++;
    if (batchBytes > 1024 * 1024) {
      await put(batch.join(''));
      batch = [];
      batchBytes = 0;
    }
  }
  await put(batch.join('') + shape.tail);
  out.end();
  await once(out, 'finish');
  return count;
}
