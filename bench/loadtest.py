"""`make loadtest`: a breaking-news day on gunicorn, with and without the edge, on 1 and 2 workers.

Each run works on a fresh copy of the benchmark's database (100,000 stories; made by
bench/run.py's prepare() when missing), so every run starts from the same state. For each
configuration:
- gunicorn under production settings with the page cache in Redis (a database of its own,
  emptied first), the task worker as production runs it (`db_worker --queue-name
  default,purges --interval 0.2`: purges go through the queue), and optionally the reference edge
  (deploy/varnish/) in front, which the worker purges;
- locust (bench/locustfile.py) with readers and editors, first without pause for the capacity
  (which also warms the caches), then for `--seconds` at `--load` of it; readers and editors go
  through the edge when it is on, as on the site.

Then the tables: capacity, throughput, p50/p95/p99 and errors per kind of page; per page kind,
the time from an editor's save to the change being visible (p50/p95/p99/max), changes never seen
within the timeout, and stale reads after a change was seen; and how long the purge tasks
waited for the worker and ran. The bar: no errors, no stale read, p99 from save to visible under
a second.
"""

import argparse
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.run import (
    DEFAULT_DATABASE_URL,
    PYTHON,
    ROOT,
    WORK_DIR,
    bench_environment,
    connect,
    cpu_seconds,
    free_port,
    gunicorn,
    manage,
    prepare,
    redis_answers,
    varnish_in_front,
    wait_for,
)
from bench.visibility import PAGE_KINDS

DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
LOAD_DATABASE = "newsroom_load"
RUN_DIR = WORK_DIR / "loadtest"
LOCUST = Path(PYTHON).parent / "locust"
BAR_MS = 1000.0
# Readers' kinds in the order the table shows them; the desk's and the watchers' after them.
READER_KINDS = ("story (breaking)", "story (other)", "home", "region", "search", "feed")


# --- the numbers -------------------------------------------------------------------------------


