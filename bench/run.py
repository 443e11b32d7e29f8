# ruff: noqa: S603 - fixed commands of this repository, no outside input
"""``python -m bench``: every benchmark, then docs/performance.md (see bench/report.py).

    .venv/bin/python -m bench                 # full run (make bench), writes docs/performance.md
    .venv/bin/python -m bench --smoke         # tiny sizes, writes to a temporary file
    .venv/bin/python -m bench --only login    # one part (login, pages, figures, messages)

Everything is bounded: each locust run has a --run-time, every wait a timeout, every process
is stopped in a ``finally``, the temporary database is dropped and only Redis db 2 is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common
from bench.common import log

PARTS = ("figures", "login", "pages", "messages")


@dataclass(frozen=True)
class Config:
    name: str
    workers: int
    login_users: int
    login_clients: int
    login_warmup: int
    login_window: int
    hash_seconds: int
    profile_seconds: int
    page_employees: int
    page_users: int
    page_seconds: int
    page_wait: str
    figure_sizes: tuple[int, ...]
    figure_runs: int
    messages: int
    slow_clients: int
    slow_seconds: int


def configs() -> dict[str, Config]:
    cores = os.cpu_count() or 1
    return {
        "full": Config(
            "full",
            workers=common.workers_default(),
            login_users=3000,
            login_clients=4 * cores,
            login_warmup=10,
            login_window=40,
            hash_seconds=15,
            profile_seconds=20,
            page_employees=10_000,
            page_users=20,
            page_seconds=45,
            page_wait="0.5,1.5",
            figure_sizes=(1_000, 10_000, 100_000),
            figure_runs=3,
            messages=1000,
            slow_clients=4,
            slow_seconds=30,
        ),
        "smoke": Config(
            "smoke",
            workers=common.workers_default(),
            login_users=1000,
            login_clients=4 * cores,
            login_warmup=3,
            login_window=8,
            hash_seconds=3,
            profile_seconds=4,
            page_employees=300,
            page_users=20,
            page_seconds=8,
            page_wait="0.5,1.5",
            figure_sizes=(300, 1_000),
            figure_runs=1,
            messages=40,
            slow_clients=2,
            slow_seconds=6,
        ),
    }


# --- locust ---------------------------------------------------------------------------


def locust(
    url: str,
    data_file: Path,
    scenario: str,
    users: int,
    seconds: int,
    out: Path,
    wait: str = "0",
    offset: int = 0,
) -> list[dict[str, str]]:
    """Run the scenario headless for ``seconds``; the rows of locust's stats CSV."""
    prefix = out / f"locust-{scenario}-{int(time.time() * 1000)}"
    command = [
        str(common.BIN / "locust"),
        "-f",
        str(common.ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "BENCH_DATA": str(data_file),
        "BENCH_SCENARIO": scenario,
        "BENCH_WAIT": wait,
        "BENCH_POOL_OFFSET": str(offset),
    }
    subprocess.run(
        command,
        env=env,
        cwd=common.ROOT,
        timeout=seconds + 90,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}.log", "w"),
    )  # noqa: SIM115
    with open(f"{prefix}_stats.csv") as handle:
        return list(csv.DictReader(handle))


def locust_command(scenario: str, users: int, seconds: int, wait: str) -> str:
    return (
        f"BENCH_SCENARIO={scenario} BENCH_WAIT={wait} BENCH_DATA=… .venv/bin/locust -f "
        f"bench/locustfile.py --headless --users {users} --spawn-rate {users} "
        f"--run-time {seconds}s --host http://127.0.0.1:PORT"
    )


def _row(rows: list[dict[str, str]], name: str) -> dict[str, str]:
    for row in rows:
        if row["Name"] == name:
            return row
    return {}


def latency(row: dict[str, str]) -> dict[str, float]:
    if not row:
        return {}
    return {
        "count": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "mean": float(row["Average Response Time"]),
        "rps": float(row["Requests/s"]),
    }


# --- the parts ------------------------------------------------------------------------


