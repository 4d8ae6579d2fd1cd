import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { FieldCipher } from '../common/field-crypto';
import { rootLogger } from '../common/logger';
import { DemoSeeder } from '../demo/demo-seed.service';
import { webhookSecretBinding } from '../outbox/webhook-secret-cipher';
import type { WebhookTargetGuard } from '../outbox/webhook-target-guard';
import { generateWebhookSecret } from '../webhooks/signing';
import { APPLICATION_TOPIC } from './application-delivery.service';

export const ITABASHI = '131199';
export const ADACHI = '131211';

/**
 * Demo delivery modes: 板橋区 PUSH to HUB_DEMO_ITABASHI_ENDPOINT when set (else PULL), 足立区 PULL,
 * every other participating municipality BATCH. 板橋区 accepts incomplete applications (missing
 * documents named), the others refuse them, so both policies can be tried from the README.
 *
 * The seeder runs inside its own transaction, where the outbox's registration (which opens its own)
 * cannot be called on the single embedded connection; so the demo endpoint row is written here the
 * way WebhookEndpointService.register writes it (secret encrypted with the hub key ring), and its
 * secret is logged once — demo only, HUB_DEMO is refused in production.
 */
export function demoDeliverySeeder(cipher: FieldCipher, targets: WebhookTargetGuard, itabashiEndpoint: string | undefined): DemoSeeder {
  return {
    name: 'demo-application-delivery',
    order: 50,
    async run(m: EntityManager, now: Date) {
      let itabashiEndpointId: string | null = null;
      if (itabashiEndpoint) {
        const url = await targets.checkForRegistration(itabashiEndpoint, 'HUB_DEMO_ITABASHI_ENDPOINT');
        const secret = generateWebhookSecret();
        const id = randomUUID();
        const [endpoint] = await m.query(
          `INSERT INTO webhook_endpoint (id, owner_kind, owner_id, url, topics, status, secret, created_at, updated_at)
           VALUES ($6, 'MUNICIPALITY', $1, $2, $3, 'ACTIVE', $4, $5, $5) RETURNING id`,
          [ITABASHI, url, [APPLICATION_TOPIC], cipher.encrypt(secret, webhookSecretBinding(id)), now, id],
        );
        itabashiEndpointId = endpoint.id;
        rootLogger.warn({ endpointId: endpoint.id, url, signingSecret: secret }, 'demo: 板橋区 receives applications by PUSH; verify deliveries with this signing secret (shown once)');
      }
      await m.query(
        `INSERT INTO municipality_delivery (municipality_code, mode, endpoint_id, accepts_incomplete, updated_at)
         SELECT code,
                CASE WHEN code = $1 AND $3::uuid IS NOT NULL THEN 'PUSH' WHEN code IN ($1, $2) THEN 'PULL' ELSE 'BATCH' END::municipality_delivery_mode,
                CASE WHEN code = $1 THEN $3::uuid END, code = $1, $4
           FROM municipality WHERE participates
         ON CONFLICT (municipality_code) DO NOTHING`,
        [ITABASHI, ADACHI, itabashiEndpointId, now],
      );
      const [{ count }] = await m.query(`SELECT count(*)::int AS count FROM municipality_delivery`);
      return { municipalities: count, itabashi: itabashiEndpointId ? 'PUSH' : 'PULL' };
    },
  };
}
