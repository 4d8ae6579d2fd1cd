import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommonCode } from '../../src/common/errors';
import { GRAPHQL_LAYER_CODES } from '../../src/common/graphql-errors';

/**
 * README's error table against the codes the service can raise, both ways: every code a caller can
 * get is documented, and nothing documented is made up. Codes are collected from the source: every
 * `…Code = { … }` table of codes (CommonCode and each feature's `…ErrorCode`), every code written
 * directly into hubError(…) / new HubError(…), and the codes of the GraphQL layer.
 */
const root = join(__dirname, '..', '..');

/** Raised inside the hub, never to an API caller (start-up, or the receiver-side helpers). */
const NOT_FOR_CALLERS: Record<string, string> = {
  FIELD_KEYS_INVALID: 'a malformed HUB_ENCRYPTION_KEYS stops the start',
  WEBHOOK_SECRET_INVALID: 'signing a delivery in the worker; the endpoint then gets no message, the caller no error',
  WEBHOOK_SIGNATURE_INVALID: 'verifyWebhook, the helper for receivers',
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: 'verifyWebhook, the helper for receivers',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function codesInSource(): Set<string> {
  const codes = new Set<string>([...Object.values(CommonCode), ...GRAPHQL_LAYER_CODES]);
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const table of text.matchAll(/export const \w*Code\s*=\s*\{([\s\S]*?)\}\s*as const/g))
      for (const m of table[1].matchAll(/^\s*(\w+):\s*'(\w+)'/gm)) codes.add(m[2]);
    for (const m of text.matchAll(/(?:hubError|new HubError)\(\s*'([A-Z_]+)'/g)) codes.add(m[1]);
  }
  return codes;
}

function codesInReadme(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('\n### ', readme.indexOf('### Errors') + 1));
  return new Set([...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
}

describe('README error codes', () => {
  const raised = codesInSource();
  const documented = codesInReadme();

  it('finds the codes on both sides', () => {
    expect(raised.size).toBeGreaterThan(30);
    expect(documented.has('INVALID_TRANSITION')).toBe(true);
  });

  it('documents every code a caller can get', () => {
    const missing = [...raised].filter((c) => !documented.has(c) && !(c in NOT_FOR_CALLERS));
    expect(missing).toEqual([]);
  });

  it('documents no code the service does not raise', () => {
    expect([...documented].filter((c) => !raised.has(c))).toEqual([]);
    expect(Object.keys(NOT_FOR_CALLERS).filter((c) => !raised.has(c) || documented.has(c))).toEqual([]);
  });
});
