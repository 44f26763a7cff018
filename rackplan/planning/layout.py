"""Where each unit sits in its rack, what each power feed carries, and which racks a feed loss
would trip.

The packer decides which servers share a rack; this module only lays them out. Units are
stacked from the lowest free unit up, heaviest first (a rack's centre of gravity stays low
and the heavy units are lifted least), above the units the rack type reserves at the bottom
and below those it reserves at the top. The packer checked the units against the rack's
usable height (``u_height`` less the reserved units), so the stack never overlaps or
overflows; :func:`slots_for` checks it again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..models import RackType, Site
from ..models.result import Feed, FeedLoss, Rack, Slot
from .units import rounded

FEED_NAMES = "ABCDEFGH"
"""Feed letters, in order (a rack type has at most 8 feeds)."""


@dataclass(frozen=True)
class Unit:
    """One server or device to lay out."""

    device: str
    workload: str | None
    kind: Literal["server", "device"]
    u_height: int
    weight_kg: float
    kw: float
    fabric: str | None = None
    role: str | None = None
    phase: int | None = None


def slots_for(rack: RackType, units: list[Unit], rack_id: str = "") -> list[Slot]:
    """The rack's slots: reserved units, then every unit stacked heaviest first from the bottom.

    Ties keep a stable order: by device id, then workload, so that identical racks get
    identical layouts.
    """
    slots: list[Slot] = []
    if rack.reserved_u_bottom:
        slots.append(Slot(u=1, height=rack.reserved_u_bottom, device="reserved", workload=None,
                          kind="reserved", label="power (reserved)"))
    order = sorted(units, key=lambda x: (-x.weight_kg / x.u_height, -x.weight_kg, x.device,
                                         x.workload or "", x.phase or 0, x.fabric or ""))
    u = rack.reserved_u_bottom + 1
    for x in order:
        slots.append(Slot(u=u, height=x.u_height, device=x.device, workload=x.workload,
                          kind=x.kind, fabric=x.fabric, role=x.role, kw=rounded(x.kw),
                          weight_kg=rounded(x.weight_kg), phase=x.phase))
        u += x.u_height
    top = rack.u_height - rack.reserved_u_top + 1
    if u > top:
        raise AssertionError(f"rack {rack_id} ({rack.id}): {u - 1 - rack.reserved_u_bottom} U of "
                             f"units above {rack.usable_u} usable U")  # the packer checked this
    if rack.reserved_u_top:
        slots.append(Slot(u=top, height=rack.reserved_u_top, device="reserved", workload=None,
                          kind="reserved", label="top of rack (reserved)"))
    return slots


def feed_kw(rack: RackType, power_kw: float, redundancy: str) -> float:
    """The most one feed must carry: under ``N`` its share of the rack; under ``2N`` each
    side (half the feeds) must carry the whole rack alone."""
    if redundancy == "2N":
        return power_kw / max(rack.feeds // 2, 1)
    return power_kw / rack.feeds


def amps(kw: float, site: Site) -> float:
    """Line current of a three-phase load: ``kW * 1000 / (sqrt(3) * V * PF)``."""
    return kw * 1000.0 / (math.sqrt(3.0) * site.voltage_v * site.power_factor)


def feeds_for(rack: RackType, power_kw: float, site: Site) -> list[Feed]:
    """One entry per feed: the kW it must carry and its amps at the site's voltage and power
    factor, beside its share in normal operation and the feed's rating."""
    kw = feed_kw(rack, power_kw, site.power_redundancy)
    normal = power_kw / rack.feeds
    return [Feed(feed=FEED_NAMES[i], kw=rounded(kw), amps=rounded(amps(kw, site)),
                 normal_kw=rounded(normal), rated_kw=rack.power_kw,
                 rated_amps=rounded(amps(rack.power_kw, site)))
            for i in range(rack.feeds)]


def feed_loss(racks: list[Rack], types: dict[str, RackType], site: Site,
              gpus_in: dict[str, int]) -> FeedLoss | None:
    """Under ``N`` redundancy, the racks whose remaining feeds cannot carry their load when one
    feed fails (each remaining feed then carries ``power_kw / (feeds - 1)``; a rack with a
    single feed goes dark). None under ``2N``, where each side carries the whole rack."""
    if site.power_redundancy != "N":
        return None
    trip = []
    for r in racks:
        survivor = r.surviving_feed_kw()
        if r.power_kw > 0 and (survivor is None
                               or survivor > types[r.rack].power_kw * (1 + 1e-9)):
            trip.append(r)
    return FeedLoss(racks=[r.id for r in trip], it_kw=rounded(sum(r.power_kw for r in trip)),
                    gpus=sum(gpus_in.get(r.id, 0) for r in trip))
