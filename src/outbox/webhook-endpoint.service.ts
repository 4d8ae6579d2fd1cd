import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors, hubError } from '../common/errors';
import { FieldCipher } from '../common/field-crypto';
import { rootLogger } from '../common/logger';
import { ConnectionShape, decodeCursor, PageArgs, toConnection } from '../common/pagination';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { generateWebhookSecret } from '../webhooks/signing';
import { RegisterWebhookEndpointInput } from './dto/register-webhook-endpoint.input';
import { canManageEndpoint, ownerForRegistration, visibleOwners } from './endpoint-access';
import { OutboxErrorCode } from './outbox.errors';
import { WebhookEndpoint, WebhookEndpointStatus } from './webhook-endpoint.entity';
import { WEBHOOK_SECRET_CIPHER, webhookSecretBinding } from './webhook-secret-cipher';
import { WebhookTargetGuard } from './webhook-target-guard';

/** Enough for a partner's staging and production plus a few per event family; more suggests a runaway script. */
export const MAX_ENDPOINTS_PER_OWNER = 50;

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** Plaintext 'whsec_…'; returned once, stored only encrypted. */
  secret: string;
}

/**
 * Registration and lifecycle of webhook endpoints. Owners: a partner for itself, an operator for its
 * facilities, an admin for a facility or a municipality. Every read and change goes through the
 * caller's scope; an endpoint out of scope is "not found".
 */
