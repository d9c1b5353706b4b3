"""CPU time of `stakenet import` into SQLite, by process::

    .venv/bin/python -m benchmarks.import_cpu --ties 100000 --shapes crm,regional --repeats 3
    .venv/bin/python -m benchmarks.import_cpu --ties 100000 --before /path/to/other/src

On a shared 2-core machine an import's wall time swings by 2× with the load, its CPU time far
less. Each import runs `stakenet import` into a new SQLite file in a fresh process (its modules
loaded before the clock starts, as the main benchmark's import does) and reports the wall time,
the CPU time of the importing process (`RUSAGE_SELF`) and of its bulk writer process
(`RUSAGE_CHILDREN`), and the load average. With `--before SRC`, each import of this checkout
alternates with one of the code in the `src` directory SRC (another checkout's), so that both
meet the same load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from benchmarks.measure import run_import_probe
from benchmarks.serving import shapes_option
from stakenet.demo.synthetic import SHAPES
from stakenet.demo.synthetic import write as write_network

_PROBE = """
import contextlib, io, json, os, resource, sys, time
from pathlib import Path
from stakenet.cli import main
import stakenet.services.transfer, stakenet.store.sqlite.store
db, document = sys.argv[1], sys.argv[2]
for suffix in ("", "-wal", "-shm"):
    Path(db + suffix).unlink(missing_ok=True)
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
own, children = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(["import", "--db", "sqlite:///" + db, document])
print(json.dumps({"code": code, "wall": time.perf_counter() - started,
                  "importer": cpu(resource.RUSAGE_SELF) - own,
                  "writer": cpu(resource.RUSAGE_CHILDREN) - children,
                  "load": os.getloadavg()[0]}))
"""


def import_cpu(document: Path, db: Path, source: Path | None = None) -> dict[str, float]:
    """One import of `document` into the new file `db`, by this checkout's code or, given
    `source`, by the code in that `src` directory."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source), env.get("PYTHONPATH")) if p)
    result: dict[str, float] = run_import_probe(_PROBE, str(db), document, env)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, help="the src directory of the code to compare")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "stakenet-bench"
    )
    args = parser.parse_args()
    versions: list[tuple[str, Path | None]] = [("current", None)]
    if args.before is not None:
        versions.insert(0, ("before", args.before.resolve()))
    print("| document | code | wall s | importing process CPU s | writer CPU s | load |")
    print("|---|---|---|---|---|---|")
    for shape in args.shapes:
        document = write_network(args.ties, args.workdir, shape=shape)
        db = args.workdir / f"cpu-{shape}-{args.ties}.db"
        for _ in range(args.repeats):
            for name, source in versions:
                run = import_cpu(document, db, source)
                print(
                    f"| {args.ties:,} {shape} | {name} | {run['wall']:.2f} | "
                    f"{run['importer']:.3f} | {run['writer']:.3f} | {run['load']:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
