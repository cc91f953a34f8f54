"""Soak: 8 sessions for 20 minutes against a real ``cockpit serve`` process.

The server runs in its own process (``cockpit serve --insecure`` on loopback, the simulated car,
voice and the language model as configured), so its memory and threads are measured alone, from
``/proc/PID/status``. Each session loops over typed commands, questions about the car, open
questions for the language model and spoken commands (the demo recordings, streamed in real time
over ``Converse``), and holds a ``WatchVehicleState`` open; a bench task injects a short CAN fault
every so often. Pass criteria (issue 13), after the warm-up (the first fifth of the run):

- RSS growth <= 5 %: the median of the last three samples against the first three;
- a flat thread count: at most 2 threads between the lowest and the highest sample;
- a stable p99: the command p99 of the last window <= 1.5 x that of the first (+ 5 ms of slack);
- zero lost confirmations: every ``sent`` action got exactly one final status.

``python -m bench --only soak`` runs 20 minutes (``--quick``: 60 s); ``BENCH_SOAK_S=N`` or
``python -m bench.soak --seconds N`` sets any length. It writes ``bench/out/soak.json`` (samples,
windows, latencies) for ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import wave
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Figure, percentile
from bench.text_turn import UTTERANCES

SESSIONS = 8
DURATION_S = 1200.0
QUICK_S = 60.0
SAMPLE_S = 5.0
OUT = Path("bench/out/soak.json")
REPO = Path(__file__).resolve().parents[1]
AUDIO = ("set_temperature.wav", "play_jazz.wav", "navigate_shenzhen.wav")
COMMANDS = (
    *UTTERANCES,  # the text-turn benchmark's commands
    "play some jazz",
    "set the volume to 25",
)
QUESTIONS = ("what's the temperature in here", "is the a c on", "what's playing", "how fast am I going")
OPEN_QUESTIONS = ("who wrote the play hamlet", "what is the capital of france")
PLAN = ("command", "question", "command", "audio", "command", "question", "command", "open")
"""What one session does, in a loop (open questions are rare: the model is the slow part)."""
FAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "FAULT_KIND_DELAY", "message": "HVAC_STATUS", "delay_ms": 50, "duration_ms": 2000},
    {"kind": "FAULT_KIND_CORRUPT_CRC", "message": "WHEEL_SPEED", "probability": 0.2, "duration_ms": 2000},
    {"kind": "FAULT_KIND_DROP", "message": "MEDIA_STATUS", "probability": 0.3, "duration_ms": 2000},
    {"kind": "FAULT_KIND_ERROR_FRAMES", "rate_hz": 50, "duration_ms": 1000, "ecu": "hvac"},
)


@dataclass
class Tally:
    """What the clients saw."""

    latencies: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """Kind -> (seconds since start, ms to the confirmed action or the reply)."""
    turns: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    finals: int = 0
    lost: int = 0
    """``sent`` actions without a final status (or a final without its ``sent``)."""
    timeouts: int = 0
    failed_rpcs: dict[str, int] = field(default_factory=dict)
    watch_updates: int = 0
    faults: int = 0

    def add(self, kind: str, t: float, ms: float) -> None:
        self.latencies.setdefault(kind, []).append((t, ms))
        self.turns[kind] = self.turns.get(kind, 0) + 1

    def failed(self, code: str) -> None:
        self.failed_rpcs[code] = self.failed_rpcs.get(code, 0) + 1


def _proc_status(pid: int) -> tuple[float, int]:
    """(RSS in MB, threads) of process ``pid``."""
    rss_kb, threads = 0, 0
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss_kb / 1024.0, threads


def _audio(name: str) -> bytes:
    with wave.open(str(REPO / "cockpit" / "demo_audio" / name), "rb") as wav:
        return wav.readframes(wav.getnframes()) + bytes(32000)  # and a second of silence


class Soak:
    """One soak run against the server at ``target`` (process ``pid``)."""

    def __init__(self, target: str, pid: int, duration_s: float, sessions: int) -> None:
        import grpc

        from cockpit.v1 import bench_pb2_grpc, cockpit_pb2_grpc

        self.pid = pid
        self.duration_s = duration_s
        self.sessions = sessions
        self.tally = Tally()
        self.samples: list[dict[str, float]] = []
        self._channel = grpc.aio.insecure_channel(target)
        self._stub = cockpit_pb2_grpc.CockpitStub(self._channel)
        self._bench = bench_pb2_grpc.BenchStub(self._channel)
        self._start = time.monotonic()
        self._audio = {name: _audio(name) for name in AUDIO}

    def _now(self) -> float:
        return time.monotonic() - self._start

    def _over(self) -> bool:
        return self._now() >= self.duration_s

    async def prime(self) -> None:
        """One turn of each kind before the clock starts: the models load on first use."""
        from cockpit.v1 import cockpit_pb2 as pb

        session = (await self._stub.CreateSession(pb.CreateSessionRequest(), timeout=10)).session_id
        await self._typed(session, "command", COMMANDS[0])
        await self._typed(session, "question", QUESTIONS[0])
        await self._typed(session, "open", OPEN_QUESTIONS[0])
        await self._spoken(session, AUDIO[0])
        await self._stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10)
        self.tally = Tally()

    async def run(self) -> None:
        self._start = time.monotonic()
        tasks = [asyncio.create_task(self._sampler()), asyncio.create_task(self._faults())]
        tasks += [asyncio.create_task(self._session(i)) for i in range(self.sessions)]
        tasks += [asyncio.create_task(self._watch()) for _ in range(self.sessions)]
        try:
            await asyncio.gather(*tasks)
        finally:
            await self._channel.close()

    async def _sampler(self) -> None:
        while not self._over():
            rss, threads = _proc_status(self.pid)
            self.samples.append({"t": round(self._now(), 2), "rss_mb": round(rss, 2), "threads": threads})
            await asyncio.sleep(SAMPLE_S)

    async def _faults(self) -> None:
        from cockpit.v1 import bench_pb2 as bpb

        period = max(10.0, self.duration_s / 60)
        rng = random.Random(13)
        await asyncio.sleep(period / 2)
        while not self._over():
            spec = dict(rng.choice(FAULTS))
            fault = bpb.Fault(kind=bpb.FaultKind.Value(spec.pop("kind")), **spec)
            try:
                await self._bench.InjectFault(bpb.InjectFaultRequest(fault=fault), timeout=10)
                self.tally.faults += 1
            except Exception as err:  # a refused fault is a finding, not a crash of the soak
                self.tally.failed(f"fault: {type(err).__name__}")
            await asyncio.sleep(period)

    async def _watch(self) -> None:
        import grpc

        from cockpit.v1 import cockpit_pb2 as pb

        while not self._over():
            call = self._stub.WatchVehicleState(pb.WatchVehicleStateRequest(signals=["Vehicle"]))
            try:
                while not self._over():
                    got = await asyncio.wait_for(call.read(), max(0.1, self.duration_s - self._now()))
                    if got is grpc.aio.EOF:
                        break
                    self.tally.watch_updates += 1
            except TimeoutError:
                pass
            except grpc.aio.AioRpcError as err:
                self.tally.failed(f"watch: {err.code().name}")
            finally:
                call.cancel()

    async def _session(self, index: int) -> None:
        import grpc

        from cockpit.v1 import cockpit_pb2 as pb

        rng = random.Random(index)
        session = (await self._stub.CreateSession(pb.CreateSessionRequest(), timeout=10)).session_id
        step = index  # sessions start at different places of the plan
        while not self._over():
            kind = PLAN[step % len(PLAN)]
            step += 1
            try:
                if kind == "audio":
                    await self._spoken(session, AUDIO[step % len(AUDIO)])
                else:
                    text = rng.choice({"command": COMMANDS, "question": QUESTIONS, "open": OPEN_QUESTIONS}[kind])
                    await self._typed(session, kind, text)
            except Exception as err:  # counted: a failed call is a finding, not the end of the soak
                code = err.code().name if isinstance(err, grpc.aio.AioRpcError) else type(err).__name__
                self.tally.failed(f"{kind}: {code}")
            await asyncio.sleep(rng.uniform(0.2, 1.0))

    def _account(self, events: list[Any]) -> None:
        """Count sent and final actions, per signal, of one turn's events."""
        open_: dict[str, int] = {}
        for e in events:
            if e.WhichOneof("payload") != "action" or e.action.reason.startswith("bench:"):
                continue
            if e.action.status == 1:  # ACTION_STATUS_SENT
                self.tally.sent += 1
                open_[e.action.signal] = open_.get(e.action.signal, 0) + 1
            else:
                self.tally.finals += 1
                self.tally.timeouts += e.action.status == 4  # ACTION_STATUS_TIMEOUT
                if open_.get(e.action.signal, 0) <= 0:
                    self.tally.lost += 1
                    continue
                open_[e.action.signal] -= 1
        self.tally.lost += sum(open_.values())

    async def _typed(self, session: str, kind: str, text: str) -> None:
        from cockpit.v1 import cockpit_pb2 as pb

        start = time.perf_counter()
        done: float | None = None
        events = []
        async for e in self._stub.SendText(pb.TextTurnRequest(session_id=session, text=text), timeout=60):
            events.append(e)
            payload = e.WhichOneof("payload")
            confirmed = payload == "action" and e.action.status == 2  # ACTION_STATUS_CONFIRMED
            if done is None and (confirmed or (kind != "command" and payload == "reply")):
                done = time.perf_counter()
        self._account(events)
        if done is not None:
            self.tally.add(kind, self._now(), (done - start) * 1000.0)

    async def _spoken(self, session: str, name: str) -> None:
        from cockpit.v1 import cockpit_pb2 as pb

        pcm = self._audio[name]
        sent_all: list[float] = []

        async def requests() -> AsyncIterator[pb.ConverseRequest]:
            fmt = pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
            yield pb.ConverseRequest(config=pb.ConverseConfig(session_id=session, audio_format=fmt))
            start = time.monotonic()
            for n, offset in enumerate(range(0, len(pcm), 2560)):  # 80 ms chunks, in real time
                await asyncio.sleep(max(0.0, start + (n + 1) * 0.08 - time.monotonic()))
                yield pb.ConverseRequest(audio_chunk=pcm[offset : offset + 2560])
            sent_all.append(time.perf_counter())

        events = []
        replied: float | None = None
        async for e in self._stub.Converse(requests(), timeout=60):
            events.append(e)
            if replied is None and e.WhichOneof("payload") == "reply":
                replied = time.perf_counter()
        self._account(events)
        if replied is not None:
            # From the end of the speech (a second of silence before the end of the audio).
            end_of_speech = sent_all[0] - 1.0 if sent_all else replied
            self.tally.add("spoken", self._now(), max(0.0, (replied - end_of_speech) * 1000.0))


