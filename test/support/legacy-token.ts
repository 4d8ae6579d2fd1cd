import { createCipheriv, randomBytes } from 'node:crypto';
import type { FieldKey } from '../../src/common/field-crypto';

/**
 * A token as the hub wrote it before values were bound to their row ('v1': the associated data is
 * the version and key id only). Written by hand here because the hub itself no longer writes them.
 */
export function legacyToken(key: FieldKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(`v1.${key.id}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', key.id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
}
