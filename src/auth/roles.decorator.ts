import { SetMetadata } from '@nestjs/common';
import { ApiRole } from './api-client.entity';

export const ROLES_KEY = 'hub:roles';
/** Only callers with one of these roles may call the operation. Without @Roles an operation is public. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);
