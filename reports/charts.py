"""Bar charts for reports (matplotlib, no display needed): PNG bytes or SVG text.

Arabic labels and titles are shaped before they are drawn: matplotlib draws each character
as it is, so Arabic would come out as separate letters left to right. ``arabic_reshaper``
gives each letter its joined form and ``python-bidi`` puts the text in visual order."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tawthiq.lang.arabic import is_arabic  # noqa: E402


def shaped(text: str) -> str:
    """``text`` as matplotlib must be given it to show Arabic right: joined letters in visual
    order (text without Arabic letters is returned as it is)."""
    if not is_arabic(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def _figure(labels: Sequence[str], values: Sequence[int], title: str, xlabel: str):  # type: ignore[no-untyped-def]
    labels, title, xlabel = [shaped(label) for label in labels], shaped(title), shaped(xlabel)
    height = max(2.5, 0.35 * len(labels) + 1)
    fig, ax = plt.subplots(figsize=(8, height), dpi=100)
    positions = range(len(labels))
    ax.barh(list(positions), list(values), color="#1f6f5c")
    ax.set_yticks(list(positions), labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    for position, value in zip(positions, values):
        if value:
            ax.text(value, position, f" {value}", va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def bar_chart_png(labels: Sequence[str], values: Sequence[int], title: str, xlabel: str = "civilians killed") -> bytes:
    fig = _figure(labels, values, title, xlabel)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def bar_chart_svg(labels: Sequence[str], values: Sequence[int], title: str, xlabel: str = "civilians killed") -> str:
    """SVG text without the XML prolog, ready to embed in HTML."""
    fig = _figure(labels, values, title, xlabel)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]
