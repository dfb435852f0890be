"""Bar charts for reports (matplotlib, no display needed): PNG bytes or SVG text."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _figure(labels: Sequence[str], values: Sequence[int], title: str):  # type: ignore[no-untyped-def]
    height = max(2.5, 0.35 * len(labels) + 1)
    fig, ax = plt.subplots(figsize=(8, height), dpi=100)
    positions = range(len(labels))
    ax.barh(list(positions), list(values), color="#1f6f5c")
    ax.set_yticks(list(positions), labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("civilians killed")
    for position, value in zip(positions, values):
        if value:
            ax.text(value, position, f" {value}", va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def bar_chart_png(labels: Sequence[str], values: Sequence[int], title: str) -> bytes:
    fig = _figure(labels, values, title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def bar_chart_svg(labels: Sequence[str], values: Sequence[int], title: str) -> str:
    """SVG text without the XML prolog, ready to embed in HTML."""
    fig = _figure(labels, values, title)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]
