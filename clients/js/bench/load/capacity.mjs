/**
 * The load test's capacity statement: how many homes one chain can serve per hourly interval,
 * from the weights measured on the node and the block limits, with the arithmetic written out.
 *
 * A home's weight per interval is what its transactions cost the chain: its offer (sealed:
 * commit and reveal), its share of the stepped close (all close steps / homes) and, metered,
 * its share of the reading batches (all `submit_readings` / homes). Each extrinsic counts as
 * the block counts it: its dispatch weight after the gas refund plus the normal class's
 * `base_extrinsic`. Blocks come every 6 s, so an hour has 600, and normal extrinsics may fill
 * the normal class's `max_total` of each (75 % of the block on this runtime).
 *
 * Constraints, each for ref_time and proof_size; the least is the capacity:
 * - `hour`: everything a home needs per interval, in the 600 blocks of an hour (the close of
 *   interval i runs during interval i + 1, beside its offers, so in steady state every hour
 *   carries one interval's offers, one close and one set of readings);
 * - `reveal_window` (sealed): all reveals within the reveal window after the interval
 *   (`Sealing::DEFAULT`: 10 minutes, 100 blocks), even if nothing else used those blocks;
 * - `metering_window` (metered): all readings within the metering window after the close
 *   (`Metering::DEFAULT`: 15 minutes, 150 blocks), likewise.
 */

/** `x` in engineering notation with 4 significant digits (`1.234e9`). */
export function sci(x) {
  return Number(x).toExponential(3).replace('e+', 'e');
}

/**
 * The capacity of one chain for one mode.
 *
 * @param {object} parts `{name: {ref_time, proof_size, note}}` per home per interval (BigInts).
 * @param {object} budget `{name, normal: {ref_time, proof_size}, block_ms}`.
 * @param {{blocks: number, parts: string[], what: string}[]} windows extra constraints: in
 *   `blocks` blocks, the `parts` named must fit.
 * @returns {object} JSON-ready (BigInts kept; the caller makes it JSON-safe).
 */
export function capacityOf(parts, budget, windows = []) {
  const blocksPerHour = Math.round(3_600_000 / budget.block_ms);
  const sum = (names) => names.reduce((acc, name) => ({
    ref_time: acc.ref_time + parts[name].ref_time,
    proof_size: acc.proof_size + parts[name].proof_size,
  }), { ref_time: 0n, proof_size: 0n });
  const constraints = [
    { name: 'hour', blocks: blocksPerHour, parts: Object.keys(parts),
      what: `every transaction of the interval in the ${blocksPerHour} blocks of an hour` },
    ...windows,
  ].map(({ name, blocks, parts: names, what }) => {
    const need = sum(names);
    const result = { name, what, blocks, per_home: need, homes: {}, arithmetic: {} };
    for (const dim of ['ref_time', 'proof_size']) {
      const available = BigInt(blocks) * budget.normal[dim];
      const homes = need[dim] === 0n ? null : available / need[dim];
      result.homes[dim] = homes;
      // A limit of 2^63 and more is u64::MAX scaled: the chain sets none (the dev node's
      // proof_size), so the figure only says that this dimension does not bind.
      const unlimited = budget.normal[dim] >= 1n << 63n ? ' (no limit on this chain)' : '';
      result.arithmetic[dim] = `${blocks} blocks x ${sci(budget.normal[dim])} / ` +
        `(${names.map((n) => `${n} ${sci(parts[n][dim])}`).join(' + ')} = ${sci(need[dim])}) ` +
        `= ${homes === null ? 'unbounded' : homes}${unlimited}`;
    }
    return result;
  });
  let best = null;
  for (const constraint of constraints) {
    for (const dim of ['ref_time', 'proof_size']) {
      const homes = constraint.homes[dim];
      if (homes !== null && (best === null || homes < best.homes)) {
        best = { homes, binding: `${constraint.name} / ${dim}` };
      }
    }
  }
  return {
    chain: budget.name,
    block_ms: budget.block_ms,
    blocks_per_hour: blocksPerHour,
    normal_per_block: budget.normal,
    homes_per_interval: best?.homes ?? null,
    binding: best?.binding ?? null,
    constraints,
  };
}
