/** Longest glob a policy may use; globs are paths like `services/legacy/**`, never this long. */
export const MAX_GLOB_CHARS = 256;

/** A compiled path glob. */
export interface GlobMatcher {
  /** The glob it was compiled from. */
  readonly glob: string;
  /** Whether the whole path matches. */
  test(path: string): boolean;
}

/**
 * Compiles a path glob as used in policy files: `**` any number of path
 * segments, `*` anything within one segment, `?` one character, `{a,b}`
 * alternatives (not nested). Matching is case-sensitive and anchored at both
 * ends.
 *
 * The glob and the paths both come from the commit being gated, so matching
 * must not backtrack: a regex such as `^[^/]*a[^/]*a[^/]*b$` takes time
 * exponential in the number of stars on a path that almost matches. The glob
 * is compiled to a Thompson automaton instead and simulated as a set of
 * states, which reads each character of the path once and visits each state
 * at most once per character: O(path × glob) time, O(glob) memory.
 */
export function compileGlob(glob: string): GlobMatcher {
  if (glob.length > MAX_GLOB_CHARS) throw new Error(`a glob is longer than ${MAX_GLOB_CHARS} characters`);
  const automaton = buildAutomaton(tokenize(glob));
  return { glob, test: (path) => run(automaton, path) };
}

type Token =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'one' | 'star' | 'globstar' | 'globstar-slash' }
  | { readonly kind: 'group'; readonly alternatives: readonly Token[][] };

function tokenize(glob: string): Token[] {
  const top: Token[] = [];
  let alternatives: Token[][] | undefined;
  let current = top;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches no directory at all, so `src/**/x.ts` matches `src/x.ts`.
        if (glob[i + 2] === '/') {
          current.push({ kind: 'globstar-slash' });
          i += 2;
        } else {
          current.push({ kind: 'globstar' });
          i += 1;
        }
      } else {
        current.push({ kind: 'star' });
      }
    } else if (c === '?') {
      current.push({ kind: 'one' });
    } else if (c === '{' && alternatives === undefined) {
      alternatives = [[]];
      current = alternatives[0];
    } else if (c === '}' && alternatives !== undefined) {
      top.push({ kind: 'group', alternatives });
      alternatives = undefined;
      current = top;
    } else if (c === ',' && alternatives !== undefined) {
      current = [];
      alternatives.push(current);
    } else {
      current.push({ kind: 'char', code: glob.charCodeAt(i) });
    }
  }
  if (alternatives !== undefined) throw new Error(`unclosed '{' in glob '${glob}'`);
  return top;
}

/** What an edge accepts: a character code, or one of these. */
const ANY = -1;
const NOT_SLASH = -2;
const SLASH = 0x2f;

interface Automaton {
  /** Per state: the labels of its character edges, and where each leads. */
  readonly labels: readonly (readonly number[])[];
  readonly targets: readonly (readonly number[])[];
  /** Per state: the states reachable without reading a character. */
  readonly epsilon: readonly (readonly number[])[];
  readonly accept: number;
}

function buildAutomaton(tokens: readonly Token[]): Automaton {
  const labels: number[][] = [];
  const targets: number[][] = [];
  const epsilon: number[][] = [];
  const state = (): number => {
    labels.push([]);
    targets.push([]);
    epsilon.push([]);
    return labels.length - 1;
  };
  const edge = (from: number, label: number, to: number): void => {
    labels[from].push(label);
    targets[from].push(to);
  };
  // Each step starts at a state with no outgoing edges yet and returns the state it ends in.
  const sequence = (list: readonly Token[], from: number): number => {
    let at = from;
    for (const token of list) {
      const next = state();
      switch (token.kind) {
        case 'char':
          edge(at, token.code, next);
          break;
        case 'one':
          edge(at, NOT_SLASH, next);
          break;
        case 'star':
        case 'globstar':
          edge(at, token.kind === 'star' ? NOT_SLASH : ANY, at);
          epsilon[at].push(next);
          break;
        case 'globstar-slash': {
          // (?:.*/)? : skip it entirely, or read anything up to and including a '/'.
          const inside = state();
          epsilon[at].push(next, inside);
          edge(inside, ANY, inside);
          edge(inside, SLASH, next);
          break;
        }
        case 'group':
          for (const alternative of token.alternatives) {
            const start = state();
            epsilon[at].push(start);
            epsilon[sequence(alternative, start)].push(next);
          }
          break;
      }
      at = next;
    }
    return at;
  };
  const accept = sequence(tokens, state());
  return { labels, targets, epsilon, accept };
}

function run(automaton: Automaton, path: string): boolean {
  const { labels, targets, epsilon, accept } = automaton;
  const size = labels.length;
  // `seen[s] === generation` marks a state already in the set being built, so
  // each state is added (and its epsilon edges followed) once per character.
  const seen = new Uint32Array(size);
  let generation = 1;
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  let count = 0;
  let nextCount = 0;
  const stack = new Int32Array(size);
  const add = (s: number): void => {
    if (seen[s] === generation) return;
    seen[s] = generation;
    let top = 0;
    stack[top++] = s;
    while (top > 0) {
      const t = stack[--top];
      next[nextCount++] = t;
      for (const u of epsilon[t]) {
        if (seen[u] !== generation) {
          seen[u] = generation;
          stack[top++] = u;
        }
      }
    }
  };
  add(0);
  [current, next] = [next, current];
  count = nextCount;
  for (let i = 0; i < path.length && count > 0; i++) {
    const code = path.charCodeAt(i);
    generation++;
    nextCount = 0;
    for (let k = 0; k < count; k++) {
      const s = current[k];
      const stateLabels = labels[s];
      for (let e = 0; e < stateLabels.length; e++) {
        const label = stateLabels[e];
        if (label === code || label === ANY || (label === NOT_SLASH && code !== SLASH)) add(targets[s][e]);
      }
    }
    [current, next] = [next, current];
    count = nextCount;
  }
  for (let k = 0; k < count; k++) if (current[k] === accept) return true;
  return false;
}
