import type { DraftResource } from './parser';

/**
 * A container image as a finding's resource: type `Container`, named by the image reference (the one given with
 * `--image`, or the one the report names), repeated in Details.Container.ImageName, which Security Hub filters on
 * (ResourceContainerImageName) and its console shows. One helper, so every image scanner files it the same way.
 */
export function containerImageResource(image: string): DraftResource {
  return { type: 'Container', id: image, details: { Container: { ImageName: image } } };
}
