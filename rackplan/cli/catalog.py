"""``rackplan catalog``: list, show and validate hardware catalog entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ..errors import CatalogError
from ..export import catalog_stub_from_netbox
from ..loading import check_catalog_file, load_catalog, suggest
from ..models import GPU, Appliance, Catalog, Optic, RackType, Server, Switch
from ..models.catalog import months_between
from ..render.table import Marked, csv_text, json_text, key_value_table, table
from ._options import catalog_option, emit, format_option, output_option

_KINDS = ("gpus", "servers", "racks", "switches", "optics", "appliances")

_SUMMARY: dict[str, list[tuple[str, str | None, Any]]] = {
    # (column, the field it shows (marked when estimated), value)
    "gpus": [
        ("id", None, lambda g: g.id),
        ("vendor", None, lambda g: g.vendor),
        ("name", None, lambda g: g.name),
        ("memory_gb", "memory_gb", lambda g: g.memory_gb),
        ("tdp_w", "tdp_w", lambda g: g.tdp_w),
        ("bf16_tflops", "bf16_tflops", lambda g: g.bf16_tflops),
        ("fp8_tflops", "fp8_tflops", lambda g: g.fp8_tflops),
        ("generation", None, lambda g: g.generation),
    ],
    "servers": [
        ("id", None, lambda s: s.id),
        ("vendor", None, lambda s: s.vendor),
        ("model", None, lambda s: s.model),
        ("gpu", None, lambda s: s.gpu),
        ("gpus", "gpu_count", lambda s: s.gpu_count),
        ("u", "u_height", lambda s: s.u_height),
        ("max_kw", "power_max_w", lambda s: s.power_max_w / 1000),
        ("cooling", None, lambda s: s.cooling + (" (rack)" if s.rack_scale else "")),
        ("weight_kg", "weight_kg", lambda s: s.weight_kg),
        ("price_usd", "price_usd", lambda s: s.price_usd),
        ("lead_weeks", "lead_time_weeks", lambda s: s.lead_time_weeks),
        ("origin", "origin", lambda s: s.origin),
        ("available", None, lambda s: s.available),
    ],
    "racks": [
        ("id", None, lambda r: r.id),
        ("u", "u_height", lambda r: r.u_height),
        ("power_kw", "power_kw", lambda r: r.power_kw),
        ("feeds", "feeds", lambda r: r.feeds),
        ("air_kw", "air_cooling_kw", lambda r: r.air_cooling_kw),
        ("liquid_kw", "liquid_cooling_kw", lambda r: r.liquid_cooling_kw),
        ("max_load_kg", "max_load_kg", lambda r: r.max_load_kg),
        ("price_usd", "price_usd", lambda r: r.price_usd),
    ],
    "switches": [
        ("id", None, lambda s: s.id),
        ("vendor", None, lambda s: s.vendor),
        ("model", None, lambda s: s.model),
        ("fabric", None, lambda s: s.fabric),
        ("ports", "ports", lambda s: f"{s.ports} x {s.port_gbps:g}G"
         + (f" + {s.uplink_ports} x {s.uplink_gbps:g}G up" if s.uplink_ports else "")),
        ("u", "u_height", lambda s: s.u_height),
        ("typical_kw", "power_typical_w", lambda s: s.power_typical_w / 1000),
        ("max_kw", "power_max_w", lambda s: s.power_max_w / 1000),
        ("price_usd", "price_usd", lambda s: s.price_usd),
        ("lead_weeks", "lead_time_weeks", lambda s: s.lead_time_weeks),
    ],
    "optics": [
        ("id", None, lambda o: o.id),
        ("kind", None, lambda o: o.kind),
        ("gbps", "gbps", lambda o: o.gbps),
        ("ports", "ports", lambda o: o.ports),
        ("form_factor", None, lambda o: o.form_factor),
        ("reach_m", "reach_m", lambda o: o.reach_m),
        ("power_w", "power_w", lambda o: o.power_w),
        ("price_usd", "price_usd", lambda o: o.price_usd),
    ],
    "appliances": [
        ("id", None, lambda a: a.id),
        ("vendor", None, lambda a: a.vendor),
        ("model", None, lambda a: a.model),
        ("u", "u_height", lambda a: a.u_height),
        ("max_kw", "power_max_w", lambda a: a.power_max_w / 1000),
        ("price_usd", "price_usd", lambda a: a.price_usd),
        ("lead_weeks", "lead_time_weeks", lambda a: a.lead_time_weeks),
    ],
}

ESTIMATE_MARK = "~"
"""Marks a figure that rests on an estimate in ``catalog list`` tables."""

_TITLES = {"gpus": "GPUs", "servers": "Servers", "racks": "Rack types", "switches": "Switches",
           "optics": "Optics and cables", "appliances": "Appliances"}
_SINGULAR = {"gpus": "gpu", "servers": "server", "racks": "rack", "switches": "switch",
             "optics": "optic", "appliances": "appliance"}
_KIND_OF = {GPU: "gpus", Server: "servers", RackType: "racks", Switch: "switches",
            Optic: "optics", Appliance: "appliances"}


class _NotFound(click.ClickException):
    exit_code = 2


@click.group()
def catalog() -> None:
    """Browse and check the hardware catalog (GPUs, servers, rack types, switches, optics,
    appliances)."""


def _select(
    cat: Catalog, kind: str | None, vendor: str | None, gpu: str | None, cooling: str | None
) -> dict[str, list[Any]]:
    """Entries per section after filters; a filter drops the sections it cannot apply to."""
    sections: dict[str, list[Any]] = {k: list(getattr(cat, k)) for k in _TITLES}
    if kind:
        sections = {kind: sections[kind]}
    if vendor:
        v = vendor.lower()
        sections = {k: [e for e in items if e.vendor.lower() == v]
                    for k, items in sections.items() if k not in ("racks", "optics")}
    if gpu:
        sections = {k: [e for e in items if (e.id if k == "gpus" else e.gpu) == gpu]
                    for k, items in sections.items() if k in ("gpus", "servers")}
    if cooling:
        def has(entry: Any) -> bool:
            if isinstance(entry, Server):
                return entry.cooling == cooling
            if cooling == "liquid":
                return entry.liquid_cooling_kw > 0
            return entry.liquid_cooling_kw == 0
        sections = {k: [e for e in items if has(e)]
                    for k, items in sections.items() if k in ("servers", "racks")}
    return sections


def _entry_record(cat: Catalog, entry: Any, kind: str) -> dict[str, Any]:
    record = {"kind": _SINGULAR[kind], **entry.model_dump(mode="json")}
    record["file"] = cat.source_files.get(entry.id)
    record["estimated"] = entry.estimated_fields()
    return record


def _age(entry: Any, on: dt.date) -> int | None:
    """Whole months from the entry's ``as_of`` to ``on`` (None: undated)."""
    return None if entry.as_of is None else months_between(entry.as_of, on)


