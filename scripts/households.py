#!/usr/bin/env python3
"""Build the independent household load profiles in data/households/ with richardsonpy.

Run it through scripts/households.sh, which installs scripts/requirements-households.txt into
target/households-venv. The model, its licence, the mapping to the paper's household groups and
every transformation are explained in data/households/README.md; this script rewrites the
generated block of that README and data/households/manifest.csv, so the numbers there are the
ones in the files.

Every household is a pure function of the pinned packages and of its own seed (a string naming
its group and number): the model draws only from Python's `random` module, which is seeded
before each household is simulated, each in a fresh worker process. No clock, no network.
--check recomputes everything and fails if a file on disk differs, without writing.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

import pinned

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "scripts" / "requirements-households.txt"
DEFAULT_OUT = ROOT / "data" / "households"

YEAR = 2021
HOURS = 8760
DAYS = 365
YEAR_START = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
BERLIN = ZoneInfo("Europe/Berlin")
# richardsonpy numbers weekdays 1 = Monday .. 7 = Sunday; 1 January 2021 was a Friday.
INITIAL_DAY = 5
MINUTES_PER_HOUR = 60

# SHA-256 over every file of the installed richardsonpy package (code and input tables, sorted by
# path, __pycache__ left out): a re-upload with other code or data fails loudly.
PACKAGE_SHA256 = "dddf869406587e00f7f52a4e25a4c567de327756b28c80213e5eb6d3616d1b03"

SEED_PREFIX = "hybrid-p2p-market/households"
# Students: each day of a student flat is the model's day moved later by a whole number of hours,
# drawn per day (seeded) from these values. See the README, "Students".
STUDENT_SHIFT_HOURS = (1, 2, 3)
# Distinct households per group in the committed files (3 x 34 = 102, enough for a community of
# 100 with every home distinct).
PER_GROUP = 34


@dataclass(frozen=True)
class Group:
    stem: str  # file <stem>.csv, columns <stem>_01 ...
    paper_group: str
    occupants: int
    building: str  # richardsonpy building type of the default annual demand: MFH (flat) or SFH
    later_days: bool  # apply the seeded per-day shift (students)


GROUPS = (
    Group("single", "single consumers", 1, "MFH", False),
    Group("student", "students", 3, "MFH", True),
    Group("family", "families (prosumers with PV and battery)", 4, "SFH", False),
)

SCRIPT = "scripts/households.py"
GENERATED_BEGIN = pinned.generated_begin(SCRIPT)
GENERATED_END = pinned.GENERATED_END


def fail(message: str) -> None:
    pinned.fail(SCRIPT, message)


def check_pins() -> None:
    pinned.check_pins(SCRIPT, REQUIREMENTS, "scripts/households.sh")


def package_digest() -> str:
    import richardsonpy

    base = Path(richardsonpy.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def target_kwh(group: Group) -> float:
    """richardsonpy's own default annual demand for the building type and occupant count
    (ElectricLoad.standard_consumption)."""
    import richardsonpy.classes.electric_load as eload

    return float(eload.ElectricLoad.standard_consumption[group.building][group.occupants])


def seed_of(group: Group, n: int) -> str:
    return f"{SEED_PREFIX}/{group.stem}/{n}"


@dataclass(frozen=True)
class Simulated:
    light_config: int
    model_kwh: float  # the model's annual energy before normalization
    local_wh: np.ndarray  # 8760 hourly Wh, normalized, on the model's local clock


def simulate(task: tuple[str, int]) -> Simulated:
    """One household of one group: occupancy, appliances and lighting for 365 days, one-minute
    steps, then hourly Wh normalized to the group's annual target. Runs in its own process."""
    import richardsonpy.classes.electric_load as eload
    import richardsonpy.classes.occupancy as occ
    import richardsonpy.functions.change_resolution as cr
    import richardsonpy.functions.load_radiation as loadrad

    stem, n = task
    group = next(g for g in GROUPS if g.stem == stem)
    random.seed(seed_of(group, n))
    light_config = random.randrange(100)  # one of the 100 bulb sets of LightBulbs.csv
    occupancy = occ.Occupancy(number_occupants=group.occupants, initial_day=INITIAL_DAY)
    q_direct, q_diffuse = loadrad.get_rad_from_try_path()
    q_direct = cr.change_resolution(q_direct, old_res=3600, new_res=60)
    q_diffuse = cr.change_resolution(q_diffuse, old_res=3600, new_res=60)
    load = eload.ElectricLoad(
        occ_profile=occupancy.occupancy,
        total_nb_occ=group.occupants,
        q_direct=q_direct,
        q_diffuse=q_diffuse,
        is_sfh=group.building == "SFH",
        randomize_appliances=True,
        prev_heat_dev=True,
        light_config=light_config,
        timestep=60,
        initial_day=INITIAL_DAY,
    )
    power_w = np.asarray(load.loadcurve, dtype=float)
    if power_w.shape != (DAYS * 24 * MINUTES_PER_HOUR,) or not np.isfinite(power_w).all():
        raise RuntimeError(f"{stem} {n}: unexpected load curve {power_w.shape}")
    if power_w.min() < 0:
        raise RuntimeError(f"{stem} {n}: negative power")
    local_wh = power_w.reshape(HOURS, MINUTES_PER_HOUR).mean(axis=1)
    model_kwh = float(local_wh.sum()) / 1000
    # The normalization richardsonpy applies with do_normalization=True: one factor per household.
    local_wh = local_wh * (target_kwh(group) / model_kwh)
    return Simulated(light_config, model_kwh, local_wh)


