// Every TypeORM entity; features add theirs here.
import { ApiClient } from '../auth/api-client.entity';
import { Facility, FacilityClassAge } from '../facilities/facility.entity';
import { Municipality } from '../municipalities/municipality.entity';

export const ALL_ENTITIES: Function[] = [Municipality, Facility, FacilityClassAge, ApiClient];
