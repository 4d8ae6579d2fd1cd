/**
 * Which municipalities an application goes to (pure; DOMAIN.md, 管外).
 *
 * - The deciding municipality (primary) receives the application itself: normally the residence
 *   municipality; for a family about to move in, the new municipality when it accepts such
 *   applications directly, otherwise still the current residence municipality.
 * - Every other municipality involved (one that has wished facilities, or the move-in destination
 *   when the application goes through the current residence) receives a FORWARDED_NOTICE: the copy
 *   the primary forwards to it. It is one application, never a second one, so a municipality's
 *   system must not count it as a new application.
 * - 管外 (outOfArea): some wished facility is outside the primary municipality.
 * - The hub can only route to municipalities that take part in it; otherwise routing fails naming
 *   the input that led there, because silently dropping a wish would lose the family's place.
 */
import { CommonCode, Errors, hubError } from '../common/errors';
import { IsoDate, assertDate } from '../common/dates';

export const RoutingErrorCode = {
  MUNICIPALITY_NOT_PARTICIPATING: 'MUNICIPALITY_NOT_PARTICIPATING',
} as const;

export interface MunicipalityInfo {
  /** 全国地方公共団体コード, six digits. */
  code: string;
  name: string;
  /** Takes applications through the hub. */
  participates: boolean;
  /** Accepts applications from families who will move in but do not live there yet (転入予定者の直接申込み). */
  acceptsDirectMoveInApplications: boolean;
}

export interface RoutingWish {
  /** 1 = first wish (第1希望). */
  rank: number;
  facilityId: string;
  /** The municipality the facility is in. */
  municipalityCode: string;
}

export interface RoutingInput {
  residence: MunicipalityInfo;
  moveIn?: { municipality: MunicipalityInfo; moveInDate: IsoDate };
  wishes: RoutingWish[];
  /** Municipalities of the wished facilities, by code (residence and move-in may be omitted here). */
  municipalities: Record<string, MunicipalityInfo>;
}

export type RecipientRole = 'APPLICATION' | 'FORWARDED_NOTICE';

export type RoutingReason =
  /** APPLICATION: the family lives there. */
  | 'RESIDENCE'
  /** APPLICATION: the family is moving in and the municipality accepts direct applications. */
  | 'MOVE_IN_DIRECT'
  /** APPLICATION: the family is moving out, and the destination does not accept direct applications. */
  | 'MOVE_IN_VIA_RESIDENCE'
  /** FORWARDED_NOTICE: the move-in destination, when the application goes through the residence. */
  | 'MOVE_IN_DESTINATION'
  /** FORWARDED_NOTICE: some wished facilities are there (管外). */
  | 'OUT_OF_AREA_WISH';

/** Explanations that are about the whole decision rather than one recipient. */
export type RoutingNote = 'OUT_OF_AREA_EARLIER_DEADLINE';

export interface RoutingRecipient {
  municipalityCode: string;
  role: RecipientRole;
  reason: RoutingReason;
}

export interface RoutingExplanation {
  code: RoutingReason | RoutingNote;
  municipalityCode: string;
  textEn: string;
  textJa: string;
}

export interface RoutingDecision {
  /** Receives the application and decides on it (受付自治体). */
  primaryMunicipalityCode: string;
  /** 管外: at least one wished facility is outside the primary municipality. */
  outOfArea: boolean;
  /** Primary first, then by each municipality's best wish rank; a destination with no wishes last. */
  recipients: RoutingRecipient[];
  /** One per recipient in the same order, then notes about the whole decision; shown to families. */
  reasons: RoutingExplanation[];
}

interface Involvement {
  municipality: MunicipalityInfo;
  role: RecipientRole;
  reason: RoutingReason;
  /** The input that made this municipality a recipient, for errors. */
  field: string;
  /** Ranks of the wishes in this municipality, ascending. */
  wishRanks: number[];
  /** Index in the input of its best-ranked wish, for errors. */
  bestWishIndex?: number;
}

