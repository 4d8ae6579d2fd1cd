/**
 * The API's flat form of a day rule and the domain's form, both ways. GraphQL has no input unions,
 * so one input type carries either "a day of a month" (monthOffset + day or lastDayOfMonth) or
 * "days from the closing day" (daysFromCloses); exactly one form must be used.
 */
import { Errors, HubError } from '../common/errors';
import { CARE_REASONS, CareReason, DOCUMENT_KINDS, DocumentKind, RequiredDocuments } from './care-reason';
import { DayAdjustment, DayRule, IntakeRule, MonthDayRule, NoIntakeMonth } from './intake-calendar';

export interface FlatDayRule {
  monthOffset?: number | null;
  day?: number | null;
  lastDayOfMonth?: boolean | null;
  daysFromCloses?: number | null;
  adjust: DayAdjustment;
}

export interface FlatIntakeRule {
  opens: FlatDayRule;
  closes: FlatDayRule;
  outOfAreaCloses?: FlatDayRule | null;
  allocationOn?: FlatDayRule | null;
  resultNoticeOn?: FlatDayRule | null;
  noIntakeMonths?: NoIntakeMonth[] | null;
}

export interface FlatRequiredDocuments {
  common: DocumentKind[];
  byReason: { reason: CareReason; documents: DocumentKind[] }[];
}

export function toDayRule(field: string, flat: FlatDayRule): DayRule {
  const relative = flat.daysFromCloses !== undefined && flat.daysFromCloses !== null;
  const hasMonthDay = [flat.monthOffset, flat.day, flat.lastDayOfMonth].some((value) => value !== undefined && value !== null);
  if (relative && hasMonthDay) {
    throw Errors.badInput(
      `${field}.daysFromCloses`,
      `${field}: give either daysFromCloses, or monthOffset with day (or lastDayOfMonth), not both.`,
      `${field}: daysFromCloses か、monthOffset と day（または lastDayOfMonth）のどちらか一方を指定してください。`,
    );
  }
  if (relative) return { relativeTo: 'closes', days: flat.daysFromCloses as number, adjust: flat.adjust };
  if (flat.monthOffset === undefined || flat.monthOffset === null) {
    throw Errors.badInput(
      `${field}.monthOffset`,
      `${field}: monthOffset is required (-1 is the month before the intake month), or give daysFromCloses instead.`,
      `${field}: monthOffset（-1 は入所月の前月）を指定するか、代わりに daysFromCloses を指定してください。`,
    );
  }
  const last = flat.lastDayOfMonth === true;
  const hasDay = flat.day !== undefined && flat.day !== null;
  if (last === hasDay) {
    throw Errors.badInput(
      `${field}.day`,
      `${field}: give exactly one of day (1–31) or lastDayOfMonth: true.`,
      `${field}: day（1〜31）か lastDayOfMonth: true のどちらか一方を指定してください。`,
    );
  }
  return { monthOffset: flat.monthOffset, day: last ? 'LAST' : (flat.day as number), adjust: flat.adjust };
}

export function fromDayRule(rule: DayRule): FlatDayRule {
  if ('relativeTo' in rule) return { daysFromCloses: rule.days, adjust: rule.adjust };
  return rule.day === 'LAST'
    ? { monthOffset: rule.monthOffset, lastDayOfMonth: true, adjust: rule.adjust }
    : { monthOffset: rule.monthOffset, day: rule.day, adjust: rule.adjust };
}

/** Builds the domain rule; `field` is where the rule sits in the request, e.g. 'input.rule'. */
export function toIntakeRule(field: string, flat: FlatIntakeRule): IntakeRule {
  const optional = (name: 'outOfAreaCloses' | 'allocationOn' | 'resultNoticeOn') =>
    flat[name] ? { [name]: toDayRule(`${field}.${name}`, flat[name] as FlatDayRule) } : {};
  return {
    opens: toDayRule(`${field}.opens`, flat.opens),
    // validateRule refuses a closing day counted from another day; the cast lets it say so with its own message.
    closes: toDayRule(`${field}.closes`, flat.closes) as MonthDayRule,
    ...optional('outOfAreaCloses'),
    ...optional('allocationOn'),
    ...optional('resultNoticeOn'),
    ...(flat.noIntakeMonths?.length ? { noIntakeMonths: flat.noIntakeMonths.map(({ month, reason, reasonJa }) => ({ month, reason, reasonJa })) } : {}),
  };
}

export function fromIntakeRule(rule: IntakeRule): FlatIntakeRule {
  return {
    opens: fromDayRule(rule.opens),
    closes: fromDayRule(rule.closes),
    outOfAreaCloses: rule.outOfAreaCloses ? fromDayRule(rule.outOfAreaCloses) : null,
    allocationOn: rule.allocationOn ? fromDayRule(rule.allocationOn) : null,
    resultNoticeOn: rule.resultNoticeOn ? fromDayRule(rule.resultNoticeOn) : null,
    noIntakeMonths: rule.noIntakeMonths ?? [],
  };
}

/** Each reason at most once; only known reasons and documents (the stored jsonb is read back as trusted). */
export function toRequiredDocuments(field: string, flat: FlatRequiredDocuments): RequiredDocuments {
  const checkDocuments = (documentsField: string, documents: DocumentKind[]) => {
    documents.forEach((document, index) => {
      if (!DOCUMENT_KINDS.includes(document)) {
        throw Errors.badInput(`${documentsField}[${index}]`, `Unknown document kind ${JSON.stringify(document)}.`, `書類の種類 ${JSON.stringify(document)} は不明です。`);
      }
    });
    return [...new Set(documents)];
  };
  const byReason: RequiredDocuments['byReason'] = {};
  flat.byReason.forEach(({ reason, documents }, index) => {
    const reasonField = `${field}.byReason[${index}]`;
    if (!CARE_REASONS.includes(reason)) {
      throw Errors.badInput(`${reasonField}.reason`, `Unknown reason for care ${JSON.stringify(reason)}.`, `保育を必要とする事由 ${JSON.stringify(reason)} は不明です。`);
    }
    if (byReason[reason]) {
      throw Errors.badInput(`${reasonField}.reason`, `${reason} is listed twice; merge its documents into one entry.`, `${reason} が重複しています。書類を1つの項目にまとめてください。`);
    }
    byReason[reason] = checkDocuments(`${reasonField}.documents`, documents);
  });
  return { common: checkDocuments(`${field}.common`, flat.common), byReason };
}

export function fromRequiredDocuments(required: RequiredDocuments): FlatRequiredDocuments {
  return {
    common: required.common,
    byReason: CARE_REASONS.filter((reason) => required.byReason[reason]).map((reason) => ({ reason, documents: required.byReason[reason] as DocumentKind[] })),
  };
}

/**
 * Runs a pure rule whose errors name fields relative to the procedure ('rule.closes.day',
 * 'exceptions[0].closesOn') and re-throws them named as the request sent them ('input.rule.closes.day').
 */
export function withFieldPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof HubError && err.field && !err.field.startsWith(`${prefix}.`)) {
      const field = `${prefix}.${err.field}`.replace(/\.days$/, '.daysFromCloses');
      throw new HubError(err.code, err.message.split(err.field).join(field), err.messageJa.split(err.field).join(field), field, err.details);
    }
    throw err;
  }
}
