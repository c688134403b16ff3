"""Network configuration and helpers: addresses, supported chains, display names.

The defaults are the Celo mainnet facts of CHAIN.md.  Tests and stories pass their own
:class:`ChainConfig` (for instance eth-tester's chain id and freshly deployed contracts).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ai_credits.chain.addresses import checksum_address

__all__ = [
    "CELO_CHAIN_ID",
    "CHAIN_NAMES",
    "ETH_TESTER_CHAIN_ID",
    "ChainConfig",
    "chain_name",
    "is_supported_chain",
    "switch_chain_params",
]

CELO_CHAIN_ID = 42220
"""Celo mainnet, the only chain the widget pays on by default."""

ETH_TESTER_CHAIN_ID = 131277322940537
"""The chain id eth-tester / py-evm report; unsupported unless a config lists it."""

CHAIN_NAMES: dict[int, str] = {
    1: "Ethereum",
    10: "Optimism",
    122: "Fuse",
    137: "Polygon",
    8453: "Base",
    42161: "Arbitrum",
    42220: "Celo",
    44787: "Celo Alfajores",
}
"""Display names of the chains a wallet may report (CHAIN.md)."""


class ChainConfig(BaseModel):
    """Where the chain layer reads and pays: RPC, chain id and contract addresses.

    ``chain_id`` is the chain payments are made on; ``supported_chain_ids`` the chains the widget
    accepts a wallet on (by default only ``chain_id``).
    """

    model_config = ConfigDict(frozen=True)

    rpc_url: str = "https://forno.celo.org"
    chain_id: int = Field(default=CELO_CHAIN_ID, gt=0)
    extra_supported_chain_ids: tuple[int, ...] = ()
    gd_token: str = "0x62B8B11039FcfE5aB0C56E502b1C372A3d2a9c7A"
    vault: str = "0x4Dd0136b9aabD5823cf0F65d89e8fB882C660885"
    goodid: str = "0xC361A6E67822a0EDc17D899227dd9FC50BD62F42"
    cfa_forwarder: str = "0xcfA132E353cB4E398080B9700609bb008eceB125"
    superfluid_host: str = "0xA4Ff07cF81C02CFD356184879D953970cA957585"
    cfa_v1: str = "0x9d369e78e1a682cE0F8d9aD849BeA4FE1c3bD3Ad"
    price_oracle: str | None = "0x00851A91a3c4E9a4c1B48df827Bacc1f884bdE28"
    """The StaticOracle the credits Worker prices G$ at (``None``: no oracle, price not read)."""
    cusd: str = "0x765DE816845861e75A25fCA122bb6898B8B1282a"
    """cUSD, the quote token of the oracle price (cUSD per G$)."""
    oracle_period_s: int = Field(default=60, gt=0, lt=2**32)
    """TWAP period of the oracle quote; the Worker asks for 60 seconds."""
    vault_usd_decimals: int = Field(default=18, ge=6, le=36)
    """Decimals of the vault's ``minFirstDepositUsd`` / ``minMonthlyStreamUsd`` (18 on Celo)."""
    rpc_retries: int = Field(default=3, ge=0)
    """Retries (with backoff) of a failed HTTP request to ``rpc_url``; 0 fails at once."""
    rpc_timeout_s: float = Field(default=15.0, gt=0)
    confirmations: int = Field(default=1, ge=1)
    receipt_timeout_s: float = Field(default=120.0, gt=0)
    poll_interval_s: float = Field(default=1.0, gt=0)
    gas_margin_bps: int = Field(default=2_000, ge=0)
    """Added to a gas estimate (basis points) before signing."""
    priority_fee_wei: int = Field(default=1_000_000_000, ge=0)

    @field_validator(
        "gd_token", "vault", "goodid", "cfa_forwarder", "superfluid_host", "cfa_v1",
        "price_oracle", "cusd",
    )
    @classmethod
    def _checksum(cls, value: str | None) -> str | None:
        return None if value is None else checksum_address(value, field="address")

    @property
    def supported_chain_ids(self) -> tuple[int, ...]:
        """Every chain id the widget accepts a wallet on."""
        return (self.chain_id, *self.extra_supported_chain_ids)


def is_supported_chain(chain_id: int, config: ChainConfig | None = None) -> bool:
    """Whether a wallet on ``chain_id`` may pay (Celo 42220 unless ``config`` says otherwise)."""
    return chain_id in (config or ChainConfig()).supported_chain_ids


def chain_name(chain_id: int) -> str:
    """A display name for ``chain_id`` ("Chain 131277322940537" for unknown ids)."""
    return CHAIN_NAMES.get(chain_id, f"Chain {chain_id}")


def switch_chain_params(config: ChainConfig | None = None) -> dict[str, str]:
    """Parameters of ``wallet_switchEthereumChain`` asking the wallet to move to the pay chain."""
    return {"chainId": hex((config or ChainConfig()).chain_id)}
