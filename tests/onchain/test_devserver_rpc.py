"""``ai-credits dev-backend --rpc-url`` against anvil, end to end over sockets: the story
connect → quote → ``transferAndCall`` → the dev server records from the node → credited, with the
quote equal to the credit to the micro-dollar for a verified wallet, an unverified one and a stream.
The quote side prices at the oracle price read through the chain layer (``WalletReading.gd_price``);
the dev server reads the same oracle, GoodID and vault events over JSON-RPC, as the Worker does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from ai_credits.backends import AlreadyRecorded, Capabilities, ReceiptNotFound, WorkerBackend
from ai_credits.chain import CELO_CHAIN_ID, CustodialWallet
from ai_credits.core.quote import SECONDS_PER_MONTH, credit_with_bonus, flow_rate_for_monthly
from tests.onchain.node import Deployed, G, rpc
from tests.processes import free_port, spawn, stop

BUYER = "0x000000000000000000000000000000000000bEEF"


@dataclass
class DevServer:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def dev_server(
    deployed_once: Deployed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DevServer]:
    """The real command line, pointed at the node's contracts (default: live routes only)."""
    cfg = deployed_once.config
    port = free_port()
    log = tmp_path_factory.mktemp("dev-backend") / "dev-backend.log"
    args = [sys.executable, "-m", "ai_credits.cli", "dev-backend", "--port", str(port),
            "--rpc-url", cfg.rpc_url, "--vault", cfg.vault, "--gd-token", cfg.gd_token,
            "--goodid", cfg.goodid, "--price-oracle", str(cfg.price_oracle), "--cusd", cfg.cusd,
            "--cfa-forwarder", cfg.cfa_forwarder]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    process = spawn(args, url + "/health", log, timeout=60)
    yield DevServer(url, process)
    stop(process)


@pytest.fixture
async def worker(dev_server: DevServer) -> AsyncIterator[WorkerBackend]:
    async with WorkerBackend(dev_server.url, retries=0) as backend:
        yield backend


def wallet_for(chain: Deployed, *, verified: bool, g: int = 200_000) -> CustodialWallet:
    key, address = chain.new_key()
    chain.fund(address, g_wei=g * G, verified=verified)
    return CustodialWallet(key, chain.config)


async def credited(worker: WorkerBackend, account: str) -> int:
    profile = await worker.profile(account)
    return profile.total_principal_usd + profile.total_bonus_usd


async def test_the_dev_server_says_what_it_reads_from_the_node(
    worker: WorkerBackend, chain: Deployed
) -> None:
    status = await worker.config_status()
    assert status.celo.model_dump(by_alias=False) == {"rpc_configured": True, "vault_configured": True,
                                        "good_id_configured": True,
                                        "static_oracle_configured": True}  # fmt: skip
    values = (await worker.config_values()).config
    assert (values.celo_vault_address, values.celo_goodid_address) == (
        chain.vault.address, chain.goodid.address)  # fmt: skip
    assert (values.celo_static_oracle_address, values.celo_gd_supertoken_address) == (
        chain.oracle.address, chain.token.address)  # fmt: skip
    assert values.max_bonus_cap_usd == "100000000000000000000"  # the Worker's default
    assert values.gd_cusd_price == 0.0001  # the fallback; credits are priced at the oracle
    # the default dev server is the live Worker: no planned routes, told apart without side effects
    assert await worker.capabilities() == Capabilities.all(False)


@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
async def test_one_time_purchase_quote_equals_credit(
    worker: WorkerBackend, chain: Deployed, verified: bool
) -> None:
    wallet = wallet_for(chain, verified=verified)
    connection = await wallet.connect()  # connect
    assert connection.chain_id == CELO_CHAIN_ID
    reading = await wallet.read(connection.account)  # quote, at the oracle price
    assert reading.verified is verified and reading.gd_price == "0.001154299954649337"
    amount = 12_345_678 * 10**15  # 12 345.678 G$ (the contract's E3)
    quote = credit_with_bonus(amount, source="deposit", verified=reading.verified,
                              gd_price=reading.gd_price)  # fmt: skip
    tx_hash = await wallet.send_purchase(payer=connection.account, buyer=connection.account,
                                         amount_wei=amount)  # transferAndCall  # fmt: skip
    await wallet.wait_for_receipt(tx_hash)
    recorded = await worker.record_payment(tx_hash)  # the dev server reads the node
    [entry] = recorded.events
    assert (entry.principal_usd, entry.bonus_usd, entry.total_credit_usd) == (
        quote.principal_usd, quote.bonus_usd, quote.total_credit_usd)  # fmt: skip
    assert (quote.principal_usd, quote.bonus_usd) == (14_246_912, 1_424_691 if verified else 0)
    assert entry.funding_status == "funded" and recorded.to_block == "latest"
    assert await credited(worker, connection.account) == quote.total_credit_usd
    with pytest.raises(AlreadyRecorded):  # never twice
        await worker.record_payment(tx_hash)
    await wallet.reader.aclose()