def later_days(local_wh: np.ndarray, group: Group, n: int) -> tuple[np.ndarray, list[int]]:
    """Each local day d shows the model's hours s_d earlier in the series, i.e. the same
    behaviour s_d hours later, s_d drawn per day from STUDENT_SHIFT_HOURS with a seeded generator
    of its own. Hour k of the output is hour k - s_(k // 24) of the model (wrapping into the end
    of the year for the first hours); where s changes between days, night hours are repeated or
    dropped, which is why annual energy moves by a little."""
    rng = random.Random(seed_of(group, n) + "/later")
    shifts = [rng.choice(STUDENT_SHIFT_HOURS) for _ in range(DAYS)]
    k = np.arange(HOURS)
    source = (k - np.repeat(shifts, 24)) % HOURS
    return local_wh[source], shifts


def utc_index() -> np.ndarray:
    """For each UTC hour of 2021, the model hour (local day * 24 + local hour) it shows.

    The model runs on local clock time, days of 24 hours starting on Friday 1 January. Each UTC
    hour is converted to Europe/Berlin wall-clock time: the skipped hour of 28 March is not used,
    the repeated hour of 31 October is shown twice, and the last UTC hour (00:00 on 1 January 2022,
    local time) wraps to the first model hour, like data/profiles."""
    out = np.empty(HOURS, dtype=np.int64)
    for k in range(HOURS):
        local = (YEAR_START + timedelta(hours=k)).astimezone(BERLIN)
        day = (local.date() - date(YEAR, 1, 1)).days % DAYS
        out[k] = day * 24 + local.hour
    return out


HOUR_STAMPS = [
    (YEAR_START + timedelta(hours=k)).strftime("%Y-%m-%dT%H:%M:%SZ") for k in range(HOURS)
]


@dataclass(frozen=True)
class Household:
    column: str
    group: Group
    n: int
    light_config: int
    model_kwh: float
    target_kwh: float
    mean_shift_h: float  # students only, else 0
    wh: np.ndarray  # int64, UTC hours

    @property
    def annual_kwh(self) -> float:
        return int(self.wh.sum()) / 1000

    @property
    def peak_w(self) -> int:
        return int(self.wh.max())


def build(per_group: int, jobs: int) -> list[Household]:
    tasks = [(g.stem, n) for g in GROUPS for n in range(1, per_group + 1)]
    # A fresh process per household, so that no state of the model (its class-level caches,
    # the random module) carries over from one household to the next.
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, maxtasksperchild=1) as pool:
        simulated = pool.map(simulate, tasks, chunksize=1)
    index = utc_index()
    households = []
    for (stem, n), sim in zip(tasks, simulated):
        group = next(g for g in GROUPS if g.stem == stem)
        local = sim.local_wh
        mean_shift = 0.0
        if group.later_days:
            local, shifts = later_days(local, group, n)
            mean_shift = sum(shifts) / len(shifts)
        wh = np.rint(local[index]).astype(np.int64)  # half to even
        households.append(
            Household(
                column=f"{stem}_{n:02d}",
                group=group,
                n=n,
                light_config=sim.light_config,
                model_kwh=sim.model_kwh,
                target_kwh=target_kwh(group),
                mean_shift_h=mean_shift,
                wh=wh,
            )
        )
    return households


