"""The chain layer against real contracts on an in-process EVM (eth-tester + py-evm).

The contracts are the test-only stand-ins in ``contracts/`` (see their headers); the library code
under test is the production code: builders, ChainReader, CustodialWallet, InjectedWallet,
receipt waiting, log parsing, error mapping and Web3ChainEventSource.
"""

from __future__ import annotations

import asyncio

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from ai_credits.chain import (
    ETH_TESTER_CHAIN_ID,
    MESSAGES,
    ChainConfig,
    ChainError,
    ChainReader,
    CustodialWallet,
    InjectedWallet,
    NodeReads,
    TxReceiptInfo,
    Web3ChainEventSource,
    await_receipt,
    is_supported_chain,
)
from fixtures.wallets import EMPTY, UNVERIFIED, VERIFIED
from tests.chain.evm import Deployment, G

BUYER = "0x000000000000000000000000000000000000bEEF"
RATE = 10**16  # 0.01 G$/s = 25 920 G$ per 30 days ≈ $2.59 at the test price


@pytest.fixture
def funded(evm: Deployment) -> Deployment:
    """VERIFIED holds 100 000 G$ and is verified; UNVERIFIED holds 5 G$ (see conftest)."""
    return evm


def custodial(evm: Deployment, key: str = VERIFIED.private_key) -> CustodialWallet:
    return CustodialWallet(key, evm.config, w3=evm.async_w3())


async def test_reads_balance_decimals_verification_minimums_and_chain(funded: Deployment) -> None:
    reader = ChainReader(funded.config, w3=funded.async_w3())
    assert await reader.g_decimals() == 18
    assert await reader.chain_id() == ETH_TESTER_CHAIN_ID
    reading = await reader.reading(VERIFIED.address)
    assert reading.g_balance_wei == 100_000 * G
    assert reading.verified is True
    assert (reading.total_deposited_wei, reading.flow_rate) == (0, 0)
    assert (reading.min_first_deposit_usd, reading.min_monthly_stream_usd) == (1_000_000, 1_000_000)
    other = await reader.reading(UNVERIFIED.address)
    assert (other.g_balance_wei, other.verified) == (5 * G, False)


async def test_eth_tester_chain_is_unsupported_unless_configured(funded: Deployment) -> None:
    chain_id = await ChainReader(funded.config, w3=funded.async_w3()).chain_id()
    assert not is_supported_chain(chain_id)
    assert not is_supported_chain(chain_id, ChainConfig())
    assert is_supported_chain(chain_id, funded.config)
    assert is_supported_chain(chain_id, ChainConfig(extra_supported_chain_ids=(chain_id,)))


async def test_purchase_moves_tokens_and_emits_the_event_we_decode(funded: Deployment) -> None:
    wallet = custodial(funded)
    tx_hash = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=12_000 * G)
    receipt = await wallet.wait_for_receipt(tx_hash)
    assert receipt.status == 1 and receipt.tx_hash == tx_hash
    [deposit] = receipt.deposits
    assert (deposit.account, deposit.buyer, deposit.gd_amount_wei) == (
        VERIFIED.address,
        BUYER,
        12_000 * G,
    )
    assert funded.token.functions.balanceOf(VERIFIED.address).call() == 88_000 * G
    assert funded.token.functions.balanceOf(funded.vault.address).call() == 12_000 * G
    reading = await wallet.read(VERIFIED.address)
    assert reading.total_deposited_wei == 12_000 * G
    source = Web3ChainEventSource(wallet.reader)
    assert await source.deposit_events(tx_hash) == [deposit]
    assert await source.stream_events(tx_hash) == []
    # a later top-up below the first-deposit minimum is fine
    small = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=1 * G)
    assert (await wallet.wait_for_receipt(small)).deposits[0].gd_amount_wei == G


async def test_first_deposit_under_minimum_reverts_with_its_sentence(funded: Deployment) -> None:
    wallet = custodial(funded)
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=9_999 * G)
    assert caught.value.code == "first_deposit_below_minimum"
    assert caught.value.message == MESSAGES["first_deposit_below_minimum"]
    assert "0x" not in caught.value.message and "revert" not in caught.value.message.lower()
    assert funded.token.functions.balanceOf(VERIFIED.address).call() == 100_000 * G


