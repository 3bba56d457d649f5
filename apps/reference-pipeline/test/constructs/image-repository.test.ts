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
