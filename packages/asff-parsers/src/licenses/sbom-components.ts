import { MalformedInputError } from '../errors';
import { asArray, asRecord, asString } from '../parsers/json-values';
import { streamJsonElements } from '../streams/json-elements';
import { peekSource, type ReportSource } from '../streams/report-source';

/** A package of an SBOM and the licences it declares, as written (each one an SPDX expression or a free name). */
export interface SbomComponent {
  readonly name: string;
  readonly version?: string;
  readonly purl?: string;
  /** CycloneDX `bom-ref` or SPDX `SPDXID`. */
  readonly ref?: string;
  readonly type?: string;
  readonly licenses: readonly string[];
}

/** What the SBOM says it describes. */
export interface SbomSubject {
  /** `CycloneDX 1.6`, `SPDX-2.3`. */
  readonly format: string;
  /** The image (CycloneDX `metadata.component.name`, SPDX document `name`). */
  readonly name?: string;
}

/** SPDX's words for "no licence information" and "no licence". */
const SPDX_NO_LICENSE = new Set(['NOASSERTION', 'NONE']);

/** SPDX package purposes that group packages rather than ship code under a licence of their own. */
const SPDX_GROUPING_PURPOSES = new Set(['CONTAINER', 'OPERATING-SYSTEM']);

/**
 * Streams the packages of a CycloneDX JSON (1.2-1.6) or SPDX JSON (2.2-2.3) SBOM, one at a time: memory holds one
 * top-level component, whatever the size of the SBOM. Only packages are yielded: a component with neither a package
 * URL nor a licence (the image itself, its operating system, a lock file Trivy lists as an application) groups
 * packages and has no licence of its own to judge. `onSubject` is called once the SBOM says what it describes.
 */
export async function* sbomComponents(input: ReportSource, onSubject: (subject: SbomSubject) => void): AsyncGenerator<SbomComponent> {
  const { head, source } = await peekSource(input);
  const text = head.toString('utf8');
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) {
    const version = /"specVersion"\s*:\s*"([0-9.]{1,8})"/.exec(text)?.[1];
    let told = false;
    const selection = { elements: ['components.*'], capture: ['metadata'], requireContainer: false };
    for await (const element of streamJsonElements(source, selection)) {
      if (!told) {
        told = true;
        onSubject({
          format: `CycloneDX${version ? ` ${version}` : ''}`,
          name: asString(asRecord(asRecord(element.captured.metadata).component).name),
        });
      }
      yield* cycloneDxComponents(asRecord(element.value), 0);
    }
    if (!told) onSubject({ format: `CycloneDX${version ? ` ${version}` : ''}` });
    return;
  }
  const spdx = /"spdxVersion"\s*:\s*"(SPDX-[0-9.]{1,8})"/.exec(text);
  if (spdx) {
    let told = false;
    const selection = { elements: ['packages.*'], capture: ['name'], requireContainer: false };
    for await (const element of streamJsonElements(source, selection)) {
      if (!told) {
        told = true;
        onSubject({ format: spdx[1], name: asString(element.captured.name) });
      }
      const component = spdxPackage(asRecord(element.value));
      if (component !== undefined) yield component;
    }
    if (!told) onSubject({ format: spdx[1] });
    return;
  }
  throw new MalformedInputError('not a CycloneDX or SPDX JSON SBOM: no "bomFormat": "CycloneDX" nor "spdxVersion" at its start', 'unrecognised');
}

/** A component and, flattened, the components nested in it (CycloneDX assemblies). */
function* cycloneDxComponents(raw: Record<string, unknown>, depth: number): Generator<SbomComponent> {
  const licenses = asArray(raw.licenses)
    .map(asRecord)
    .map((choice) => {
      const license = asRecord(choice.license);
      return asString(choice.expression) ?? asString(license.id) ?? asString(license.name);
    })
    // Some tools write SPDX's words for "no licence information" into CycloneDX too.
    .filter((l): l is string => l !== undefined && l.trim() !== '' && !SPDX_NO_LICENSE.has(l.trim()));
  const purl = asString(raw.purl);
  const name = asString(raw.name);
  if (name !== undefined && (purl !== undefined || licenses.length > 0)) {
    yield { name, version: asString(raw.version), purl, ref: asString(raw['bom-ref']), type: asString(raw.type), licenses };
  }
  // Nesting is bounded by the reader's own depth limit; this guard keeps a hostile BOM from recursing further.
  if (depth < 64) for (const child of asArray(raw.components)) yield* cycloneDxComponents(asRecord(child), depth + 1);
}

function spdxPackage(raw: Record<string, unknown>): SbomComponent | undefined {
  const name = asString(raw.name);
  const purpose = asString(raw.primaryPackagePurpose);
  if (name === undefined || (purpose !== undefined && SPDX_GROUPING_PURPOSES.has(purpose))) return undefined;
  const purl = asArray(raw.externalRefs)
    .map(asRecord)
    .find((ref) => asString(ref.referenceType) === 'purl');
  // The licence the SBOM's author concluded, else the one the package declares.
  const licenses = [asString(raw.licenseConcluded), asString(raw.licenseDeclared)]
    .filter((l): l is string => l !== undefined && l.trim() !== '' && !SPDX_NO_LICENSE.has(l.trim()))
    .slice(0, 1);
  const locator = purl === undefined ? undefined : asString(purl.referenceLocator);
  if (locator === undefined && licenses.length === 0) return undefined;
  return { name, version: asString(raw.versionInfo), purl: locator, ref: asString(raw.SPDXID), type: purpose?.toLowerCase(), licenses };
}
