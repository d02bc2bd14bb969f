"""`itpump firmware-diagram`: the pump state diagram rendered from the firmware's transition table.

Mermaid text goes to stdout; --out FILE.png also draws it with matplotlib (states on a circle,
one arrow per transition). graphviz is not used.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from firmware_sim.pump.states import TRANSITIONS, PumpState, mermaid


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


def render_png(path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    states = list(PumpState)
    pos = {s: (math.cos(2 * math.pi * i / len(states)), math.sin(2 * math.pi * i / len(states)))
           for i, s in enumerate(states)}
    fig, ax = plt.subplots(figsize=(11, 11))
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            dest = source if t["dest"] is None else t["dest"]
            (x0, y0), (x1, y1) = pos[source], pos[dest]
            guard = f" [{t['conditions']}]" if "conditions" in t else (f" [not {t['unless']}]" if "unless" in t else "")
            label = t["trigger"] + guard
            if source is dest:
                ax.annotate(label, (x0 * 1.22, y0 * 1.22), fontsize=7, ha="center", color="dimgray")
                continue
            ax.annotate("", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="->", shrinkA=28, shrinkB=28,
                                                                connectionstyle="arc3,rad=0.12", color="steelblue"))
            ax.text(x0 + (x1 - x0) * 0.4, y0 + (y1 - y0) * 0.4, label, fontsize=6, color="navy")
    for state, (x, y) in pos.items():
        ax.text(x, y, state.value, ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round", facecolor="lightyellow" if state is not PumpState.ALARM else "mistyrose"))
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    ax.axis("off")
    ax.set_title("itpump firmware states (from firmware_sim.pump.states.TRANSITIONS)")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
