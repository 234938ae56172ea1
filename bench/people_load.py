"""Loading a registered population (``joinedup people load``) at borough (230,000) and
system (2,400,000) scale, with 8 places and 400 practices, each size in a fresh process
and a fresh database (SQLite under $JOINEDUP_DATA_DIR/bench, or DATABASE_URL).

For each size: the first load (everyone new), then the same file again (everyone
unchanged: the monthly reload), with rows a second and peak memory.

Target (issue 19): 2,400,000 rows in ≤ 10 minutes and ≤ 4 GB on two cores.
``BENCH_PEOPLE_SIZES=230000,2400000`` (default) chooses the sizes.
"""

import csv
import os
import random
import subprocess
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

PLACES = 8
PRACTICES = 400
LSOAS_PER_PLACE = 150


def nhs_numbers(n: int, rng: random.Random):
    """``n`` distinct valid NHS numbers (Modulus 11) starting 9 (the 999 test range alone
    holds under a million)."""
    seen = set()
    while len(seen) < n:
        digits = [9] + [rng.randrange(10) for _ in range(8)]
        total = sum(d * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 10:
            continue
        number = "".join(map(str, digits)) + str(0 if check == 11 else check)
        if number not in seen:
            seen.add(number)
            yield number


def write_files(folder: Path, n: int) -> dict[str, Path]:
    rng = random.Random(19)
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: folder / f"{name}.csv" for name in ("places", "lsoas", "postcodes", "orgs")}
    with files["places"].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["level", "code", "name", "parent_code"])
        w.writerow(["system", "QRV", "North West London", ""])
        for p in range(PLACES):
            w.writerow(["place", f"E0900{p:04d}", f"Place {p}", "QRV"])
            w.writerow(["lcn", f"L{p}", f"Network {p}", f"E0900{p:04d}"])
            w.writerow(["neighbourhood", f"N{p}", f"Neighbourhood {p}", f"L{p}"])
    postcodes = []
    with files["lsoas"].open("w", newline="") as f, files["postcodes"].open("w", newline="") as g:
        w, pw = csv.writer(f), csv.writer(g)
        w.writerow(["lsoa_code", "name", "imd_decile", "neighbourhood_code"])
        pw.writerow(["pcds", "lsoa21cd"])
        for p in range(PLACES):
            for i in range(LSOAS_PER_PLACE):
                code = f"E01{p:02d}{i:04d}"
                w.writerow([code, f"Place {p} {i}", rng.randint(1, 10), f"N{p}"])
                for j in range(10):
                    postcode = f"W{p + 1} {i % 10}{chr(65 + (i // 10) % 26)}{chr(65 + j)}"
                    postcodes.append(postcode)
                    pw.writerow([postcode, code])
    with files["orgs"].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ods_code", "name", "type", "place_code", "neighbourhood_code"])
        for k in range(PRACTICES):
            w.writerow([f"Y{k:05d}", f"Practice {k}", "gp_practice", f"E0900{k % PLACES:04d}",
                        f"N{k % PLACES}"])  # fmt: skip
    people = folder / f"people-{n}.csv"
    with people.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["nhs_number", "given_name", "family_name", "date_of_birth", "sex",
                    "postcode", "address", "practice", "registered_on", "ethnicity"])  # fmt: skip
        for number in nhs_numbers(n, rng):
            born = f"{rng.randint(1925, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.writerow([
                number, rng.choice(("Ada", "Kwame", "Zofia", "Ravi", "Mei", "Sean")),
                rng.choice(("Lovelace", "Mensah", "Nowak", "Patel", "Chen", "Byrne")),
                born, rng.choice("FM"), rng.choice(postcodes),
                f"{rng.randint(1, 200)} High Road, London", f"Y{rng.randrange(PRACTICES):05d}",
                max(born, "2010-04-01"), rng.choice("ABCHJKMNRSZ"),
            ])  # fmt: skip
    files["people"] = people
    return files


def one(n: int) -> None:
    data = Path(os.environ.get("JOINEDUP_DATA_DIR", "var")).resolve() / "bench"
    db = data / f"people-{n}.sqlite3"
    if "DATABASE_URL" not in os.environ:
        db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    configure()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = perf_counter()
    files = write_files(data / "people-files", n)
    print(f"{n:>9,} rows   files written in {perf_counter() - started:.0f} s", flush=True)
    from joinedup.core.actions import load_postcode_lookup
    from joinedup.core.loaders import load_lsoas, load_organisations, load_places
    from joinedup.people.registrations import load_people

    load_places(by=None, path=files["places"])
    load_lsoas(by=None, path=files["lsoas"])
    load_postcode_lookup(by=None, path=files["postcodes"])
    load_organisations(by=None, path=files["orgs"])
    for what in ("first load", "same file again"):
        done = load_people(by=None, path=files["people"])
        run = done.run
        print(
            f"{n:>9,} rows   {what:<16} {done.seconds:7.1f} s  "
            f"{run.rows / done.seconds:>9,.0f} rows/s  new {run.created:,}  "
            f"unchanged {run.unchanged:,}  quarantined {run.quarantined:,}  "
            f"peak memory {peak_memory_mb():,.0f} MB",
            flush=True,
        )
    db.unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        one(int(sys.argv[1]))
        sys.exit(0)
    sizes = os.environ.get("BENCH_PEOPLE_SIZES", "230000,2400000")
    failed = 0
    for size in (int(s) for s in sizes.split(",")):
        failed |= subprocess.call([sys.executable, __file__, str(size)])  # noqa: S603
    sys.exit(failed)
