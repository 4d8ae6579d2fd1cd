/**
 * Allocation benchmark (`npm run bench:allocation`): no database, the pure allocation core only.
 *
 * For each SYNTHETIC instance (bench/allocation-generator.ts) — ward-sized (10,000 children, 300
 * facilities) and Saitama-sized (7,959 children, 311 facilities), six class ages, five ranked wishes,
 * 20 % of the children in sibling families:
 * 1. runs the allocation with siblings (`allocate`) and plain deferred acceptance without siblings
 *    (`deferredAcceptance`) on the same instance, alternately, after a warm-up, and takes the median;
 *    both times include building the priorities from the instance;
 * 2. checks the allocation with the independent checker (capacities, wishes, sibling policy, no
 *    blocking pair or family) and explains every child once (timed, for information);
 * 3. prints a table, writes bench/out/allocation-<ts>.json, and exits non-zero when the checker finds
 *    anything, the run is not STABLE, or nobody is placed. The time targets (≤ 3 × plain DA, < 1 s)
 *    are reported, not enforced: a loaded machine must not turn a correct run red.
 *
 * BENCH_ALLOCATION_RUNS (default 7) measured runs per algorithm; BENCH_ALLOCATION_SEED (default 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deferredAcceptance } from '../src/allocation/deferred-acceptance';
import { explainAllocation } from '../src/allocation/explanation';
import { AllocationInstance, AllocationResult, AllocationStatus } from '../src/allocation/instance';
import { validateInstance } from '../src/allocation/instance-validation';
import { allocate } from '../src/allocation/sibling-allocation';
import { checkAllocation } from '../src/allocation/stability-check';
import { projectRoot } from '../src/common/paths';
import { generateInstance, GeneratorOptions } from './allocation-generator';
import { percentile } from './measure';

const RUNS = Number(process.env.BENCH_ALLOCATION_RUNS ?? 7);
const SEED = Number(process.env.BENCH_ALLOCATION_SEED ?? 1);
const LOTTERY_SEED = 20270401;

const CASES: { name: string; options: GeneratorOptions }[] = [
  { name: 'ward-sized', options: { children: 10_000, facilities: 300, seed: SEED, siblingShare: 0.2, wishes: 5 } },
  { name: 'Saitama-sized', options: { children: 7_959, facilities: 311, seed: SEED + 1, siblingShare: 0.2, wishes: 5 } },
];

function timed<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

const placed = (r: AllocationResult) => r.assignments.filter((a) => a.facilityId !== null).length;

function benchCase(name: string, options: GeneratorOptions) {
  const generated = timed(() => generateInstance(options));
  const instance: AllocationInstance = generated.value;
  const issues = validateInstance(instance);
  if (issues.length) throw new Error(`${name}: generated instance is invalid: ${issues[0].message}`);
  for (let i = 0; i < 3; i++) {
    allocate(instance, LOTTERY_SEED);
    deferredAcceptance(instance, LOTTERY_SEED);
  }
  const siblingMs: number[] = [];
  const plainMs: number[] = [];
  let withSiblings!: AllocationResult;
  let plain!: AllocationResult;
  for (let i = 0; i < RUNS; i++) {
    // alternate the order so that a drifting machine weighs on both alike
    const first = i % 2 === 0;
    if (first) ({ ms: siblingMs[i], value: withSiblings } = timed(() => allocate(instance, LOTTERY_SEED)));
    ({ ms: plainMs[i], value: plain } = timed(() => deferredAcceptance(instance, LOTTERY_SEED)));
    if (!first) ({ ms: siblingMs[i], value: withSiblings } = timed(() => allocate(instance, LOTTERY_SEED)));
  }
  const check = timed(() => checkAllocation(instance, withSiblings));
  const explain = timed(() => explainAllocation(instance, withSiblings));
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const seats = instance.seats.reduce((sum, s) => sum + s.seats, 0);
  const placedAt = new Map(withSiblings.assignments.map((a) => [a.childId, a.facilityId]));
  const families = instance.siblingGroups.map((g) => g.childIds.map((id) => placedAt.get(id) ?? null));
  return {
    name,
    generator: { ...options, file: 'bench/allocation-generator.ts' },
    lotterySeed: LOTTERY_SEED,
    instance: { children: instance.children.length, facilities: new Set(instance.seats.map((s) => s.facilityId)).size, cells: instance.seats.length, seats, families: instance.siblingGroups.length, childrenInFamilies: instance.siblingGroups.reduce((s, g) => s + g.childIds.length, 0) },
    generateMs: generated.ms,
    withSiblings: { medianMs: median(siblingMs), runsMs: siblingMs, placed: placed(withSiblings), status: withSiblings.status, stats: withSiblings.stats },
    plainDA: { medianMs: median(plainMs), runsMs: plainMs, placed: placed(plain) },
    ratio: median(siblingMs) / median(plainMs),
    families: {
      together: families.filter((f) => f[0] !== null && f.every((x) => x === f[0])).length,
      apart: families.filter((f) => f.some((x) => x !== null) && !(f[0] !== null && f.every((x) => x === f[0]))).length,
      unplaced: families.filter((f) => f.every((x) => x === null)).length,
    },
    checker: { ms: check.ms, ok: check.value.ok, blockingPairs: check.value.blockingPairs, blockingFamilies: check.value.blockingFamilies, violations: check.value.violations.length, first: check.value.violations.slice(0, 5) },
    explainMs: explain.ms,
  };
}

function main(): void {
  const results = CASES.map(({ name, options }) => benchCase(name, options));
  const f = (n: number) => n.toFixed(1);
  console.log(`allocation bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${RUNS} measured runs each (median)`);
  for (const r of results) {
    console.log(`\n${r.name}: ${r.instance.children} children (${r.instance.childrenInFamilies} in ${r.instance.families} families), ${r.instance.facilities} facilities, ${r.instance.cells} cells, ${r.instance.seats} seats; generator seed ${r.generator.seed}, lottery seed ${r.lotterySeed}`);
    console.log(`  allocation with siblings: ${f(r.withSiblings.medianMs)} ms, placed ${r.withSiblings.placed}, ${r.withSiblings.status}, ${r.withSiblings.stats.proposals} steps, ${r.withSiblings.stats.reconsiderations} reconsiderations`);
    console.log(`  plain DA without siblings: ${f(r.plainDA.medianMs)} ms, placed ${r.plainDA.placed}`);
    console.log(`  ratio ${r.ratio.toFixed(2)} × plain DA (target ≤ 3: ${r.ratio <= 3 ? 'met' : 'NOT MET'}); under 1 s: ${r.withSiblings.medianMs < 1000 ? 'met' : 'NOT MET'}`);
    console.log(`  families: ${r.families.together} together, ${r.families.apart} apart (TOGETHER_PREFERRED), ${r.families.unplaced} unplaced`);
    console.log(`  checker: ${r.checker.ok ? 'ok' : 'FAILED'} — ${r.checker.blockingPairs} blocking pairs, ${r.checker.blockingFamilies} blocking families, ${r.checker.violations} violations (${f(r.checker.ms)} ms); explanations ${f(r.explainMs)} ms; generated in ${f(r.generateMs)} ms`);
  }
  const out = join(projectRoot(), 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, `allocation-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, runs: RUNS, results }, null, 2));
  console.log(`\nwrote ${file}`);
  const failures = results.flatMap((r) => [
    ...(r.checker.ok ? [] : [`${r.name}: the checker found ${r.checker.violations} violation(s): ${JSON.stringify(r.checker.first)}`]),
    ...(r.withSiblings.status === AllocationStatus.STABLE ? [] : [`${r.name}: the run ended ${r.withSiblings.status}`]),
    ...(r.withSiblings.placed > 0 ? [] : [`${r.name}: nobody was placed`]),
  ]);
  if (failures.length) {
    for (const failure of failures) console.error(`FAIL ${failure}`);
    process.exit(1);
  }
}

main();
