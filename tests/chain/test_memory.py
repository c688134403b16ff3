"""MemoryChain: the deterministic in-memory chain of stories, its knobs and the wallet fixtures."""

from __future__ import annotations

import asyncio

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from ai_credits.chain import (
    MESSAGES,
    ChainConfig,
    ChainError,
    InvalidTxInput,
    MemoryChain,
    WalletAdapter,
)
from ai_credits.core.onchain import ChainEventSource
from fixtures.wallets import (
    ACCOUNTS,
    EMPTY,
    FIXED_TIME,
    UNVERIFIED,
    VERIFIED,
    custodial_wallet,
    injected_wallet,
    memory_chain,
    throwaway_key,
)

G = 10**18
BUYER = "0x000000000000000000000000000000000000bEEF"
RATE = 10**16  # 25 920 G$ per 30 days = $2.59 at $0.0001


class Clock:
    def __init__(self, now: int = FIXED_TIME) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_fixture_accounts_are_deterministic_and_distinct() -> None:
    assert throwaway_key("verified") == VERIFIED.private_key
    assert Account.from_key(VERIFIED.private_key).address == VERIFIED.address
    assert len({a.address for a in ACCOUNTS.values()}) == 3
    assert VERIFIED.private_key not in repr(VERIFIED)
    chain = memory_chain()
    assert chain.reading(VERIFIED.address).verified and chain.g_balance(VERIFIED.address) > 0
    assert not chain.reading(UNVERIFIED.address).verified
    assert chain.g_balance(EMPTY.address) == 0


async def test_memory_wallet_and_chain_satisfy_the_protocols() -> None:
    chain, wallet = custodial_wallet()
    assert isinstance(wallet, WalletAdapter)
    assert isinstance(chain, ChainEventSource)
    _, injected, _ = injected_wallet()
    assert isinstance(injected, WalletAdapter)


async def test_purchase_is_deterministic_and_readable_as_chain_events() -> None:
    hashes = []
    for _ in range(2):
        chain, wallet = custodial_wallet()
        assert (await wallet.connect()).account == VERIFIED.address
        tx_hash = await wallet.send_purchase(
            payer=VERIFIED.address, buyer=BUYER, amount_wei=12_000 * G
        )
        hashes.append(tx_hash)
        receipt = await wallet.wait_for_receipt(tx_hash)
        [deposit] = receipt.deposits
        assert (deposit.account, deposit.buyer, deposit.gd_amount_wei) == (
            VERIFIED.address,
            BUYER,
            12_000 * G,
        )
        assert await chain.deposit_events(tx_hash) == [deposit]
        assert await chain.stream_events(tx_hash) == []
        reading = await wallet.read(VERIFIED.address)
        assert reading.g_balance_wei == 238_000 * G
        assert reading.total_deposited_wei == 12_000 * G
    assert hashes[0] == hashes[1]
    second = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=1)
    assert second != hashes[1]  # counter-derived, so each tx differs


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (9_999 * G, "first_deposit_below_minimum"),
        (300_000 * G, "insufficient_gd"),
    ],
)
async def test_vault_rules(amount: int, code: str) -> None:
    chain, wallet = custodial_wallet()
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=amount)
    assert (caught.value.code, caught.value.message) == (code, MESSAGES[code])  # type: ignore[index]
    assert chain.g_balance(VERIFIED.address) == VERIFIED.g_balance_wei


async def test_later_top_ups_may_be_small_and_bad_input_is_typed() -> None:
    _, wallet = custodial_wallet()
    await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=10_000 * G)
    await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=1)
    with pytest.raises(InvalidTxInput) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer="0x" + "00" * 20, amount_wei=1)
    assert caught.value.code == "missing_buyer"


@pytest.mark.parametrize(
    ("knob", "code"),
    [
        (lambda c: c.reject_next(), "user_rejected"),
        (lambda c: c.reject_next(4100), "unauthorised"),
        (lambda c: c.set_chain_id(44787), "wrong_chain"),
        (lambda c: c.switch_account(UNVERIFIED.address), "account_switched"),
        (lambda c: c.set_celo(VERIFIED.address, 0), "insufficient_gas"),
        (lambda c: c.set_rpc_down(), "rpc_unavailable"),
    ],
    ids=["reject", "reject-4100", "wrong-chain", "account-switched", "no-gas", "rpc-down"],
)
async def test_knobs_fail_the_next_send(knob, code: str) -> None:  # type: ignore[no-untyped-def]
    chain, wallet = custodial_wallet()
    knob(chain)
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    assert caught.value.code == code
    assert chain.total_deposited(VERIFIED.address) == 0


