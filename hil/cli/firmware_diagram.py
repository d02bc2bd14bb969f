"""`itpump firmware-diagram`: the pump state diagram rendered from the firmware's transition table.

Mermaid text goes to stdout; --out FILE.png also draws it with matplotlib (graphviz is not used): states at fixed
places (therapy flow left to right, alarm below), one arrow per (source, destination) pair labelled with every
trigger between them, a trigger from every state drawn once from an "any state" box, and internal transitions
(dest None) listed below the diagram.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from firmware_sim.pump.states import TRANSITIONS, PumpState, mermaid

S = PumpState
Node = PumpState | str
"""A node of the drawing: a state, or ANY_STATE (the source of transitions from every state)."""
LAYOUT: dict[PumpState, tuple[float, float]] = {
    S.PRIMING: (0.0, 3.2), S.IDLE: (0.0, 0.0), S.BOLUS: (5.0, 3.2), S.CONTINUOUS: (5.0, 0.0),
    S.BRIDGE: (2.6, -1.5), S.SUSPENDED: (5.0, -4.6), S.ALARM: (0.0, -4.6),
}
"""Where each state is drawn (a state missing here is placed on a row below)."""
BENDS: dict[tuple[Node, PumpState], float] = {(S.BOLUS, S.SUSPENDED): -0.45}
"""Arc bend (matplotlib arc3 rad) of edges that would otherwise run through a state; pairs with an edge each way
bend by PAIR_BEND_FRACTION so the two arrows and their labels stay apart."""
PAIR_BEND_FRACTION = 0.2
ANY_STATE = "any state"
ANY_STATE_AT = (-3.2, -4.6)
FONT_STATE, FONT_LABEL, FONT_INTERNAL = 13, 10, 9


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("firmware-diagram", help="print the pump firmware state diagram (mermaid)",
                                   description=__doc__)
    parser.add_argument("--out", type=Path, help="also write a PNG drawn with matplotlib to this path")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix.lower() != ".png":
        print(f"itpump firmware-diagram: --out {args.out}: only .png is supported", file=sys.stderr)
        return 2
    print(mermaid(), end="")
    if args.out is not None:
        render_png(args.out)
    return 0


def _label(t: dict[str, Any]) -> str:
    guard = f" [{t['conditions']}]" if "conditions" in t else (f" [not {t['unless']}]" if "unless" in t else "")
    return t["trigger"] + guard


def diagram_edges(transitions: tuple[dict[str, Any], ...] = TRANSITIONS
                  ) -> tuple[dict[tuple[Node, PumpState], list[str]], dict[PumpState, list[str]]]:
    """({(source or ANY_STATE, dest): [labels]}, {state: [internal transition labels]}) from the table."""
    edges: dict[tuple[Node, PumpState], list[str]] = defaultdict(list)
    internal: dict[PumpState, list[str]] = defaultdict(list)
    every = set(PumpState)
    for t in transitions:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        if t["dest"] is not None and set(sources) == every:
            edges[(ANY_STATE, t["dest"])].append(_label(t))
            continue
        for source in sources:
            if t["dest"] is None or t["dest"] is source:
                internal[source].append(_label(t))
            else:
                edges[(source, t["dest"])].append(_label(t))
    return dict(edges), dict(internal)


def _positions() -> dict[Node, tuple[float, float]]:
    pos: dict[Node, tuple[float, float]] = {state: at for state, at in LAYOUT.items()}
    for i, state in enumerate(s for s in PumpState if s not in LAYOUT):
        pos[state] = (3.0 * i, -7.0)
    pos[ANY_STATE] = ANY_STATE_AT
    return pos


def render_png(path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges, internal = diagram_edges()
    pos = _positions()
    fig, ax = plt.subplots(figsize=(15, 12))
    boxes = {}
    for node, (x, y) in pos.items():
        name = node.value if isinstance(node, PumpState) else node
        colour = "mistyrose" if node is S.ALARM else ("#eeeeee" if node == ANY_STATE else "lightyellow")
        boxes[node] = ax.text(x, y, name, ha="center", va="center", fontsize=FONT_STATE, zorder=3,
                              bbox=dict(boxstyle="round,pad=0.5", facecolor=colour,
                                        ls="--" if node == ANY_STATE else "-"))
    for (source, dest), labels in edges.items():
        rad = BENDS.get((source, dest), PAIR_BEND_FRACTION if (dest, source) in edges else 0.0)
        ax.annotate("", xy=pos[dest], xytext=pos[source], zorder=1,
                    arrowprops=dict(arrowstyle="-|>", mutation_scale=16, color="steelblue", lw=1.3,
                                    patchA=boxes[source], patchB=boxes[dest], shrinkA=4, shrinkB=4,
                                    connectionstyle=f"arc3,rad={rad}"))
        (x0, y0), (x1, y1) = pos[source], pos[dest]
        # arc3's control point is the chord's middle + rad * (dy, -dx): the curve's middle is half-way there
        mx, my = (x0 + x1) / 2 + rad * (y1 - y0) / 2, (y0 + y1) / 2 - rad * (x1 - x0) / 2
        side = mx - (x0 + x1) / 2  # a label on a bent arc extends away from the chord (off the opposite arrow)
        align = "center" if abs(side) < 0.05 or abs(x1 - x0) > abs(y1 - y0) else ("left" if side > 0 else "right")
        ax.text(mx, my, "\n".join(labels), ha=align, va="center", fontsize=FONT_LABEL, color="navy", zorder=4,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.9))
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    ax.set_xlim(min(xs) - 1.8, max(xs) + 1.8)
    ax.set_ylim(min(ys) - 2.6, max(ys) + 0.8)
    listed = "\n".join(f"{state.value}: {', '.join(labels)}" for state, labels in internal.items())
    ax.text(min(xs) - 1.6, min(ys) - 1.0, "internal transitions (the state does not change):\n" + listed,
            ha="left", va="top", fontsize=FONT_INTERNAL + 1, color="dimgray")
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("itpump firmware states (from firmware_sim.pump.states.TRANSITIONS)", fontsize=14)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
