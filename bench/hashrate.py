"""The bare argon2id rate with the project's hasher parameters (verzuim/accounts/hashers.py).

``processes`` processes each verify the same password hash for ``seconds`` seconds, exactly
as a login does (``OwaspArgon2idHasher.verify``). Returns the total rate and the CPU time of
one verification (process CPU time / verifications).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from dataclasses import dataclass

from bench.common import PASSWORD, ROOT


@dataclass(frozen=True)
class HashRate:
    processes: int
    hashes: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.hashes / self.seconds

    @property
    def cpu_per_hash(self) -> float:
        return self.cpu_seconds / self.hashes


def _hasher():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verzuim.settings")
    from verzuim.accounts.hashers import OwaspArgon2idHasher

    return OwaspArgon2idHasher()


def _worker(args: tuple[str, float, float]) -> tuple[int, float]:
    encoded, start_at, seconds = args
    hasher = _hasher()
    while time.time() < start_at:
        time.sleep(0.01)
    cpu0 = time.process_time()
    deadline = start_at + seconds
    count = 0
    while time.time() < deadline:
        assert hasher.verify(PASSWORD, encoded)
        count += 1
    return count, time.process_time() - cpu0


def measure(processes: int, seconds: float) -> HashRate:
    hasher = _hasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        start_at = time.time() + 2.0  # every process ready before the clock starts
        results = pool.map(_worker, [(encoded, start_at, seconds)] * processes)
    return HashRate(
        processes=processes,
        hashes=sum(r[0] for r in results),
        seconds=seconds,
        cpu_seconds=sum(r[1] for r in results),
    )


if __name__ == "__main__":
    rate = measure(int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count() or 1, 10)
    print(f"{rate.per_second:.1f} hashes/s, {rate.cpu_per_hash * 1000:.1f} ms CPU per hash")
