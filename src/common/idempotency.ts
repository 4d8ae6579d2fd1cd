/**
 * Fingerprints of request inputs for idempotency keys: the same key with the same input returns the
 * first result, with a different input it is an error. "Same input" must not depend on the order in
 * which a client happened to serialise object keys, hence a canonical JSON form.
 */
import { createHash } from 'node:crypto';
import { Errors } from './errors';

/**
 * JSON with object keys sorted (by UTF-16 code unit, so it does not depend on locale), arrays kept
 * in order and undefined properties dropped. Otherwise it follows JSON.stringify: toJSON is honoured
 * (Dates become ISO strings), undefined inside arrays becomes null, non-finite numbers become null.
 * A top-level undefined is 'null' so that "no input" has a fingerprint too.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set(), 'input') ?? 'null';
}

/** sha256 (hex) of canonicalJson(value). */
export function requestFingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

function serialise(value: unknown, ancestors: Set<object>, path: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw Errors.badInput(
        path,
        `${path} is a BigInt, which has no JSON form; send it as a string.`,
        `${path} は BigInt で、JSON で表せません。文字列で送ってください。`,
      );
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  }
  if (value === null) return 'null';

  const object = value as object;
  if (ancestors.has(object)) {
    throw Errors.badInput(path, `${path} refers back to itself; a request input must be a tree.`, `${path} が自分自身を参照しています。リクエストの入力は木構造にしてください。`);
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item, index) => serialise(item, ancestors, `${path}[${index}]`) ?? 'null').join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const member = serialise((object as Record<string, unknown>)[key], ancestors, `${path}.${key}`);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    // Only ancestors count: the same object appearing twice side by side is not a cycle.
    ancestors.delete(object);
  }
}
