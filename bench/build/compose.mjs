#!/usr/bin/env node
/**
 * Composes bench/build.json from a first-run benchmark's directory (scripts/bench-build.sh):
 * `times.txt` (one line per phase: `ROUND NAME rc=RC SECONDS`) and the cold build's cargo timing
 * reports (`cold-timings/cargo-timing-*.html`), whose unit table gives the slowest crates.
 *
 *   node bench/build/compose.mjs DIR OUT
 */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node bench/build/compose.mjs DIR OUT');
  process.exit(2);
}

/** The phases that make the first result: the contracts, the simulator's build, its first run. */
const FIRST_RESULT = ['contracts', 'simulator-build', 'simulate-14'];
/** How many of the slowest crates are listed. */
const SLOWEST = 12;

const rounds = { cold: [], warm: [] };
for (const line of readFileSync(join(dir, 'times.txt'), 'utf8').split('\n')) {
  const match = /^(cold|warm) (\S+) rc=(\d+) (\d+)$/.exec(line.trim());
  if (!match) continue;
  const [, round, name, rc, seconds] = match;
  if (rc !== '0') throw new Error(`${round} ${name} failed (rc ${rc}): no figures from a failed phase`);
  rounds[round].push({ name, seconds: Number(seconds) });
}
if (rounds.cold.length === 0) throw new Error(`${dir}/times.txt holds no cold phase`);

const sum = (phases, names) => (names.every((n) => phases.some((p) => p.name === n))
  ? phases.filter((p) => names.includes(p.name)).reduce((s, p) => s + p.seconds, 0) : null);

/** Every unit of every cold timing report, the slowest first (a crate built for two targets or
 *  profiles appears once per build). */
function slowestCrates() {
  const timings = join(dir, 'cold-timings');
  if (!existsSync(timings)) return null;
  const units = [];
  for (const file of readdirSync(timings).filter((f) => /^cargo-timing-.*\.html$/.test(f))) {
    const html = readFileSync(join(timings, file), 'utf8');
    const data = /const UNIT_DATA = (\[.*?\]);/s.exec(html);
    if (!data) continue;
    for (const unit of JSON.parse(data[1])) {
      units.push({ name: `${unit.name} ${unit.version}`, phase: unit.target.trim() || 'lib', mode: unit.mode,
        seconds: unit.duration, report: file });
    }
  }
  const seen = new Set();
  return units.sort((a, b) => b.seconds - a.seconds)
    .filter((u) => { const key = `${u.name}|${u.phase}|${u.mode}`; if (seen.has(key)) return false; seen.add(key); return true; })
    .slice(0, SLOWEST)
    .map(({ name, phase, mode, seconds }) => ({ name, phase: `${phase}${['build', 'todo'].includes(mode) ? '' : ` (${mode})`}`, seconds }));
}

const figures = (phases) => ({
  phases,
  first_result_s: sum(phases, FIRST_RESULT),
  total_s: phases.reduce((s, p) => s + p.seconds, 0),
});
const build = {
  measured: new Date().toISOString().slice(0, 10),
  cores: cpus().length,
  memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  first_result_phases: FIRST_RESULT,
  cold: { ...figures(rounds.cold), slowest_crates: slowestCrates() },
  warm: rounds.warm.length ? figures(rounds.warm) : null,
};
writeFileSync(out, `${JSON.stringify(build, null, 2)}\n`);
console.log(`wrote ${out}: cold first result ${build.cold.first_result_s} s`);