def _row(entry: Any, kind: str, on: dt.date | None) -> list[Any]:
    """A summary row; estimated figures marked, and the entry's month (with its age)."""
    estimated = set(entry.estimated_fields())
    row: list[Any] = [Marked(get(entry), ESTIMATE_MARK) if field in estimated else get(entry)
                      for _, field, get in _SUMMARY[kind]]
    age = _age(entry, on) if on is not None else None
    row.append(entry.as_of if age is None else f"{entry.as_of} ({age} mo)")
    return row


@catalog.command("list")
@click.option("--kind", type=click.Choice(_KINDS), help="Only this section.")
@click.option("--vendor", help="Only GPUs, servers, switches and appliances from this vendor "
                               "(case-insensitive).")
@click.option("--gpu", help="Only servers holding this GPU id (and that GPU).")
@click.option("--cooling", type=click.Choice(["air", "liquid"]),
              help="Only servers with this cooling, and rack types offering it "
                   "(liquid: any liquid capacity; air: air only).")
@click.option("--stale", type=click.IntRange(min=0), metavar="MONTHS",
              help="Only entries whose figures are more than MONTHS whole months old (their "
                   "as_of month to the month of --on), and undated ones.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The date --stale counts from (default: today).")
@format_option("table", "json", "csv")
@output_option
@catalog_option
def list_cmd(kind: str | None, vendor: str | None, gpu: str | None, cooling: str | None,
             stale: int | None, on: dt.datetime | None, fmt: str, output: str | None,
             catalog_files: tuple[str, ...]) -> None:
    """List catalog entries, optionally filtered.

    In the table, ~ after a figure marks an estimate (no public figure; `rackplan catalog
    show ID` gives the reason), and as_of is the month the entry's figures were current
    (with --stale, and their age in months). JSON and CSV give the estimated fields in
    `estimated`.

    \b
    Examples:
      rackplan catalog list
      rackplan catalog list --vendor dell --cooling liquid
      rackplan catalog list --gpu h200-sxm --format csv
      rackplan catalog list --stale 12
      rackplan catalog list --format json --catalog my-prices.yaml
    """
    if on is not None and stale is None:
        raise click.UsageError("--on gives the date --stale counts from; give --stale MONTHS too")
    cat = load_catalog(*catalog_files)
    sections = _select(cat, kind, vendor, gpu, cooling)
    day = on.date() if on is not None else dt.date.today()
    if stale is not None:
        sections = {k: [e for e in items if (age := _age(e, day)) is None or age > stale]
                    for k, items in sections.items()}
    def record(entry: Any, k: str) -> dict[str, Any]:
        out = _entry_record(cat, entry, k)
        if stale is not None:
            out["age_months"] = _age(entry, day)
        return out

    if fmt == "json":
        text = json_text({k: [record(e, k) for e in items] for k, items in sections.items()})
    elif fmt == "csv":
        records = [record(e, k) for k, items in sections.items() for e in items]
        headers: list[str] = []
        for rec in records:
            headers.extend(h for h in rec if h not in headers)
        text = csv_text(headers, [[r.get(h) for h in headers] for r in records])
    else:
        parts = []
        when = f" older than {stale} months on {day}, or undated" if stale is not None else ""
        filtered = any(x is not None for x in (kind, vendor, gpu, cooling, stale))
        for k, items in sections.items():
            if filtered and not items and not kind:
                continue  # only the sections with something that matches
            rows = [_row(e, k, day if stale is not None else None) for e in items]
            parts.append(table([name for name, _, _ in _SUMMARY[k]] + ["as_of"], rows,
                               title=f"{_TITLES[k]} ({len(items)}{when})"))
        if not parts:
            parts.append(f"No entry is more than {stale} months old on {day}, and none is "
                         "undated.\n" if stale is not None else "No entry matches.\n")
        marked = sum(bool(e.estimated_fields()) for items in sections.values() for e in items)
        if marked:
            parts.append(f"{ESTIMATE_MARK} estimate: no public figure; "
                         "`rackplan catalog show ID` gives the reason\n")
        text = "\n".join(parts)
    emit(text, output)


