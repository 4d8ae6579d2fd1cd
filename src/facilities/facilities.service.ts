import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { normalizeSearchText } from '../common/normalize';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import { Facility, FacilityClassAge } from './facility.entity';
import { FacilitiesArgs } from './dto/facility-filter.input';

@Injectable()
export class FacilitiesService {
  constructor(private readonly db: DataSource) {}

  findById(id: string) {
    return this.db.manager.findOneBy(Facility, { id });
  }

  findByIds(ids: readonly string[]) {
    return this.db.manager.findBy(Facility, { id: In([...ids]) });
  }

  classAgesOf(ids: readonly string[]) {
    return this.db.manager.find(FacilityClassAge, { where: { facilityId: In([...ids]) }, order: { classAge: 'ASC' } });
  }

  /** Keyset pagination ordered by (municipality, name, id): stable under inserts. */
  async search(args: FacilitiesArgs): Promise<ConnectionShape<Facility>> {
    const f = args.filter ?? {};
    f.municipalityCodes?.forEach((c, i) => assertMunicipalityCode(`filter.municipalityCodes[${i}]`, c));
    const qb = this.db.manager.createQueryBuilder(Facility, 'f');
    if (f.municipalityCodes?.length) qb.andWhere('f.municipality_code IN (:...codes)', { codes: f.municipalityCodes });
    if (f.kinds?.length) qb.andWhere('f.kind IN (:...kinds)', { kinds: f.kinds });
    if (f.classAge !== undefined && f.classAge !== null)
      qb.andWhere('EXISTS (SELECT 1 FROM facility_class_age a WHERE a.facility_id = f.id AND a.class_age = :age)', { age: f.classAge });
    if (f.text) {
      const needle = normalizeSearchText(f.text).replace(/[\\%_]/g, (m) => `\\${m}`);
      if (needle) qb.andWhere(`f.search_text LIKE :text`, { text: `%${needle}%` });
    }
    if (f.takesTourBookings !== undefined && f.takesTourBookings !== null) qb.andWhere('f.takes_tour_bookings = :tours', { tours: f.takesTourBookings });
    const total = await qb.clone().getCount();
    if (args.after) {
      const [code, name, id] = decodeCursor(args.after, 3);
      qb.andWhere('(f.municipality_code, f.name, f.id) > (:code, :name, :id)', { code, name, id });
    }
    const rows = await qb.orderBy('f.municipality_code', 'ASC').addOrderBy('f.name', 'ASC').addOrderBy('f.id', 'ASC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, !!args.after, total, (r) => [r.municipalityCode, r.name, r.id]);
  }
}
