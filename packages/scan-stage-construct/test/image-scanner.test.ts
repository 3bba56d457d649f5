import { BuildSecret, ImageScanner } from '../src';

describe('ImageScanner', () => {
  test('built-in scanners select the buildspec branch by name', () => {
    expect(ImageScanner.grype().bind()).toEqual({ environmentVariables: { SCANNER: 'grype' }, secrets: {} });
    expect(ImageScanner.trivy().bind()).toEqual({ environmentVariables: { SCANNER: 'trivy' }, secrets: {} });
  });

  test('Snyk carries its token as a secret reference', () => {
    const token = BuildSecret.fromSsmSecureString('/factory/snyk');
    expect(ImageScanner.snyk({ token }).bind()).toEqual({ environmentVariables: { SCANNER: 'snyk' }, secrets: { SNYK_TOKEN: token } });
  });

  test('a custom scanner passes its commands, report path and parser id to the build', () => {
    const licence = BuildSecret.fromSsmSecureString('/factory/scanner-licence');
    const config = ImageScanner.custom({
      installCommands: ['curl -fsSL -o /tmp/x.tgz https://example.com/x.tgz', 'echo "abc  /tmp/x.tgz" | sha256sum --check -'],
      runCommand: 'x scan --archive "$IMAGE_TARBALL" --json reports/x.json',
      reportPath: 'reports/x.json',
      parserId: 'sarif',
      secrets: { X_LICENCE: licence },
    }).bind();
    expect(config).toEqual({
      environmentVariables: {
        SCANNER: 'custom',
        CUSTOM_SCANNER_INSTALL: 'curl -fsSL -o /tmp/x.tgz https://example.com/x.tgz\necho "abc  /tmp/x.tgz" | sha256sum --check -',
        CUSTOM_SCANNER_RUN: 'x scan --archive "$IMAGE_TARBALL" --json reports/x.json',
        CUSTOM_SCANNER_REPORT: 'reports/x.json',
        CUSTOM_SCANNER_PARSER: 'sarif',
      },
      secrets: { X_LICENCE: licence },
    });
  });

  test.each([
    ['a parser id that is not an asff id', { parserId: 'My Parser' }, /parserId/],
    ['an absolute report path', { reportPath: '/tmp/report.json' }, /reportPath/],
    ['an empty report path', { reportPath: ' ' }, /reportPath/],
    ['an empty run command', { runCommand: '' }, /runCommand/],
  ])('rejects %s', (_name, override, message) => {
    const definition = { installCommands: [], runCommand: 'scan', reportPath: 'reports/r.json', parserId: 'grype', ...override };
    expect(() => ImageScanner.custom(definition)).toThrow(message);
  });
});
