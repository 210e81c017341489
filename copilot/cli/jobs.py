"""`jobs list | save | stop | resume | delete`."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.cli.table import Column, table

if TYPE_CHECKING:
    from copilot.capabilities.jobs import Jobs


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    jobs = subparsers.add_parser("jobs", parents=[parent], help="persistent Flink jobs saved from answers")
    sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", parents=[parent], help="saved jobs with their Flink state")
    add_json_flag(p)
    p.set_defaults(handler=_list)
    p = sub.add_parser("save", parents=[parent], help="save a query as a persistent job writing to a Kafka topic")
    p.add_argument("--name", required=True, help="job name: lower-case letters, digits, _")
    p.add_argument("--sql", required=True, help="the SELECT query the job runs")
    p.add_argument("--output-topic", default=None, help="Kafka topic the job writes (default job_<name>)")
    p.add_argument("--replace", action="store_true", help="replace a saved job of the same name")
    p.add_argument(
        "--preview",
        action="store_true",
        help="save nothing: print the query's result over the last few minutes of recorded data (a bounded "
        "replay), its row count and the estimated state size",
    )
    p.add_argument("--preview-last", default="5m", metavar="DURATION", help="recorded data the preview reads (default 5m)")
    add_json_flag(p)
    p.set_defaults(handler=_save)
    p = sub.add_parser("stop", parents=[parent], help="stop a saved job")
    p.add_argument("name")
    p.add_argument("--savepoint", action="store_true", help="take a savepoint so `resume` continues where it stopped")
    add_json_flag(p)
    p.set_defaults(handler=_stop)
    p = sub.add_parser("resume", parents=[parent], help="resume a stopped job from its last savepoint")
    p.add_argument("name")
    add_json_flag(p)
    p.set_defaults(handler=_resume)
    p = sub.add_parser("delete", parents=[parent], help="stop a saved job and forget it, with its output topic")
    p.add_argument("name")
    p.add_argument("--keep-topic", action="store_true", help="keep the output topic, its records and its catalog entry")
    add_json_flag(p)
    p.set_defaults(handler=_delete)


def _service(args: argparse.Namespace) -> Jobs:
    return cli_services(args).jobs()


def _when(ms: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else "-"


_COLUMNS: tuple[Column, ...] = (
    ("name", 24, lambda r: r["name"]),
    ("state", 12, lambda r: r["state"]),
    ("output topic", 28, lambda r: r["output_topic"]),
    ("started", 20, lambda r: _when(r["start_time"])),
    ("savepoint", 0, lambda r: r["savepoint"] or "-"),
)


def _list(args: argparse.Namespace) -> int:
    rows = _service(args).list()
    emit(args, {"jobs": rows}, table(rows, _COLUMNS, "no saved jobs"))
    return 0


def _save(args: argparse.Namespace) -> int:
    if args.preview:
        return _preview(args)
    service = _service(args)
    try:
        job = service.save(args.name, args.sql, args.output_topic, replace=args.replace)
    finally:
        if service.audit is not None:
            service.audit.flush()
    emit(
        args,
        {
            "name": job.name,
            "flink_job_id": job.flink_job_id,
            "output_topic": job.output_topic,
            "changelog": job.changelog,
            "primary_key": job.primary_key,
        },
        f"saved job {job.name} (Flink job {job.flink_job_id}) writing to topic {job.output_topic}",
    )
    return 0


def _preview(args: argparse.Namespace) -> int:
    from copilot.eval.preview import preview, render

    services = cli_services(args)
    try:
        result = preview(
            args.sql.strip().rstrip(";"),
            services.catalog.load().topics,
            gateway=services.replay_gateway(),
            last=args.preview_last,
            audit=services.audit,
        )
    finally:
        services.close()
    emit(args, {"name": args.name, "saved": False, "preview": result}, lambda d: render(d["preview"]))
    return 0


def _stop(args: argparse.Namespace) -> int:
    job = _service(args).stop(args.name, savepoint=args.savepoint)
    emit(
        args,
        {"name": job.name, "savepoint": job.savepoint, "state": "STOPPED"},
        f"stopped job {job.name}" + (f"; savepoint {job.savepoint}" if args.savepoint else ""),
    )
    return 0


def _resume(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        job = service.resume(args.name)
    finally:
        if service.audit is not None:
            service.audit.flush()
    emit(
        args,
        {"name": job.name, "flink_job_id": job.flink_job_id, "savepoint": job.savepoint},
        f"resumed job {job.name} (Flink job {job.flink_job_id})" + (f" from {job.savepoint}" if job.savepoint else ""),
    )
    return 0


def _delete(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        job = service.delete(args.name, keep_topic=args.keep_topic)
    finally:
        if service.audit is not None:
            service.audit.flush()
    kept = f"; topic {job.output_topic} kept" if args.keep_topic else f" and its topic {job.output_topic}"
    emit(
        args,
        {"name": job.name, "output_topic": job.output_topic, "topic_deleted": not args.keep_topic},
        f"deleted job {job.name}{kept}",
    )
    return 0
