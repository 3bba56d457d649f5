/**
 * One filter of the Security Hub findings view that an `ApprovalGate` links
 * to. Values may be CodePipeline variable expressions.
 */
export interface FindingsFilter {
  /** ASFF filter field, e.g. `RecordState`, `ResourceId` or `ProductFields`. */
  readonly field: string;

  /** Value to compare with (no secret: it ends up in a URL). */
  readonly value: string;

  /**
   * Key inside a map field such as `ProductFields` (e.g. `Commit`).
   *
   * @default - the field is a plain string field
   */
  readonly key?: string;

  /**
   * How the field is compared with the value.
   *
   * @default FindingsComparison.EQUALS
   */
  readonly comparison?: FindingsComparison;
}

/** Comparisons of Security Hub string filters. */
export enum FindingsComparison {
  /** The field equals the value. */
  EQUALS = 'EQUALS',
  /** The field starts with the value. */
  PREFIX = 'PREFIX',
  /** The field differs from the value. */
  NOT_EQUALS = 'NOT_EQUALS',
  /** The field contains the value. */
  CONTAINS = 'CONTAINS',
}
