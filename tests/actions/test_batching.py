"""The group-commit batcher: what waits behind a running batch goes in the next one."""

from __future__ import annotations

import asyncio

import pytest

from pollinate.actions.batching import Batcher

pytestmark = pytest.mark.anyio


class Recorder:
    """A `run` that records its batches and can be held until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def run(self, batch: list[int]) -> list[int | Exception]:
        self.batches.append(batch)
        await self.release.wait()
        return [ValueError(f"odd {n}") if n % 2 else n * 10 for n in batch]


async def test_requests_that_arrive_during_a_batch_are_answered_by_the_next_one():
    recorder = Recorder()
    recorder.release.clear()
    batcher = Batcher(recorder.run)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0)  # the first batch is running, holding [0]
    later = [asyncio.create_task(batcher.submit(n)) for n in (2, 4, 6)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await first == 0
    assert [await task for task in later] == [20, 40, 60]
    assert recorder.batches == [[0], [2, 4, 6]]
    assert batcher.batches == 2


async def test_a_quiet_batcher_runs_each_request_at_once_on_its_own():
    recorder = Recorder()
    batcher = Batcher(recorder.run)
    assert [await batcher.submit(n) for n in (2, 4)] == [20, 40]
    assert recorder.batches == [[2], [4]]


async def test_an_answer_that_is_an_exception_is_raised_for_its_request_alone():
    recorder = Recorder()
    recorder.release.clear()
    batcher = Batcher(recorder.run)
    blocker = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0)
    tasks = [asyncio.create_task(batcher.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    recorder.release.set()
    results = await asyncio.gather(blocker, *tasks, return_exceptions=True)
    assert results[:2] == [0, 20]
    assert results[3] == 40
    assert isinstance(results[2], ValueError)
    assert str(results[2]) == "odd 3"


async def test_a_failing_batch_fails_each_of_its_requests_and_the_next_batch_still_runs():
    calls: list[list[int]] = []

    async def run(batch: list[int]) -> list[int | Exception]:
        calls.append(batch)
        if len(calls) == 1:
            raise ConnectionError("database down")
        return list(batch)

    batcher = Batcher(run)
    with pytest.raises(ConnectionError, match="database down"):
        await batcher.submit(1)
    assert await batcher.submit(2) == 2


async def test_a_batch_never_holds_more_than_max_batch_requests():
    recorder = Recorder()
    recorder.release.clear()
    batcher = Batcher(recorder.run, max_batch=3)
    tasks = [asyncio.create_task(batcher.submit(n * 2)) for n in range(8)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await asyncio.gather(*tasks) == [n * 20 for n in range(8)]
    assert [len(batch) for batch in recorder.batches] == [3, 3, 2]


async def test_a_run_that_answers_the_wrong_number_of_requests_fails_them_all():
    held = asyncio.Event()

    async def one_answer(batch: list[int]) -> list[int | Exception]:
        await held.wait()
        return [1]

    batcher = Batcher(one_answer)
    tasks = [asyncio.create_task(batcher.submit(n)) for n in range(3)]
    await asyncio.sleep(0)
    held.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert {str(r) for r in results} == {"a batch of 3 got 1 answers"}


async def test_a_caller_that_stops_waiting_does_not_stop_the_others_answers():
    recorder = Recorder()
    recorder.release.clear()
    batcher = Batcher(recorder.run)
    blocker = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0)
    gone = asyncio.create_task(batcher.submit(2))
    stays = asyncio.create_task(batcher.submit(4))
    await asyncio.sleep(0)
    gone.cancel()
    recorder.release.set()
    assert await blocker == 0
    assert await stays == 40
    assert recorder.batches == [[0], [2, 4]]  # its request was written all the same


def test_max_batch_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Batcher(Recorder().run, max_batch=0)
