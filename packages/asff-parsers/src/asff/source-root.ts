import type { FindingDraft } from '../parsers/parser';

/**
 * Makes the paths a report gives under the scanned source's root relative to
 * it. osv-scanner and many SARIF producers print absolute paths, and CodeBuild
 * checks the source out under a directory that changes from build to build
 * (`/codebuild/output/src123456789/src/...`), so without this every Id would
 * change with the build directory. Done once here, for every parser, on the
 * draft before the builder derives anything from it.
 *
 * Returns undefined when there is nothing to rewrite (no root, or a root of
 * `/`, under which every absolute path would lose its meaning).
 */
export function sourceRootRewriter(root: string | undefined): ((text: string) => string) | undefined {
  // One conversion builds every finding with the same root: compile its pattern once.
  if (cached === undefined || cached.root !== root) cached = { root, rewrite: compileRewriter(root) };
  return cached.rewrite;
}

let cached: { readonly root: string | undefined; readonly rewrite: ((text: string) => string) | undefined } | undefined;

function compileRewriter(root: string | undefined): ((text: string) => string) | undefined {
  const trimmed = root?.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  if (trimmed === undefined || trimmed === '' || trimmed === '.') return undefined;
  // Either separator matches either separator: a Windows build names the same root with backslashes.
  const body = trimmed
    .split('/')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[/\\\\]');
  // The root must start a path (not `/x/codebuild/src`) and end one (not `/codebuild/srcfoo`). A path right
  // under it loses the root and its separators; the root alone becomes `.`. `file://` URIs (SARIF) likewise. A
  // slash may come before it: `repository/` + an absolute path is how parsers name a file (`repo//codebuild/...`).
  const pattern = new RegExp(`(?<![\\w.~-])(?:file://)?${body}(?:([/\\\\]+)|(?![\\w.~-]))`, 'g');
  // Most strings hold no path at all: a plain search for the root's last name skips them without the regex.
  const lastName = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return (text) => (text.includes(lastName) ? text.replace(pattern, (_, separator?: string) => (separator ? '' : '.')) : text);
}

/**
 * The draft with every path under the root made relative, in each field a
 * path reaches: the Id key (locationKey), title, description, resources,
 * vulnerabilities (package file paths), remediation text and product fields.
 */
export function relativeToSourceRoot(draft: FindingDraft, rewrite: (text: string) => string): FindingDraft {
  const walk = <T>(node: T): T => {
    if (typeof node === 'string') return rewrite(node) as T;
    if (Array.isArray(node)) return node.map(walk) as T;
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)])) as T;
    return node;
  };
  return {
    ...draft,
    locationKey: rewrite(draft.locationKey),
    title: rewrite(draft.title),
    description: rewrite(draft.description),
    resources: walk(draft.resources),
    ...(draft.vulnerabilities !== undefined ? { vulnerabilities: walk(draft.vulnerabilities) } : {}),
    ...(draft.remediation?.text !== undefined ? { remediation: { ...draft.remediation, text: rewrite(draft.remediation.text) } } : {}),
    ...(draft.productFields !== undefined ? { productFields: walk(draft.productFields) } : {}),
  };
}
