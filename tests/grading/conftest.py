"""Kernels from the warm pool, driven synchronously by the grading tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from cxkit.grading.pool import WarmKernelManager


class Kernel:
    """One kernel from the pool, driven synchronously for the tests."""

    def __init__(self, **env: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.manager = WarmKernelManager(kernel_name="cxkit")
        start = self.manager.start_kernel(env=dict(os.environ, **env))
        self.loop.run_until_complete(start)
        self.client = self.manager.client()
        self.client.start_channels()
        self.loop.run_until_complete(self.client.wait_for_ready(timeout=60))

    @property
    def pid(self) -> int:
        return int(self.manager.provisioner.pid)

    def run(self, code: str, timeout: float = 30) -> dict[str, Any]:
        """Run code; return its printed text, its error name and its outputs' types."""

        async def go() -> dict[str, Any]:
            msg_id = self.client.execute(code)
            found: dict[str, Any] = {"text": "", "error": None, "types": []}
            while True:
                msg = await self.client.get_iopub_msg(timeout=timeout)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    found["text"] += content["text"]
                elif kind == "error":
                    found["error"] = content["ename"]
                elif kind in ("display_data", "execute_result"):
                    found["types"].append(sorted(content["data"]))
                elif kind == "status" and content["execution_state"] == "idle":
                    return found

        return self.loop.run_until_complete(go())

    def alive(self) -> bool:
        return bool(self.loop.run_until_complete(self.manager.is_alive()))

    def close(self) -> None:
        self.client.stop_channels()
        self.loop.run_until_complete(self.manager.shutdown_kernel(now=True))
        self.loop.close()


class Kernels(list[Kernel]):
    """The kernels a test started; each shut down after it."""

    def start(self, **env: str) -> Kernel:
        """A new kernel from the pool, with ``env`` added to its environment."""
        self.append(Kernel(**env))
        return self[-1]


@pytest.fixture
def kernels() -> Iterator[Kernels]:
    """Kernels started by a test (``kernels.start()``), all shut down after it."""
    started = Kernels()
    yield started
    for kernel in started:
        kernel.close()
