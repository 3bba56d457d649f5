import { codeLocationId, portablePath } from '../../src/parsers/code-location';

describe('code locations', () => {
  test('a Windows path and its POSIX spelling are one path', () => {
    expect(portablePath('app\\db\\queries.py')).toBe('app/db/queries.py');
  });

  test('repository/path:line, without a leading slash, the line only when known', () => {
    expect(codeLocationId({ repository: 'shop' }, '/infra/s3.tf', 12)).toBe('shop/infra/s3.tf:12');
    expect(codeLocationId({}, 'services\\worker\\Dockerfile')).toBe('services/worker/Dockerfile');
  });
});