def percentile(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value at least `percent`% of them don't exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil without floats
    return ordered[int(rank) - 1]


def summarize(raw: dict) -> dict:
    """One configuration's locust results (bench/locustfile.py's JSON) as the table's rows."""
    seconds = raw["seconds"] or 1.0
    kinds = {}
    for name, values in raw["latencies_ms"].items():
        kinds[name] = {
            "requests": len(values),
            "rps": len(values) / seconds,
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "errors": raw["failures"].get(name, 0),
        }
    visible = {}
    for page in PAGE_KINDS:
        delays = raw["delays_ms"].get(page, [])
        visible[page] = {
            "changes": len(delays),
            "p50": percentile(delays, 50),
            "p95": percentile(delays, 95),
            "p99": percentile(delays, 99),
            "max": max(delays) if delays else None,
            "missed": raw["missed"].get(page, 0),
            "stale": sum(1 for stale in raw["stale"] if stale["page"] == page),
        }
    readers = [kinds[name] for name in READER_KINDS if name in kinds]
    errors = sum(kind["errors"] for kind in kinds.values())
    worst = [v["p99"] for v in visible.values() if v["p99"] is not None]
    return {
        "kinds": kinds,
        "visible": visible,
        "reader_rps": sum(kind["rps"] for kind in readers),
        "errors": errors,
        "failure_samples": raw["failure_samples"],
        "stale": len(raw["stale"]),
        "stale_samples": raw["stale"][:5],
        "saves": raw["saves"],
        "missed": sum(raw["missed"].values()),
        "meets_bar": (
            errors == 0
            and not raw["stale"]
            and not any(raw["missed"].values())
            and bool(worst)
            and max(worst) < BAR_MS
        ),
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def report(runs: dict[str, dict], context: dict) -> str:
    """The tables of every configuration measured."""
    lines = [
        f"Load test: {context['published']:,} published stories on {context['database']}, page "
        f"cache in Redis, {context['readers']} readers + {context['editors']} editors, "
        f"{context['seconds']} s per configuration",
        f"Machine: {context['cores']} cores; load average before the run {context['uptime']},"
        f" after it {context['uptime_after']}",
        "",
        f"{'configuration':<22} {'capacity':>9} {'offered':>8} {'served':>7} {'errors':>7}"
        f" {'saves':>6} {'stale':>6} {'missed':>7} {'app CPU ms/req':>15} {'CPU busy':>9}  bar",
    ]
    for name, run in runs.items():
        lines.append(
            f"{name:<22} {run['capacity_rps']:>9.0f} {run['offered_rps']:>8.0f}"
            f" {run['reader_rps']:>7.0f} {run['errors']:>7} {run['saves']:>6}"
            f" {run['stale']:>6} {run['missed']:>7} {run['app_cpu_ms']:>15.2f}"
            f" {run['busy']:>8.0%}  {'met' if run['meets_bar'] else 'MISSED'}"
        )
    lines.append(
        "(readers' pages a second: capacity, the readers without pause; offered and served, the"
        f" day's, at {context['load']:.0%} of it; the editors at work in both)"
    )
    lines += [
        "",
        "Per kind of request (ms):",
        f"{'configuration':<22} {'kind':<18} {'requests':>9} {'req/s':>7} {'p50':>7} {'p95':>7}"
        f" {'p99':>7} {'errors':>7}",
    ]
    for name, run in runs.items():
        ordered = [k for k in READER_KINDS if k in run["kinds"]]
        ordered += sorted(k for k in run["kinds"] if k not in READER_KINDS)
        for kind in ordered:
            row = run["kinds"][kind]
            lines.append(
                f"{name:<22} {kind:<18} {row['requests']:>9} {row['rps']:>7.1f}"
                f" {_ms(row['p50']):>7} {_ms(row['p95']):>7} {_ms(row['p99']):>7}"
                f" {row['errors']:>7}"
            )
    lines += [
        "",
        "From an editor's save to the change visible to readers (ms):",
        f"{'configuration':<22} {'page':<7} {'changes':>8} {'p50':>7} {'p95':>7} {'p99':>7}"
        f" {'max':>7} {'missed':>7} {'stale':>6}",
    ]
    for name, run in runs.items():
        for page, row in run["visible"].items():
            lines.append(
                f"{name:<22} {page:<7} {row['changes']:>8} {_ms(row['p50']):>7}"
                f" {_ms(row['p95']):>7} {_ms(row['p99']):>7} {_ms(row['max']):>7}"
                f" {row['missed']:>7} {row['stale']:>6}"
            )
    lines += [
        "",
        "Purge tasks (ms): waiting in the queue for the worker, then running (page cache, edge):",
        f"{'configuration':<22} {'tasks':>6} {'wait p50':>9} {'wait max':>9} {'run p50':>8}"
        f" {'run max':>8}",
    ]
    for name, run in runs.items():
        purges = run["purges"]
        lines.append(
            f"{name:<22} {purges['tasks']:>6} {_ms(purges['wait_p50']):>9}"
            f" {_ms(purges['wait_max']):>9} {_ms(purges['run_p50']):>8}"
            f" {_ms(purges['run_max']):>8}"
        )
    for name, run in runs.items():
        for kind, samples in run["failure_samples"].items():
            lines.append(f"!! {name}, {kind}: {'; '.join(samples)}")
        for stale in run["stale_samples"]:
            lines.append(f"!! {name}, stale read: {stale}")
    for name, reason in context.get("not_measured", {}).items():
        lines.append(f"{name}: not measured: {reason}")
    return "\n".join(lines)


# --- the servers -------------------------------------------------------------------------------


def stories_in(database_url: str) -> int:
    """How many stories the database holds; 0 when it or its tables are not there yet."""
    import psycopg2

    try:
        conn = connect(database_url)
    except psycopg2.OperationalError:
        return 0
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article")
            return cursor.fetchone()[0]
    except psycopg2.errors.UndefinedTable:
        return 0
    finally:
        conn.close()


def copy_database(template_url: str, name: str, timeout: float = 600.0) -> str:
    """A fresh copy of the template database named `name`, and its URL.

    PostgreSQL copies a template only while nobody else is connected to it (another benchmark
    may be): try again until `timeout`.
    """
    import psycopg2

    template = urlsplit(template_url).path.lstrip("/")
    conn = connect(template_url, "postgres")
    deadline = time.monotonic() + timeout
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            while True:
                try:
                    cursor.execute(
                        f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'
                    )
                    break
                except psycopg2.errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(2)
    finally:
        conn.close()
    parts = urlsplit(template_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def purge_timings(database_url: str, since: datetime.datetime) -> dict:
    """How long the purge tasks queued since then waited for the worker, and ran (ms)."""
    conn = connect(database_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT extract(epoch FROM started_at - enqueued_at) * 1000,"
                " extract(epoch FROM finished_at - started_at) * 1000"
                " FROM django_tasks_database_dbtaskresult"
                " WHERE task_path LIKE %s AND finished_at IS NOT NULL AND enqueued_at >= %s",
                ["%.purge_pages", since],
            )
            rows = cursor.fetchall()
    finally:
        conn.close()
    waits, runs = [float(row[0]) for row in rows], [float(row[1]) for row in rows]
    return {
        "tasks": len(rows),
        "wait_p50": percentile(waits, 50),
        "wait_max": max(waits) if waits else None,
        "run_p50": percentile(runs, 50),
        "run_max": max(runs) if runs else None,
    }


@contextlib.contextmanager
def task_worker(env: dict[str, str]):
    """The task queue's worker, as production runs it, logging to worker.log; yields its pid."""
    with (RUN_DIR / "worker.log").open("a") as log:
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--queue-name", "default,purges"]
            + ["--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker.pid
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes, as `uptime` shows it."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def busy_ticks() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def warm(host: str, plan: dict) -> None:
    """Ask once for the pages a live site has in its caches: home, regions, the newest stories."""
    import urllib.request

    for path in ["/", *plan["regions"], *plan["breaking"], *plan["feeds"]]:
        with urllib.request.urlopen(host + path, timeout=30) as response:  # noqa: S310
            response.read()


def locust(host: str, plan_path: Path, *, readers: int, seconds: int, rate: float) -> dict:
    """One locust run of bench/locustfile.py with `readers` and the plan's editors; what it saw
    (its JSON results)."""
    users = readers + len(json.loads(plan_path.read_text())["editors"])
    results_path = RUN_DIR / "results.json"
    results_path.unlink(missing_ok=True)
    with (RUN_DIR / "locust.log").open("a") as log:
        subprocess.run(
            [str(LOCUST), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
            + ["--host", host, "--users", str(users), "--spawn-rate", str(users)]
            + ["--run-time", f"{seconds}s", "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "LOADTEST_PLAN": str(plan_path),
                "LOADTEST_RESULTS": str(results_path),
                "LOADTEST_RATE": f"{rate:.3f}",
                "LOADTEST_READERS": str(readers),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,  # locust exits 1 when any request failed: the table says which
        )
    if not results_path.exists():
        raise SystemExit(f"locust wrote no results: see {RUN_DIR / 'locust.log'}")
    return json.loads(results_path.read_text())


def run_configuration(args, env, plan_path: Path, plan: dict, *, workers: int, edge: bool):
    """One configuration: its capacity (readers without pause), then the day at a share of it;
    the day's summary, with the capacity and the CPU figures."""
    import redis

    redis.Redis.from_url(args.cache_url).flushdb()
    app_port, edge_port = free_port(), free_port()
    env = env | {"CACHE_URL": args.cache_url, "PAGE_CACHE_ENABLED": "1"}
    if edge:
        env["EDGE_PURGE_URLS"] = f"http://127.0.0.1:{edge_port}/"
    with contextlib.ExitStack() as stack:
        pids = stack.enter_context(gunicorn(env, app_port, workers, cpus=None))
        host = f"http://127.0.0.1:{app_port}"
        if edge:
            stack.enter_context(varnish_in_front(app_port, edge_port, cpus=None))
            wait_for(edge_port)
            host = f"http://127.0.0.1:{edge_port}"
        stack.enter_context(task_worker(env))  # stopped first: no purge left for a gone edge
        warm(host, plan)
        # The editors at work too: their desk pages and their purges are part of the day's cost.
        # Also the warm-up of the day: the database's buffers, the page cache and the edge.
        capacity = summarize(
            locust(host, plan_path, readers=args.readers, seconds=args.capacity_seconds, rate=0)
        )["reader_rps"]
        rate = capacity * args.load
        since = datetime.datetime.now(datetime.UTC)
        app_before = sum(cpu_seconds(pid) for pid in pids)
        busy_before = busy_ticks()
        raw = locust(host, plan_path, readers=args.readers, seconds=args.seconds, rate=rate)
        app_used = sum(cpu_seconds(pid) for pid in pids) - app_before
        busy_after = busy_ticks()
    summary = summarize(raw) | {"capacity_rps": capacity, "offered_rps": rate}
    summary["purges"] = purge_timings(env["DATABASE_URL"], since)
    served = sum(kind["requests"] for kind in summary["kinds"].values())
    summary["app_cpu_ms"] = app_used * 1000 / max(served, 1)
    busy = busy_after[0] - busy_before[0]
    summary["busy"] = busy / max(busy_after[1] - busy_before[1], 1)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--cache-url", default=os.environ.get("LOADTEST_CACHE_URL"))
    parser.add_argument("--seconds", type=int, default=45, help="per configuration")
    parser.add_argument("--readers", type=int, default=24, help="locust users reading the site")
    parser.add_argument(
        "--capacity-seconds", type=int, default=20, help="the readers without pause, first"
    )
    parser.add_argument(
        "--load", type=float, default=0.5, help="the day's readers as a share of that capacity"
    )
    parser.add_argument("--workers", default="1,2", help="gunicorn workers to try, e.g. 1,2")
    parser.add_argument("--edge", default="off,on", help="without and/or with Varnish in front")
    parser.add_argument(
        "--wait",
        type=float,
        default=1800,
        help="seconds to wait for the benchmark's database to be free to copy",
    )
    args = parser.parse_args()
    args.cache_url = args.cache_url or DEFAULT_CACHE_URL
    bench_url = args.database_url or DEFAULT_DATABASE_URL
    if not bench_url.startswith("postgres"):
        raise SystemExit("The load test copies a PostgreSQL database: give a postgres:// URL.")
    if not LOCUST.exists():
        raise SystemExit("locust is not installed: make venv (requirements-dev.txt)")
    if not redis_answers(args.cache_url):
        raise SystemExit(f"No Redis at {args.cache_url}")

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if stories_in(bench_url) < args.articles:
        prepare(bench_environment(bench_url, free_port()), args.articles)
    # Every run starts from the same state: a copy of the benchmark's database (which other runs
    # may be reading), migrated to this code; the configurations share it.
    env = bench_environment(copy_database(bench_url, LOAD_DATABASE, timeout=args.wait), free_port())
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    plan_run = subprocess.run(
        [PYTHON, "-m", "bench.loadplan"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    plan = json.loads(plan_run.stdout)
    plan_path = RUN_DIR / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))

    context = {
        "published": plan["published"],
        "database": "PostgreSQL",
        "readers": args.readers,
        "editors": len(plan["editors"]),
        "seconds": args.seconds,
        "cores": os.cpu_count(),
        "uptime": load_average(),
        "load": args.load,
        "not_measured": {},
    }
    runs = {}
    for edge in [part.strip() == "on" for part in args.edge.split(",")]:
        if edge and shutil.which("varnishd") is None:
            context["not_measured"]["with the edge"] = "varnishd not installed"
            continue
        for workers in [int(part) for part in args.workers.split(",")]:
            name = f"{'edge' if edge else 'no edge'}, {workers} worker{'s' if workers > 1 else ''}"
            print(f"{name}: {args.seconds} s…", file=sys.stderr, flush=True)
            runs[name] = run_configuration(args, env, plan_path, plan, workers=workers, edge=edge)
    context["uptime_after"] = load_average()
    print(report(runs, context))


if __name__ == "__main__":
    main()