async def test_a_changed_oracle_price_is_what_the_next_quote_and_credit_use(
    worker: WorkerBackend, chain: Deployed
) -> None:
    chain.set_quote(987_654_321_098_765)  # 0.000987654321098765 cUSD per G$
    wallet = wallet_for(chain, verified=True)
    reading = await wallet.read(wallet.address)
    assert reading.gd_price == repr(987_654_321_098_765 / 1e18)
    amount = 20_000 * G
    quote = credit_with_bonus(amount, source="deposit", verified=True, gd_price=reading.gd_price)
    tx_hash = await wallet.send_purchase(payer=wallet.address, buyer=BUYER, amount_wei=amount)
    await wallet.wait_for_receipt(tx_hash)
    [entry] = (await worker.record_payment(tx_hash)).events
    assert entry.total_credit_usd == quote.total_credit_usd == 21_736_000  # 988 µ$ per G$
    assert entry.buyer_address == BUYER.lower() and entry.account == wallet.address.lower()
    await wallet.reader.aclose()


async def test_a_tx_not_yet_mined_is_still_confirming_then_credited(
    worker: WorkerBackend, chain: Deployed
) -> None:
    wallet = wallet_for(chain, verified=False)
    reading = await wallet.read(wallet.address)
    quote = credit_with_bonus(10_000 * G, source="deposit", verified=False,
                              gd_price=reading.gd_price or "")  # fmt: skip
    chain.node.set_automine(False)
    try:
        tx_hash = await wallet.send_purchase(payer=wallet.address, buyer=wallet.address,
                                             amount_wei=10_000 * G)  # fmt: skip
        with pytest.raises(ReceiptNotFound) as pending:
            await worker.record_payment(tx_hash)
        assert pending.value.tx_hash == tx_hash and pending.value.status == 500
        assert pending.value.detail == f"transaction receipt not found: {tx_hash}"
        assert await credited(worker, wallet.address) == 0
        chain.node.advance(1)
    finally:
        chain.node.set_automine(True)
    [entry] = (await worker.record_payment(tx_hash)).events
    assert entry.total_credit_usd == quote.total_credit_usd == 11_540_000
    await wallet.reader.aclose()


async def test_account_range_recording_reads_the_node(
    worker: WorkerBackend, chain: Deployed
) -> None:
    wallet = wallet_for(chain, verified=True)
    start = chain.w3.eth.block_number
    reading = await wallet.read(wallet.address)
    quote = credit_with_bonus(15_000 * G, source="deposit", verified=True,
                              gd_price=reading.gd_price or "")  # fmt: skip
    tx_hash = await wallet.send_purchase(payer=wallet.address, buyer=wallet.address,
                                         amount_wei=15_000 * G)  # fmt: skip
    await wallet.wait_for_receipt(tx_hash)
    result = await worker.record_account_events(wallet.address, start)  # sent as "0x…"
    assert (result.from_block, result.to_block) == (hex(start), "latest")
    [entry] = result.events
    assert (entry.tx_hash, entry.total_credit_usd) == (tx_hash, quote.total_credit_usd)
    assert await credited(worker, wallet.address) == quote.total_credit_usd
    await wallet.reader.aclose()


async def test_stream_quote_equals_the_credit_of_its_first_month(
    worker: WorkerBackend, chain: Deployed
) -> None:
    wallet = wallet_for(chain, verified=True)
    account = wallet.address
    reading = await wallet.read(account)
    monthly = 20_000 * G
    rate = flow_rate_for_monthly(monthly)
    # the machine's stream quote: the monthly amount the rate streams, at the streaming bonus
    quote = credit_with_bonus(rate * SECONDS_PER_MONTH, source="streamUpdate", verified=True,
                              gd_price=reading.gd_price or "")  # fmt: skip
    created = await wallet.send_stream("create", sender=account, buyer=account, flow_rate=rate)
    started = await wallet.wait_for_receipt(created)
    [opening] = (await worker.record_payment(created)).events  # the Worker credits 0 G$ here
    assert (opening.source, opening.total_credit_usd) == ("streamUpdate", 0)
    start_ts = chain.w3.eth.get_block(started.block_number)["timestamp"]
    rpc(chain.node.url, "evm_setNextBlockTimestamp", [start_ts + SECONDS_PER_MONTH])
    updated = await wallet.send_stream("update", sender=account, buyer=account, flow_rate=2 * rate)
    receipt = await wallet.wait_for_receipt(updated)
    assert receipt.streams[0].total_flow_wei == rate * SECONDS_PER_MONTH
    [entry] = (await worker.record_payment(updated)).events
    assert (entry.principal_usd, entry.bonus_usd, entry.total_credit_usd) == (
        quote.principal_usd, quote.bonus_usd, quote.total_credit_usd)  # fmt: skip
    assert quote.bonus_usd == quote.principal_usd * 2_000 // 10_000  # 20 % for streams, verified
    profile = await worker.profile(account)
    assert profile.total_principal_usd + profile.total_bonus_usd == quote.total_credit_usd
    assert profile.total_gd_streamed_wei == rate * SECONDS_PER_MONTH
    assert profile.stream_flow_rate_wei_per_second == 2 * rate
    assert profile.last_stream_credit_at is not None
    await wallet.reader.aclose()