def judge(soak: Soak) -> dict[str, Any]:
    """Windows of command p99, the pass criteria and the verdict."""
    warmup = soak.duration_s / 5
    window_s = max(10.0, soak.duration_s / 20)
    commands = soak.tally.latencies.get("command", [])
    windows = []
    t = warmup
    while t < soak.duration_s:
        inside = [ms for at, ms in commands if t <= at < t + window_s]
        if len(inside) >= 3:
            windows.append({"t": round(t, 1), "p99_ms": round(percentile(inside, 99), 2), "n": len(inside)})
        t += window_s
    after = [s for s in soak.samples if s["t"] >= warmup]
    first_rss = statistics.median(s["rss_mb"] for s in after[:3]) if after else 0.0
    last_rss = statistics.median(s["rss_mb"] for s in after[-3:]) if after else 0.0
    threads = [s["threads"] for s in after]
    p99_first = windows[0]["p99_ms"] if windows else 0.0
    p99_last = windows[-1]["p99_ms"] if windows else 0.0
    criteria = {
        "rss_growth": (last_rss / first_rss - 1.0) if first_rss else 0.0,
        "thread_spread": (max(threads) - min(threads)) if threads else 0,
        "p99_first_ms": p99_first,
        "p99_last_ms": p99_last,
        "lost_confirmations": soak.tally.lost,
    }
    verdict = {
        "rss_growth <= 5 %": criteria["rss_growth"] <= 0.05,
        "threads flat (spread <= 2)": criteria["thread_spread"] <= 2,
        "p99 stable (last <= 1.5 x first + 5 ms)": p99_last <= 1.5 * p99_first + 5.0,
        "zero lost confirmations": soak.tally.lost == 0,
    }
    return {"warmup_s": warmup, "window_s": window_s, "windows": windows, "criteria": criteria, "pass": verdict}


