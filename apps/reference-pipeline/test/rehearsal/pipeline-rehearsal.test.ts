import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PLACEHOLDER_ACCOUNT, readPipeline } from './pipeline-model';
import { ActionRun, rehearse } from './rehearsal';
import { sampleCommitRepository } from './sample-commit';
import { IMAGE_DIGEST, installTools, toolCalls } from './stubs';
import { awsCalls, recordedUploads } from '../../../../packages/scan-stage-construct/test/support/buildspec-runner';
import { loadConfig } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';

/**
 * The rehearsal of a first pipeline run: the reference factory is
 * synthesized from factory.config.yaml and its pipeline, as the template
 * defines it (stages, run order, artifacts, namespaces, variable overrides,
 * projects and their buildspecs), is run from a sample commit to the
 * production apply. Builds run their pre_build, build and post_build phases
 * for real with bash (install phases, which download tools, are skipped; see
 * stubs.ts for which tools are real and which are stubs). AWS and the
 * clusters are stubs that record every call.
 */
const config = loadConfig(path.join(__dirname, '..', '..', 'factory.config.yaml'));
const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config })).toJSON() as any;
const stages = readPipeline(template);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-rehearsal-'));
let runs: ActionRun[];

beforeAll(() => {
  const toolsBin = path.join(root, 'tools');
  installTools(toolsBin);
  fs.mkdirSync(path.join(root, 'home'));
  const repository = sampleCommitRepository(root, config.source.branch);
  runs = rehearse(stages, {
    root,
    repository,
    toolsBin,
    // ECR and EKS as in a fresh account: a basic-scanning registry whose scan of the pushed image is complete
    // and clean, and clusters whose kubeconfig can be written. Every action gets the same answers, so a call
    // an action should not make still shows in its record.
    awsResponses: (action) => ({
      'ecr get-login-password': [{ stdout: 'registry-password\n' }],
      'ecr get-registry-scanning-configuration': [
        { stdout: JSON.stringify({ registryId: PLACEHOLDER_ACCOUNT, scanningConfiguration: { scanType: 'BASIC', rules: [] } }) },
      ],
      'ecr describe-image-scan-findings': [{ stdout: cleanScan(action.project?.environment.find((v) => v.name === 'ECR_REPOSITORY_URI')?.value) }],
      'eks update-kubeconfig': [{ stdout: 'Added new context to the kubeconfig\n' }],
    }),
  });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function cleanScan(repositoryUri: string | undefined): string {
  return JSON.stringify({
    imageScanFindings: { findings: [], findingSeverityCounts: {}, imageScanCompletedAt: '2026-01-01T00:00:00+00:00' },
    registryId: PLACEHOLDER_ACCOUNT,
    repositoryName: repositoryUri?.split('/')[1] ?? 'unknown',
    imageId: { imageDigest: IMAGE_DIGEST },
    imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
  });
}

const run = (action: string) => {
  const found = runs.find((r) => r.action === action);
  if (!found) throw new Error(`${action} did not run; the rehearsal ran ${runs.map((r) => `${r.action} (${r.status})`).join(', ')}`);
  return found;
};
/** The aws calls an action made, as command lines (service operation and arguments). */
const callsOf = (action: string) => awsCalls(run(action).record!).map((args) => args.join(' '));
const repositoryName = config.source.type === 'codeconnections' ? config.source.repository : config.source.repositoryName;

describe('pipeline rehearsal from a sample commit to the production apply', () => {
  test('every action of every stage passes, in the pipeline order', () => {
    const failed = runs.find((r) => r.status === 'Failed');
    expect(failed ? `${failed.action} failed:\n${failed.output}` : 'none failed').toBe('none failed');
    expect(runs.map((r) => `${r.stage}/${r.action}`)).toEqual(
      stages.flatMap((s) => [...s.actions].sort((a, b) => a.runOrder - b.runOrder).map((a) => `${s.name}/${a.name}`)));
    expect(runs.map((r) => r.stage)).toEqual(['Source', 'SecretScan', 'Scan', 'Scan', 'Publish', 'Staging', 'DAST', 'Approval', 'Production']);
  });

  test('the digest the publish step pushed is the one staging deploys, the approval names and production deploys', () => {
    const publish = runs.find((r) => r.stage === 'Publish')!;
    expect(publish.exported.IMAGE_DIGEST).toBe(IMAGE_DIGEST);
    expect(publish.exported.IMAGE_URI).toMatch(new RegExp(`@${IMAGE_DIGEST}$`));
    const [staging, production] = ['Staging', 'Production'].map((stage) => runs.find((r) => r.stage === stage)!);
    const repository = publish.exported.IMAGE_URI.split('@')[0];
    for (const deploy of [staging, production]) {
      expect(deploy.environment!.IMAGE_DIGEST).toBe(IMAGE_DIGEST);
      expect(deploy.exported.DEPLOYED_IMAGE).toBe(`${repository}@${IMAGE_DIGEST}`);
    }
    const approval = runs.find((r) => r.status === 'Approved')!;
    expect(approval.customData).toContain(`${repository}@${IMAGE_DIGEST}`);
    expect(approval.customData).toContain(runs[0].exported.CommitId);
    // The findings link selects this run's findings by the commit the Source action resolved.
    expect(approval.link).toContain(runs[0].exported.CommitId);
  });

  test('the image the image scan built is the artifact the publish step pushed', () => {
    const crane = toolCalls(runs.find((r) => r.stage === 'Publish')!.record!, 'crane');
    expect(crane.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'auth login',
      `push ${path.join(root, 'builds', '05-EcrScan', 'inputs', 'ScannedImage', 'image', 'image.tar')}`,
    ]);
    expect(toolCalls(run('ImageScan').record!, 'docker').map((line) => line.split(' ')[0])).toEqual(['build', 'save', 'image']);
  });

  test('each scan stage uploads its policy and raw reports under its repository and stage, with the commit', () => {
    const commit = runs[0].exported.CommitId;
    const expected: Record<string, string[]> = {
      SecretsScan: ['git-secrets.txt'],
      CodeScan: ['semgrep.sarif', 'hadolint.json'],
      ImageScan: ['grype.json', 'clamav.txt', 'sbom-licenses.json'],
      EcrScan: ['ecr-scan.json'],
      DastScan: ['zap.json'],
    };
    for (const [action, reports] of Object.entries(expected)) {
      const { environment, record } = run(action);
      const prefix = `s3://${environment!.REPORTS_BUCKET}`;
      const build = `${repositoryName}/${environment!.STAGE_NAME}/`;
      // The SBOM and the provenance go under their own prefixes (checked below), never raw/.
      const uploads = recordedUploads(record!).filter((u) => /^s3:\/\/[^/]+\/(raw|policies)\//.test(u.destination));
      expect(uploads.map((u) => u.destination.replace(/\/\d+\//, '/N/'))).toEqual([
        `${prefix}/policies/${build}N/policy.yml`,
        ...reports.map((report) => `${prefix}/raw/${build}N/${report}`),
      ]);
      for (const upload of uploads.slice(1)) {
        expect(upload.metadata).toMatchObject({ commit, branch: config.source.branch, stage: environment!.STAGE_NAME });
      }
    }
    expect(recordedUploads(run('EcrScan').record!)[1].metadata).toMatchObject({ 'image-digest': IMAGE_DIGEST });
  });

  test('each action makes exactly the AWS calls its step needs', () => {
    const s3 = (action: string) => callsOf(action).filter((c) => c.startsWith('s3 cp '));
    for (const action of ['SecretsScan', 'CodeScan', 'ImageScan', 'DastScan']) expect(callsOf(action)).toEqual(s3(action));
    const ecrRepository = run('EcrScan').environment!.ECR_REPOSITORY_URI.split('/')[1];
    expect(callsOf('EcrScan').filter((c) => !c.startsWith('s3 cp '))).toEqual([
      'ecr get-login-password',
      'ecr get-registry-scanning-configuration --output json',
      `ecr describe-image-scan-findings --repository-name ${ecrRepository} --image-id imageDigest=${IMAGE_DIGEST} --output json`,
      // oras (attach) and notation (sign) log in to the registry after the gate.
      'ecr get-login-password',
      'ecr get-login-password',
    ]);
    const registryRegion = run('EcrScan').environment!.ECR_REPOSITORY_URI.split('.')[3];
    for (const stage of ['Staging', 'Production']) {
      const deploy = runs.find((r) => r.stage === stage)!;
      const { CLUSTER_NAME, CLUSTER_REGION } = deploy.environment!;
      expect(awsCalls(deploy.record!).map((args) => args.slice(0, 6).join(' '))).toEqual([
        // notation and oras log in to the registry to verify the digest, before the cluster.
        `ecr get-login-password --region ${registryRegion}`,
        `ecr get-login-password --region ${registryRegion}`,
        `eks update-kubeconfig --name ${CLUSTER_NAME} --region ${CLUSTER_REGION}`,
      ]);
    }
  });

  test('kubectl applies the rendered manifests, pinned to repository@digest, in staging then production', () => {
    const deploys = ['Staging', 'Production'].map((stage) => runs.find((r) => r.stage === stage)!);
    expect(deploys.map((d) => d.environment!.CLUSTER_NAME)).toEqual([config.deploy.staging.clusterName, config.deploy.production.clusterName]);
    for (const deploy of deploys) {
      const kubectl = toolCalls(deploy.record!, 'kubectl');
      const namespace = deploy.environment!.NAMESPACE;
      expect(kubectl.filter((c) => /^(apply|rollout)/.test(c)).map((c) => c.replace(/--filename \S+/, '--filename <rendered>'))).toEqual([
        `apply --namespace ${namespace} --filename <rendered> --output name`,
        `rollout status deployment.apps/sample-app --namespace ${namespace} --timeout ${deploy.environment!.ROLLOUT_TIMEOUT}`,
      ]);
      const applied = fs.readFileSync(path.join(deploy.record!, 'kubectl-apply-0.yaml'), 'utf8');
      expect(applied).toContain(`image: ${deploy.exported.DEPLOYED_IMAGE}`);
      expect(applied).toContain(`namespace: ${namespace}`);
    }
  });

  test('the image scan keeps the SBOM under the image id; the publish step attaches it and a signed provenance to the digest', () => {
    const sbom = recordedUploads(run('ImageScan').record!).find((u) => u.destination.includes('/sbom/'))!;
    expect(sbom.destination).toMatch(new RegExp(`/sbom/${repositoryName}/sha256-[0-9a-f]{64}\\.cdx\\.json$`));
    const provenance = recordedUploads(run('EcrScan').record!).find((u) => u.destination.includes('/provenance/'))!;
    expect(provenance.destination).toMatch(new RegExp(`/provenance/${repositoryName}/${IMAGE_DIGEST.replace(':', '-')}\\.intoto\\.json$`));
    const statement = JSON.parse(provenance.body);
    expect(statement.subject[0].digest.sha256).toBe(IMAGE_DIGEST.slice('sha256:'.length));
    expect(statement.predicate.buildDefinition.internalParameters.gates.map((g: any) => [g.stage, g.result])).toEqual([
      ['image', 'passed'],
      ['ecr', 'passed'],
    ]);
    const profile = run('EcrScan').environment!.SIGNING_PROFILE_ARN;
    const signed = toolCalls(run('EcrScan').record!, 'notation').filter((c) => c.startsWith('sign '));
    expect(signed).toHaveLength(3);
    for (const call of signed) expect(call).toContain(`--id ${profile}`);
    expect(signed[2]).toMatch(new RegExp(`@${IMAGE_DIGEST}$`));
  });

  test('each deploy verifies the signature and the provenance against the publish step\'s profile before its cluster', () => {
    for (const stage of ['Staging', 'Production']) {
      const deploy = runs.find((r) => r.stage === stage)!;
      expect(deploy.environment!.SIGNING_PROFILE_ARN).toBe(run('EcrScan').environment!.SIGNING_PROFILE_ARN);
      expect(toolCalls(deploy.record!, 'notation').filter((c) => c.startsWith('verify '))).toHaveLength(2);
      expect(deploy.output).toContain(`${deploy.exported.DEPLOYED_IMAGE}: signature verified against`);
    }
  });
});