"""The webhook's group commit: posts that arrive together are written together, each caller
gets its own result, and one bad item never fails the others."""

import asyncio

import pytest

from vschool.api.coalesce import Coalescer


class Recorder:
    """A `run` that remembers the batches it was given and can be told which items are bad."""

    def __init__(self, bad: set[int] | None = None) -> None:
        self.batches: list[list[int]] = []
        self.bad = bad or set()

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0.01)  # like a database round trip
        if self.bad & set(items):
            raise ValueError(f"bad items {sorted(self.bad & set(items))}")
        return [item * 10 for item in items]


async def test_a_lone_call_runs_at_once_and_concurrent_calls_share_runs() -> None:
    run = Recorder()
    merged = Coalescer(run)
    assert await merged(1) == 10 and run.batches == [[1]]

    results = await asyncio.gather(*(merged(n) for n in range(2, 42)))
    assert results == [n * 10 for n in range(2, 42)]
    assert len(run.batches) <= 3  # the first alone, the rest together (not 40 runs)
    assert sorted(n for batch in run.batches for n in batch) == list(range(1, 42))


async def test_batches_respect_the_size_limit() -> None:
    run = Recorder()
    merged = Coalescer(run, max_size=5)
    await asyncio.gather(*(merged(n) for n in range(23)))
    assert max(len(batch) for batch in run.batches) <= 5


async def test_a_bad_item_fails_only_its_own_caller_when_errors_are_isolated() -> None:
    run = Recorder(bad={7})
    merged = Coalescer(run, isolate=lambda error: isinstance(error, ValueError))
    results = await asyncio.gather(*(merged(n) for n in range(1, 11)), return_exceptions=True)
    assert [r for r in results if isinstance(r, Exception)] == [results[6]]
    assert isinstance(results[6], ValueError)
    assert [r for r in results if not isinstance(r, Exception)] == [n * 10 for n in range(1, 11) if n != 7]


async def test_an_outage_fails_every_caller_of_the_batch_without_retrying_each() -> None:
    run = Recorder(bad={3})
    merged = Coalescer(run, isolate=lambda error: False)
    await merged(0)
    results = await asyncio.gather(*(merged(n) for n in range(1, 6)), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert len(run.batches) == 2  # the lone first call and one merged batch, no per-item retries


async def test_a_caller_that_goes_away_does_not_stop_the_others() -> None:
    run = Recorder()
    merged = Coalescer(run)
    first = asyncio.ensure_future(merged(1))
    others = [asyncio.ensure_future(merged(n)) for n in range(2, 6)]
    await asyncio.sleep(0)
    others[0].cancel()
    assert await first == 10
    assert await asyncio.gather(*others[1:]) == [30, 40, 50]
    with pytest.raises(asyncio.CancelledError):
        await others[0]
    assert 2 in [n for batch in run.batches for n in batch]  # still written: it arrived


async def test_callers_are_not_left_waiting_when_the_writer_is_cancelled_mid_batch() -> None:
    run = Recorder(bad={4})
    merged = Coalescer(run, isolate=lambda error: True)
    await merged(0)
    calls = [asyncio.ensure_future(merged(n)) for n in range(1, 8)]
    await asyncio.sleep(0.015)  # the merged batch failed; the items are being retried one by one
    merged._flusher.cancel()
    done, pending = await asyncio.wait(calls, timeout=2)
    assert not pending  # every caller got an answer: a result, an error or a cancellation