async def _serve() -> tuple[asyncio.subprocess.Process, str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "COCKPIT_CAN_CHANNEL": f"soak-{os.getpid()}",
        # The soak drives each session faster than a driver would: the turn rate must not refuse it.
        "COCKPIT_SERVER_TURNS_PER_MINUTE": "6000",
        "COCKPIT_SERVER_TURN_BURST": "100",
    }
    code = "import sys\nfrom cockpit.cli.main import main\nsys.exit(main(['serve', '--insecure', '--port', '0']))\n"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 300)).decode()
    if not line.startswith("cockpit: serving on "):
        proc.kill()
        raise RuntimeError(f"cockpit serve did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1].strip()


async def soak(duration_s: float, sessions: int = SESSIONS, out: Path = OUT) -> dict[str, Any]:
    """Run one soak; writes ``out`` and returns what it wrote."""
    proc, target = await _serve()
    try:
        run = Soak(target, proc.pid, duration_s, sessions)
        await asyncio.sleep(2.0)  # let the skills' indexes finish loading
        await run.prime()
        await run.run()
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
    result = {
        "duration_s": duration_s,
        "sessions": sessions,
        "samples": run.samples,
        **judge(run),
        "tally": {k: v for k, v in asdict(run.tally).items() if k != "latencies"},
        "latencies_ms": {k: [round(ms, 2) for _, ms in v] for k, v in run.tally.latencies.items()},
        "latency_times_s": {k: [round(t, 2) for t, _ in v] for k, v in run.tally.latencies.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    return result


def figures(result: dict[str, Any]) -> list[Figure]:
    """The soak's figures for the bench table."""
    c = result["criteria"]
    minutes = result["duration_s"] / 60
    turns = sum(len(v) for v in result["latencies_ms"].values())
    return [
        Figure("soak", f"RSS growth after warm-up ({minutes:g} min, {result['sessions']} sessions)",
               c["rss_growth"], "fraction", target="<= 0.05"),
        Figure("soak", "thread count spread after warm-up", c["thread_spread"], "threads", target="<= 2"),
        Figure("soak", "p99 typed command -> confirmed, last window", c["p99_last_ms"], "ms",
               baseline=c["p99_first_ms"], baseline_name="first window after warm-up", target="<= 1.5"),
        Figure("soak", "lost confirmations", c["lost_confirmations"], "actions", target="0"),
        Figure("soak", "turns answered", turns, "turns"),
    ]  # fmt: skip


def run(quick: bool = False) -> list[Figure]:
    """20 minutes (``quick``: 60 s; ``BENCH_SOAK_S`` overrides both)."""
    duration = float(os.environ.get("BENCH_SOAK_S") or (QUICK_S if quick else DURATION_S))
    return figures(asyncio.run(soak(duration)))


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=DURATION_S, help="length of the run (default 1200)")
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="concurrent sessions (default 8)")
    args = parser.parse_args()
    result = asyncio.run(soak(args.seconds, args.sessions))
    print(json.dumps({"criteria": result["criteria"], "pass": result["pass"], "tally": result["tally"]}, indent=1))
    return 0 if all(result["pass"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
