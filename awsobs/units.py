"""Units for people: sizes in messages and reports."""

from __future__ import annotations


def human_bytes(n: int) -> str:
    """`1536` -> `1.5 KiB`; bytes stay whole (`0 B`)."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"
