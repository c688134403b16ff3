"""The runtime's chain wiring on a real EVM: every effect of the machine — account reading and the
network check, paying, recording, the API key's personal_sign, the stream's create/delete — executed
by ``Session`` through the production wallets on eth-tester, with a ``FixtureBackend`` that credits
what ``Web3ChainEventSource`` finds in the receipts of the same chain."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from ai_credits import State
from ai_credits.chain import ETH_TESTER_CHAIN_ID, MESSAGES, ChainError, CustodialWallet
from ai_credits.core import events as ev
from ai_credits.core.models import WidgetConfig
from ai_credits.quote import credit_with_bonus, gd_wei_for_usd_micro
from ai_credits.runtime import SessionResult
from fixtures.wallets import UNVERIFIED, VERIFIED, FixtureAccount
from tests.chain.evm import Deployment, G
from tests.integration.conftest import PRICE, START_G, EvmHost, EvmWorld, widget_config

S = State
MakeWorld = Callable[..., EvmWorld]


def states(result: SessionResult) -> list[State]:
    return [t.step.snapshot.state for t in result.trace]


class SigningSpy(CustodialWallet):
    """The production custodial wallet, remembering what it signed."""

    signed: list[tuple[str, str]]

    async def sign_message(self, account: str, message: str) -> str:
        signature = await super().sign_message(account, message)
        self.signed = [*getattr(self, "signed", []), (message, signature)]
        return signature


@pytest.mark.parametrize("account", [VERIFIED, UNVERIFIED], ids=["verified", "unverified"])
async def test_one_time_purchase_credits_the_quote_of_what_the_vault_received(
    make_world: MakeWorld, account: FixtureAccount
) -> None:
    world = make_world(account=account, custodial=SigningSpy)
    spy = world.wallet
    assert isinstance(spy, SigningSpy)
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text="20000"))).snapshot
    assert (snap.state, snap.wallet.g_balance_wei, snap.wallet.verified) == (
        S.quote_ready, START_G, account.verified)  # fmt: skip
    quote = snap.quote
    vault_before = world.vault_balance()

    result = await world.send(ev.Confirm())

    assert states(result) == [S.awaiting_signature, S.payment_pending, S.signing_in,
                              S.payment_confirmed]  # fmt: skip
    moved = world.vault_balance() - vault_before
    assert moved == 20_000 * G and world.g_balance() == START_G - moved
    expected = credit_with_bonus(moved, source="deposit", verified=account.verified,
                                 gd_price=PRICE)  # fmt: skip
    assert (expected.bonus_usd > 0) is account.verified
    snap = result.snapshot
    assert snap.credit.credited_usd == expected.total_credit_usd == quote.total_credit_usd
    profile = await world.backend.profile(account.address)
    assert profile.total_gd_deposited_wei == moved
    # the key: the backend issued it against a real EIP-191 signature by the paying account
    [(message, signature)] = spy.signed
    assert Account.recover_message(encode_defunct(text=message), signature=signature) == (
        account.address)  # fmt: skip
    assert str(ETH_TESTER_CHAIN_ID) in message
    token = snap.api_key.token.reveal()
    assert token.startswith("gd_live_") and world.session.keys.token.reveal() == token
    keys = await world.backend.list_api_keys(token)
    assert keys.account == account.address.lower() and len(keys.api_keys) == 1


class Forger(CustodialWallet):
    """Pays with its own key but signs the sign-in message with another one."""

    async def sign_message(self, account: str, message: str) -> str:
        signed = Account.sign_message(encode_defunct(text=message), UNVERIFIED.private_key)
        return "0x" + signed.signature.hex()


async def test_a_forged_key_signature_gets_no_key(make_world: MakeWorld) -> None:
    """The backend really verifies the signature: one by another key issues nothing."""
    world = make_world(custodial=Forger)
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text="20000"), ev.Confirm())).snapshot
    assert world.vault_balance() == 20_000 * G  # paid and credited ...
    assert snap.credit.credited_usd > 0
    assert snap.api_key is None and world.session.keys.token is None  # ... but no key


@pytest.mark.parametrize(
    ("account", "text", "state"),
    [
        (VERIFIED, "50000", S.quote_ready),
        (VERIFIED, "50000.000000000000000001", S.insufficient_g_balance),
        (UNVERIFIED, "50000", S.quote_ready),
    ],
    ids=["whole-balance", "one-wei-over", "unverified"],
)
async def test_connect_reads_balance_and_goodid_from_the_chain(
    make_world: MakeWorld, account: FixtureAccount, text: str, state: State
) -> None:
    world = make_world(account=account)
    result = await world.send(ev.Connect())
    assert [e.type for t in result.trace for e in t.step.effects] == [
        "connect_wallet", "load_account"]  # fmt: skip
    wallet = result.snapshot.wallet
    assert (wallet.account, wallet.chain_id) == (account.address.lower(), ETH_TESTER_CHAIN_ID)
    assert (wallet.g_balance_wei, wallet.verified, wallet.first_deposit_done) == (
        world.g_balance(), account.verified, False)  # fmt: skip
    snap = (await world.send(ev.EnterAmount(text=text))).snapshot
    assert snap.state is state
    if state is S.quote_ready:
        assert snap.quote.bonus_bps == (1_000 if account.verified else 0)


@pytest.mark.parametrize(
    ("text", "widget_accepts"),
    [("9999.999999999999999999", False), ("10000", True)],
    ids=["one-wei-below", "at-minimum"],
)
async def test_first_deposit_minimum_is_the_same_in_the_widget_and_the_vault(
    world: EvmWorld, text: str, widget_accepts: bool
) -> None:
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text=text))).snapshot
    minimum = gd_wei_for_usd_micro(snap.config.min_first_deposit_usd, PRICE)
    assert minimum == 10_000 * G
    reading = await world.wallet.read(world.address)
    assert reading.min_first_deposit_usd == snap.config.min_first_deposit_usd
    if widget_accepts:
        assert snap.state is S.quote_ready and snap.amount.error_code is None
        result = await world.send(ev.Confirm())
        assert result.snapshot.state is S.payment_confirmed
        assert world.vault_balance() == minimum
        return
    # the widget refuses before anything is sent ...
    assert snap.state is S.connected_empty and snap.quote is None
    assert snap.amount.error_code == "below_minimum"
    assert snap.amount.error_message == (
        "Your first purchase must be worth at least $1.00 (about 10,000.00 G$).")  # fmt: skip
    refused = await world.session.send(ev.Confirm())
    assert not refused.accepted and refused.trace[0].step.effects == ()
    assert world.tx_count() == 0
    # ... and forced past the widget, the vault reverts with the same rule, as a sentence
    with pytest.raises(ChainError) as caught:
        await world.wallet.send_purchase(payer=world.address, buyer=world.address,
                                         amount_wei=snap.amount.wei)  # fmt: skip
    assert caught.value.code == "first_deposit_below_minimum"
    assert caught.value.message == MESSAGES["first_deposit_below_minimum"]
    assert (world.vault_balance(), world.tx_count()) == (0, 0)


async def test_a_widget_without_the_minimum_gets_the_vaults_revert_as_payment_failed(
    make_world: MakeWorld, evm: Deployment
) -> None:
    world = make_world(config=widget_config(evm, min_first_deposit_usd=0))
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text="9999"))).snapshot
    assert snap.state is S.quote_ready
    result = await world.send(ev.Confirm())
    assert states(result) == [S.awaiting_signature, S.payment_failed]
    snap = result.snapshot
    assert snap.notice.message == MESSAGES["first_deposit_below_minimum"]
    assert snap.notice.code == "first_deposit_below_minimum" and snap.amount.text == "9999"
    assert "0x" not in snap.notice.message and "revert" not in snap.notice.message.lower()
    assert (world.vault_balance(), world.tx_count()) == (0, 0)


async def test_a_revert_mined_on_chain_fails_the_pending_payment_with_its_sentence(
    make_world: MakeWorld, evm: Deployment
) -> None:
    """A host wallet that sends without estimating gets the revert mined: the receipt says so."""
    world = make_world(wallet="injected", config=widget_config(evm, min_first_deposit_usd=0))
    host = EvmHost(world)
    host.fixed_gas = 300_000
    serving = asyncio.create_task(host.serve())
    try:
        await world.send(ev.Connect(), ev.EnterAmount(text="9999"))
        result = await world.send(ev.Confirm())
    finally:
        serving.cancel()
    assert states(result) == [S.awaiting_signature, S.payment_pending, S.payment_failed]
    receipt = evm.w3.eth.get_transaction_receipt(host.sent[0])
    assert receipt["status"] == 0  # mined and reverted
    snap = result.snapshot
    assert snap.notice.message == MESSAGES["first_deposit_below_minimum"]
    assert snap.amount.text == "9999" and snap.credit.credited_usd == 0
    assert (await world.backend.profile(world.address)).total_gd_deposited_wei == 0


async def test_the_eth_tester_chain_is_unsupported_unless_configured(
    make_world: MakeWorld,
) -> None:
    world = make_world(config=WidgetConfig(gd_price=PRICE))
    result = await world.send(ev.Connect())
    assert states(result) == [S.connecting, S.unsupported_chain]
    assert result.snapshot.wallet.chain_id == ETH_TESTER_CHAIN_ID
    assert result.snapshot.wallet.g_balance_wei is None  # nothing read on a foreign chain
    # a custodial key cannot move its node: asking to switch leaves the widget where it is
    snap = (await world.send(ev.SwitchChain())).snapshot
    assert snap.state is S.unsupported_chain
    assert snap.notice.message == MESSAGES["wrong_chain"]
    assert world.tx_count() == 0


async def test_an_erc20_shortfall_after_the_quote_fails_with_the_amount_kept(
    world: EvmWorld,
) -> None:
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text="20000"))).snapshot
    assert snap.state is S.quote_ready
    world.spend_elsewhere(keep_wei=5_000 * G)  # the balance drops after the widget read it
    nonce = world.tx_count()

    result = await world.send(ev.Confirm())

    assert states(result) == [S.awaiting_signature, S.payment_failed]
    snap = result.snapshot
    assert snap.notice.message == "Not enough G$ for this payment"
    assert snap.notice.code == "insufficient_gd"
    assert snap.amount.text == "20000" and snap.credit.credited_usd == 0
    assert (world.vault_balance(), world.tx_count()) == (0, nonce)  # nothing was sent
    # with the G$ back, "Pay again" (offered: nothing was sent) pays exactly once
    world.evm.fund(world.address, celo_wei=0, g_wei=20_000 * G)
    snap = (await world.send(ev.PayAgain())).snapshot
    assert snap.state is S.payment_confirmed
    assert world.vault_balance() == 20_000 * G


async def test_stream_start_pause_resume_stop_matches_the_forwarder(world: EvmWorld) -> None:
    snap = (await world.send(ev.Connect(), ev.ChooseMode(mode="stream"),
                             ev.EnterAmount(text="30000"))).snapshot  # fmt: skip
    assert snap.state is S.streaming_setup
    rate = snap.quote.flow_rate
    assert rate == 30_000 * G // 2_592_000 and world.flow_rate() == 0
    seen = []
    hashes = []
    for event in (ev.StartStream(), ev.PauseStream(), ev.ResumeStream(), ev.StopStream()):
        result = await world.send(event)
        seen.append((result.snapshot.state, result.snapshot.stream.flow_rate, world.flow_rate()))
        hashes += [t.event.tx_hash for t in result.trace if isinstance(t.event, ev.StreamUpdated)]
        if event.type in ("start_stream", "resume_stream"):
            world.evm.tester.time_travel(world.evm.w3.eth.get_block("latest")["timestamp"] + 3600)
    assert seen == [
        (S.streaming_active, rate, rate),
        (S.streaming_paused, 0, 0),
        (S.streaming_active, rate, rate),
        (S.streaming_stopped, 0, 0),
    ]
    assert len(set(hashes)) == 4
    # what the vault reported streamed at each delete was credited at the stream bonus
    deletes = [await world.backend.chain.stream_events(h) for h in hashes[1::2]]
    streamed = [e.total_flow_wei for [e] in deletes]
    assert all(s >= rate * 3600 for s in streamed)
    expected = sum(credit_with_bonus(s, source="streamUpdate", verified=True,
                                     gd_price=PRICE).total_credit_usd for s in streamed)  # fmt: skip
    profile = await world.backend.profile(world.address)
    assert profile.total_gd_streamed_wei == sum(streamed)
    assert profile.total_principal_usd + profile.total_bonus_usd == expected


async def test_injected_wallet_session_with_a_host_answering_on_eth_tester(
    make_world: MakeWorld,
) -> None:
    world = make_world(wallet="injected")
    host = EvmHost(world)
    serving = asyncio.create_task(host.serve())
    try:
        snap = (await world.send(ev.Connect(), ev.EnterAmount(text="20000"))).snapshot
        assert (snap.state, snap.wallet.g_balance_wei) == (S.quote_ready, START_G)
        result = await world.send(ev.Confirm())
        assert states(result) == [S.awaiting_signature, S.payment_pending, S.signing_in,
                                  S.payment_confirmed]  # fmt: skip
        assert [r.method for r in host.answered] == [
            "eth_requestAccounts", "eth_sendTransaction", "personal_sign"]  # fmt: skip
        [submitted] = [t.event for t in result.trace if isinstance(t.event, ev.PaymentSubmitted)]
        assert submitted.tx_hash == host.sent[0]
        expected = credit_with_bonus(world.vault_balance(), source="deposit", verified=True,
                                     gd_price=PRICE)  # fmt: skip
        assert result.snapshot.credit.credited_usd == expected.total_credit_usd
        assert result.snapshot.api_key.token is not None

        # a second purchase, refused in the wallet: back to the quote, amount kept, nothing sent
        host.reject_with = 4001
        await world.send(ev.TopUp(), ev.EnterAmount(text="1000"))
        nonce = world.tx_count()
        result = await world.send(ev.Confirm())
        assert states(result) == [S.awaiting_signature, S.quote_ready]
        snap = result.snapshot
        assert snap.notice.title == "Transaction cancelled" and snap.amount.text == "1000"
        assert (world.tx_count(), world.vault_balance()) == (nonce, 20_000 * G)
        assert host.wallet.pending() == []
    finally:
        serving.cancel()


async def test_a_refused_sign_in_keeps_the_confirmed_payment_and_offers_the_key_again(
    make_world: MakeWorld,
) -> None:
    """The user leaves the sign-in prompt open past the nonce's 10 minutes, then signs."""
    world = make_world(wallet="injected")
    host = EvmHost(world)
    host.before_sign = lambda: world.clock.advance(601)
    serving = asyncio.create_task(host.serve())
    try:
        await world.send(ev.Connect(), ev.EnterAmount(text="20000"))
        snap = (await world.send(ev.Confirm())).snapshot
        assert world.vault_balance() == 20_000 * G and snap.credit.credited_usd > 0
        assert snap.api_key is None or snap.api_key.token is None
        assert "Do not pay again" not in (snap.notice.message if snap.notice else "")
        assert snap.state is S.payment_confirmed
        host.before_sign = None
        snap = (await world.send(ev.CreateKey())).snapshot
        assert snap.api_key is not None and snap.api_key.token is not None
    finally:
        serving.cancel()


async def test_the_g_balance_shown_after_a_payment_is_what_the_chain_holds(
    world: EvmWorld,
) -> None:
    await world.send(ev.Connect(), ev.EnterAmount(text="20000"), ev.Confirm())
    left = world.g_balance()
    assert left == START_G - 20_000 * G
    snap = (await world.send(ev.TopUp(), ev.EnterAmount(text="40000"))).snapshot
    assert snap.wallet.g_balance_wei == left
    assert snap.state is S.insufficient_g_balance
