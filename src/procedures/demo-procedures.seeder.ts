/**
 * Demo intake procedures for the ten demo municipalities and 調布市, fiscal years 2026 and 2027.
 *
 * What DOMAIN.md states is followed: applications close on the 10th of the previous month (the
 * working day before when that is a closed day); 足立区's online window opens on the 11th two months
 * before (June entry: 11 April – 10 May); 調布市 holds its allocation meeting on the 16th; 板橋区
 * mails results on the 25th, fills February and March only from January's remainder and keeps an
 * application for 6 months. Everything else (管外 a week earlier, wish limits, channels, 江戸川区
 * without February/March intake like 荒川区, the April 一斉入所 schedule) is demo data, not taken from
 * the municipalities: every row is marked is_demo.
 */
import { EntityManager } from 'typeorm';
import { ApplicationChannel, ApplicationValidityKind } from './intake-procedure.entity';
import { SetIntakeProcedureInput } from './dto/set-intake-procedure.input';
import type { FlatIntakeRule } from './procedure-input';
import { ProceduresService, specFromInput } from './procedures.service';
import type { DemoSeeder } from '../demo/demo-seed.service';

const { ONLINE, COUNTER, MAIL, HUB } = ApplicationChannel;

interface DemoMunicipalityProcedure {
  code: string;
  name: string;
  opensMonthOffset?: number;
  allocationDay?: number;
  resultNoticeDay?: number;
  noFebruaryMarch?: boolean;
  wishLimit: number;
  validityMonths?: number;
  channels: ApplicationChannel[];
}

export const DEMO_PROCEDURES: DemoMunicipalityProcedure[] = [
  { code: '131199', name: '板橋区', resultNoticeDay: 25, noFebruaryMarch: true, wishLimit: 10, validityMonths: 6, channels: [ONLINE, COUNTER, MAIL, HUB] },
  { code: '131211', name: '足立区', wishLimit: 10, channels: [ONLINE, COUNTER, HUB] },
  { code: '132080', name: '調布市', allocationDay: 16, wishLimit: 10, channels: [ONLINE, COUNTER, HUB] },
  { code: '131237', name: '江戸川区', noFebruaryMarch: true, wishLimit: 10, channels: [ONLINE, COUNTER, MAIL] },
  { code: '132012', name: '八王子市', wishLimit: 5, channels: [ONLINE, COUNTER, MAIL] },
  { code: '132098', name: '町田市', wishLimit: 6, channels: [ONLINE, COUNTER] },
  { code: '131105', name: '目黒区', wishLimit: 10, channels: [ONLINE, COUNTER, MAIL] },
  { code: '131032', name: '港区', wishLimit: 10, channels: [ONLINE, COUNTER] },
  { code: '131130', name: '渋谷区', wishLimit: 10, channels: [ONLINE, COUNTER, MAIL] },
  { code: '131091', name: '品川区', wishLimit: 10, channels: [ONLINE, COUNTER] },
  { code: '131156', name: '杉並区', wishLimit: 10, channels: [ONLINE, COUNTER, MAIL] },
];

/** April is the yearly 一斉入所 round with its own schedule (deadline early December, results early February). */
const APRIL_ROUND: Record<number, { opensOn: string; closesOn: string; outOfAreaClosesOn: string; resultNoticeOn: string }> = {
  2026: { opensOn: '2025-10-15', closesOn: '2025-12-05', outOfAreaClosesOn: '2025-11-28', resultNoticeOn: '2026-02-06' },
  2027: { opensOn: '2026-10-15', closesOn: '2026-12-04', outOfAreaClosesOn: '2026-11-27', resultNoticeOn: '2027-02-05' },
};
export const DEMO_FISCAL_YEARS = [2026, 2027];

/** The procedure in the API's input form, so that it is checked exactly like a municipality's own. */
export function demoProcedureInput(p: DemoMunicipalityProcedure, fiscalYear: number): SetIntakeProcedureInput {
  const rule: FlatIntakeRule = {
    opens: { monthOffset: p.opensMonthOffset ?? -2, day: 11, adjust: 'NONE' },
    closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' },
    outOfAreaCloses: { daysFromCloses: -7, adjust: 'PREVIOUS_WORKING_DAY' },
    allocationOn: p.allocationDay ? { monthOffset: -1, day: p.allocationDay, adjust: 'NEXT_WORKING_DAY' } : null,
    resultNoticeOn: p.resultNoticeDay ? { monthOffset: -1, day: p.resultNoticeDay, adjust: 'NONE' } : null,
    noIntakeMonths: p.noFebruaryMarch
      ? [2, 3].map((month) => ({
          month,
          reason: `No ${month === 2 ? 'February' : 'March'} intake: places are filled only from what the January allocation left.`,
          reasonJa: `${month}月入所の募集はありません（1月の利用調整の結果、残った枠から決定します）。`,
        }))
      : [],
  };
  const april = APRIL_ROUND[fiscalYear];
  return {
    municipalityCode: p.code,
    fiscalYear,
    rule,
    exceptions: april ? [{ intakeMonth: `${fiscalYear}-04`, ...april, allocationOn: null }] : [],
    wishLimit: p.wishLimit,
    validity: p.validityMonths ? { kind: ApplicationValidityKind.MONTHS, months: p.validityMonths } : { kind: ApplicationValidityKind.END_OF_FISCAL_YEAR },
    requiredDocuments: null,
    channels: p.channels,
    outOfAreaNote: `Families living elsewhere apply through their own municipality, which forwards the application to ${p.name}; its deadline is about a week earlier.`,
    outOfAreaNoteJa: `${p.name}外にお住まいの方は、お住まいの自治体に申し込みます（${p.name}へ送付されます）。締切は通常より約1週間早くなります。`,
    changeNote: 'Demo data, not taken from the municipality.',
    isDemo: true,
  } as SetIntakeProcedureInput;
}

export function demoProceduresSeeder(procedures: ProceduresService): DemoSeeder {
  return {
    name: 'demo-procedures',
    order: 40,
    async run(m: EntityManager, now: Date) {
      let versions = 0;
      for (const p of DEMO_PROCEDURES) {
        for (const fiscalYear of DEMO_FISCAL_YEARS) {
          const result = await procedures.writeVersion(m, specFromInput(demoProcedureInput(p, fiscalYear)), null, now);
          if (result.created) versions++;
        }
      }
      return { procedures: versions };
    },
  };
}
