import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { SuppressionKind } from '../parsers/parser';

/** ProductFields key of the tool's own suppression reason (set by the builder from the draft's `suppressed`). */
export const SUPPRESSED_PRODUCT_FIELD = 'Suppressed';

/** ProductFields key saying where the tool's suppression was written: `inSource` or `external`. */
export const SUPPRESSION_KIND_PRODUCT_FIELD = 'SuppressionKind';

/**
 * The suppression the tool reported for a finding, if any. A finding marked Suppressed without a kind (written
 * by hand, or by another converter) counts as `inSource`: a suppression whose origin is unknown could have come
 * from the commit under scan, so it is honoured only where in-source ones are.
 */
export function toolSuppressionOf(finding: AwsSecurityFinding): { readonly reason: string; readonly kind: SuppressionKind } | undefined {
  const reason = finding.ProductFields?.[SUPPRESSED_PRODUCT_FIELD];
  if (!reason) return undefined;
  return { reason, kind: finding.ProductFields?.[SUPPRESSION_KIND_PRODUCT_FIELD] === 'external' ? 'external' : 'inSource' };
}
