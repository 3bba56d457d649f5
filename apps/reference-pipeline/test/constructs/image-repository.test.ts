import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository, ImageRepositoryProps } from '../../src/constructs/image-repository';

function synth(props: Partial<ImageRepositoryProps> = {}) {
  const stack = new Stack(new App(), 'Images');
  const image = new ImageRepository(stack, 'Image', { encryptionKey: new kms.Key(stack, 'Key'), ...props });
  return { stack, image, template: Template.fromStack(stack) };
}

describe('ImageRepository', () => {
  test('generates the name by default: a redeploy after teardown (the repository is retained) creates a new one', () => {
    const { template } = synth();
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.RepositoryName).toBeUndefined();
    expect(repository.DeletionPolicy).toBe('Retain');
  });

  test('keeps a fixed name when given one', () => {
    synth({ repositoryName: 'shop' }).template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'shop' });
  });

  test('imports an existing repository instead of creating it', () => {
    const { template, image, stack } = synth({ repositoryName: 'shop', importExisting: true });
    template.resourceCountIs('AWS::ECR::Repository', 0);
    expect(stack.resolve(image.repository.repositoryName)).toBe('shop');
  });

  test('needs the name of the repository to import', () => {
    expect(() => synth({ importExisting: true })).toThrow(/repositoryName/);
  });

  test('expires only untagged images: a count rule would expire the tagged image production still runs', () => {
    const { template } = synth();
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toHaveLength(1);
    expect(rules[0].selection).toMatchObject({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14 });
    for (const rule of rules) {
      expect(rule.selection.tagStatus).toBe('untagged');
      expect(rule.selection.countType).not.toBe('imageCountMoreThan');
    }
  });

  test('leaves scanning to the registry configuration (per-repository scan-on-push is deprecated)', () => {
    const [repository] = Object.values(synth().template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.ImageScanningConfiguration).toBeUndefined();
  });
});

describe('ImageRepository pulled from another account (cross-account production)', () => {
  const { template, stack } = synth({ pullAccounts: ['222222222222'] });
  const production = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } };

  test('lets that account pull by digest, nothing more', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    const statements = repository.Properties.RepositoryPolicyText.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual(production);
    expect([statements[0].Action].flat().sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
  });

  test('lets that account decrypt the image layers through ECR of this Region only', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statement = key.Properties.KeyPolicy.Statement.find((s: any) => JSON.stringify(s.Principal) === JSON.stringify(production));
    expect(statement.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(stack.resolve(statement.Condition)).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    });
  });

  test('opens nothing by default', () => {
    const [repository] = Object.values(synth().template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.RepositoryPolicyText).toBeUndefined();
  });
});