async def test_reject_knob_fires_once() -> None:
    chain, wallet = custodial_wallet()
    chain.reject_next()
    with pytest.raises(ChainError):
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    assert await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)


async def test_revert_and_timeout_knobs_fail_the_receipt() -> None:
    chain, wallet = custodial_wallet()
    chain.revert_next("first_deposit_below_minimum")
    tx_hash = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    with pytest.raises(ChainError) as caught:
        await wallet.wait_for_receipt(tx_hash)
    assert caught.value.code == "first_deposit_below_minimum"
    assert chain.total_deposited(VERIFIED.address) == 0
    assert await chain.deposit_events(tx_hash) == []
    chain.timeout_next()
    ok = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    with pytest.raises(ChainError) as caught:
        await wallet.wait_for_receipt(ok)
    assert caught.value.code == "timeout"
    assert (await wallet.wait_for_receipt(ok)).status == 1


async def test_pending_until_mined() -> None:
    chain = memory_chain(auto_mine=False)
    wallet = chain.wallet(VERIFIED.address)
    tx_hash = await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    waiting = asyncio.create_task(wallet.wait_for_receipt(tx_hash))
    await asyncio.sleep(0)
    assert not waiting.done() and await chain.deposit_events(tx_hash) == []
    assert chain.mine() == [tx_hash]
    assert (await waiting).deposits[0].gd_amount_wei == 20_000 * G


async def test_streams_accrue_with_the_injected_clock() -> None:
    clock = Clock()
    chain = MemoryChain(clock=clock)
    chain.add_account(private_key=VERIFIED.private_key, g_balance_wei=100_000 * G, verified=True)
    wallet = chain.wallet(VERIFIED.address)

    created = await wallet.wait_for_receipt(
        await wallet.send_stream("create", sender=VERIFIED.address, buyer=BUYER, flow_rate=RATE)
    )
    assert created.streams[0].monthly_gd_wei == RATE * 2_592_000
    assert await chain.current_flow_rate(VERIFIED.address) == RATE
    clock.now += 1_000
    assert chain.g_balance(VERIFIED.address) == 100_000 * G - 1_000 * RATE

    update = await wallet.send_stream("update", sender=VERIFIED.address, buyer=BUYER, flow_rate=2 * RATE)
    [event] = await chain.stream_events(update)
    assert (event.flow_rate, event.total_flow_wei) == (2 * RATE, 1_000 * RATE)
    clock.now += 10
    delete = await wallet.send_stream("delete", sender=VERIFIED.address, buyer=BUYER, flow_rate=0)
    [event] = await chain.stream_events(delete)
    assert (event.flow_rate, event.total_flow_wei, event.buyer) == (0, 20 * RATE, BUYER)
    assert (await wallet.read(VERIFIED.address)).flow_rate == 0
    clock.now += 1_000
    assert chain.g_balance(VERIFIED.address) == 100_000 * G - 1_020 * RATE


@pytest.mark.parametrize(
    ("action", "rate", "code"),
    [
        ("create", 10**12, "stream_rate_below_minimum"),
        ("update", RATE, "unknown"),  # no flow to update
        ("delete", 0, "unknown"),
    ],
)
async def test_stream_rules(action, rate: int, code: str) -> None:  # type: ignore[no-untyped-def]
    _, wallet = custodial_wallet()
    with pytest.raises(ChainError) as caught:
        await wallet.send_stream(action, sender=VERIFIED.address, buyer=BUYER, flow_rate=rate)
    assert caught.value.code == code


async def test_stream_needs_a_buffer_and_cannot_be_created_twice() -> None:
    _, wallet = custodial_wallet("unverified")
    with pytest.raises(ChainError) as caught:  # 50 000 G$ < 4 h of 10 G$/s
        await wallet.send_stream("create", sender=UNVERIFIED.address, buyer=BUYER, flow_rate=10 * G)
    assert caught.value.code == "insufficient_gd"
    await wallet.send_stream("create", sender=UNVERIFIED.address, buyer=BUYER, flow_rate=RATE)
    with pytest.raises(ChainError):
        await wallet.send_stream("create", sender=UNVERIFIED.address, buyer=BUYER, flow_rate=RATE)


