import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf-8');
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

describe('Dockerfile', () => {
  test('runs as a numeric non-root user in the final stage (matches runAsNonRoot)', () => {
    expect(finalStage).toMatch(/^USER 10001:10001$/m);
  });

  test('pulls base images from ECR Public, not an unauthenticated rate-limited registry', () => {
    for (const line of dockerfile.split('\n').filter((l) => l.startsWith('FROM '))) {
      expect(line).toMatch(/^FROM public\.ecr\.aws\//);
    }
  });

  test('ships only compiled output in the runtime stage', () => {
    expect(finalStage).not.toMatch(/COPY (src|\.)\s/);
    expect(finalStage).toContain('COPY --from=build /app/lib ./lib');
  });
});
