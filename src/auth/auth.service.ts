import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Errors } from '../common/errors';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { Municipality } from '../municipalities/municipality.entity';
import { Facility } from '../facilities/facility.entity';
import { ApiClient, ApiRole } from './api-client.entity';
import type { AuthenticatedClient } from './current-client.decorator';
import { CreateApiClientInput } from './dto/create-api-client.input';

/** Keys are 32 random bytes; a fast hash is enough to store them (no dictionary to attack). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(role: ApiRole): string {
  return `hub_${role.toLowerCase()}_${randomBytes(32).toString('base64url')}`;
}

@Injectable()
export class AuthService {
  constructor(private readonly db: DataSource) {}

  /** The client behind a key, with its facility scope; null for an unknown or revoked key. */
  async authenticate(key: string): Promise<AuthenticatedClient | null> {
    const rows: Array<ApiClient & { facility_ids: string[] | null }> = await this.db.query(
      `SELECT c.id, c.name, c.role, c.key_prefix AS "keyPrefix", c.municipality_code AS "municipalityCode", c.is_demo AS "isDemo",
              c.created_at AS "createdAt", c.revoked_at AS "revokedAt",
              (SELECT array_agg(f.facility_id::text) FROM api_client_facility f WHERE f.api_client_id = c.id) AS facility_ids
         FROM api_client c WHERE c.key_hash = $1 AND c.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    if (!rows[0]) return null;
    const { facility_ids, ...client } = rows[0];
    return Object.assign(new ApiClient(), client, { municipalityCode: client.municipalityCode?.trim() ?? null, facilityIds: facility_ids ?? [] });
  }

  async create(input: CreateApiClientInput, createdBy: string | null, manager: EntityManager = this.db.manager, key = generateApiKey(input.role), isDemo = false) {
    if (input.role === ApiRole.MUNICIPALITY) {
      if (!input.municipalityCode)
        throw Errors.badInput('input.municipalityCode', 'A MUNICIPALITY client needs municipalityCode.', 'MUNICIPALITY のクライアントには municipalityCode が必要です。');
      assertMunicipalityCode('input.municipalityCode', input.municipalityCode);
      const m = await manager.findOneBy(Municipality, { code: input.municipalityCode });
      if (!m) throw Errors.notFound('Municipality', input.municipalityCode, 'input.municipalityCode');
    } else if (input.municipalityCode) {
      throw Errors.badInput('input.municipalityCode', 'Only MUNICIPALITY clients have a municipalityCode.', 'municipalityCode を指定できるのは MUNICIPALITY のクライアントだけです。');
    }
    const facilityIds = [...new Set(input.facilityIds ?? [])];
    if (input.role === ApiRole.OPERATOR) {
      if (facilityIds.length === 0)
        throw Errors.badInput('input.facilityIds', 'An OPERATOR client needs at least one facility in facilityIds.', 'OPERATOR のクライアントには facilityIds に施設が1つ以上必要です。');
      const found = await manager.find(Facility, { select: { id: true }, where: { id: In(facilityIds) } });
      const missing = facilityIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw Errors.notFound('Facility', missing.join(', '), 'input.facilityIds');
    } else if (facilityIds.length) {
      throw Errors.badInput('input.facilityIds', 'Only OPERATOR clients have facilityIds.', 'facilityIds を指定できるのは OPERATOR のクライアントだけです。');
    }
    const client = await manager.save(
      manager.create(ApiClient, {
        name: input.name,
        role: input.role,
        keyHash: hashApiKey(key),
        keyPrefix: key.slice(0, 12),
        municipalityCode: input.municipalityCode ?? null,
        createdBy,
        isDemo,
      }),
    );
    if (facilityIds.length)
      await manager.query(`INSERT INTO api_client_facility (api_client_id, facility_id) SELECT $1, unnest($2::uuid[])`, [client.id, facilityIds]);
    return { client: (await manager.findOneByOrFail(ApiClient, { id: client.id })), key, facilityIds };
  }

  async revoke(id: string, now: Date): Promise<ApiClient> {
    const client = await this.db.manager.findOneBy(ApiClient, { id });
    if (!client) throw Errors.notFound('API client', id, 'id');
    if (client.isBootstrap)
      throw Errors.badInput('id', 'The bootstrap admin comes from HUB_ADMIN_KEY; change that variable to replace it.', 'ブートストラップ管理者は HUB_ADMIN_KEY から作られます。差し替えるにはその環境変数を変更してください。');
    if (!client.revokedAt) await this.db.manager.update(ApiClient, { id, revokedAt: IsNull() }, { revokedAt: now });
    return this.db.manager.findOneByOrFail(ApiClient, { id });
  }

  /** The admin key from the environment is stored like any other key; a changed variable replaces it. */
  async ensureBootstrapAdmin(key: string | undefined): Promise<void> {
    if (!key) return;
    await this.db.query(
      `INSERT INTO api_client (name, role, key_hash, key_prefix, is_bootstrap) VALUES ('bootstrap admin (HUB_ADMIN_KEY)', 'ADMIN', $1, $2, true)
       ON CONFLICT (is_bootstrap) WHERE is_bootstrap DO UPDATE SET key_hash = EXCLUDED.key_hash, key_prefix = EXCLUDED.key_prefix, revoked_at = NULL`,
      [hashApiKey(key), key.slice(0, 6)],
    );
  }

  list(first: number, afterId?: string) {
    const qb = this.db.manager.createQueryBuilder(ApiClient, 'c').orderBy('c.created_at', 'ASC').addOrderBy('c.id', 'ASC').take(first + 1);
    if (afterId) qb.where('(c.created_at, c.id) > (SELECT created_at, id FROM api_client WHERE id = :afterId)', { afterId });
    return qb.getMany();
  }
}
