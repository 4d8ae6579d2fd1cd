import { Provider } from '@nestjs/common';
import { FieldBinding, FieldCipher, parseKeyRing } from '../common/field-crypto';
import { AppConfig } from '../config/app-config';

/**
 * Endpoint signing secrets are encrypted at rest with the hub key ring (HUB_ENCRYPTION_KEYS): a
 * database dump alone must not let anyone forge deliveries to partners and municipalities.
 */
export const WEBHOOK_SECRET_CIPHER = Symbol('WEBHOOK_SECRET_CIPHER');

export const webhookSecretCipherProvider: Provider = {
  provide: WEBHOOK_SECRET_CIPHER,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new FieldCipher(parseKeyRing(config.HUB_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS')),
};

/**
 * A signing secret belongs to its endpoint and column: the current secret ('secret') and the one kept
 * during a rotation's grace ('previous_secret') are bound apart, so moving the current secret into the
 * grace slot re-encrypts it (WebhookEndpointService.rotateSecret).
 */
export function webhookSecretBinding(endpointId: string, column: 'secret' | 'previous_secret' = 'secret'): FieldBinding {
  return { table: 'webhook_endpoint', column, row: endpointId };
}