def bench_figures(cfg: Config) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import data
    from verzuim.absence import kpis
    from verzuim.absence.kpis import Period, Selection

    results = []
    period = Period(*data.YEAR)
    for size in cfg.figure_sizes:
        started = time.perf_counter()
        user, built = data.figures_tenant(f"fig{size}", size)
        common.analyze()
        log(f"figures: built {built} in {time.perf_counter() - started:.0f} s")
        selection = Selection(user)
        row: dict[str, Any] = {"employees": size, "built": built}
        for label, compute in (
            ("figures", lambda s=selection: kpis.figures_for(s, period)),
            ("dashboard", lambda s=selection: kpis.dashboard(s, period)),
        ):
            compute()  # warm: first-use imports and PostgreSQL caches
            timings, queries = [], 0
            for _ in range(cfg.figure_runs):
                with CaptureQueriesContext(connection) as captured:
                    t0 = time.perf_counter()
                    compute()
                    timings.append(time.perf_counter() - t0)
                queries = len(captured.captured_queries)
            row[label] = {
                "median_s": statistics.median(timings),
                "queries": queries,
                "runs": [round(t * 1000) for t in timings],
            }
        results.append(row)
        log(f"figures: {size} employees: {row['figures']} / {row['dashboard']}")
    return results


def _audit_logins() -> int:
    from verzuim.audit.models import AuditEvent, Event

    return AuditEvent.objects.filter(event=Event.LOGIN_SUCCEEDED).count()


def bench_login(
    cfg: Config, server: common.Gunicorn, data_file: Path, out: Path, hashes: Any
) -> dict[str, Any]:
    import threading

    total = cfg.login_warmup + cfg.login_window + 5
    result: dict[str, Any] = {}

    def measure() -> None:
        time.sleep(cfg.login_warmup)
        cpu0, n0, t0 = server.cpu_seconds(), _audit_logins(), time.monotonic()
        time.sleep(cfg.login_window)
        cpu1, n1, t1 = server.cpu_seconds(), _audit_logins(), time.monotonic()
        result.update(cpu=cpu1 - cpu0, logins=n1 - n0, seconds=t1 - t0)

    meter = threading.Thread(target=measure)
    meter.start()
    rows = locust(server.url, data_file, "login", cfg.login_clients, total, out)
    meter.join(timeout=30)
    flow = latency(_row(rows, "complete login (5 requests)"))
    steps = {r["Name"]: latency(r) for r in rows if r["Name"][:1].isdigit()}
    logins_per_s = result["logins"] / result["seconds"]
    cpu_per_login = result["cpu"] / max(result["logins"], 1)
    result.update(
        logins_per_s=logins_per_s,
        cpu_per_login=cpu_per_login,
        hashes_per_s=hashes.per_second,
        cpu_per_hash=hashes.cpu_per_hash,
        rate_ratio=logins_per_s / hashes.per_second,
        cpu_ratio=cpu_per_login / hashes.cpu_per_hash,
        flow=flow,
        steps=steps,
        failures=sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated"),
        clients=cfg.login_clients,
        command=locust_command("login", cfg.login_clients, total, "0"),
    )
    return result


