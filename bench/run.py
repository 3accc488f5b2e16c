"""`make bench`: the site's pages against a trivial Django view, in one run, on one machine.

Seeds a database with 100,000 stories (once), serves it with gunicorn under production settings
(DEBUG off, WhiteNoise, persistent connections), loads each page with wrk from the other core,
and prints requests per second, p50/p99 latency, the worker's CPU per request, queries per
request and each page's throughput as a fraction of the trivial view's. CPU per request is the
figure that survives a noisy machine; the ratio is the one to compare across machines.

Then the search table: each benchmark query (bench/probe.py) through the whole view on the same
server, one request at a time, with p50/p95/p99 latency, CPU per request and how many stories
the query matches.

The pages are measured as built (the app's page cache off), with their fragments (story cards,
a story's rail, a photo's renditions: articles/caching/fragments.py) cached as on a live site:
wrk's warm-up run fills them. The rows marked "cold" are the same pages on a server that caches
no fragment (FRAGMENT_CACHE_ENABLED=0), every card and rail made for each request. Then the story
page as a page-cache hit from local memory, from Redis (BENCH_CACHE_URL), and through the
reference edge (deploy/varnish/, when varnishd is installed), each on a server of its own beside
the same trivial view.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
WORK_DIR = ROOT / ".cache" / "bench"
# The Redis the page-cache row uses: a database of its own, which the run leaves to expire.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
VARNISH_VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def bench_environment(database_url: str, port: int) -> dict[str, str]:
    """Production settings on plain HTTP: no TLS redirect, since wrk talks to gunicorn directly."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(WORK_DIR / "media"),
        "STATIC_ROOT": str(WORK_DIR / "static"),
        "LOG_LEVEL": "WARNING",
        # Pages as built; the page-cache rows turn it on for a server of their own.
        "PAGE_CACHE_ENABLED": "0",
        # Every request comes from one address: search's per-client limit would answer 429s.
        "SEARCH_RATE_LIMIT": "999999/s",
        # Seeding 100,000 stories and VACUUM take longer per statement than a request may.
        "DATABASE_STATEMENT_TIMEOUT": "0",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def connect(database_url: str, dbname: str | None = None):
    """A psycopg2 connection to the PostgreSQL database of the URL (or to `dbname` on its
    server), in autocommit."""
    import psycopg2

    parts = urlsplit(database_url)
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=dbname or parts.path.lstrip("/"),
    )
    conn.autocommit = True
    return conn


