"""A loopback TCP proxy a test can take down and bring back, to play a backend that comes and goes.

While up it pipes bytes both ways to the target. Taking it down cuts every open connection at
once (a request the backend already answered loses its answer on the way back), and while down
it treats new connections by ``mode``: "reset" (refused with a TCP reset), "drop" (the request is
read, then the connection closes without an answer) or "hang" (no answer until the proxy comes
up again, so the client's timeout fires first).
"""

from __future__ import annotations

import random
import select
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MODES = ("reset", "drop", "hang")


def _close(sock: socket.socket, reset: bool = False) -> None:
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


class FlakyProxy:
    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (host, target_port)
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._lock = threading.Lock()
        self._up = True
        self.mode = "reset"
        self._epoch = 0  # bumped on every change, so pipes of an older epoch close
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connections = 0

    @property
    def up(self) -> bool:
        return self._up

    def set(self, up: bool, mode: str = "reset") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with self._lock:
            self._up, self.mode = up, mode
            self._epoch += 1

    def start(self) -> None:
        self._spawn(self._accept_loop)

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._epoch += 1
        for thread in list(self._threads):
            thread.join(timeout=5)
        _close(self._listener)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with self._lock:
                up, mode, epoch = self._up, self.mode, self._epoch
            if up:
                self._spawn(self._pipe, client, epoch)
            elif mode == "reset":
                _close(client, reset=True)
            else:
                self._spawn(self._refuse_slowly, client, mode, epoch)

    def _changed(self, epoch: int) -> bool:
        return self._stopped.is_set() or self._epoch != epoch

    def _refuse_slowly(self, client: socket.socket, mode: str, epoch: int) -> None:
        try:
            if mode == "drop":
                ready, _, _ = select.select([client], [], [], 1.0)
                if ready:
                    client.recv(65536)
                return
            while not self._changed(epoch):  # hang
                select.select([], [], [], 0.05)
        except OSError:
            pass
        finally:
            _close(client)

    def _pipe(self, client: socket.socket, epoch: int) -> None:
        try:
            server = socket.create_connection(self.target, timeout=2)
        except OSError:
            _close(client, reset=True)
            return
        peers = {client: server, server: client}
        try:
            while not self._changed(epoch):
                ready, _, _ = select.select(list(peers), [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except OSError:
            pass
        finally:
            _close(client, reset=self._changed(epoch))
            _close(server)


@contextmanager
def flaky_proxy(target_port: int) -> Iterator[FlakyProxy]:
    proxy = FlakyProxy(target_port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


class Schedule:
    """Toggles a proxy between up and down on a seeded random schedule (down about half the
    time, each phase ``low``–``high`` seconds), on its own thread until stopped."""

    def __init__(self, proxy: FlakyProxy, seed: int, low: float = 0.15, high: float = 0.9):
        self.proxy = proxy
        self._rng = random.Random(seed)
        self.low, self.high = low, high
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.downs = 0

    def __enter__(self) -> Schedule:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        up = True
        while not self._stopped.wait(self._rng.uniform(self.low, self.high)):
            up = not up
            if not up:
                self.downs += 1
            self.proxy.set(up, self._rng.choice(MODES))
        self.proxy.set(True)
