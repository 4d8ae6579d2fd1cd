/**
 * Who may see and manage which webhook endpoint (pure). Everybody sees only the endpoints they
 * receive on; ADMIN sees all. An endpoint outside the caller's reach is reported as not found, so
 * that its existence does not leak across partners.
 */
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { Errors } from '../common/errors';
import type { EndpointOwner, EndpointOwnerKind } from './outbox.contract';

type Caller = Pick<AuthenticatedClient, 'id' | 'role' | 'municipalityCode' | 'facilityIds'>;

export function canManageEndpoint(client: Caller, endpoint: { ownerKind: EndpointOwnerKind; ownerId: string }): boolean {
  switch (client.role) {
    case ApiRole.ADMIN:
      return true;
    case ApiRole.PARTNER:
      return endpoint.ownerKind === 'PARTNER' && endpoint.ownerId === client.id;
    case ApiRole.OPERATOR:
      return endpoint.ownerKind === 'FACILITY' && client.facilityIds.includes(endpoint.ownerId);
    case ApiRole.MUNICIPALITY:
      return endpoint.ownerKind === 'MUNICIPALITY' && endpoint.ownerId === client.municipalityCode;
    default:
      return false;
  }
}

/** The owners whose endpoints a caller sees; null = all (ADMIN). */
export function visibleOwners(client: Caller): EndpointOwner[] | null {
  switch (client.role) {
    case ApiRole.ADMIN:
      return null;
    case ApiRole.PARTNER:
      return [{ kind: 'PARTNER', id: client.id }];
    case ApiRole.OPERATOR:
      return client.facilityIds.map((id) => ({ kind: 'FACILITY' as const, id }));
    case ApiRole.MUNICIPALITY:
      return client.municipalityCode ? [{ kind: 'MUNICIPALITY', id: client.municipalityCode }] : [];
    default:
      return [];
  }
}

/**
 * The owner of a new endpoint: a partner registers for itself, an operator for one of its
 * facilities, an admin for a facility or a municipality. Existence of the facility or municipality
 * is checked by the service.
 */
export function ownerForRegistration(client: Caller, input: { facilityId?: string | null; municipalityCode?: string | null }): EndpointOwner {
  const { facilityId, municipalityCode } = input;
  switch (client.role) {
    case ApiRole.PARTNER:
      if (facilityId || municipalityCode) {
        throw Errors.badInput(
          facilityId ? 'input.facilityId' : 'input.municipalityCode',
          'A partner registers endpoints for itself only; leave facilityId and municipalityCode out.',
          'パートナーは自分自身のエンドポイントのみ登録できます。facilityId と municipalityCode は指定しないでください。',
        );
      }
      return { kind: 'PARTNER', id: client.id };
    case ApiRole.OPERATOR:
      if (municipalityCode) {
        throw Errors.forbidden('Only an admin registers endpoints for a municipality.', '自治体のエンドポイントを登録できるのは管理者のみです。', 'input.municipalityCode');
      }
      if (!facilityId) {
        throw Errors.badInput('input.facilityId', 'Name the facility (facilityId) the endpoint receives for.', 'エンドポイントで受信する施設（facilityId）を指定してください。');
      }
      if (!client.facilityIds.includes(facilityId)) {
        throw Errors.forbidden(`Your API client may not act for facility ${facilityId}.`, `このAPIクライアントは施設 ${facilityId} を操作できません。`, 'input.facilityId');
      }
      return { kind: 'FACILITY', id: facilityId };
    case ApiRole.ADMIN:
      if (!!facilityId === !!municipalityCode) {
        throw Errors.badInput(
          'input.facilityId',
          'An admin registers an endpoint for exactly one of a facility (facilityId) or a municipality (municipalityCode).',
          '管理者は施設（facilityId）か自治体（municipalityCode）のどちらか一方を指定してエンドポイントを登録してください。',
        );
      }
      return facilityId ? { kind: 'FACILITY', id: facilityId } : { kind: 'MUNICIPALITY', id: municipalityCode! };
    default:
      throw Errors.forbidden('Your API client may not register webhook endpoints.', 'このAPIクライアントは Webhook エンドポイントを登録できません。');
  }
}
