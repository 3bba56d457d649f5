import { StringDecoder } from 'node:string_decoder';
import { MalformedInputError } from '../errors';
import type { ReportSource } from './report-source';
import { createSaxParser } from './sax-parser';

/** An XML element materialised as a small tree (names without namespace prefixes). */
export class XmlElement {
  public readonly children: XmlElement[] = [];
  /** The concatenated text directly inside this element. */
  public text = '';

  constructor(
    public readonly name: string,
    public readonly attributes: Readonly<Record<string, string>>,
  ) {}

  /** The first child element with this name. */
  first(name: string): XmlElement | undefined {
    return this.children.find((c) => c.name === name);
  }

  /** All child elements with this name. */
  all(name: string): XmlElement[] {
    return this.children.filter((c) => c.name === name);
  }

  /** The trimmed text of the first child with this name, or undefined when absent or empty. */
  textOf(name: string): string | undefined {
    const text = this.first(name)?.text.trim();
    return text === undefined || text.length === 0 ? undefined : text;
  }

  /** Follows a `/`-separated path of child names (first match at each step). */
  at(path: string): XmlElement | undefined {
    let current: XmlElement | undefined = this;
    for (const step of path.split('/')) current = current?.first(step);
    return current;
  }
}

/** An enclosing element of a selected one: name and attributes only. */
export interface XmlAncestor {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What to pull out of an XML document while streaming it. */
export interface XmlSelection {
  /**
   * `/`-separated element paths from the root, local names, `*` for any one
   * element: `OWASPZAPReport/site/alerts/alertitem`, `analysis/dependencies/dependency`.
   */
  readonly elements: readonly string[];
  /** Accepted root element names; anything else is another tool's report. */
  readonly roots: readonly string[];
  /** Largest selected element in characters of text and attribute values (default 64 Mi). */
  readonly maxElementChars?: number;
  /**
   * Most elements inside one selected element (default 100 000). Each becomes
   * a tree node of a few hundred bytes: without a limit 8 MB of `<b/>` took
   * 433 MB of heap.
   */
  readonly maxElementNodes?: number;
  /** Deepest nesting of elements in the document (default 256). */
  readonly maxDepth?: number;
  /** Most attributes on one element (default 256). */
  readonly maxAttributes?: number;
  /** Longest attribute value in characters (default 64 Ki). */
  readonly maxAttributeChars?: number;
}

const DEFAULT_MAX_ELEMENT_NODES = 100_000;
const DEFAULT_MAX_DEPTH = 256;
const DEFAULT_MAX_ATTRIBUTES = 256;
const DEFAULT_MAX_ATTRIBUTE_CHARS = 64 * 1024;

/**
 * saxes' message without the report in it: `1:43: unmatched closing tag: AKIA....`
 * becomes `invalid XML at line 1, column 43: unmatched closing tag`. Tag and
 * attribute names are report text and may be anything, a credential included.
 */
function safeXmlError(message: string): string {
  const position = /^(\d+):(\d+): /.exec(message);
  let problem = position === null ? message : message.slice(position[0].length);
  const colon = problem.indexOf(': ');
  if (colon >= 0) problem = problem.slice(0, colon);
  problem = problem.replace(/\.$/, '');
  return `invalid XML${position === null ? '' : ` at line ${position[1]}, column ${position[2]}`}: ${problem}`;
}

/** One selected element with the chain of elements around it (root first). */
export interface XmlMatch {
  readonly selector: string;
  readonly element: XmlElement;
  readonly ancestors: readonly XmlAncestor[];
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * Streams an XML document with saxes and yields each selected element as a
 * tree. Only the selected element is held in memory. saxes neither fetches
 * external entities nor expands custom ones, so hostile reports cannot reach
 * the file system or the network (XXE).
 */
export async function* streamXmlElements(source: ReportSource, selection: XmlSelection): AsyncGenerator<XmlMatch> {
  const selectors = selection.elements.map((text) => ({ text, steps: text.split('/') }));
  const maxChars = selection.maxElementChars ?? 64 * 1024 * 1024;
  const maxNodes = selection.maxElementNodes ?? DEFAULT_MAX_ELEMENT_NODES;
  const maxDepth = selection.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAttributes = selection.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES;
  const maxAttributeChars = selection.maxAttributeChars ?? DEFAULT_MAX_ATTRIBUTE_CHARS;
  const parser = createSaxParser();
  const stack: XmlAncestor[] = [];
  let capture: { selector: string; ancestors: XmlAncestor[]; stack: XmlElement[]; chars: number; nodes: number } | undefined;
  let attributeCount = 0;
  let out: XmlMatch[] = [];
  let sawRoot = false;
  let failure: Error | undefined;

  const matches = (steps: readonly string[]): boolean =>
    steps.length === stack.length && steps.every((s, k) => s === '*' || s === stack[k].name);

  parser.on('error', (e) => {
    failure ??= new MalformedInputError(safeXmlError(e.message));
  });
  // Limits throw from inside saxes, which stops it in the middle of the
  // chunk: nothing more is parsed or kept.
  parser.on('attribute', (attribute) => {
    if (++attributeCount > maxAttributes) throw new MalformedInputError(`an element has more than ${maxAttributes} attributes`, 'too-large');
    if (attribute.value.length > maxAttributeChars) {
      throw new MalformedInputError(`an attribute value is longer than ${maxAttributeChars} characters`, 'too-large');
    }
  });
  parser.on('opentag', (tag) => {
    attributeCount = 0;
    if (stack.length >= maxDepth) throw new MalformedInputError(`elements are nested deeper than ${maxDepth} levels`, 'too-large');
    const name = localName(tag.name);
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attributes[localName(k)] = v;
    if (stack.length === 0) {
      sawRoot = true;
      if (!selection.roots.includes(name)) {
        const expected = selection.roots.map((r) => `<${r}>`).join(' or ');
        failure ??= new MalformedInputError(`not the expected report: root element <${name}>, expected ${expected}`, 'unrecognised');
      }
    }
    if (capture !== undefined) {
      if (++capture.nodes > maxNodes) {
        throw new MalformedInputError(`an element <${capture.stack[0].name}> holds more than ${maxNodes} elements`, 'too-large');
      }
      addChars(Object.values(attributes));
      const element = new XmlElement(name, attributes);
      capture.stack[capture.stack.length - 1].children.push(element);
      capture.stack.push(element);
    }
    stack.push({ name, attributes });
    if (capture === undefined) {
      const selected = selectors.find((s) => matches(s.steps));
      if (selected !== undefined) {
        capture = { selector: selected.text, ancestors: stack.slice(0, -1), stack: [new XmlElement(name, attributes)], chars: 0, nodes: 0 };
        addChars(Object.values(attributes));
      }
    }
  });
  /** Counts text and attribute values toward the size of the selected element. */
  const addChars = (texts: readonly string[]): void => {
    for (const text of texts) capture!.chars += text.length;
    if (capture!.chars > maxChars) {
      throw new MalformedInputError(`an element <${capture!.stack[0].name}> exceeds ${maxChars} characters`, 'too-large');
    }
  };
  const onText = (text: string): void => {
    if (capture === undefined) return;
    addChars([text]);
    capture.stack[capture.stack.length - 1].text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    stack.pop();
    if (capture === undefined) return;
    const element = capture.stack.pop()!;
    if (capture.stack.length === 0) {
      out.push({ selector: capture.selector, element, ancestors: capture.ancestors });
      capture = undefined;
    }
  });

  const decoder = new StringDecoder('utf8');
  let started = false;
  for await (const chunk of source) {
    if (chunk.length > 0) started = true;
    // saxes takes strings; a chunk may end inside a multi-byte character, so
    // decode with a streaming decoder.
    parser.write(decoder.write(chunk));
    if (failure !== undefined) throw failure;
    const found = out;
    out = [];
    yield* found;
  }
  if (!started) throw new MalformedInputError('the report is empty');
  parser.write(decoder.end());
  parser.close();
  if (failure !== undefined) throw failure;
  if (!sawRoot) throw new MalformedInputError('not an XML document', 'unrecognised');
  yield* out;
}