@catalog.command("show")
@click.argument("entry_id", metavar="ID")
@format_option("table", "json")
@output_option
@catalog_option
def show_cmd(entry_id: str, fmt: str, output: str | None, catalog_files: tuple[str, ...]) -> None:
    """Show every field of one entry (GPU, server or rack type) and its sources."""
    cat = load_catalog(*catalog_files)
    if entry_id not in cat:
        ids = [e.id for k in _TITLES for e in getattr(cat, k)]
        close = sorted(i for i in ids if entry_id.lower() in i) or suggest(entry_id.lower(), ids)
        hint = f"; did you mean: {', '.join(close[:5])}" if close else \
            "; see 'rackplan catalog list'"
        raise _NotFound(f"no catalog entry with id {entry_id!r}{hint}")
    entry = cat.get(entry_id)
    kind = _KIND_OF[type(entry)]
    record = _entry_record(cat, entry, kind)
    if fmt == "json":
        emit(json_text(record), output)
        return
    estimated = set(record["estimated"])
    pairs = [(k, Marked(v, "  (estimate)") if k in estimated else v)
             for k, v in ((k, _ports_text(v) if k == "network" and v else v)
                          for k, v in record.items() if k not in ("sources", "file", "estimated"))]
    if isinstance(entry, Server):
        gpu = cat.gpu(entry.gpu)
        pairs.append(("gpu_memory_gb (per GPU)", gpu.memory_gb))
        pairs.append(("fp8_pflops (dense, whole unit)", gpu.fp8_tflops * entry.gpu_count / 1000))
    if isinstance(entry, RackType):
        pairs.append(("usable_power_kw (N / 2N)",
                      f"{entry.usable_power_kw('N'):g} / {entry.usable_power_kw('2N'):g}"))
    text = key_value_table(pairs)
    figures = entry.figure_fields()
    text += (f"\n{len(estimated)} of {len(figures)} figures rest on estimates (marked); "
             "see their reasons below, or override them with a quote (README, 'Your own "
             "prices').\n" if estimated else f"\nAll {len(figures)} figures are sourced.\n")
    text += f"file: {record['file']}\nsources:\n"
    text += "".join(f"  - {s}\n" for s in entry.sources) or "  (none)\n"
    emit(text, output)