def wide_csv(members: list[Household]) -> str:
    lines = ["timestamp," + ",".join(h.column for h in members)]
    columns = [h.wh for h in members]
    for k, stamp in enumerate(HOUR_STAMPS):
        lines.append(stamp + "," + ",".join(str(int(c[k])) for c in columns))
    return "\n".join(lines) + "\n"


def manifest_text(households: list[Household]) -> str:
    lines = [
        "file,column,paper_group,occupants,building,seed,light_config,mean_shift_h,"
        "model_kwh,target_kwh,annual_kwh,peak_w"
    ]
    for h in households:
        lines.append(
            f"{h.group.stem}.csv,{h.column},{h.group.paper_group},{h.group.occupants},"
            f"{h.group.building},{seed_of(h.group, h.n)},{h.light_config},{h.mean_shift_h:.3f},"
            f"{h.model_kwh:.1f},{h.target_kwh:.0f},{h.annual_kwh:.3f},{h.peak_w}"
        )
    return "\n".join(lines) + "\n"


def readme_block(households: list[Household], digest: str) -> str:
    lines = [
        GENERATED_BEGIN,
        "",
        f"richardsonpy package SHA-256 (all files): `{digest}`",
        "",
        "| file | paper group | occupants | households | target kWh | annual kWh min / mean / max "
        "| model kWh before normalization min / mean / max | hourly peak W min / mean / max |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for group in GROUPS:
        members = [h for h in households if h.group == group]
        annual = [h.annual_kwh for h in members]
        model = [h.model_kwh for h in members]
        peak = [h.peak_w for h in members]
        lines.append(
            f"| `{group.stem}.csv` | {group.paper_group} | {group.occupants} | {len(members)} "
            f"| {members[0].target_kwh:.0f} "
            f"| {min(annual):.1f} / {sum(annual) / len(annual):.1f} / {max(annual):.1f} "
            f"| {min(model):.0f} / {sum(model) / len(model):.0f} / {max(model):.0f} "
            f"| {min(peak)} / {sum(peak) / len(peak):.0f} / {max(peak)} |"
        )
    lines += ["", GENERATED_END]
    return "\n".join(lines)


def with_block(readme: str, block: str) -> str:
    return pinned.with_block(SCRIPT, "data/households/README.md", readme, block)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a file on disk differs"
    )
    parser.add_argument(
        "--per-group",
        type=int,
        default=PER_GROUP,
        help=f"households per group (default {PER_GROUP}, the committed files)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default: 2, or 1 on a one-core machine); the output does not "
        "depend on it",
    )
    args = parser.parse_args()
    check_pins()
    digest = package_digest()
    if digest != PACKAGE_SHA256:
        fail(f"richardsonpy files have SHA-256 {digest}, not the {PACKAGE_SHA256} these were built from")
    if args.per_group < 1 or args.jobs < 1:
        fail("--per-group and --jobs must be at least 1")

    started = time.monotonic()
    households = build(args.per_group, args.jobs)
    elapsed = time.monotonic() - started
    outputs = {
        f"{g.stem}.csv": wide_csv([h for h in households if h.group == g]) for g in GROUPS
    }
    outputs["manifest.csv"] = manifest_text(households)
    readme = args.out / "README.md"
    if readme.is_file():
        outputs["README.md"] = with_block(readme.read_text(), readme_block(households, digest))

    print(f"{'column':<12} {'model kWh':>10} {'annual kWh':>11} {'peak W':>7}")
    for h in households:
        print(f"{h.column:<12} {h.model_kwh:>10.1f} {h.annual_kwh:>11.1f} {h.peak_w:>7}")
    print(
        f"simulated {len(households)} households in {elapsed:.0f} s with {args.jobs} worker(s)",
        file=sys.stderr,
    )

    if args.check:
        stale = [
            name
            for name, text in outputs.items()
            if not (args.out / name).is_file() or (args.out / name).read_text() != text
        ]
        if stale:
            fail("out of date, rerun scripts/households.sh: " + ", ".join(stale))
        print(f"{len(outputs)} files in {args.out} are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (args.out / name).write_text(text, newline="\n")
    print(f"wrote {len(outputs)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
