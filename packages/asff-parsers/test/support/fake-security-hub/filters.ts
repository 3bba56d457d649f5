/**
 * GetFindings filter evaluation for the attributes the project queries.
 * Unknown attributes are refused rather than ignored, so that a test never
 * passes because the fake silently matched everything.
 */
type Json = Record<string, any>;

interface StringFilter {
  Value?: string;
  Comparison?: string;
}
interface MapFilter extends StringFilter {
  Key?: string;
}

const STRING_ATTRIBUTES: Record<string, (f: Json) => string[]> = {
  Id: (f) => [f.Id],
  ProductArn: (f) => [f.ProductArn],
  AwsAccountId: (f) => [f.AwsAccountId],
  GeneratorId: (f) => [f.GeneratorId],
  Title: (f) => [f.Title],
  RecordState: (f) => [f.RecordState],
  WorkflowStatus: (f) => [f.Workflow?.Status],
  SeverityLabel: (f) => [f.Severity?.Label],
  Type: (f) => f.Types ?? [],
  ResourceType: (f) => (f.Resources ?? []).map((r: Json) => r.Type),
  ResourceId: (f) => (f.Resources ?? []).map((r: Json) => r.Id),
};
const MAP_ATTRIBUTES: Record<string, (f: Json) => Record<string, string>> = {
  ProductFields: (f) => f.ProductFields ?? {},
  UserDefinedFields: (f) => f.UserDefinedFields ?? {},
};
const POSITIVE = new Set(['EQUALS', 'PREFIX', 'CONTAINS']);
const NEGATIVE = new Set(['NOT_EQUALS', 'PREFIX_NOT_EQUALS', 'NOT_CONTAINS']);

function compare(actual: string | undefined, filter: StringFilter): boolean {
  const value = filter.Value ?? '';
  switch (filter.Comparison) {
    case 'EQUALS': return actual === value;
    case 'PREFIX': return actual !== undefined && actual.startsWith(value);
    case 'CONTAINS': return actual !== undefined && actual.includes(value);
    case 'NOT_EQUALS': return actual !== value;
    case 'PREFIX_NOT_EQUALS': return actual === undefined || !actual.startsWith(value);
    case 'NOT_CONTAINS': return actual === undefined || !actual.includes(value);
    default: return false;
  }
}

/** Security Hub's rule: positive comparisons on one attribute are OR'ed, negative ones AND'ed. */
function matchesAttribute(values: (string | undefined)[], filters: StringFilter[]): boolean {
  const positives = filters.filter((f) => POSITIVE.has(f.Comparison ?? ''));
  const negatives = filters.filter((f) => NEGATIVE.has(f.Comparison ?? ''));
  const candidates = values.length > 0 ? values : [undefined];
  const positiveOk = positives.length === 0 || positives.some((f) => candidates.some((v) => compare(v, f)));
  const negativeOk = negatives.every((f) => candidates.every((v) => compare(v, f)));
  return positiveOk && negativeOk;
}

/** Throws a message for InvalidInputException when the filters cannot be evaluated. */
export function checkFilters(filters: Json): void {
  const attributes = Object.keys(filters);
  if (attributes.length > 10) throw new Error('At most 10 filter attributes are allowed');
  for (const attribute of attributes) {
    if (!(attribute in STRING_ATTRIBUTES) && !(attribute in MAP_ATTRIBUTES)) {
      throw new Error(`Filter attribute ${attribute} is not supported by the fake endpoint`);
    }
    const list = filters[attribute];
    if (!Array.isArray(list) || list.length > 20) throw new Error(`Filter ${attribute} takes at most 20 values`);
    for (const filter of list as MapFilter[]) {
      if (!POSITIVE.has(filter.Comparison ?? '') && !NEGATIVE.has(filter.Comparison ?? '')) {
        throw new Error(`Filter ${attribute} has an invalid Comparison`);
      }
      if (attribute in MAP_ATTRIBUTES && !filter.Key) throw new Error(`Filter ${attribute} requires a Key`);
    }
  }
}

export function matchesFilters(finding: Json, filters: Json): boolean {
  for (const [attribute, list] of Object.entries(filters)) {
    const mapGetter = MAP_ATTRIBUTES[attribute];
    if (mapGetter) {
      const map = mapGetter(finding);
      const byKey = new Map<string, MapFilter[]>();
      for (const filter of list as MapFilter[]) byKey.set(filter.Key!, [...(byKey.get(filter.Key!) ?? []), filter]);
      for (const [key, keyFilters] of byKey) {
        if (!matchesAttribute(key in map ? [map[key]] : [], keyFilters)) return false;
      }
    } else if (!matchesAttribute(STRING_ATTRIBUTES[attribute](finding), list as StringFilter[])) {
      return false;
    }
  }
  return true;
}
