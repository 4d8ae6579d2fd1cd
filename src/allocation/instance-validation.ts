/**
 * Checks an allocation instance before a run: the service builds it from stored data, so a failure
 * here names the child, group or seat cell that is inconsistent (by path) instead of letting the
 * algorithm run on it.
 */
import { AllocationInstance } from './instance';
import { SiblingPolicy, TieBreakCriterion } from './rules';
import { Issue, IssueList } from './validation-kit';

const MAX_WISHES = 50;

export function validateInstance(instance: AllocationInstance, root = 'instance'): Issue[] {
  const v = new IssueList();
  const criteria = instance.tieBreak;
  if (v.array(`${root}.tieBreak`, criteria, 1, Object.values(TieBreakCriterion).length)) {
    criteria.forEach((c, i) => v.oneOf(`${root}.tieBreak[${i}]`, c, Object.values(TieBreakCriterion)));
    if (new Set(criteria).size !== criteria.length) v.add(`${root}.tieBreak`, 'lists a criterion twice.', '基準が重複しています。');
    if (criteria[criteria.length - 1] !== TieBreakCriterion.LOTTERY) v.add(`${root}.tieBreak`, 'must end with LOTTERY.', '最後は LOTTERY にしてください。');
  }
  const facilities = new Set<string>();
  const cells = new Set<string>();
  instance.seats.forEach((cell, i) => {
    const at = `${root}.seats[${i}]`;
    v.text(`${at}.facilityId`, cell.facilityId, 100);
    v.number(`${at}.classAge`, cell.classAge, 0, 5, { integer: true });
    v.number(`${at}.seats`, cell.seats, 0, 10_000, { integer: true });
    const key = `${cell.facilityId}\u0000${cell.classAge}`;
    if (cells.has(key)) v.add(at, `repeats facility ${cell.facilityId}, class age ${cell.classAge}.`, `施設 ${cell.facilityId} の ${cell.classAge}歳児が重複しています。`);
    cells.add(key);
    facilities.add(cell.facilityId);
  });
  const children = new Set<string>();
  instance.children.forEach((child, i) => {
    const at = `${root}.children[${i}]`;
    if (v.text(`${at}.id`, child.id, 100) && children.has(child.id)) v.add(`${at}.id`, `repeats child ${child.id}.`, `児童 ${child.id} が重複しています。`);
    children.add(child.id);
    v.number(`${at}.classAge`, child.classAge, 0, 5, { integer: true });
    v.number(`${at}.points`, child.points, -100_000, 100_000);
    v.number(`${at}.basePoints`, child.basePoints, -100_000, 100_000);
    v.number(`${at}.waitingMonths`, child.waitingMonths, 0, 1000);
    if (child.incomeTier !== null) v.number(`${at}.incomeTier`, child.incomeTier, -1000, 1000);
    for (const [facilityId, points] of Object.entries(child.pointsByFacility ?? {})) v.number(`${at}.pointsByFacility.${facilityId}`, points, -100_000, 100_000);
    if (v.array(`${at}.wishes`, child.wishes, 0, MAX_WISHES)) {
      const seen = new Set<string>();
      child.wishes.forEach((facilityId, w) => {
        if (seen.has(facilityId)) v.add(`${at}.wishes[${w}]`, `wishes facility ${facilityId} twice.`, `施設 ${facilityId} を重複して希望しています。`);
        else if (!facilities.has(facilityId)) v.add(`${at}.wishes[${w}]`, `facility ${facilityId} has no seat cells in this instance.`, `施設 ${facilityId} の受入枠がありません。`);
        seen.add(facilityId);
      });
    }
  });
  const grouped = new Set<string>();
  const groupIds = new Set<string>();
  instance.siblingGroups.forEach((group, i) => {
    const at = `${root}.siblingGroups[${i}]`;
    if (groupIds.has(group.id)) v.add(`${at}.id`, `repeats group ${group.id}.`, `グループ ${group.id} が重複しています。`);
    groupIds.add(group.id);
    v.oneOf(`${at}.mode`, group.mode, Object.values(SiblingPolicy));
    if (!v.array(`${at}.childIds`, group.childIds, 2, 10)) return;
    group.childIds.forEach((id, c) => {
      if (!children.has(id)) v.add(`${at}.childIds[${c}]`, `child ${id} is not in the instance.`, `児童 ${id} がいません。`);
      else if (grouped.has(id)) v.add(`${at}.childIds[${c}]`, `child ${id} is already in a sibling group.`, `児童 ${id} は別のきょうだいグループに含まれています。`);
      grouped.add(id);
    });
  });
  return v.issues;
}
