"""Fixture scenarios: JSON files in ``fixtures/scenarios/`` describing a backend's starting state.

A scenario lists accounts with their credits (applied through the real ledger, so every amount is
the quote engine's), usage rows (applied as real holds, captures and releases), an optional running
stream, and the backend's failure knobs.  Times are given as ages (seconds before the clock's
``now`` when the scenario is loaded), so a scenario is deterministic under an injected clock.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ai_credits.backends.wire import Address, Digits
from ai_credits.core.quote import parse_gd_amount

__all__ = [
    "Scenario",
    "ScenarioAccount",
    "ScenarioCredit",
    "ScenarioKnobs",
    "ScenarioRequest",
    "ScenarioStream",
    "load_scenario",
    "scenario_dir",
    "scenario_names",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioCredit(_Strict):
    """A credit to apply: a deposit (``gd`` as G$ text, e.g. ``"1000"``) or a stream credit."""

    gd: str
    source: Literal["deposit", "streamUpdate", "streamCron"] = "deposit"
    age_seconds: int = Field(default=0, ge=0)
    funding: Literal["funded", "failed", "pending"] = "funded"
    tx_hash: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{64}$")
    log_index: int = Field(default=0, ge=0)

    @field_validator("gd")
    @classmethod
    def _amount(cls, value: str) -> str:
        parse_gd_amount(value)
        return value

    @property
    def gd_wei(self) -> int:
        """The amount in wei."""
        return parse_gd_amount(self.gd)


class ScenarioRequest(_Strict):
    """A usage row to apply: a hold, then (unless ``reserved``) a capture or a release."""

    max_cost_usd: Digits
    status: Literal["reserved", "settled", "released"]
    actual_cost_usd: Digits | None = None
    age_seconds: int = Field(default=0, ge=0)
    model: str = "gpt-4o-mini"
    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)


class ScenarioStream(_Strict):
    """A stream running since ``age_seconds`` ago at ``flow_rate`` wei per second."""

    flow_rate: Digits
    age_seconds: int = Field(ge=0)


class ScenarioAccount(_Strict):
    """One wallet's state."""

    verified_root: Address | None = None
    credits: list[ScenarioCredit] = Field(default_factory=list)
    requests: list[ScenarioRequest] = Field(default_factory=list)
    stream: ScenarioStream | None = None


class ScenarioKnobs(_Strict):
    """The failure knobs the backend starts with."""

    down: bool = False
    slow: float = Field(default=0.0, ge=0, le=30)
    fail_next_payment: bool = False
    fail_next_request: bool = False
    planned_endpoints: bool = True


class Scenario(_Strict):
    """A named starting state for :class:`~ai_credits.backends.fixture.FixtureBackend`."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    primary: Address
    """The wallet a story or demo looks at; ``from_scenario(account=…)`` may rename it."""
    gd_price: str = "0.00115"
    bonus_cap_usd: Digits | None = None
    accounts: dict[str, ScenarioAccount]
    knobs: ScenarioKnobs = Field(default_factory=ScenarioKnobs)

    @field_validator("accounts")
    @classmethod
    def _lower(cls, value: dict[str, ScenarioAccount]) -> dict[str, ScenarioAccount]:
        out: dict[str, ScenarioAccount] = {}
        for key, account in value.items():
            if not (key.startswith("0x") and len(key) == 42):
                raise ValueError("account keys must be addresses")
            int(key, 16)
            out[key.lower()] = account
        return out


def scenario_dir() -> Path:
    """The folder of bundled scenarios (``fixtures/scenarios``)."""
    try:
        return Path(str(resources.files("fixtures").joinpath("scenarios")))
    except ModuleNotFoundError:  # pragma: no cover - only when the fixtures package is absent
        return Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


def scenario_names() -> list[str]:
    """Names of the bundled scenarios."""
    return sorted(p.stem for p in scenario_dir().glob("*.json"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name, or a scenario file by path; validated."""
    path = Path(name_or_path)
    if not (isinstance(name_or_path, Path) or path.suffix == ".json" or "/" in str(name_or_path)):
        path = scenario_dir() / f"{name_or_path}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No scenario named {str(name_or_path)!r}.")
    return Scenario.model_validate(json.loads(path.read_text(encoding="utf-8")))
