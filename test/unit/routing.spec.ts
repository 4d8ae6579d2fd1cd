import { HubError } from '../../src/common/errors';
import { MunicipalityInfo, RoutingInput, RoutingWish, routeApplication } from '../../src/applications/routing';

const municipality = (code: string, name: string, overrides: Partial<MunicipalityInfo> = {}): MunicipalityInfo => ({
  code,
  name,
  participates: true,
  acceptsDirectMoveInApplications: false,
  ...overrides,
});

const ITABASHI = municipality('131199', '板橋区');
const ADACHI = municipality('131211', '足立区');
const CHOFU_DIRECT = municipality('132080', '調布市', { acceptsDirectMoveInApplications: true });
const ARAKAWA_OFFLINE = municipality('131181', '荒川区', { participates: false, acceptsDirectMoveInApplications: true });
const ALL = Object.fromEntries([ITABASHI, ADACHI, CHOFU_DIRECT, ARAKAWA_OFFLINE].map((m) => [m.code, m]));

const wish = (rank: number, m: MunicipalityInfo, facilityId = `f-${m.code}-${rank}`): RoutingWish => ({
  rank,
  facilityId,
  municipalityCode: m.code,
});

function input(overrides: Partial<RoutingInput>): RoutingInput {
  return { residence: ITABASHI, wishes: [wish(1, ITABASHI)], municipalities: ALL, ...overrides };
}

const moveIn = (m: MunicipalityInfo) => ({ municipality: m, moveInDate: '2026-09-20' });
const summary = (i: RoutingInput) => {
  const d = routeApplication(i);
  return {
    primary: d.primaryMunicipalityCode,
    outOfArea: d.outOfArea,
    recipients: d.recipients.map((r) => `${r.municipalityCode}:${r.role}:${r.reason}`),
  };
};

