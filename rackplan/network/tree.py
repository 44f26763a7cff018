"""Fat-tree arithmetic: leaves, spines and cores for a number of endpoint ports.

Pure integer rules on plain numbers, no catalog objects, so they can be read
against the reference designs line by line (docs/network.md):

* A leaf of a ``k``-port switch at oversubscription ``o`` (downlinks : uplinks)
  has ``d = floor(k * o / (1 + o))`` downlinks and ``u = k - d`` uplinks; a
  switch with separate uplink ports uses all ``k`` ports as downlinks.
* Rail-optimized compute fabric: ``r`` ports per server, one leaf per rail per
  scalable unit of ``s`` servers (``s <= d``): ``leaves = r * units``.
  Other fabrics have one rail and as many leaves as their ports need.
* Two tiers while ``leaves <= k``: ``spines = ceil(leaves * u / k)`` rounded up
  to the next divisor of ``u``, so every leaf stripes its uplinks evenly.
* Beyond, a three-tier fat tree: pods of at most ``ds`` leaves (the spine's
  downlinks at the spine oversubscription; whole scalable units per pod when
  the rails allow), each pod with its own spines sized as above; the spines'
  ``us`` uplinks go to cores, ``ceil(spines * us / k)`` of them. A core reaches
  each pod, so at most ``k`` pods.
* A single leaf holding every port needs no spine (one tier).

Running out of ports raises :class:`PortExhaustion` with what ran out.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class PortExhaustion(ValueError):
    """A fabric cannot be built from its switch: the message says which ports run out."""


class LeafPorts(NamedTuple):
    """How a leaf splits its ports."""

    down: int
    up: int


def leaf_ports(ports: int, oversubscription: float, uplink_ports: int | None = None) -> LeafPorts:
    """Downlinks and uplinks of a leaf (or of a spine in a three-tier tree)."""
    if uplink_ports is not None:
        return LeafPorts(ports, uplink_ports)
    down = math.floor(ports * oversubscription / (1 + oversubscription) + 1e-9)
    down = min(max(down, 1), ports - 1)
    return LeafPorts(down, ports - down)


def next_divisor(n: int, at_least: int) -> int:
    """Smallest divisor of ``n`` that is at least ``at_least`` (``n`` when none is smaller)."""
    for q in range(max(at_least, 1), n + 1):
        if n % q == 0:
            return q
    return n


class Tree(NamedTuple):
    """A sized fabric."""

    tiers: int
    units: int
    """Scalable units (compute fabric) or leaves (one rail)."""
    leaf: int
    spine: int
    core: int
    pods: int
    """Pods of a three-tier tree (0 for one or two tiers)."""
    node_leaf: int
    leaf_spine: int
    spine_core: int


def size_tree(endpoints: int, rails: int, per_unit: int, ports: int, leaf: LeafPorts,
              spine: LeafPorts, *, switch: str = "the switch") -> Tree:
    """Size a fat tree for ``endpoints`` cabled node ports.

    ``rails`` ports per server (one leaf per rail per unit) and ``per_unit``
    servers per scalable unit; a fabric without rails passes ``rails=1`` and
    ``per_unit=leaf.down`` (a unit is then one leaf). ``ports`` is the
    switch's port count ``k``; ``leaf`` and ``spine`` split it per tier.
    ``switch`` names the switch in errors.
    """
    if endpoints <= 0:
        return Tree(0, 0, 0, 0, 0, 0, 0, 0, 0)
    if per_unit > leaf.down:
        raise PortExhaustion(
            f"{switch} leaves have {leaf.down} downlinks at this oversubscription; "
            f"{per_unit} servers per scalable unit need {per_unit} (lower nodes_per_su or "
            "raise the oversubscription)")
    # a unit holds per_unit servers, one leaf per rail; ports beyond the servers' own (appliances)
    # take the leaves' spare downlinks, and more units when those run out
    units = max(math.ceil(endpoints / (rails * per_unit)), math.ceil(endpoints / (rails * leaf.down)))
    leaves = rails * units
    if leaves == 1:
        return Tree(1, 1, 1, 0, 0, 0, endpoints, 0, 0)
    if leaves <= ports:
        spines = next_divisor(leaf.up, math.ceil(leaves * leaf.up / ports))
        return Tree(2, units, leaves, spines, 0, 0, endpoints, leaves * leaf.up, 0)
    # three tiers: pods of whole units when the rails fit a spine's downlinks
    if rails <= spine.down:
        units_per_pod = spine.down // rails
        pods = math.ceil(units / units_per_pod)
        pod_leaves = [rails * min(units_per_pod, units - p * units_per_pod) for p in range(pods)]
    else:
        pods = math.ceil(leaves / spine.down)
        pod_leaves = [min(spine.down, leaves - p * spine.down) for p in range(pods)]
    if pods > ports:
        raise PortExhaustion(
            f"{switch}: a three-tier fat tree reaches at most {ports} pods (a core has {ports} "
            f"ports), this fabric needs {pods} ({leaves:,} leaves, {endpoints:,} node ports); "
            "use a switch with more ports, oversubscription, or split the workload")
    spines = sum(next_divisor(leaf.up, math.ceil(n * leaf.up / spine.down)) for n in pod_leaves)
    cores = math.ceil(spines * spine.up / ports)
    return Tree(3, units, leaves, spines, cores, pods, endpoints, leaves * leaf.up,
                spines * spine.up)


def switch_ports_cabled(tree: Tree) -> int:
    """Switch ports with a cable in them: leaf downlinks in use, both ends of every
    leaf-spine and spine-core link."""
    return tree.node_leaf + 2 * tree.leaf_spine + 2 * tree.spine_core
