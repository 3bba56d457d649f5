/**
 * Synth time and template size of the factory for 1, 10 and 50 applications (`npm run bench`): a
 * multi-application file with that many copies of the example's first application, synthesized as `cdk
 * synth` would (the stacks, then the cdk-nag packs), with each stack's resource count and template size
 * against CloudFormation's limits (500 resources, 1 MB template body through S3).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { compliancePacks } from '../src/compliance/packs';
import { parseFactory } from '../src/config/load';
import { addFactoryStacks } from '../src/factory-app';

const EXAMPLE = join(__dirname, '..', 'examples', 'three-applications.config.yaml');
const RESOURCE_LIMIT = 500;
const TEMPLATE_LIMIT_BYTES = 1024 * 1024;

interface Figures {
  readonly applications: number;
  readonly stacks: number;
  readonly synthSeconds: number;
  readonly nagSeconds: number;
  readonly totalResources: number;
  readonly largestResources: number;
  readonly largestTemplateKiB: number;
  readonly violations: number;
}

function configFor(applications: number): unknown {
  const example = YAML.parse(readFileSync(EXAMPLE, 'utf-8'));
  const [first] = Object.values(example.applications) as Array<Record<string, any>>;
  const entries = Array.from({ length: applications }, (_, i) => [`app-${i + 1}`, {
    ...first,
    image: { ...first.image, name: `app-${i + 1}` },
    deploy: {
      ...first.deploy,
      staging: { ...first.deploy.staging, namespace: `app-${i + 1}` },
      production: { ...first.deploy.production, namespace: `app-${i + 1}` },
    },
  }]);
  return { ...example, applications: Object.fromEntries(entries) };
}

function measure(applications: number): Figures {
  const outdir = mkdtempSync(join(tmpdir(), 'factory-bench-'));
  try {
    const definition = parseFactory(configFor(applications), EXAMPLE);
    const start = process.hrtime.bigint();
    const app = new App({ outdir });
    const { all } = addFactoryStacks(app, definition);
    const assembly = app.synth();
    const synthSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const nagStart = process.hrtime.bigint();
    const violations = compliancePacks().reduce((sum, pack) => sum + all.reduce((n, stack) => n + pack.validateScope(stack).violations.length, 0), 0);
    const nagSeconds = Number(process.hrtime.bigint() - nagStart) / 1e9;
    const stacks = all.map((stack) => {
      const artifact = assembly.getStackByName(stack.stackName);
      return { resources: Object.keys(artifact.template.Resources).length, bytes: statSync(join(outdir, artifact.templateFile)).size };
    });
    return {
      applications,
      stacks: stacks.length,
      synthSeconds,
      nagSeconds,
      totalResources: stacks.reduce((sum, s) => sum + s.resources, 0),
      largestResources: Math.max(...stacks.map((s) => s.resources)),
      largestTemplateKiB: Math.max(...stacks.map((s) => s.bytes)) / 1024,
      violations,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
console.log(
  'applications | stacks | synth s | cdk-nag s | resources (all stacks) | largest stack: resources | largest template KiB | unacknowledged',
);
// A first synth loads the modules and hashes the assets once; the figures are for synths after it.
measure(1);
let failed = false;
for (const applications of sizes.length > 0 ? sizes : [1, 10, 50]) {
  const f = measure(applications);
  console.log([f.applications, f.stacks, f.synthSeconds.toFixed(1), f.nagSeconds.toFixed(1), f.totalResources, f.largestResources,
    f.largestTemplateKiB.toFixed(0), f.violations].join(' | '));
  if (f.largestResources > RESOURCE_LIMIT || f.largestTemplateKiB * 1024 > TEMPLATE_LIMIT_BYTES || f.violations > 0) failed = true;
}
if (failed) {
  console.error(`a stack exceeds ${RESOURCE_LIMIT} resources or 1 MiB, or a pack reports a violation`);
  process.exit(1);
}