async def test_sign_switch_and_connect() -> None:
    chain, wallet = custodial_wallet()
    signature = await wallet.sign_message(VERIFIED.address, "hello")
    assert Account.recover_message(encode_defunct(text="hello"), signature=signature) == (
        VERIFIED.address
    )
    assert signature == await wallet.sign_message(VERIFIED.address, "hello")  # RFC 6979
    with pytest.raises(ChainError) as caught:
        await wallet.sign_message(UNVERIFIED.address, "hello")
    assert caught.value.code == "account_switched"
    chain.add_account("0x" + "77" * 20)
    chain.switch_account("0x" + "77" * 20)
    with pytest.raises(ChainError) as caught:
        await wallet.sign_message("0x" + "77" * 20, "hello")
    assert caught.value.code == "unauthorised"
    chain.set_chain_id(1)
    await wallet.switch_chain(42220)
    assert (await wallet.connect()).chain_id == 42220
    chain.reject_next(4001)
    with pytest.raises(ChainError):
        await wallet.switch_chain(1)
    assert chain.chain_id == 42220
    chain.active_account = None
    with pytest.raises(ChainError) as caught:
        await wallet.connect()
    assert caught.value.code == "disconnected"


async def test_memory_chain_on_a_custom_config() -> None:
    config = ChainConfig(chain_id=44787)
    chain = memory_chain(config=config)
    wallet = chain.wallet(VERIFIED.address)
    assert (await wallet.connect()).chain_id == 44787
    assert await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)


async def test_injected_wallet_on_the_memory_chain() -> None:
    chain, wallet, host = injected_wallet()

    connect = asyncio.create_task(wallet.connect())
    assert (await host.answer_next()).kind == "connect"
    assert (await connect).account == VERIFIED.address

    sending = asyncio.create_task(
        wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    )
    request = await host.answer_next()
    assert request.method == "eth_sendTransaction"
    tx_hash = await sending
    assert (await wallet.wait_for_receipt(tx_hash)).deposits[0].buyer == BUYER
    assert await chain.deposit_events(tx_hash) != []

    chain.reject_next(4001)
    rejected = asyncio.create_task(
        wallet.send_stream("create", sender=VERIFIED.address, buyer=BUYER, flow_rate=RATE)
    )
    await host.answer_next()
    with pytest.raises(ChainError) as caught:
        await rejected
    assert caught.value.message == "Transaction cancelled"

    signing = asyncio.create_task(wallet.sign_message(VERIFIED.address, "sign in"))
    assert (await host.answer_next()).method == "personal_sign"
    assert Account.recover_message(encode_defunct(text="sign in"), signature=await signing) == (
        VERIFIED.address
    )

    switching = asyncio.create_task(wallet.switch_chain(42220))
    assert (await host.answer_next()).params == [{"chainId": "0xa4ec"}]
    await switching


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (lambda w: w.notify_chain_changed(1), "wrong_chain"),
        (lambda w: w.notify_accounts_changed([UNVERIFIED.address]), "account_switched"),
        (lambda w: w.notify_accounts_changed([]), "disconnected"),
    ],
    ids=["chain-changed", "account-changed", "disconnected"],
)
async def test_injected_wallet_mid_flow_events(event, code: str) -> None:  # type: ignore[no-untyped-def]
    _, wallet, _ = injected_wallet()
    sending = asyncio.create_task(
        wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=20_000 * G)
    )
    await wallet.next_request()
    event(wallet)
    with pytest.raises(ChainError) as caught:
        await sending
    assert caught.value.code == code
    assert wallet.pending() == []


async def test_injected_wallet_refuses_when_known_state_is_wrong_and_validates_reports() -> None:
    _, wallet, _ = injected_wallet()
    wallet.notify_chain_changed(1)
    with pytest.raises(ChainError) as caught:
        await wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=1)
    assert caught.value.code == "wrong_chain" and wallet.pending() == []
    wallet.notify_chain_changed(42220)
    sending = asyncio.create_task(
        wallet.send_purchase(payer=VERIFIED.address, buyer=BUYER, amount_wei=1)
    )
    request = await wallet.next_request()
    from ai_credits.errors import ValidationError

    with pytest.raises(ValidationError):
        wallet.report_hash(request.request_id, "0x1234")
    with pytest.raises(ValidationError):
        wallet.report_signature(request.request_id, "0x" + "11" * 65)  # wrong kind
    with pytest.raises(ValidationError):
        wallet.report_hash("req-999", "0x" + "11" * 32)
    wallet.report_rejection(request.request_id, "ACTION_REJECTED")
    with pytest.raises(ChainError):
        await sending


async def test_injected_request_timeout() -> None:
    chain = memory_chain()
    from ai_credits.chain import InjectedWallet

    wallet = InjectedWallet(chain.config, reads=chain.wallet(VERIFIED.address), request_timeout_s=0.01)
    with pytest.raises(ChainError) as caught:
        await wallet.sign_message(VERIFIED.address, "x")
    assert caught.value.code == "timeout" and wallet.pending() == []
