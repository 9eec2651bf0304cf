"""
Static memory planning algorithms: buffers with lifetimes -> offsets in one arena.

Pure functions over plain dataclasses (names follow TVM's USMP: `BufferInfo`,
`PoolAllocation`), registered by name; the `memory-plan` pass chooses one with its
`algorithm` option. Lifetimes are closed intervals of operation indices: two buffers
conflict when their intervals intersect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BufferInfo:
    """A buffer to place: `size` bytes, live from op `start` to op `end` (inclusive)."""

    name: str
    size: int
    start: int
    end: int
    alignment: int = 16

    def conflicts(self, other: BufferInfo) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class PoolAllocation:
    """Where a buffer was placed: `offset` bytes into the arena."""

    buffer: BufferInfo
    offset: int


def _align(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment


def arena_size(allocations: Sequence[PoolAllocation], alignment: int = 16) -> int:
    end = max((a.offset + a.buffer.size for a in allocations), default=0)
    return _align(end, alignment)


def live_set_peak(buffers: Sequence[BufferInfo]) -> int:
    """The largest total size of buffers live at one time: no plan can do better."""
    if not buffers:
        return 0
    points = sorted({b.start for b in buffers})
    return max(sum(b.size for b in buffers if b.start <= t <= b.end) for t in points)


def _first_fit(buffer: BufferInfo, placed: Sequence[PoolAllocation]) -> int:
    """The lowest aligned offset where `buffer` overlaps no conflicting placed buffer."""
    conflicts = sorted(
        (a for a in placed if a.buffer.conflicts(buffer)), key=lambda a: (a.offset, a.buffer.size)
    )
    offset = 0
    for other in conflicts:
        if offset + buffer.size <= other.offset:
            break
        offset = max(offset, _align(other.offset + other.buffer.size, buffer.alignment))
    return offset


def _place_in_order(order: Sequence[BufferInfo]) -> list[PoolAllocation]:
    placed: list[PoolAllocation] = []
    for buffer in order:
        placed.append(PoolAllocation(buffer, _first_fit(buffer, placed)))
    return placed


def greedy_by_size(buffers: Sequence[BufferInfo]) -> list[PoolAllocation]:
    """
    Largest buffers first, each at the lowest offset free for its lifetime (TFLite's
    and TVM's default; strip packing is NP-hard, this greedy is near-optimal on CNNs).
    """
    order = sorted(buffers, key=lambda b: (-b.size, b.start, b.end, b.name))
    return _place_in_order(order)


def greedy_by_conflicts(buffers: Sequence[BufferInfo]) -> list[PoolAllocation]:
    """Buffers that conflict with the most others first (TVM's greedy_by_conflicts)."""

    def conflict_count(b: BufferInfo) -> int:
        return sum(1 for o in buffers if o is not b and o.conflicts(b))

    order = sorted(buffers, key=lambda b: (-conflict_count(b), -b.size, b.start, b.name))
    return _place_in_order(order)


def linear(buffers: Sequence[BufferInfo]) -> list[PoolAllocation]:
    """No reuse: every buffer gets its own bytes (a baseline for comparison)."""
    placed: list[PoolAllocation] = []
    offset = 0
    for buffer in sorted(buffers, key=lambda b: (b.start, b.name)):
        offset = _align(offset, buffer.alignment)
        placed.append(PoolAllocation(buffer, offset))
        offset += buffer.size
    return placed


def best_of(buffers: Sequence[BufferInfo]) -> list[PoolAllocation]:
    """Run every reusing algorithm and keep the smallest arena (ties: the first)."""
    candidates = [greedy_by_size(buffers), greedy_by_conflicts(buffers)]
    return min(candidates, key=arena_size)


ALGORITHMS: dict[str, Callable[[Sequence[BufferInfo]], list[PoolAllocation]]] = {
    "greedy_by_size": greedy_by_size,
    "greedy_by_conflicts": greedy_by_conflicts,
    "linear": linear,
    "best": best_of,
}


def check_plan(allocations: Sequence[PoolAllocation]) -> None:
    """Raise AssertionError if two conflicting buffers overlap or an offset is misaligned."""
    for i, a in enumerate(allocations):
        assert a.offset % a.buffer.alignment == 0, f"{a.buffer.name} misaligned"
        for b in allocations[i + 1 :]:
            if not a.buffer.conflicts(b.buffer):
                continue
            disjoint = a.offset + a.buffer.size <= b.offset or b.offset + b.buffer.size <= a.offset
            assert disjoint, f"{a.buffer.name} and {b.buffer.name} overlap"