def _ports_text(network: dict[str, Any]) -> str:
    """``compute 8 x 400G (osfp); oob 1 x 1G (rj45)`` from a ``network`` mapping."""
    parts = []
    for fabric, port in network.items():
        if port:
            text = f"{fabric} {port['ports']} x {port['gbps']:g}G"
            extra = [x for x in (port.get("cage"), port.get("rails") and f"{port['rails']} rails") if x]
            parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return "; ".join(parts)


VALIDATE_SHOWN = 50
"""``catalog validate`` prints at most this many problems (all of them with ``--all``)."""


@catalog.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--all", "show_all", is_flag=True,
              help=f"Print every problem found; by default the first {VALIDATE_SHOWN}.")
def validate_cmd(files: tuple[str, ...], show_all: bool) -> None:
    """Check user catalog files: each alone, then merged with the bundled catalog.

    Alone: YAML syntax, sections, entry shape, duplicate ids within the file.
    Merged: every field of every entry (overrides applied), ids unique across
    files, and every server's GPU id known. A file that cannot be read (not
    found, bad YAML) is one problem; the other files are checked all the same.
    Exit 0 when all is well; otherwise every problem, one per line on stderr,
    file by file (the first 50 and a count of the rest without --all), and exit 2.
    """
    problems = []
    counts = {}
    for path in files:
        try:  # named as the merged load names it (a.yaml for ./a.yaml), so each is listed once
            counts[path] = check_catalog_file(Path(path))
        except CatalogError as exc:
            problems.extend(exc.problems)
    # the merged load validates every entry in full: run it even when a file has problems of
    # its own, so that every problem is listed at once (each only once)
    try:
        merged = load_catalog(*files)
    except CatalogError as exc:
        seen = {(p.file, p.entry, p.field) for p in problems}
        problems.extend(p for p in exc.problems if (p.file, p.entry, p.field) not in seen)
    if problems:
        order = {str(Path(path)): i for i, path in reversed(list(enumerate(files)))}
        problems.sort(key=lambda p: order.get(p.file or "", len(files)))  # stable: file by file
        shown = problems if show_all else problems[:VALIDATE_SHOWN]
        for problem in shown:
            click.echo(f"error: {problem}", err=True)
        rest = len(problems) - len(shown)
        if rest:
            click.echo(f"... and {rest} more problem{'s' if rest > 1 else ''} "
                       "(--all prints every one)", err=True)
        raise click.exceptions.Exit(2)
    for path in files:
        click.echo(f"ok: {path} ({counts[path]} entr{'y' if counts[path] == 1 else 'ies'})")
    click.echo(f"ok: merged with the bundled catalog: {len(merged.gpus)} GPUs, "
               f"{len(merged.servers)} servers, {len(merged.racks)} rack types")


@catalog.command("import-netbox")
@click.argument("file", metavar="FILE.yaml", type=click.Path(dir_okay=False))
@click.option("--as", "kind", type=click.Choice(["server", "appliance"]), default="server",
              show_default=True, help="Make a server entry or an appliance entry.")
@output_option
def import_netbox_cmd(file: str, kind: str, output: str | None) -> None:
    """Turn a NetBox device-type YAML into a catalog entry stub.

    Takes vendor, model, u_height, weight_kg (from weight and weight_unit), power_max_w (the
    power ports' maximum_draw summed, when given) and NIC ports (management-only interfaces as
    oob, the fastest others as compute, or inband with --as appliance). Every field NetBox
    does not carry (for a server: gpu, gpu_count, scale_up_gpus, power_idle_w, cooling,
    liquid_fraction, price_usd, lead_time_weeks, origin) is written as null with a TODO
    comment, so the stub fails validation until you fill them in; stderr names them.

    \b
    Example:
      rackplan catalog import-netbox device-types/Lenovo/ThinkSystem-SR680a-v3.yaml -o sr680a.yaml
      rackplan catalog validate sr680a.yaml
    """
    stub = catalog_stub_from_netbox(file, kind)
    emit(stub.text, output)
    if stub.missing:
        click.echo(f"add {', '.join(stub.missing)} before use; "
                   f"`rackplan catalog validate {output or 'FILE'}` checks them", err=True)
