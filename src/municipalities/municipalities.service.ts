import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Errors } from '../common/errors';
import { loaderFor } from '../common/loaders';
import { normalizeKana } from '../common/normalize';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import type { GqlContext } from '../common/request-context';
import { readCsvRecords } from '../facilities/kosodate-shisetsu-csv';
import { assertMunicipalityCode } from './municipality-code';
import { Municipality } from './municipality.entity';

import { dataPath } from '../common/paths';

export const NATIONAL_LIST_FILE = 'zenkoku_chihou_koukyou_dantai_code_20240101.csv';

export interface MunicipalityFilter {
  participates?: boolean | null;
  prefectureCode?: string | null;
  text?: string | null;
  includePrefectures?: boolean | null;
}

@Injectable()
export class MunicipalitiesService {
  constructor(private readonly db: DataSource) {}

  /** The 総務省 list is reference data: every real code exists, most not participating. Idempotent. */
  async ensureNationalList(): Promise<number> {
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM municipality`);
    const records = readCsvRecords(readFileSync(dataPath('municipalities', NATIONAL_LIST_FILE), 'utf8')).slice(1);
    if (count >= records.length) return 0;
    const rows = records.map(({ cells: [code, prefecture, prefectureKana, name, nameKana] }) => ({
      code,
      prefecture_code: code.slice(0, 2),
      prefecture,
      prefecture_kana: normalizeKana(prefectureKana) || null,
      name: name || prefecture,
      name_kana: nameKana ? normalizeKana(nameKana) : normalizeKana(prefectureKana) || null,
      is_prefecture: !name,
    }));
    const res = await this.db.query(
      `INSERT INTO municipality (code, prefecture_code, prefecture, prefecture_kana, name, name_kana, is_prefecture)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(code char(6), prefecture_code char(2), prefecture text, prefecture_kana text, name text, name_kana text, is_prefecture boolean)
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [JSON.stringify(rows)],
    );
    return res.length;
  }

  /** Bad format → BAD_USER_INPUT; a well-formed code that is not on the national list → NOT_FOUND. */
  async getByCode(code: string, field = 'code'): Promise<Municipality> {
    assertMunicipalityCode(field, code);
    const m = await this.db.manager.findOneBy(Municipality, { code });
    if (!m)
      throw Errors.notFound('Municipality', code, field);
    return m;
  }

  findByCodes(codes: readonly string[]) {
    return this.db.manager.findBy(Municipality, { code: In([...codes]) });
  }

  loader(ctx: GqlContext) {
    return loaderFor<string, Municipality | null>(ctx, 'municipalityByCode', async (codes) => {
      const rows = await this.findByCodes(codes);
      const byCode = new Map(rows.map((r) => [r.code, r]));
      return codes.map((c) => byCode.get(c) ?? null);
    });
  }

  async list(filter: MunicipalityFilter, first: number, after?: string | null): Promise<ConnectionShape<Municipality>> {
    const qb = this.db.manager.createQueryBuilder(Municipality, 'm');
    if (!filter.includePrefectures) qb.andWhere('m.is_prefecture = false');
    if (filter.participates !== undefined && filter.participates !== null) qb.andWhere('m.participates = :p', { p: filter.participates });
    if (filter.prefectureCode) qb.andWhere('m.prefecture_code = :pc', { pc: filter.prefectureCode });
    if (filter.text) qb.andWhere('(m.name LIKE :t OR m.name_kana LIKE :k)', { t: `%${filter.text}%`, k: `%${normalizeKana(filter.text)}%` });
    const total = await qb.clone().getCount();
    if (after) qb.andWhere('m.code > :after', { after: String(decodeCursor(after, 1)[0]) });
    const rows = await qb.orderBy('m.code', 'ASC').limit(first + 1).getMany();
    return toConnection(rows, first, !!after, total, (r) => [r.code]);
  }

  async setParticipation(code: string, participates: boolean, acceptsDirectMoveIn: boolean | undefined, now: Date) {
    const m = await this.getByCode(code);
    if (m.isPrefecture)
      throw Errors.badInput('code', `${code} is a prefecture code; only municipalities take part.`, `${code} は都道府県のコードです。参加できるのは区市町村だけです。`);
    await this.db.manager.update(Municipality, { code }, { participates, ...(acceptsDirectMoveIn === undefined ? {} : { acceptsDirectMoveIn }), updatedAt: now });
    return this.getByCode(code);
  }
}
