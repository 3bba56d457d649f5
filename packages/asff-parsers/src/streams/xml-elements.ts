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
  /** Largest selected element in characters (default 64 Mi). */
  readonly maxElementChars?: number;
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
  const parser = createSaxParser();
  const stack: XmlAncestor[] = [];
  let capture: { selector: string; ancestors: XmlAncestor[]; stack: XmlElement[]; chars: number } | undefined;
  let out: XmlMatch[] = [];
  let sawRoot = false;
  let failure: Error | undefined;

  const matches = (steps: readonly string[]): boolean =>
    steps.length === stack.length && steps.every((s, k) => s === '*' || s === stack[k].name);

  parser.on('error', (e) => {
    failure ??= new MalformedInputError(`invalid XML: ${e.message}`);
  });
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attributes[localName(k)] = v;
    if (stack.length === 0) {
      sawRoot = true;
      if (!selection.roots.includes(name)) {
        failure ??= new MalformedInputError(`not the expected report: root element <${name}>, expected ${selection.roots.map((r) => `<${r}>`).join(' or ')}`, 'unrecognised');
      }
    }
    if (capture !== undefined) {
      const element = new XmlElement(name, attributes);
      capture.stack[capture.stack.length - 1].children.push(element);
      capture.stack.push(element);
    }
    stack.push({ name, attributes });
    if (capture === undefined) {
      const selected = selectors.find((s) => matches(s.steps));
      if (selected !== undefined) {
        capture = { selector: selected.text, ancestors: stack.slice(0, -1), stack: [new XmlElement(name, attributes)], chars: 0 };
      }
    }
  });
  const onText = (text: string): void => {
    if (capture === undefined) return;
    capture.chars += text.length;
    if (capture.chars > maxChars) {
      failure ??= new MalformedInputError(`an element <${capture.stack[0].name}> exceeds ${maxChars} characters`, 'too-large');
      return;
    }
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
