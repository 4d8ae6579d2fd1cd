import { Errors } from '../common/errors';
import { ApiRole } from './api-client.entity';
import type { AuthenticatedClient } from './current-client.decorator';

/** Scope rules in one place: OPERATOR → listed facilities, MUNICIPALITY → its code, ADMIN → all. */
export function canActForFacility(client: AuthenticatedClient, facilityId: string): boolean {
  return client.role === ApiRole.ADMIN || (client.role === ApiRole.OPERATOR && client.facilityIds.includes(facilityId));
}

export function assertFacilityScope(client: AuthenticatedClient, facilityId: string, field = 'facilityId'): void {
  if (!canActForFacility(client, facilityId))
    throw Errors.forbidden(`Your API client may not act for facility ${facilityId}.`, `このAPIクライアントは施設 ${facilityId} を操作できません。`, field);
}

export function canActForMunicipality(client: AuthenticatedClient, code: string): boolean {
  return client.role === ApiRole.ADMIN || (client.role === ApiRole.MUNICIPALITY && client.municipalityCode === code);
}

export function assertMunicipalityScope(client: AuthenticatedClient, code: string, field = 'municipalityCode'): void {
  if (!canActForMunicipality(client, code))
    throw Errors.forbidden(`Your API client may not act for municipality ${code}.`, `このAPIクライアントは自治体 ${code} を操作できません。`, field);
}