def ensure_postgres_database(database_url: str) -> None:
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        return
    name = parts.path.lstrip("/")
    conn = connect(database_url, "postgres")
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def prepare(env: dict[str, str], articles: int) -> None:
    """Migrate, seed once, collect static files, and refresh the planner's statistics."""
    ensure_postgres_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    # Production settings: the demo accounts (a published password) must be asked for.
    manage(env, "seed_demo", "--articles", str(articles), "--with-demo-accounts")
    manage(env, "collectstatic", "--noinput", "-v0")
    if env["DATABASE_URL"].startswith("postgres"):
        # Autovacuum would get there; the benchmark should not depend on when it runs.
        script = "from django.db import connection\nconnection.cursor().execute('VACUUM ANALYZE')\n"
        subprocess.run([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def worker_pid(master_pid: int) -> int:
    return worker_pids(master_pid, 1)[0]


def worker_pids(master_pid: int, count: int, timeout: float = 30.0) -> list[int]:
    """The pids of a server's `count` worker processes, once it has forked them all."""
    deadline = time.monotonic() + timeout
    while True:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        if len(children) == count:
            return [int(child) for child in children]
        if len(children) > count or time.monotonic() > deadline:
            raise SystemExit(f"expected {count} worker processes, found {children}")
        time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict[str, float]:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)$", output, re.M)
        if match is None:  # no request answered in time: nothing to rank
            return float("nan")
        return float(match.group(1)) * _UNITS[match.group(2)]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": requests,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def load(
    url: str, seconds: int, connections: int, pid: int, edge_pid: int | None = None
) -> dict[str, float]:
    """wrk on the second core against the one worker on the first; CPU read from /proc.

    `edge_pid`: a cache in front of the worker, whose CPU per request is reported apart.
    """
    # A generous timeout: on a busy shared machine a slow page is measured, not dropped.
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", "--latency", "--timeout=30s"]
    subprocess.run([*command, "-d2s", url], check=True, capture_output=True)  # warm-up
    before = cpu_seconds(pid)
    edge_before = cpu_seconds(edge_pid) if edge_pid else 0.0
    run = subprocess.run([*command, f"-d{seconds}s", url], check=True, capture_output=True)
    result = parse_wrk(run.stdout.decode())
    result["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    if edge_pid:
        used = cpu_seconds(edge_pid) - edge_before
        result["edge_cpu_ms"] = used * 1000 / max(result["requests"], 1)
    return result


PERCENTILES_SCRIPT = ROOT / "bench" / "percentiles.lua"
# Pages measured again with no fragment cached.
COLD_PAGES = ("story page", "home page", "region page 1", "tag page", "author page")


def load_one_at_a_time(url: str, seconds: int, pid: int) -> dict[str, float]:
    """One wrk connection, so latency is the page's own time and never a wait behind another."""
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c1", "--timeout=30s"]
    command += ["-s", str(PERCENTILES_SCRIPT)]
    subprocess.run([*command, "-d2s", url], check=True, capture_output=True)  # warm-up
    before = cpu_seconds(pid)
    run = subprocess.run([*command, f"-d{seconds}s", url], check=True, capture_output=True)
    output = run.stdout.decode()
    result = parse_wrk_requests(output)
    for percent, microseconds in re.findall(r"^percentile (\d+) (\d+)$", output, re.M):
        result[f"p{percent}"] = int(microseconds) / 1000
    result["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    return result


def parse_wrk_requests(output: str) -> dict[str, float]:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": requests,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def search_report(search: dict, results: dict[str, dict]) -> str:
    lines = [
        "Search, through the whole view, one request at a time:",
        "",
        f"{'query':<14} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'CPU ms':>8}"
        f" {'SQL ms':>8} {'queries':>8}  text",
    ]
    for name, result in results.items():
        url = search["urls"][name]
        sql_ms = search["explain_ms"].get(name)
        lines.append(
            f"{name:<14} {search['matches'][name]:>8} {result['p50']:>8.2f}"
            f" {result['p95']:>8.2f} {result['p99']:>8.2f} {result['cpu_ms']:>8.2f}"
            f" {'—' if sql_ms is None else f'{sql_ms:.2f}':>8} {search['queries'][name]:>8}"
            f"  {unquote_plus(url.split('?', 1)[1])}"
        )
        if result["errors"]:
            lines.append(f"  !! {result['errors']} responses were not 2xx/3xx")
    return "\n".join(lines)


@contextlib.contextmanager
def serving(env: dict[str, str], port: int):
    """One gunicorn sync worker on the first core; yields the worker's pid."""
    with gunicorn(env, port) as pids:
        yield pids[0]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = 1, cpus: str | None = "0"):
    """gunicorn with `workers` sync workers pinned to `cpus` (None: anywhere); yields their pids."""
    pinned = ["taskset", "-c", cpus] if cpus else []
    server = subprocess.Popen(
        [
            *pinned,
            str(Path(PYTHON).parent / "gunicorn"),
            "newsroom.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        yield worker_pids(server.pid, workers)
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def varnish_in_front(app_port: int, port: int | None = None, cpus: str | None = "0"):
    """deploy/varnish/newsroom.vcl in front of the app, on `port` (a free one by default), pinned
    to `cpus` (None: anywhere); yields its port and the pid of its cache process, or None
    without varnishd."""
    if shutil.which("varnishd") is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-varnish-"))
    folder.chmod(0o755)  # read by Varnish's unprivileged user
    shutil.copy(VARNISH_VCL, folder / "newsroom.vcl")
    (folder / "site.vcl").write_text(
        f'backend app {{ .host = "127.0.0.1"; .port = "{app_port}"; }}\n'
        'acl purgers { "127.0.0.1"; }\n'
    )
    port = port or free_port()
    pinned = ["taskset", "-c", cpus] if cpus else []
    varnishd = subprocess.Popen(
        [*pinned, "varnishd", "-F", "-n", str(folder / "work")]
        + ["-a", f"127.0.0.1:{port}", "-f", str(folder / "newsroom.vcl")]
        + ["-p", f"vcl_path={folder}", "-s", "malloc,256m"]
        # The header limits of deploy/systemd/varnish.service.d/newsroom.conf: a listing's keys.
        + ["-p", "http_resp_hdr_len=32k", "-p", "http_resp_size=64k"]
        + ["-p", "http_req_hdr_len=16k"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield port, worker_pid(varnishd.pid)
    finally:
        varnishd.terminate()
        varnishd.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def report(probe: dict, results: dict[str, dict]) -> str:
    floor = results["trivial view"]
    lines = [
        f"{probe['vendor']}: {probe['articles']:,} stories ({probe['published']:,} published)",
        "",
        f"{'page':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'queries':>8}"
        f" {'× trivial':>10} {'CPU ×':>7}",
    ]
    for name, result in results.items():
        lines.append(
            f"{name:<28} {result['rps']:>8.0f} {result['p50']:>8.2f} {result['p99']:>8.2f}"
            f" {result['cpu_ms']:>8.2f} {probe['queries'].get(name, 0):>8}"
            f" {result['rps'] / floor['rps']:>10.3f} {result['cpu_ms'] / floor['cpu_ms']:>7.2f}"
        )
        if result["errors"]:
            lines.append(f"  !! {result['errors']} responses were not 2xx/3xx")
        if "edge_cpu_ms" in result:
            lines.append(
                f"  (the app's CPU; Varnish's own: {result['edge_cpu_ms']:.3f} ms a request)"
            )
    for name, reason in probe.get("not_measured", {}).items():
        lines.append(f"{name:<28} not measured: {reason}")
    if probe["explain_ms"]:
        lines.append("")
        lines.append("Listing SQL (EXPLAIN ANALYZE execution time):")
        lines.extend(f"  {name}: {ms} ms" for name, ms in probe["explain_ms"].items())
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (the load generator)")

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = bench_environment(args.database_url or DEFAULT_DATABASE_URL, port)
    prepare(env, args.articles)
    probe_run = subprocess.run(
        [PYTHON, "-m", "bench.probe"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    probe = json.loads(probe_run.stdout)
    statuses = probe["statuses"] | probe["search"]["statuses"]
    broken = {name: code for name, code in statuses.items() if code != 200}
    if broken:
        raise SystemExit(f"pages do not answer 200: {broken}")

    with serving(env, port) as pid:
        results = {
            name: load(f"http://127.0.0.1:{port}{url}", args.seconds, args.connections, pid)
            for name, url in probe["urls"].items()
        }
        searches = {
            name: load_one_at_a_time(f"http://127.0.0.1:{port}{url}", args.seconds, pid)
            for name, url in probe["search"]["urls"].items()
        }
    cold_port = free_port()
    with serving(env | {"FRAGMENT_CACHE_ENABLED": "0"}, cold_port) as pid:
        for name, url in probe["urls"].items():
            if name not in COLD_PAGES:
                continue
            url = f"http://127.0.0.1:{cold_port}{url}"
            results[f"{name}, cold"] = load(url, args.seconds, args.connections, pid)

    # A story page hit costs the same on every story: the one the rows above measured.
    story = probe["urls"]["story page"]
    probe["not_measured"] = {}
    cache_url = os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL)
    caches = {"story, page cache (memory)": {}}
    if redis_answers(cache_url):
        caches["story, page cache (Redis)"] = {"CACHE_URL": cache_url}
    else:
        probe["not_measured"]["story, page cache (Redis)"] = f"no Redis at {cache_url}"
    for name, extra in caches.items():
        cached_port = free_port()
        cached_env = env | {"PAGE_CACHE_ENABLED": "1", **extra}
        with serving(cached_env, cached_port) as pid:
            url = f"http://127.0.0.1:{cached_port}{story}"
            results[name] = load(url, args.seconds, args.connections, pid)
            if extra:
                continue
            with varnish_in_front(cached_port) as edge:
                if edge is None:
                    probe["not_measured"]["story, through Varnish"] = "varnishd not installed"
                    continue
                edge_port, edge_pid = edge
                url = f"http://127.0.0.1:{edge_port}{story}"
                results["story, through Varnish"] = load(
                    url, args.seconds, args.connections, pid, edge_pid
                )
    print(report(probe, results))
    print()
    print(search_report(probe["search"], searches))


if __name__ == "__main__":
    main()
