import { Provider } from '@nestjs/common';
import { FieldCipher, parseKeyRing } from '../common/field-crypto';
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