def profile_login(
    cfg: Config, server: common.Gunicorn, data_file: Path, out: Path
) -> dict[str, Any]:
    from bench import profile

    raw = out / "login-profile.txt"
    spy = subprocess.Popen(
        [
            str(common.BIN / "py-spy"),
            "record",
            "--pid",
            str(server.proc.pid),
            "--subprocesses",
            "--duration",
            str(cfg.profile_seconds),
            "--rate",
            "200",
            "--nonblocking",
            "--gil",
            "--format",
            "raw",
            "--output",
            str(raw),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        locust(
            server.url,
            data_file,
            "login",
            cfg.login_clients,
            cfg.profile_seconds + 2,
            out,
            offset=cfg.login_users * 2 // 3,
        )
        _, err = spy.communicate(timeout=60)
    finally:
        common.stop_process(spy)
    if not raw.exists():
        return {"error": (err or b"").decode(errors="replace")[-500:]}
    parsed = profile.parse(raw.read_text())
    return {
        "samples": parsed.samples,
        "hash_share": parsed.hash_share,
        "overhead": parsed.overhead,
        "groups": parsed.groups.most_common(),
        "self": parsed.self_time.most_common(25),
        "inclusive": parsed.inclusive.most_common(25),
        "command": f"py-spy record --pid GUNICORN_MASTER --subprocesses --duration "
        f"{cfg.profile_seconds} --rate 200 --nonblocking --gil --format raw",
    }


def bench_pages(cfg: Config, server: common.Gunicorn, data_file: Path, out: Path) -> dict[str, Any]:
    names = (
        "dashboard /verzuim/dashboard/",
        "action list /verzuim/actiemonitor/",
        "case page /verzuim/trajecten/<id>/",
        "employee list /verzuim/medewerkers/",
    )
    runs = {}
    for offset, (label, wait) in enumerate((("think", cfg.page_wait), ("saturated", "0"))):
        rows = locust(
            server.url,
            data_file,
            "pages",
            cfg.page_users,
            cfg.page_seconds,
            out,
            wait,
            offset=offset * cfg.page_users,
        )
        runs[label] = {
            "wait": wait,
            "pages": {n: latency(_row(rows, n)) for n in names},
            "all": latency(_row(rows, "Aggregated")),
            "command": locust_command("pages", cfg.page_users, cfg.page_seconds, wait),
        }
        log(f"pages ({label}): { {n: runs[label]['pages'][n].get('p95') for n in names} }")
    return runs


def _sent_span(tenant: Any) -> tuple[int, float]:
    from django.db.models import Max, Min

    from verzuim.messaging.models import OutgoingMessage, Status

    sent = OutgoingMessage.objects.filter(tenant=tenant, status=Status.SENT)
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds() if span["first"] else 0.0
    return sent.count(), seconds


def bench_worker(tenant: Any, count: int, env: dict[str, str], label: str) -> dict[str, Any]:
    """Queue ``count`` SMS, run ``manage.py run_worker`` until all are sent."""
    from verzuim.messaging.actions import queue_sms
    from verzuim.messaging.models import OutgoingMessage

    OutgoingMessage.objects.all().delete()
    from django.db import transaction

    with transaction.atomic():
        for i in range(count):
            queue_sms(tenant=tenant, to=f"+3161{i:07d}", body=f"Bench message {i}")
    command = [common.PYTHON, "manage.py", "run_worker", "--interval", "0.2"]
    proc = subprocess.Popen(command, cwd=common.ROOT, env=env, start_new_session=True)
    started = time.monotonic()
    try:
        deadline = started + max(120, count * 0.5)
        sent = 0
        while time.monotonic() < deadline:
            sent, _ = _sent_span(tenant)
            if sent >= count:
                break
            time.sleep(0.5)
    finally:
        common.stop_process(proc)
    sent, span = _sent_span(tenant)
    return {
        "label": label,
        "messages": count,
        "sent": sent,
        "span_s": span,
        "per_s": (sent - 1) / span if span else 0.0,
        "wall_s": time.monotonic() - started,
        "command": "manage.py run_worker --interval 0.2",
    }


def bench_messages(
    cfg: Config, url: str, tenant: Any, data_file: Path, out: Path
) -> dict[str, Any]:
    from bench.fake_sms import FakeSms

    result: dict[str, Any] = {}
    dev_env = common.base_env(url, "development")
    result["outbox"] = bench_worker(tenant, cfg.messages, dev_env, "outbox backend")
    log(f"messages: outbox {result['outbox']['per_s']:.0f}/s")
    with FakeSms(0.0) as fake:
        env = common.production_env(url, fake.url)
        result["twilio"] = bench_worker(
            tenant, cfg.messages // 2, env, "Twilio backend, local fake answering at once"
        )
    log(f"messages: twilio fake {result['twilio']['per_s']:.0f}/s")
    from verzuim.messaging.models import OutgoingMessage

    OutgoingMessage.objects.all().delete()
    with FakeSms(2.0) as fake:
        env = common.production_env(url, fake.url)
        worker = subprocess.Popen(
            [common.PYTHON, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=common.ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            with common.gunicorn(env, cfg.workers, out / "gunicorn-sms.log") as server:
                rows = locust(
                    server.url, data_file, "sms", cfg.slow_clients, cfg.slow_seconds, out, wait="1"
                )
        finally:
            common.stop_process(worker, timeout=10)
        received = fake.received
    result["slow"] = {
        "delay_s": 2.0,
        "clients": cfg.slow_clients,
        "password": latency(_row(rows, "sms: POST password (queues the SMS)")),
        "code_page": latency(_row(rows, "sms: GET code page")),
        "provider_received": received,
        "seconds": cfg.slow_seconds,
        "command": locust_command("sms", cfg.slow_clients, cfg.slow_seconds, "1"),
    }
    log(f"messages: slow provider {result['slow']['password']} {result['slow']['code_page']}")
    return result


# --- the run --------------------------------------------------------------------------


def run(cfg: Config, parts: tuple[str, ...], output: Path) -> dict[str, Any]:
    from bench import data, hashrate, report

    results: dict[str, Any] = {"config": cfg.__dict__, "parts": parts}
    results["machine"] = common.machine()
    log(f"machine: {results['machine']}")
    out = Path(tempfile.mkdtemp(prefix="verzuim-bench-"))
    started = time.monotonic()
    common.flush_redis()
    try:
        with common.temp_database() as url:
            common.setup_django(url)
            common.migrate()
            if "figures" in parts:
                results["figures"] = bench_figures(cfg)
            if {"login", "pages", "messages"} & set(parts):
                from verzuim.accounts.models import User

                t0 = time.perf_counter()
                bench_tenant = data.tenant("bench")
                actor = User.objects.create(
                    tenant=bench_tenant, username="bench.actor", roles=["case_manager"]
                )
                built = data.absence_tenant(bench_tenant, cfg.page_employees, actor)
                from verzuim.absence.models import Employer

                employers = list(Employer.objects.filter(tenant=bench_tenant))
                login_users = data.login_users(
                    bench_tenant, "login", cfg.login_users, totp=True, employers=employers[:1]
                )
                page_users = data.login_users(
                    bench_tenant,
                    "pages",
                    cfg.page_users * 2,
                    totp=True,
                    roles=["case_manager"],
                    employers=employers,
                )
                sms_users = data.login_users(bench_tenant, "sms", 400, totp=False)
                common.analyze()
                built["build seconds"] = round(time.perf_counter() - t0)
                results["pages_data"] = built
                log(f"data: {built}")
                files = {}
                for key, users in (
                    ("login", login_users),
                    ("pages", page_users),
                    ("sms", sms_users),
                ):
                    files[key] = out / f"{key}-users.json"
                    files[key].write_text(
                        json.dumps(
                            {
                                "users": users,
                                "password": common.PASSWORD,
                                "case_ids": data.open_case_ids(bench_tenant),
                            }
                        )
                    )
                prod = common.production_env(url)
                common.collectstatic(prod)
                if {"login", "pages"} & set(parts):
                    hashes = hashrate.measure(cfg.workers, cfg.hash_seconds)
                    results["hashes"] = hashes.__dict__ | {
                        "per_second": hashes.per_second,
                        "cpu_per_hash": hashes.cpu_per_hash,
                    }
                    log(
                        f"hash rate: {hashes.per_second:.1f}/s in {cfg.workers} processes, "
                        f"{hashes.cpu_per_hash * 1000:.1f} ms CPU each"
                    )
                    with common.gunicorn(prod, cfg.workers, out / "gunicorn.log") as server:
                        results["gunicorn"] = " ".join(server.command[1:]).replace(
                            str(common.ROOT) + "/", ""
                        )
                        if "login" in parts:
                            results["login"] = bench_login(cfg, server, files["login"], out, hashes)
                            log(
                                f"login: {results['login']['logins_per_s']:.1f}/s, CPU ratio "
                                f"{results['login']['cpu_ratio']:.2f}"
                            )
                            results["profile"] = profile_login(cfg, server, files["login"], out)
                        if "pages" in parts:
                            results["pages"] = bench_pages(cfg, server, files["pages"], out)
                        results["memory"] = server.peak_rss_mib()
                        log(f"peak RSS per worker: {results['memory']}")
                if "messages" in parts:
                    results["messages"] = bench_messages(cfg, url, bench_tenant, files["sms"], out)
    finally:
        common.flush_redis()
    results["total_seconds"] = round(time.monotonic() - started)
    results["load_after"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    output.write_text(report.render(results))
    log(f"wrote {output} (raw results and locust logs in {out})")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI sanity, ~2 min)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma list of {PARTS}")
    parser.add_argument("--render", type=Path, help="only re-render a saved results.json")
    parser.add_argument(
        "--output", type=Path, help="default: docs/performance.md (a temporary file with --smoke)"
    )
    args = parser.parse_args(argv)
    if args.render:
        from bench import report

        output = args.output or common.ROOT / "docs" / "performance.md"
        output.write_text(report.render(json.loads(args.render.read_text())))
        return
    cfg = configs()["smoke" if args.smoke else "full"]
    parts = tuple(p for p in args.only.split(",") if p)
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    output = args.output or (
        Path(tempfile.mkstemp(prefix="performance-smoke-", suffix=".md")[1])
        if args.smoke
        else common.ROOT / "docs" / "performance.md"
    )
    # SIGTERM (e.g. a timeout) unwinds like Ctrl-C: every finally stops its processes and the
    # temporary database is dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    run(cfg, parts, output)
