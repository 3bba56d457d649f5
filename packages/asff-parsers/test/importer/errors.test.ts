import { classifyRequestError, isRetryableFindingCode } from '../../src/importer/errors';

const serviceError = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('error classification', () => {
  test.each([
    ['TooManyRequestsException', 429, 'throttled'],
    ['LimitExceededException', 429, 'throttled'],
    ['InternalException', 500, 'retryable'],
    ['ServiceUnavailable', 503, 'retryable'],
    ['InvalidInputException', 400, 'splittable'],
    ['RequestEntityTooLargeException', 413, 'splittable'],
    ['InvalidAccessException', 401, 'permanent'],
    ['AccessDeniedException', 403, 'permanent'],
  ])('%s (HTTP %d) is %s', (name, status, kind) => {
    expect(classifyRequestError(serviceError(name, status))).toBe(kind);
  });

  test('a network error without a response is retryable', () => {
    expect(classifyRequestError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('retryable');
  });

  test('retries transient per-finding codes and unknown ones, not invalid input', () => {
    expect(isRetryableFindingCode('InternalFailure')).toBe(true);
    expect(isRetryableFindingCode('ConcurrentUpdateError')).toBe(true);
    expect(isRetryableFindingCode('SomethingNew')).toBe(true);
    expect(isRetryableFindingCode('InvalidInput')).toBe(false);
    expect(isRetryableFindingCode('FindingSizeExceeded')).toBe(false);
  });
});
