"""A small pool of long-lived worker processes, one duplex pipe each, started on first use.

The pool lives on the API's event loop: a request takes the idle worker freed last (waiting, without
a thread, while all are busy), sends one message and awaits the pipe becoming readable: one pickle
each way over a local socket pair, ~0.1 ms, and no thread-pool hop. Workers are `spawn`ed (the API
process has threads; forking it would copy their locks). A worker that dies or overruns the timeout
is killed and replaced, and only the request it was serving fails. A request cancelled while its
worker works (the client went away) leaves the exchange to finish on its own, so the worker's late
answer is never read as the next request's.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import multiprocessing
import threading
import time
from multiprocessing.reduction import ForkingPickler
from typing import Any

from modelhub.config import Settings
from modelhub.serving import worker as worker_module


class WorkerFailed(Exception):
    """The worker crashed or timed out; `reason` says which."""


LARGE_MESSAGE_BYTES = 1 << 20


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class Worker:
    def __init__(self, ctx, settings: Settings, index: int):
        self.index = index
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=worker_module.main, args=(child, settings), name=f"modelhub-serving-{index}", daemon=True
        )
        self.process.start()
        child.close()
        self.requests = 0
        self.loaded: set[tuple] = set()  # models this worker answered for (it may have evicted some since)

    async def call(self, message: Any, timeout_s: float) -> Any:
        loop = asyncio.get_running_loop()
        try:
            data = ForkingPickler.dumps(message)  # what Connection.send does, split to send big ones aside
            if len(data) > LARGE_MESSAGE_BYTES:  # the worker reads as it comes; not on the loop meanwhile
                await loop.run_in_executor(None, self.conn.send_bytes, data)
            else:
                self.conn.send_bytes(data)
            readable = loop.create_future()
            fd = self.conn.fileno()
            loop.add_reader(fd, _resolve, readable)
            try:
                await asyncio.wait_for(readable, timeout_s)
            except TimeoutError:
                raise WorkerFailed(f"no answer within {timeout_s:g} s (MODELHUB_SERVING_TIMEOUT_S)") from None
            finally:
                loop.remove_reader(fd)
            answer = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.process.join(0.5)
            raise WorkerFailed(f"the worker process stopped (exit code {self.process.exitcode})") from exc
        self.requests += 1
        return answer

    def stop(self, timeout_s: float = 5.0) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.process.join(timeout_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(2)
        self.conn.close()


class WorkerPool:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.size = settings.serving_workers
        self.ctx = multiprocessing.get_context("spawn")
        # a stack, last in first out: with few clients one worker keeps answering, its CPU caches
        # warm (a 100-record request: 1.0 ms in the worker, against 1.4 ms when workers take turns)
        self.idle: list[Worker] = []
        self.waiting: collections.deque[asyncio.Future] = collections.deque()  # requests, first come first served
        self.workers: list[Worker] = []
        self.lock = threading.Lock()
        self.started = False
        self.closed = False
        self.restarts = 0

    def start(self) -> None:
        with self.lock:
            if self.started or self.closed:
                return
            for index in range(self.size):
                worker = Worker(self.ctx, self.settings, index)
                self.workers.append(worker)
                self.idle.append(worker)
            self.started = True

    async def call(self, message: Any, key: tuple | None = None) -> Any:
        """One request to an idle worker; `key` names the model so a first load gets the load timeout."""
        if not self.started:
            await asyncio.get_running_loop().run_in_executor(None, self.start)  # spawning takes a moment
        if self.closed:
            raise WorkerFailed("the server is shutting down")
        started = time.monotonic()
        worker = await self._take(self.settings.serving_load_timeout_s)
        first = key is not None and key not in worker.loaded
        timeout = self.settings.serving_load_timeout_s if first else self.settings.serving_timeout_s
        timeout = max(0.1, timeout - (time.monotonic() - started))
        # shielded: a cancelled request (client gone) lets its exchange end before the worker is reused
        return await asyncio.shield(self._exchange(worker, message, key if first else None, timeout))

    async def _exchange(self, worker: Worker, message: Any, new_key: tuple | None, timeout_s: float) -> Any:
        try:
            answer = await worker.call(message, timeout_s)
            if new_key is not None and answer[0] == "ok":
                worker.loaded.add(new_key)
        except WorkerFailed:
            worker = self._replace(worker)
            raise
        finally:
            self._give_back(worker)
        return answer

    async def _take(self, timeout_s: float) -> Worker:
        if self.idle and not self.waiting:
            return self.idle.pop()
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout_s)
        except (TimeoutError, asyncio.CancelledError) as exc:
            if waiter.done() and not waiter.cancelled():  # handed a worker just as it gave up
                self._give_back(waiter.result())
            else:
                waiter.cancel()
            if isinstance(exc, TimeoutError):
                raise WorkerFailed(f"every serving worker stayed busy for {timeout_s:g} s") from None
            raise

    def _give_back(self, worker: Worker) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self.idle.append(worker)

    def _replace(self, worker: Worker) -> Worker:
        worker.kill()
        fresh = Worker(self.ctx, self.settings, worker.index)
        with self.lock:
            self.workers[self.workers.index(worker)] = fresh
            self.restarts += 1
        return fresh

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"index": w.index, "pid": w.process.pid, "alive": w.process.is_alive(), "requests": w.requests}
            for w in list(self.workers)
        ]

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers = list(self.workers)
        for worker in workers:
            worker.stop()