describe('routeApplication', () => {
  it.each([
    [
      'all wishes at home',
      input({ wishes: [wish(1, ITABASHI), wish(2, ITABASHI)] }),
      { primary: '131199', outOfArea: false, recipients: ['131199:APPLICATION:RESIDENCE'] },
    ],
    [
      '板橋区 family wishing 板橋区 and 足立区 facilities',
      input({ wishes: [wish(1, ITABASHI), wish(2, ADACHI)] }),
      { primary: '131199', outOfArea: true, recipients: ['131199:APPLICATION:RESIDENCE', '131211:FORWARDED_NOTICE:OUT_OF_AREA_WISH'] },
    ],
    [
      'all wishes elsewhere, in two municipalities, ordered by best rank and de-duplicated',
      input({ wishes: [wish(3, ADACHI), wish(1, CHOFU_DIRECT), wish(2, ADACHI)] }),
      {
        primary: '131199',
        outOfArea: true,
        recipients: [
          '131199:APPLICATION:RESIDENCE',
          '132080:FORWARDED_NOTICE:OUT_OF_AREA_WISH',
          '131211:FORWARDED_NOTICE:OUT_OF_AREA_WISH',
        ],
      },
    ],
    [
      'moving in, the new municipality accepts direct applications',
      input({ moveIn: moveIn(CHOFU_DIRECT), wishes: [wish(1, CHOFU_DIRECT), wish(2, CHOFU_DIRECT)] }),
      { primary: '132080', outOfArea: false, recipients: ['132080:APPLICATION:MOVE_IN_DIRECT'] },
    ],
    [
      'moving in directly, one wish still near the old home',
      input({ moveIn: moveIn(CHOFU_DIRECT), wishes: [wish(1, CHOFU_DIRECT), wish(2, ITABASHI)] }),
      { primary: '132080', outOfArea: true, recipients: ['132080:APPLICATION:MOVE_IN_DIRECT', '131199:FORWARDED_NOTICE:OUT_OF_AREA_WISH'] },
    ],
    [
      'moving in, the new municipality does not accept direct applications',
      input({ residence: CHOFU_DIRECT, moveIn: moveIn(ADACHI), wishes: [wish(1, ADACHI)] }),
      { primary: '132080', outOfArea: true, recipients: ['132080:APPLICATION:MOVE_IN_VIA_RESIDENCE', '131211:FORWARDED_NOTICE:MOVE_IN_DESTINATION'] },
    ],
    [
      'moving in through the residence, the destination without wishes comes last',
      input({ moveIn: moveIn(ADACHI), wishes: [wish(1, ITABASHI), wish(2, CHOFU_DIRECT)] }),
      {
        primary: '131199',
        outOfArea: true,
        recipients: [
          '131199:APPLICATION:MOVE_IN_VIA_RESIDENCE',
          '132080:FORWARDED_NOTICE:OUT_OF_AREA_WISH',
          '131211:FORWARDED_NOTICE:MOVE_IN_DESTINATION',
        ],
      },
    ],
    [
      'a move within the same municipality is not a move-in',
      input({ moveIn: moveIn(ITABASHI), wishes: [wish(1, ITABASHI)] }),
      { primary: '131199', outOfArea: false, recipients: ['131199:APPLICATION:RESIDENCE'] },
    ],
    [
      'the residence does not need to participate when the family applies directly to the new municipality',
      input({ residence: ARAKAWA_OFFLINE, moveIn: moveIn(CHOFU_DIRECT), wishes: [wish(1, CHOFU_DIRECT)] }),
      { primary: '132080', outOfArea: false, recipients: ['132080:APPLICATION:MOVE_IN_DIRECT'] },
    ],
    [
      'a wish municipality known only as the residence (not in the map)',
      input({ residence: ITABASHI, municipalities: { [ADACHI.code]: ADACHI }, wishes: [wish(1, ADACHI), wish(2, ITABASHI)] }),
      { primary: '131199', outOfArea: true, recipients: ['131199:APPLICATION:RESIDENCE', '131211:FORWARDED_NOTICE:OUT_OF_AREA_WISH'] },
    ],
  ])('%s', (_label, routingInput, expected) => {
    expect(summary(routingInput)).toEqual(expected);
  });

  it.each([
    [
      'non-participating residence',
      input({ residence: ARAKAWA_OFFLINE, wishes: [wish(1, ARAKAWA_OFFLINE)] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'residenceMunicipalityCode',
      '131181',
    ],
    [
      'non-participating residence, reached because the destination does not accept direct applications',
      input({ residence: ARAKAWA_OFFLINE, moveIn: moveIn(ADACHI), wishes: [wish(1, ADACHI)] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'residenceMunicipalityCode',
      '131181',
    ],
    [
      'non-participating facility municipality',
      input({ wishes: [wish(1, ITABASHI), wish(2, ADACHI), wish(3, ARAKAWA_OFFLINE, 'f-arakawa')] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'wishes[2].facilityId',
      '131181',
    ],
    [
      'non-participating facility municipality, named by its best-ranked wish',
      input({ wishes: [wish(4, ARAKAWA_OFFLINE), wish(1, ITABASHI), wish(2, ARAKAWA_OFFLINE)] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'wishes[2].facilityId',
      '131181',
    ],
    [
      'non-participating move-in destination that accepts direct applications',
      input({ moveIn: moveIn(ARAKAWA_OFFLINE), wishes: [wish(1, ARAKAWA_OFFLINE)] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'moveIn.municipalityCode',
      '131181',
    ],
    [
      'non-participating move-in destination reached through the residence',
      input({ moveIn: moveIn({ ...ARAKAWA_OFFLINE, acceptsDirectMoveInApplications: false }), wishes: [wish(1, ITABASHI)] }),
      'MUNICIPALITY_NOT_PARTICIPATING',
      'moveIn.municipalityCode',
      '131181',
    ],
    ['no wishes', input({ wishes: [] }), 'BAD_USER_INPUT', 'wishes', undefined],
    ['a rank of 0', input({ wishes: [wish(0, ITABASHI)] }), 'BAD_USER_INPUT', 'wishes[0].rank', undefined],
    ['a repeated rank', input({ wishes: [wish(1, ITABASHI), wish(1, ADACHI)] }), 'BAD_USER_INPUT', 'wishes[1].rank', undefined],
    ['a repeated facility', input({ wishes: [wish(1, ITABASHI, 'f1'), wish(2, ITABASHI, 'f1')] }), 'BAD_USER_INPUT', 'wishes[1].facilityId', undefined],
    ['a bad move-in date', input({ moveIn: { municipality: ADACHI, moveInDate: '2026-02-30' } }), 'BAD_USER_INPUT', 'moveIn.moveInDate', undefined],
    [
      'an unknown facility municipality',
      input({ wishes: [wish(1, ITABASHI), { rank: 2, facilityId: 'f9', municipalityCode: '999999' }] }),
      'NOT_FOUND',
      'wishes[1].municipalityCode',
      '999999',
    ],
  ])('rejects %s', (_label, routingInput, code, field, municipalityCode) => {
    let thrown: unknown;
    try {
      routeApplication(routingInput);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HubError);
    const error = thrown as HubError;
    expect(error).toMatchObject({ code, field });
    expect(error.message).toContain(field);
    expect(error.messageJa).toContain(field);
    if (municipalityCode) expect(error.details).toMatchObject({ municipalityCode });
  });

  describe('explanations', () => {
    it('explains each recipient in order, then the earlier out-of-area deadline', () => {
      const decision = routeApplication(input({ wishes: [wish(1, ITABASHI), wish(2, ADACHI), wish(3, ADACHI)] }));
      expect(decision.reasons.map((r) => [r.code, r.municipalityCode])).toEqual([
        ['RESIDENCE', '131199'],
        ['OUT_OF_AREA_WISH', '131211'],
        ['OUT_OF_AREA_EARLIER_DEADLINE', '131199'],
      ]);
      const forwarded = decision.reasons[1];
      expect(forwarded.textEn).toContain('wishes 2, 3');
      expect(forwarded.textEn).toContain('not a second one');
      expect(forwarded.textJa).toContain('第2希望・第3希望');
      expect(forwarded.textJa).toContain('板橋区から申込みの写しが送付されます');
    });

    it('has no deadline note when everything stays in one municipality', () => {
      const decision = routeApplication(input({}));
      expect(decision.reasons.map((r) => r.code)).toEqual(['RESIDENCE']);
    });

    it('mentions the move-in date', () => {
      const decision = routeApplication(input({ moveIn: moveIn(CHOFU_DIRECT), wishes: [wish(1, CHOFU_DIRECT)] }));
      expect(decision.reasons[0].textEn).toContain('2026-09-20');
      expect(decision.reasons[0].textJa).toContain('2026-09-20');
    });

    it('gives every explanation in both languages', () => {
      const decision = routeApplication(input({ moveIn: moveIn(ADACHI), wishes: [wish(1, ITABASHI), wish(2, CHOFU_DIRECT)] }));
      for (const reason of decision.reasons) {
        expect(reason.textEn).toMatch(/[A-Za-z]/);
        expect(reason.textJa).toMatch(/[ぁ-んァ-ン一-龯]/);
      }
    });
  });
});
