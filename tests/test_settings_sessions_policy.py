"""Settings precedence, session bounds and the policy's ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit import vss
from cockpit.errors import ConfigError, InputError, ResourceExhaustedError
from cockpit.events import PolicyDecision
from cockpit.policy import Policy
from cockpit.registry import Registry
from cockpit.sessions import SessionStore
from cockpit.settings import load_settings
from cockpit.skill_api import SignalWrite


def test_settings_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('language = "ko"\n[server]\nport = 6000\n[can]\nchannel = "bench"\nsimulate = false\n')
    env = {"COCKPIT_SERVER_PORT": "7000", "COCKPIT_CAN_CONFIRM_TIMEOUT_S": "0.25"}
    s = load_settings(cfg, overrides={"server.host": "::1", "server.grace_s": None}, env=env)
    assert (s.language, s.server.port, s.server.host, s.server.grace_s) == ("ko", 7000, "::1", 5.0)
    assert (s.can.channel, s.can.simulate, s.can.confirm_timeout_s) == ("bench", False, 0.25)


def test_environment_variables_that_are_not_settings_are_left_alone() -> None:
    env = {"COCKPIT_MODEL_DIR": "/srv/models", "COCKPIT_LANGUAGE": "ko", "COCKPIT_MAX_SESSIONS": "8"}
    s = load_settings(env=env)
    assert (s.language, s.max_sessions, s.models.cache_dir) == ("ko", 8, "")
    with pytest.raises(ConfigError, match=r"unknown setting 'server\.prot'"):
        load_settings(env={"COCKPIT_SERVER_PROT": "7000"})


def test_settings_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown setting 'server\.prot'"):
        load_settings(overrides={"server.prot": 1}, env={})
    with pytest.raises(ConfigError, match="must be a int"):
        load_settings(env={"COCKPIT_SERVER_PORT": "eighty"})
    with pytest.raises(ConfigError, match="leaves loopback"):
        load_settings(overrides={"can.interface": "udp_multicast"}, env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, env={})


def test_sessions_unknown_and_full_store_refuses_without_evicting() -> None:
    store = SessionStore(capacity=2)
    a, b = store.create(), store.create()
    with pytest.raises(ResourceExhaustedError) as full:
        store.create()
    assert full.value.code == "too-many-sessions"
    assert len(store) == 2
    assert {store.get(a.session_id).session_id, store.get(b.session_id).session_id} == {a.session_id, b.session_id}
    with pytest.raises(InputError) as err:
        store.get("nope")
    assert err.value.code == "unknown-session"
    store.close(b.session_id)
    assert store.create().session_id not in (a.session_id, b.session_id)


def test_registry_rejects_duplicates_and_lists_valid_names() -> None:
    reg: Registry[int] = Registry("skill")
    reg.register("climate", 1)
    with pytest.raises(ConfigError, match="already registered"):
        reg.register("climate", 2)
    with pytest.raises(ConfigError, match="valid: climate"):
        reg.get("windows")


@given(st.floats(min_value=-100, max_value=200, allow_nan=False))
def test_temperature_policy_matches_the_range_and_step(celsius: float) -> None:
    result = Policy().check_write(SignalWrite(vss.DRIVER_TEMPERATURE, celsius), {})
    ok = 16.0 <= celsius <= 30.0 and (celsius * 2).is_integer()
    assert (result.decision is PolicyDecision.ALLOWED) == ok
    if not ok:
        assert result.reason


@pytest.mark.parametrize(
    ("signal", "value", "decision"),
    [
        (vss.DRIVER_FAN_SPEED, 101, PolicyDecision.REFUSED),
        (vss.DRIVER_FAN_SPEED, 100, PolicyDecision.ALLOWED),
        (vss.MEDIA_VOLUME, -1, PolicyDecision.REFUSED),
        (vss.MEDIA_VOLUME, 90, PolicyDecision.NEEDS_CONFIRMATION),
        (vss.DRIVER_SEAT_HEATING, 67, PolicyDecision.ALLOWED),
        (vss.AC_ACTIVE, "yes", PolicyDecision.REFUSED),
        (vss.SPEED, 0.0, PolicyDecision.REFUSED),
        ("Vehicle.Body.Windshield.Front.Wiping.Mode", "FAST", PolicyDecision.REFUSED),
        (vss.DRIVER_TEMPERATURE, float("nan"), PolicyDecision.REFUSED),
    ],
)
def test_policy_table(signal: str, value: object, decision: PolicyDecision) -> None:
    assert Policy().check_write(SignalWrite(signal, value), {}).decision is decision  # type: ignore[arg-type]


def test_list_settings_from_env_and_toml(tmp_path: Path) -> None:
    s = load_settings(env={"COCKPIT_VOICE_WAKE_MODELS": "hey_jarvis_v0.1, alexa_v0.1", "COCKPIT_LLM_THREADS": "1"})
    assert s.voice.wake_models == ("hey_jarvis_v0.1", "alexa_v0.1") and s.llm.threads == 1
    cfg = tmp_path / "c.toml"
    cfg.write_text('[voice]\nwake_models = ["alexa_v0.1"]\n')
    assert load_settings(cfg, env={}).voice.wake_models == ("alexa_v0.1",)
