"""The memory planning algorithms on synthetic buffers (no IR involved)."""

import random

import pytest

from micro.lowering.memory_planning import (
    ALGORITHMS,
    BufferInfo,
    arena_size,
    check_plan,
    greedy_by_size,
    linear,
    live_set_peak,
)


def test_disjoint_lifetimes_share_bytes():
    buffers = [BufferInfo("a", 64, 0, 1), BufferInfo("b", 64, 2, 3), BufferInfo("c", 32, 4, 5)]
    plan = greedy_by_size(buffers)
    check_plan(plan)
    assert arena_size(plan) == 64
    assert {a.buffer.name: a.offset for a in plan} == {"a": 0, "b": 0, "c": 0}


def test_overlapping_lifetimes_do_not_share():
    buffers = [BufferInfo("a", 64, 0, 2), BufferInfo("b", 32, 1, 3)]
    plan = greedy_by_size(buffers)
    check_plan(plan)
    assert {a.buffer.name: a.offset for a in plan} == {"a": 0, "b": 64}


def test_first_fit_fills_a_gap():
    # b is live with c only, so it takes a's bytes once a is dead.
    buffers = [
        BufferInfo("a", 100, 0, 1, alignment=4),
        BufferInfo("c", 100, 0, 5, alignment=4),
        BufferInfo("b", 96, 2, 5, alignment=4),
    ]
    plan = greedy_by_size(buffers)
    check_plan(plan)
    assert arena_size(plan, 4) == 200


def test_alignment_is_respected():
    buffers = [BufferInfo("a", 10, 0, 1), BufferInfo("b", 10, 0, 1), BufferInfo("c", 10, 0, 1)]
    plan = greedy_by_size(buffers)
    check_plan(plan)
    assert sorted(a.offset for a in plan) == [0, 16, 32]


def test_linear_never_reuses():
    buffers = [BufferInfo("a", 16, 0, 0), BufferInfo("b", 16, 1, 1), BufferInfo("c", 16, 2, 2)]
    assert arena_size(linear(buffers)) == 48
    assert arena_size(greedy_by_size(buffers)) == 16


def test_live_set_peak():
    buffers = [BufferInfo("a", 16, 0, 1), BufferInfo("b", 32, 1, 2), BufferInfo("c", 64, 3, 3)]
    assert live_set_peak(buffers) == 64
    assert live_set_peak([]) == 0


def test_check_plan_catches_overlap():
    from micro.lowering.memory_planning import PoolAllocation

    a, b = BufferInfo("a", 32, 0, 1), BufferInfo("b", 32, 1, 2)
    with pytest.raises(AssertionError, match="overlap"):
        check_plan([PoolAllocation(a, 0), PoolAllocation(b, 16)])


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@pytest.mark.parametrize("seed", range(20))
def test_random_plans_are_valid_and_bounded(algorithm: str, seed: int):
    rng = random.Random(seed)
    buffers = []
    for i in range(rng.randint(1, 40)):
        start = rng.randint(0, 30)
        buffers.append(
            BufferInfo(f"b{i}", 16 * rng.randint(1, 64), start, start + rng.randint(0, 6))
        )
    plan = ALGORITHMS[algorithm](buffers)
    check_plan(plan)
    assert len(plan) == len(buffers)
    size = arena_size(plan)
    assert live_set_peak(buffers) <= size <= sum(b.size for b in buffers)


def test_best_is_no_worse_than_each():
    rng = random.Random(7)
    for _ in range(20):
        buffers = []
        for i in range(30):
            start = rng.randint(0, 20)
            buffers.append(
                BufferInfo(f"b{i}", 16 * rng.randint(1, 32), start, start + rng.randint(0, 4))
            )
        best = arena_size(ALGORITHMS["best"](buffers))
        assert best <= arena_size(ALGORITHMS["greedy_by_size"](buffers))
        assert best <= arena_size(ALGORITHMS["greedy_by_conflicts"](buffers))
