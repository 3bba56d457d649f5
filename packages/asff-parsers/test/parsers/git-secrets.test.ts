import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { parseGitSecretsLine } from '../../src/parsers/git-secrets';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, SCAN } from '../support/convert-helpers';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

describe('git-secrets parser', () => {
  test('--scan output: one finding per match line, banner and advice ignored, no secret anywhere', async () => {
    const findings = await convertFixture('git-secrets', 'scan.txt');
    expect(findings.map((f) => f.Title)).toEqual([
      'Secret committed in config/settings.py:12',
      'Secret committed in deploy/run.sh:3',
      'Secret committed in README.md:40',
    ]);
    const text = JSON.stringify(findings);
    expect(text).not.toContain('fixture-not-a-real-key');
    expect(text).not.toContain('fixture:value:with:colons');
    expect(findings[0].Severity).toEqual({ Label: 'HIGH', Original: 'prohibited pattern' });
    expect(findings[0].Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(findings[0].ProductFields?.SecretFingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(findings[0].Resources![0]).toMatchObject({ Id: 'example-repo/config/settings.py:12' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('--scan-history output: the commit is part of the location', async () => {
    const findings = await convertFixture('git-secrets', 'scan-history.txt');
    expect(findings.map((f) => f.Resources![0].Id)).toEqual([
      'example-repo/app/app.py:8@4f2a9c1',
      'example-repo/app/app.py:8@9b0e7d2e5c4a3b2a1f0e9d8c7b6a5f4e3d2c1b0a',
    ]);
    expect(findings[0].Id).not.toBe(findings[1].Id);
    expect(JSON.stringify(findings)).not.toContain('fixture-history-secret');
  });

  test('no output means a clean scan', async () => {
    await expect(collect(convert({ tool: 'git-secrets', input: memorySource(''), context: SCAN }))).resolves.toEqual([]);
  });

  test('text that is not git-secrets output is refused', async () => {
    await expect(
      collect(convert({ tool: 'git-secrets', input: memorySource('hello world\nnot a match\n'), context: SCAN, fileName: 'out.txt' })),
    ).rejects.toThrow('out.txt: not git-secrets output: line 1 is not path:line:text');
  });

  describe('line parsing', () => {
    test.each([
      ['path:line:text', 'a/b.env:12:key = x', { path: 'a/b.env', line: '12', text: 'key = x' }],
      [
        'a path containing a colon',
        'deploy:prod.env:1:aws_secret_access_key = "x"',
        { path: 'deploy:prod.env', line: '1', text: 'aws_secret_access_key = "x"' },
      ],
      ['a text containing colons', 'a.env:3:x:1:y', { path: 'a.env', line: '3', text: 'x:1:y' }],
      ['an empty text', 'a.env:3:', { path: 'a.env', line: '3', text: '' }],
      ['a history line', '4f2a9c1:app/app.py:8:x', { commit: '4f2a9c1', path: 'app/app.py', line: '8', text: 'x' }],
      ['an abbreviated history commit', '4f2a9c1...:app:x.py:8:x', { commit: '4f2a9c1', path: 'app:x.py', line: '8', text: 'x' }],
      ['a hex path that is not a commit', 'abc:1:x', { path: 'abc', line: '1', text: 'x' }],
      ['a line terminator inside the text', 'a.env:1:x\u2028y\rz', { path: 'a.env', line: '1', text: 'x\u2028y\rz' }],
    ])('reads %s', (_name, line, expected) => {
      expect(parseGitSecretsLine(line)).toEqual(expected);
    });

    test.each([
      ['no line number', 'a.env:x:y'],
      ['an empty path', ':1:x'],
      ['a line number without the colon after it', 'a.env:12'],
      ['plain text', 'hello world'],
    ])('refuses %s', (_name, line) => {
      expect(parseGitSecretsLine(line)).toBeUndefined();
    });

    test('banner, advice and blank lines are noise', () => {
      expect(parseGitSecretsLine('[ERROR] Matched one or more prohibited patterns')).toBe('noise');
      expect(parseGitSecretsLine('- Mark false positives as allowed using: git config --add secrets.allowed ...')).toBe('noise');
      expect(parseGitSecretsLine('   ')).toBe('noise');
    });

    // A line is up to 1 MiB and entirely report-controlled; a regex with a lazy
    // path and a `.*` that cannot cross U+2028 rescanned the rest of the line at
    // every `:digits:`, so a 1 MiB line took minutes.
    test.each([
      ['a --scan line', (n: number) => `${':1:'.repeat(n / 3)}\u2028`],
      ['a --scan-history line', (n: number) => `abcdef1:${':1:'.repeat(n / 3)}\r`],
      ['a line of colons and digits without a match', (n: number) => `a${':1'.repeat(n / 2)}`],
    ])('time grows linearly with the length of %s full of separators', async (_name, line) => {
      const growth = await measureGrowth((n) => parseGitSecretsLine(line(n)), 3000);
      expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
    });
  });
});