export function routeApplication(input: RoutingInput): RoutingDecision {
  const { residence, wishes } = input;
  validateWishes(wishes);
  const moveIn = input.moveIn && input.moveIn.municipality.code !== residence.code ? input.moveIn : undefined;
  // Moving within the same municipality is not a move-in for routing: the family already lives there.
  if (moveIn) assertDate('moveIn.moveInDate', moveIn.moveInDate);

  const lookup = (code: string): MunicipalityInfo | undefined =>
    code === residence.code ? residence : code === moveIn?.municipality.code ? moveIn.municipality : input.municipalities[code];

  const involved = new Map<string, Involvement>();
  const goesDirect = moveIn !== undefined && moveIn.municipality.acceptsDirectMoveInApplications;
  if (moveIn && goesDirect) {
    involved.set(moveIn.municipality.code, involvement(moveIn.municipality, 'APPLICATION', 'MOVE_IN_DIRECT', 'moveIn.municipalityCode'));
  } else {
    involved.set(residence.code, involvement(residence, 'APPLICATION', moveIn ? 'MOVE_IN_VIA_RESIDENCE' : 'RESIDENCE', 'residenceMunicipalityCode'));
    if (moveIn) {
      involved.set(
        moveIn.municipality.code,
        involvement(moveIn.municipality, 'FORWARDED_NOTICE', 'MOVE_IN_DESTINATION', 'moveIn.municipalityCode'),
      );
    }
  }
  const primary = involved.values().next().value as Involvement;

  const byRank = wishes.map((wish, index) => ({ wish, index })).sort((a, b) => a.wish.rank - b.wish.rank);
  for (const { wish, index } of byRank) {
    let entry = involved.get(wish.municipalityCode);
    if (!entry) {
      const municipality = lookup(wish.municipalityCode);
      if (!municipality) {
        throw hubError(
          CommonCode.NOT_FOUND,
          `wishes[${index}].municipalityCode: municipality ${wish.municipalityCode} of facility ${wish.facilityId} is not known to the hub.`,
          `wishes[${index}].municipalityCode: 施設 ${wish.facilityId} の自治体 ${wish.municipalityCode} は本サービスに登録されていません。`,
          { field: `wishes[${index}].municipalityCode`, details: { municipalityCode: wish.municipalityCode } },
        );
      }
      entry = involvement(municipality, 'FORWARDED_NOTICE', 'OUT_OF_AREA_WISH', `wishes[${index}].facilityId`);
      involved.set(municipality.code, entry);
    }
    entry.wishRanks.push(wish.rank);
    entry.bestWishIndex ??= index;
  }

  const ordered = [...involved.values()].sort(
    (a, b) => Number(b === primary) - Number(a === primary) || (a.wishRanks[0] ?? Infinity) - (b.wishRanks[0] ?? Infinity),
  );
  // The first failure reported is the most fundamental: where the application goes, then the move, then wishes by rank.
  const reportOrder = (e: Involvement) => (e === primary ? 0 : e.reason === 'OUT_OF_AREA_WISH' ? 2 : 1);
  [...ordered].sort((a, b) => reportOrder(a) - reportOrder(b)).forEach((entry) => assertParticipates(entry, wishes));

  const outOfArea = wishes.some((wish) => wish.municipalityCode !== primary.municipality.code);
  const reasons = ordered.map((entry) => explain(entry, primary.municipality, moveIn?.moveInDate));
  if (outOfArea) reasons.push(earlierDeadlineNote(primary.municipality));

  return {
    primaryMunicipalityCode: primary.municipality.code,
    outOfArea,
    recipients: ordered.map(({ municipality, role, reason }) => ({ municipalityCode: municipality.code, role, reason })),
    reasons,
  };
}

function involvement(municipality: MunicipalityInfo, role: RecipientRole, reason: RoutingReason, field: string): Involvement {
  return { municipality, role, reason, field, wishRanks: [] };
}

function validateWishes(wishes: RoutingWish[]): void {
  if (!Array.isArray(wishes) || wishes.length === 0) {
    throw Errors.badInput('wishes', 'wishes must list at least one facility.', 'wishes（希望施設）を1つ以上指定してください。');
  }
  const seenRanks = new Set<number>();
  const seenFacilities = new Set<string>();
  wishes.forEach((wish, index) => {
    if (!Number.isInteger(wish.rank) || wish.rank < 1 || seenRanks.has(wish.rank)) {
      throw Errors.badInput(
        `wishes[${index}].rank`,
        `wishes[${index}].rank must be a whole number from 1, different for each wish; got ${wish.rank}.`,
        `wishes[${index}].rank（希望順位）は1以上の整数で、希望ごとに異なる値にしてください（指定値: ${wish.rank}）。`,
      );
    }
    if (!wish.facilityId || seenFacilities.has(wish.facilityId)) {
      throw Errors.badInput(
        `wishes[${index}].facilityId`,
        `wishes[${index}].facilityId must name a facility listed only once; got "${wish.facilityId}".`,
        `wishes[${index}].facilityId には、重複しない施設を指定してください（指定値: "${wish.facilityId}"）。`,
      );
    }
    seenRanks.add(wish.rank);
    seenFacilities.add(wish.facilityId);
  });
}