@Injectable()
export class WebhookEndpointService {
  private readonly log = rootLogger.child({ context: 'WebhookEndpoints' });

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEBHOOK_SECRET_CIPHER) private readonly cipher: FieldCipher,
    private readonly targets: WebhookTargetGuard,
  ) {}

  /** `urlField` names the URL in errors: input.url here, input.endpointUrl for a municipality's delivery. */
  async register(client: AuthenticatedClient, input: RegisterWebhookEndpointInput, urlField = 'input.url'): Promise<EndpointWithSecret> {
    const owner = ownerForRegistration(client, input);
    const url = await this.targets.checkForRegistration(input.url, urlField);
    const topics = [...new Set(input.topics ?? [])];
    if (owner.kind === 'MUNICIPALITY') assertMunicipalityCode('input.municipalityCode', owner.id);
    const secret = generateWebhookSecret();
    const now = this.clock.now();
    const endpoint = await this.db.transaction(async (manager) => {
      if (owner.kind === 'FACILITY') {
        const [facility] = await manager.query(`SELECT 1 FROM facility WHERE id = $1`, [owner.id]);
        if (!facility) throw Errors.notFound('Facility', owner.id, 'input.facilityId');
      }
      if (owner.kind === 'MUNICIPALITY') {
        const [municipality] = await manager.query(`SELECT 1 FROM municipality WHERE code = $1`, [owner.id]);
        if (!municipality) throw Errors.notFound('Municipality', owner.id, 'input.municipalityCode');
      }
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM webhook_endpoint WHERE owner_kind = $1 AND owner_id = $2 AND status <> 'REMOVED'`, [
        owner.kind,
        owner.id,
      ]);
      if (count >= MAX_ENDPOINTS_PER_OWNER) {
        throw Errors.conflict(
          `This owner already has ${count} webhook endpoints, the most allowed (${MAX_ENDPOINTS_PER_OWNER}); remove one first.`,
          `この所有者の Webhook エンドポイントは既に上限（${MAX_ENDPOINTS_PER_OWNER}件）です。先に不要なものを削除してください。`,
          { owner, max: MAX_ENDPOINTS_PER_OWNER },
          'input.url',
        );
      }
      // The id is made here, before the insert, because the encrypted secret is bound to it.
      const id = randomUUID();
      const created = manager.create(WebhookEndpoint, {
          id,
          ownerKind: owner.kind,
          ownerId: owner.id,
          url,
          topics,
          status: WebhookEndpointStatus.ACTIVE,
          disabledReason: null,
          secret: this.cipher.encrypt(secret, webhookSecretBinding(id)),
          previousSecret: null,
          previousSecretExpiresAt: null,
          createdBy: client.id,
          createdAt: now,
          updatedAt: now,
        });
      await manager.insert(WebhookEndpoint, created);
      return created;
    });
    return { endpoint, secret };
  }

  /**
   * A new secret; the current one stays valid (deliveries carry both signatures) for graceHours so
   * that the receiver can switch without losing a message. A rotation during another rotation's grace
   * drops the oldest secret: at most two are ever valid.
   */
  async rotateSecret(client: AuthenticatedClient, endpointId: string, graceHours: number): Promise<EndpointWithSecret> {
    const secret = generateWebhookSecret();
    const now = this.clock.now();
    const endpoint = await this.db.transaction(async (manager) => {
      const current = await this.lockManageable(manager, client, endpointId, 'endpointId');
      if (current.status === WebhookEndpointStatus.REMOVED) throw removedError(endpointId, 'endpointId');
      const graceEnds = graceHours > 0 ? new Date(now.getTime() + graceHours * 3_600_000) : null;
      current.previousSecret = graceEnds ? this.rebindAsPrevious(current) : null;
      current.previousSecretExpiresAt = current.previousSecret ? graceEnds : null;
      current.secret = this.cipher.encrypt(secret, webhookSecretBinding(current.id));
      current.updatedAt = now;
      return manager.save(current);
    });
    return { endpoint, secret };
  }

  /**
   * The current secret, re-encrypted for the grace slot (each column has its own binding). A current
   * secret that cannot be read (its key left the ring) could not sign anything either: no grace then.
   */
  private rebindAsPrevious(endpoint: WebhookEndpoint): string | null {
    try {
      return this.cipher.encrypt(this.cipher.decrypt(endpoint.secret, webhookSecretBinding(endpoint.id)), webhookSecretBinding(endpoint.id, 'previous_secret'));
    } catch (err) {
      this.log.warn({ endpointId: endpoint.id, reason: (err as Error).message }, 'the current webhook secret cannot be read; rotating without a grace period');
      return null;
    }
  }

  /**
   * Removes an endpoint for good. Its row stays (the delivery history refers to it) with status
   * REMOVED; messages still PENDING become dead letters (last_error ENDPOINT_REMOVED), so that an
   * admin sees what was never delivered. A request already in flight is still recorded if it succeeds.
   */
  async remove(client: AuthenticatedClient, id: string): Promise<WebhookEndpoint> {
    const now = this.clock.now();
    return this.db.transaction(async (manager) => {
      const endpoint = await this.lockManageable(manager, client, id, 'id');
      if (endpoint.status === WebhookEndpointStatus.REMOVED) return endpoint;
      endpoint.status = WebhookEndpointStatus.REMOVED;
      endpoint.disabledReason = `Removed by API client ${client.id} at ${now.toISOString()}.`;
      endpoint.updatedAt = now;
      await manager.query(
        `UPDATE outbox_message SET status = 'DEAD', next_attempt_at = NULL, lease_until = NULL, last_error = 'ENDPOINT_REMOVED: the endpoint was removed before this message was delivered.'
          WHERE endpoint_id = $1 AND status = 'PENDING'`,
        [id],
      );
      return manager.save(endpoint);
    });
  }

  /** Enables a DISABLED endpoint again (e.g. after 410 Gone); its waiting messages go out on the next round, in order. */
  async enable(client: AuthenticatedClient, id: string): Promise<WebhookEndpoint> {
    const now = this.clock.now();
    return this.db.transaction(async (manager) => {
      const endpoint = await this.lockManageable(manager, client, id, 'id');
      if (endpoint.status === WebhookEndpointStatus.REMOVED) throw removedError(id, 'id');
      if (endpoint.status === WebhookEndpointStatus.ACTIVE) return endpoint;
      endpoint.status = WebhookEndpointStatus.ACTIVE;
      endpoint.disabledReason = null;
      endpoint.updatedAt = now;
      return manager.save(endpoint);
    });
  }

  /** The caller's endpoints (ADMIN: all), oldest first; removed endpoints are left out. */
  async list(client: AuthenticatedClient, page: PageArgs): Promise<ConnectionShape<WebhookEndpoint>> {
    const owners = visibleOwners(client);
    if (owners && owners.length === 0) return toConnection([], page.first, false, 0, () => []);
    const qb = this.db.manager.createQueryBuilder(WebhookEndpoint, 'e').where(`e.status <> 'REMOVED'`);
    if (owners) {
      qb.andWhere(
        new Brackets((or) =>
          owners.forEach((owner, index) => or.orWhere(`(e.owner_kind = :kind${index} AND e.owner_id = :id${index})`, { [`kind${index}`]: owner.kind, [`id${index}`]: owner.id })),
        ),
      );
    }
    const total = await qb.clone().getCount();
    if (page.after) {
      const [createdAt, id] = decodeCursor(page.after, 2);
      qb.andWhere('(e.created_at, e.id) > (:createdAt, :id)', { createdAt, id });
    }
    const rows = await qb.orderBy('e.created_at', 'ASC').addOrderBy('e.id', 'ASC').limit(page.first + 1).getMany();
    return toConnection(rows, page.first, !!page.after, total, (row) => [row.createdAt.toISOString(), row.id]);
  }

  /** One endpoint the caller may see, or NOT_FOUND (also for another owner's: existence does not leak). */
  async findManageable(client: AuthenticatedClient, id: string, field = 'id'): Promise<WebhookEndpoint> {
    const endpoint = await this.db.manager.findOneBy(WebhookEndpoint, { id });
    if (!endpoint || !canManageEndpoint(client, endpoint)) throw Errors.notFound('Webhook endpoint', id, field);
    return endpoint;
  }

  findByIds(ids: readonly string[]): Promise<WebhookEndpoint[]> {
    return this.db.manager.findBy(WebhookEndpoint, { id: In([...ids]) });
  }

  private async lockManageable(manager: EntityManager, client: AuthenticatedClient, id: string, field: string): Promise<WebhookEndpoint> {
    const endpoint = await manager.findOne(WebhookEndpoint, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!endpoint || !canManageEndpoint(client, endpoint)) throw Errors.notFound('Webhook endpoint', id, field);
    return endpoint;
  }
}

export function removedError(id: string, field: string) {
  return hubError(
    OutboxErrorCode.WEBHOOK_ENDPOINT_REMOVED,
    `Webhook endpoint ${id} was removed; register a new endpoint instead.`,
    `Webhook エンドポイント ${id} は削除済みです。新しいエンドポイントを登録してください。`,
    { field, details: { id } },
  );
}
