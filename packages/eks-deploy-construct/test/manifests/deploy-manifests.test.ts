import { DeployManifests } from '../../src';
import { placeholderImage } from '../../src/private/synthesize-workload';

describe('DeployManifests', () => {
  test('points at a folder of the source artifact and names the image to replace', () => {
    const manifests = DeployManifests.fromSourceDirectory('k8s/overlays/staging', 'sample-app');
    expect([manifests.directory, manifests.imageName, manifests.generatedYaml]).toEqual(['k8s/overlays/staging', 'sample-app', undefined]);
  });

  test.each(['/etc/kubernetes', '../other-repo', 'k8s/../../escape', 'k8s dir'])('rejects the folder %j', (directory) => {
    expect(() => DeployManifests.fromSourceDirectory(directory, 'sample-app')).toThrow(/relative path inside the source artifact/);
  });

  test.each(['Sample-App', `sample-app@sha256:${'a'.repeat(64)}`])('rejects the image name %j', (imageName) => {
    expect(() => DeployManifests.fromSourceDirectory('k8s', imageName)).toThrow(/imageName/);
  });

  test('rejects an image name with a tag, which kustomize would never match', () => {
    expect(() => DeployManifests.fromSourceDirectory('k8s', 'sample-app:latest')).toThrow(/without its tag/);
    expect(DeployManifests.fromSourceDirectory('k8s', 'registry.example.com:5000/team/app').imageName).toBe('registry.example.com:5000/team/app');
  });

  test('generates manifests whose only image is the placeholder the build replaces', () => {
    const manifests = DeployManifests.fromWorkload({ name: 'web' });
    expect(manifests.imageName).toBe(placeholderImage('web'));
    expect(manifests.generatedYaml!.match(/image: .*/g)).toEqual([`image: ${placeholderImage('web')}`]);
  });
});
