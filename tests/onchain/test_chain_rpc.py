"""The chain layer over real JSON-RPC: a ChainReader built from nothing but ``rpc_url`` (web3 8's
HTTP provider), the custodial and injected wallets, receipts, log decoding, the oracle price and the
Worker's reads (receipt-not-found, account ranges) — all against anvil."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from eth_account import Account

from ai_credits.chain import (
    CELO_CHAIN_ID,
    ChainConfig,
    ChainError,
    ChainReader,
    CustodialWallet,
    InjectedWallet,
    NodeReads,
    Web3ChainEventSource,
)
from ai_credits.chain.reader import price_text
from ai_credits.core.onchain import ReceiptNotFoundError, WorkerChainReads
from ai_credits.core.quote import credit_with_bonus
from tests.onchain.node import CUSD, ORACLE_QUOTE, Deployed, G

BUYER = "0x000000000000000000000000000000000000bEEF"


@pytest.fixture
async def reader(chain: Deployed) -> AsyncIterator[ChainReader]:
    async with ChainReader(chain.config) as made:  # builds its own AsyncHTTPProvider
        yield made


def payer(chain: Deployed, *, g: int = 100_000, verified: bool = False) -> CustodialWallet:
    key, address = chain.new_key()
    chain.fund(address, g_wei=g * G, verified=verified)
    return CustodialWallet(key, chain.config)


async def test_a_reader_on_a_json_rpc_url_connects(chain: Deployed) -> None:
    """Issue 12 §1: web3 8 refused our retry configuration, so no reader could be built on a URL."""
    async with ChainReader(ChainConfig(rpc_url=chain.node.url)) as reader:
        assert await reader.chain_id() == CELO_CHAIN_ID
        assert await reader.block_number() >= 5
    async with ChainReader(ChainConfig(rpc_url=chain.node.url, rpc_retries=0)) as reader:
        assert await reader.chain_id() == CELO_CHAIN_ID


async def test_oracle_price_is_the_workers_double_as_text(reader: ChainReader, chain: Deployed) -> None:
    assert await reader.gd_price_quote() == ORACLE_QUOTE
    assert await reader.gd_price() == "0.001154299954649337"
    chain.set_quote(10**14)
    assert await reader.gd_price() == "0.0001"
    chain.set_quote(123_456_789_012_345_678_901)  # not exactly representable: rounds like JS
    assert await reader.gd_price() == repr(123_456_789_012_345_678_901 / 1e18) == "123.45678901234568"
    chain.set_quote(0)
    assert await reader.gd_price() is None  # the Worker falls back to GD_CUSD_PRICE


def test_price_text_matches_javascript_number_division() -> None:
    # values checked with node: Number(BigInt(q)) / 1e18
    assert price_text(1_154_299_954_649_337) == "0.001154299954649337"
    assert price_text(10**18) == "1.0" and float(price_text(10**18) or 0) == 1
    assert price_text(115 * 10**13) == "0.00115"
    assert price_text(0) is None


async def test_a_wrong_oracle_pair_or_no_oracle_reads_as_no_price(chain: Deployed) -> None:
    wrong_pair = chain.config.model_copy(update={"cusd": chain.config.gd_token})
    async with ChainReader(wrong_pair) as reader:
        assert await reader.gd_price() is None
        with pytest.raises(ChainError):
            await reader.gd_price_quote()
    async with ChainReader(chain.config.model_copy(update={"price_oracle": None})) as reader:
        assert await reader.gd_price() is None


async def test_wallet_reading_carries_the_oracle_price(reader: ChainReader, chain: Deployed) -> None:
    wallet = payer(chain, verified=True)
    reading = await wallet.read(wallet.address)
    assert reading.gd_price == "0.001154299954649337"
    assert (reading.g_balance_wei, reading.verified, reading.chain_id) == (100_000 * G, True, 42220)
    assert (reading.min_first_deposit_usd, reading.min_monthly_stream_usd) == (1_000_000, 1_000_000)
    no_oracle = ChainReader(chain.config.model_copy(update={"price_oracle": None}))
    assert (await NodeReads(no_oracle).read(wallet.address)).gd_price is None
    await no_oracle.aclose()
    await wallet.reader.aclose()


async def test_custodial_purchase_receipt_and_decoded_event(chain: Deployed) -> None:
    wallet = payer(chain)
    tx_hash = await wallet.send_purchase(payer=wallet.address, buyer=BUYER, amount_wei=12_000 * G)
    receipt = await wallet.wait_for_receipt(tx_hash)
    assert receipt.status == 1 and receipt.tx_hash == tx_hash
    [deposit] = receipt.deposits
    assert (deposit.account, deposit.buyer, deposit.gd_amount_wei) == (
        wallet.address, BUYER, 12_000 * G)  # fmt: skip
    source = Web3ChainEventSource(wallet.reader)
    assert isinstance(source, WorkerChainReads)
    assert await source.receipt_events(tx_hash) == ([deposit], [])
    assert (await wallet.read(wallet.address)).total_deposited_wei == 12_000 * G
    await wallet.reader.aclose()


async def test_custodial_revert_maps_to_its_sentence_over_rpc(chain: Deployed) -> None:
    wallet = payer(chain)
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=wallet.address, buyer=BUYER, amount_wei=9_999 * G)
    assert caught.value.code == "first_deposit_below_minimum"
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=wallet.address, buyer=BUYER, amount_wei=200_000 * G)
    assert caught.value.message == "Not enough G$ for this payment"
    await wallet.reader.aclose()


async def test_injected_wallet_host_signs_and_sends_raw(chain: Deployed) -> None:
    key, address = chain.new_key()
    chain.fund(address, g_wei=30_000 * G)
    reader = ChainReader(chain.config)
    wallet = InjectedWallet(chain.config, reads=NodeReads(reader))
    connecting = asyncio.create_task(wallet.connect())
    request = await wallet.next_request()
    wallet.report_connection(request.request_id, address, CELO_CHAIN_ID)
    assert (await connecting).account == address

    sending = asyncio.create_task(
        wallet.send_purchase(payer=address, buyer=BUYER, amount_wei=20_000 * G)
    )
    request = await wallet.next_request()
    params = request.params[0]
    # the host's wallet: fills nonce/gas/fees, signs with its key, sends the raw transaction
    w3 = chain.w3
    tx = {
        "from": params["from"], "to": params["to"], "data": params["data"],
        "value": int(params.get("value", "0x0"), 16), "chainId": CELO_CHAIN_ID,
        "nonce": w3.eth.get_transaction_count(address),
    }  # fmt: skip
    tx["gas"] = w3.eth.estimate_gas(tx)  # type: ignore[arg-type]
    tx["maxFeePerGas"] = 2 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9
    tx["maxPriorityFeePerGas"] = 10**9
    signed = Account.sign_transaction(tx, key)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()
    wallet.report_hash(request.request_id, tx_hash)
    assert await sending == tx_hash
    receipt = await wallet.wait_for_receipt(tx_hash)
    assert receipt.deposits[0].account == address
    assert (await wallet.read(address)).gd_price == "0.001154299954649337"
    await reader.aclose()


async def test_receipt_not_found_while_a_tx_is_pending(chain: Deployed) -> None:
    wallet = payer(chain)
    source = Web3ChainEventSource(wallet.reader)
    unknown = "0x" + "ab" * 32
    with pytest.raises(ReceiptNotFoundError) as caught:
        await source.receipt_events(unknown)
    assert str(caught.value) == f"transaction receipt not found: {unknown}"
    assert await source.deposit_events(unknown) == []  # the ChainEventSource port stays lenient
    chain.node.set_automine(False)
    try:
        tx_hash = await wallet.send_purchase(payer=wallet.address, buyer=BUYER,
                                             amount_wei=10_000 * G)  # fmt: skip
        with pytest.raises(ReceiptNotFoundError):
            await source.receipt_events(tx_hash)  # sent, not yet mined
        chain.node.advance(1)
        deposits, streams = await source.receipt_events(tx_hash)
        assert [d.gd_amount_wei for d in deposits] == [10_000 * G] and streams == []
    finally:
        chain.node.set_automine(True)
    await wallet.reader.aclose()


async def test_account_events_in_a_block_range(chain: Deployed) -> None:
    wallet = payer(chain, verified=True)
    start = chain.w3.eth.block_number
    first = await wallet.send_purchase(payer=wallet.address, buyer=BUYER, amount_wei=10_000 * G)
    await wallet.wait_for_receipt(first)
    other = payer(chain)  # another account's deposit is not in the range answer
    await other.wait_for_receipt(
        await other.send_purchase(payer=other.address, buyer=BUYER, amount_wei=10_000 * G)
    )
    created = await wallet.send_stream("create", sender=wallet.address, buyer=BUYER,
                                       flow_rate=10**16)  # fmt: skip
    await wallet.wait_for_receipt(created)
    source = Web3ChainEventSource(wallet.reader)
    deposits, streams = await source.account_events(wallet.address, hex(start), "latest")
    assert [(d.tx_hash, d.gd_amount_wei) for d in deposits] == [(first, 10_000 * G)]
    assert [(s.tx_hash, s.flow_rate, s.total_flow_wei) for s in streams] == [(created, 10**16, 0)]
    block = (await wallet.wait_for_receipt(created)).block_number
    only_stream = await source.account_events(wallet.address, str(block), str(block))
    assert (len(only_stream[0]), len(only_stream[1])) == (0, 1)
    with pytest.raises(ChainError):  # the node refuses a range beyond its head (so the Worker 500s)
        await source.account_events(wallet.address, str(block + 100), "latest")
    assert await source.goodid_root(wallet.address) == wallet.address.lower()
    assert await source.goodid_root(other.address) is None
    assert await source.gd_price() == "0.001154299954649337"
    assert source.addresses()["CELO_STATIC_ORACLE_ADDRESS"] == chain.oracle.address
    assert source.addresses()["CELO_CUSD_ADDRESS"] == CUSD
    await wallet.reader.aclose()
    await other.reader.aclose()


async def test_quote_at_the_oracle_price_is_the_workers_credit_arithmetic(
    reader: ChainReader,
) -> None:
    price = await reader.gd_price()
    assert price is not None
    quote = credit_with_bonus(12_345_678 * 10**15, source="deposit", verified=True,
                              gd_price=price)  # fmt: skip
    assert (quote.principal_usd, quote.bonus_usd) == (14_246_912, 1_424_691)  # E3
