/**
 * A path glob as used in policy files: `**` any number of path segments,
 * `*` anything within one segment, `?` one character, `{a,b}` alternatives.
 * Matching is case-sensitive and anchored at both ends.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let inBraces = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches no directory at all, so `src/**/x.ts` matches `src/x.ts`.
        if (glob[i + 2] === '/') {
          source += '(?:.*/)?';
          i += 2;
        } else {
          source += '.*';
          i += 1;
        }
      } else {
        source += '[^/]*';
      }
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '{' && !inBraces) {
      inBraces = true;
      source += '(?:';
    } else if (c === '}' && inBraces) {
      inBraces = false;
      source += ')';
    } else if (c === ',' && inBraces) {
      source += '|';
    } else {
      source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
    }
  }
  if (inBraces) throw new Error(`unclosed '{' in glob '${glob}'`);
  return new RegExp(`^${source}$`);
}