function assertParticipates(entry: Involvement, wishes: RoutingWish[]): void {
  const { municipality } = entry;
  if (municipality.participates) return;
  const label = `${municipality.name} (${municipality.code})`;
  const labelJa = `${municipality.name}（${municipality.code}）`;
  const wish = entry.bestWishIndex === undefined ? undefined : wishes[entry.bestWishIndex];
  const [why, whyJa] =
    entry.reason === 'OUT_OF_AREA_WISH' && wish
      ? [`facility ${wish.facilityId} (wish ${wish.rank}) is in ${label}`, `第${wish.rank}希望の施設 ${wish.facilityId} は${labelJa}にあります`]
      : entry.reason === 'MOVE_IN_DIRECT' || entry.reason === 'MOVE_IN_DESTINATION'
        ? [`the family is moving to ${label}`, `転入予定先は${labelJa}です`]
        : [`the family lives in ${label}`, `お住まいは${labelJa}です`];
  throw hubError(
    RoutingErrorCode.MUNICIPALITY_NOT_PARTICIPATING,
    `${entry.field}: ${why}, which does not take applications through the hub yet, so the application cannot be sent there. Apply to ${municipality.name} through its own office or website, or change ${entry.field}.`,
    `${entry.field}: ${whyJa}が、${municipality.name}はまだ本サービスでの申込みに対応していないため、申込みを送れません。${municipality.name}の窓口・ウェブサイトで申し込むか、${entry.field} を変更してください。`,
    { field: entry.field, details: { municipalityCode: municipality.code, municipalityName: municipality.name } },
  );
}

function explain(entry: Involvement, primary: MunicipalityInfo, moveInDate: IsoDate | undefined): RoutingExplanation {
  const { municipality: m, reason } = entry;
  const ranks = entry.wishRanks;
  const ranksEn = ranks.length === 1 ? `wish ${ranks[0]} is a facility` : `wishes ${ranks.join(', ')} are facilities`;
  const ranksJa = ranks.map((r) => `第${r}希望`).join('・');
  const text: Record<RoutingReason, [string, string]> = {
    RESIDENCE: [
      `${m.name} receives the application and decides on it, as the municipality the family lives in.`,
      `お住まいの${m.name}が申込みを受け付け、決定します。`,
    ],
    MOVE_IN_DIRECT: [
      `The family moves to ${m.name} on ${moveInDate}; ${m.name} accepts applications from families about to move in, so it receives the application and decides on it.`,
      `${moveInDate}に${m.name}へ転入予定で、${m.name}は転入予定者からの直接の申込みを受け付けているため、${m.name}が申込みを受け付け、決定します。`,
    ],
    MOVE_IN_VIA_RESIDENCE: [
      `The family moves on ${moveInDate} to a municipality that does not accept applications before the move, so ${m.name}, where the family lives now, receives the application, decides on it and forwards it.`,
      `${moveInDate}の転入先は転入前の申込みを受け付けていないため、現在お住まいの${m.name}が申込みを受け付けて決定し、転入先へ送付します。`,
    ],
    MOVE_IN_DESTINATION: [
      `${m.name}, where the family moves on ${moveInDate}, receives a copy forwarded by ${primary.name}; it is the same application, not a second one.`,
      `転入予定先の${m.name}には、${primary.name}から申込みの写しが送付されます。二重の申込みではありません。`,
    ],
    OUT_OF_AREA_WISH: [
      `${m.name} receives a copy forwarded by ${primary.name} because ${ranksEn} in ${m.name} (out-of-area application); it is the same application, not a second one.`,
      `${ranksJa}が${m.name}の施設のため（管外申込み）、${m.name}には${primary.name}から申込みの写しが送付されます。二重の申込みではありません。`,
    ],
  };
  const [textEn, textJa] = text[reason];
  return { code: reason, municipalityCode: m.code, textEn, textJa };
}

function earlierDeadlineNote(primary: MunicipalityInfo): RoutingExplanation {
  // Forwarding takes time, so residence municipalities close out-of-area applications earlier.
  return {
    code: 'OUT_OF_AREA_EARLIER_DEADLINE',
    municipalityCode: primary.code,
    textEn: `Some wished facilities are in other municipalities: check ${primary.name}'s deadline for out-of-area applications, which is often about a week earlier than its usual deadline.`,
    textJa: `他の自治体の施設を希望しています。${primary.name}の管外申込みの締切を確認してください。通常の締切より1週間ほど早いことがあります。`,
  };
}