async def test_erc20_shortfall_maps_to_not_enough_gd(funded: Deployment) -> None:
    with pytest.raises(ChainError) as caught:
        await custodial(funded).send_purchase(
            payer=VERIFIED.address, buyer=BUYER, amount_wei=100_001 * G
        )
    assert caught.value.message == "Not enough G$ for this payment"


async def test_no_native_coin_maps_to_not_enough_celo_for_gas(funded: Deployment) -> None:
    funded.fund(EMPTY.address, celo_wei=0, g_wei=50_000 * G)
    with pytest.raises(ChainError) as caught:
        await custodial(funded, EMPTY.private_key).send_purchase(
            payer=EMPTY.address, buyer=BUYER, amount_wei=20_000 * G
        )
    assert caught.value.message == "Not enough CELO for gas"


async def test_wrong_chain_is_refused_before_anything_is_signed(funded: Deployment) -> None:
    celo = funded.config.model_copy(update={"chain_id": 42220})
    wallet = CustodialWallet(VERIFIED.private_key, celo, w3=funded.async_w3())
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    assert caught.value.code == "wrong_chain"
    assert funded.w3.eth.get_transaction_count(VERIFIED.address) == 0


async def test_create_update_delete_stream(funded: Deployment) -> None:
    wallet = custodial(funded)
    source = Web3ChainEventSource(wallet.reader)

    created = await wallet.wait_for_receipt(
        await wallet.send_stream("create", sender=VERIFIED.address, buyer=BUYER, flow_rate=RATE)
    )
    [event] = created.streams
    assert (event.account, event.buyer, event.flow_rate) == (VERIFIED.address, BUYER, RATE)
    assert (event.monthly_gd_wei, event.total_flow_wei) == (RATE * 2_592_000, 0)
    assert await source.current_flow_rate(VERIFIED.address) == RATE

    funded.tester.time_travel(funded.w3.eth.get_block("latest")["timestamp"] + 100)
    updated = await wallet.wait_for_receipt(
        await wallet.send_stream("update", sender=VERIFIED.address, buyer=BUYER, flow_rate=2 * RATE)
    )
    assert updated.streams[0].flow_rate == 2 * RATE
    assert updated.streams[0].total_flow_wei >= RATE * 100
    assert (await wallet.read(VERIFIED.address)).flow_rate == 2 * RATE

    deleted_hash = await wallet.send_stream(
        "delete", sender=VERIFIED.address, buyer=BUYER, flow_rate=0
    )
    deleted = await wallet.wait_for_receipt(deleted_hash)
    assert (deleted.streams[0].flow_rate, deleted.streams[0].buyer) == (0, BUYER)
    assert await source.stream_events(deleted_hash) == deleted.streams
    assert await source.current_flow_rate(VERIFIED.address) == 0


async def test_stream_below_minimum_rate_is_refused(funded: Deployment) -> None:
    with pytest.raises(ChainError) as caught:
        await custodial(funded).send_stream(
            "create", sender=VERIFIED.address, buyer=BUYER, flow_rate=10**12
        )
    assert caught.value.code == "stream_rate_below_minimum"
    assert caught.value.message == MESSAGES["stream_rate_below_minimum"]


async def test_receipt_confirmations_and_timeout(funded: Deployment) -> None:
    wallet = custodial(funded)
    tx_hash = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    waiting = asyncio.create_task(_await(wallet, tx_hash, confirmations=3, timeout_s=5))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # mined, but only one confirmation so far
    funded.tester.mine_blocks(2)
    assert (await waiting).deposits[0].gd_amount_wei == 20_000 * G
    unknown = "0x" + "ab" * 32
    with pytest.raises(ChainError) as caught:
        await _await(wallet, unknown, confirmations=1, timeout_s=0.05)
    assert caught.value.code == "timeout"
    assert await Web3ChainEventSource(wallet.reader).deposit_events(unknown) == []


