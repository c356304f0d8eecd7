import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './config';
import { SECRET_VARIABLES } from '../logging/scrubSecrets';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

describe('the deployment files', () => {
  const compose = read('deploy/compose.yaml');

  // biome-ignore lint/suspicious/noTemplateCurlyInString: names compose's ${VAR:?…} syntax, not a template
  it.each(['AUTH_JWT_SECRET', 'PERSONAL_DATA_KEK', 'S3_SECRET_ACCESS_KEY', 'POSTGRES_PASSWORD'])('require %s with ${VAR:?…} and give it no default', (variable) => {
    const uses = [...compose.matchAll(new RegExp(String.raw`\$\{${variable}(:?[-?])?([^}]*)\}`, 'g'))];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, operator] of uses) expect(operator).toBe(':?');
  });

  it('write no secret value of their own into compose.yaml', () => {
    // Every secret variable of the services is either interpolated from the operator's
    // environment or left empty (OneSignal: push then goes to the log).
    for (const variable of SECRET_VARIABLES) {
      for (const [line] of compose.matchAll(new RegExp(String.raw`^\s*${variable}:.*$`, 'gm'))) {
        expect(line).toMatch(new RegExp(String.raw`^\s*${variable}: \$\{${variable}:(\?[^}]+|-)\}$`));
      }
    }
    expect(compose).not.toMatch(/PASSWORD: (?!"\$\{)/);
  });

  it('set no secret in the image', () => {
    const dockerfile = read('deploy/Dockerfile');
    for (const variable of [...SECRET_VARIABLES, 'PASSWORD', 'SECRET', 'KEK']) expect(dockerfile).not.toMatch(new RegExp(String.raw`^\s*(ENV|ARG)\b.*${variable}`, 'm'));
  });
});