async def _await(
    wallet: CustodialWallet, tx_hash: str, *, confirmations: int, timeout_s: float
) -> TxReceiptInfo:
    return await await_receipt(
        wallet.reader, tx_hash, confirmations=confirmations, timeout_s=timeout_s
    )


async def test_reverted_transaction_mined_on_chain_maps_its_reason(funded: Deployment) -> None:
    """A tx the host's wallet sent without estimating (fixed gas) reverts on chain."""
    reads = NodeReads(ChainReader(funded.config, w3=funded.async_w3()))
    injected = InjectedWallet(funded.config, reads=reads)
    sending = asyncio.create_task(
        injected.send_purchase(payer=UNVERIFIED.address, buyer=BUYER, amount_wei=2 * G)
    )
    request = await injected.next_request()
    assert request.tx is not None
    tx_hash = funded.w3.eth.send_transaction(
        {"from": funded.funder, "to": request.tx.to, "data": request.tx.data, "gas": 200_000}
    )
    injected.report_hash(request.request_id, tx_hash.to_0x_hex())
    with pytest.raises(ChainError) as caught:
        await injected.wait_for_receipt(await sending)
    # the funder has no G$: the token's ERC20InsufficientBalance custom error
    assert caught.value.code == "insufficient_gd"


async def test_injected_round_trip_host_sends_with_eth_tester(funded: Deployment) -> None:
    funder = funded.funder
    funded.fund(funder, celo_wei=0, g_wei=30_000 * G)
    reads = NodeReads(ChainReader(funded.config, w3=funded.async_w3()))
    seen = []
    wallet = InjectedWallet(funded.config, reads=reads, on_request=seen.append)

    connecting = asyncio.create_task(wallet.connect())
    request = await wallet.next_request()
    assert (request.kind, request.method) == ("connect", "eth_requestAccounts")
    wallet.report_connection(request.request_id, funder.lower(), ETH_TESTER_CHAIN_ID)
    assert (await connecting).account == funder

    sending = asyncio.create_task(
        wallet.send_purchase(payer=funder, buyer=BUYER, amount_wei=20_000 * G)
    )
    request = await wallet.next_request()
    assert request.method == "eth_sendTransaction" and request.tx is not None
    params = request.params[0]
    assert params["from"] == funder and params["to"] == funded.token.address
    # the host's wallet (eth-tester's unlocked account) signs and sends it itself
    tx_hash = funded.w3.eth.send_transaction(
        {"from": params["from"], "to": params["to"], "data": params["data"]}
    ).to_0x_hex()
    wallet.report_hash(request.request_id, tx_hash)
    assert await sending == tx_hash
    receipt = await wallet.wait_for_receipt(tx_hash)
    assert receipt.deposits[0].account == funder
    assert receipt.deposits[0].gd_amount_wei == 20_000 * G
    assert [r.kind for r in seen] == ["connect", "send_transaction"]

    rejected = asyncio.create_task(
        wallet.send_purchase(payer=funder, buyer=BUYER, amount_wei=1 * G)
    )
    request = await wallet.next_request()
    wallet.report_rejection(request.request_id, {"code": 4001, "message": "User rejected"})
    with pytest.raises(ChainError) as caught:
        await rejected
    assert (caught.value.code, caught.value.message) == ("user_rejected", "Transaction cancelled")
    assert wallet.pending() == []


async def test_custodial_signs_personal_messages(funded: Deployment) -> None:
    wallet = custodial(funded)
    signature = await wallet.sign_message(VERIFIED.address, "Sign in to AI credits")
    recovered = Account.recover_message(
        encode_defunct(text="Sign in to AI credits"), signature=signature
    )
    assert recovered == VERIFIED.address
    with pytest.raises(ChainError) as caught:
        await wallet.sign_message(UNVERIFIED.address, "x")
    assert caught.value.code == "unauthorised"
    assert (await wallet.connect()).chain_id == ETH_TESTER_CHAIN_ID
