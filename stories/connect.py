"""Stories: getting a wallet connected (and what goes wrong on the way)."""

from __future__ import annotations

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories.model import Knob, Step, Story

__all__ = ["STORIES"]

S = State

STORIES: tuple[Story, ...] = (
    Story(title="Widget/Connect", name="Disconnected", state=S.disconnected,
          description="Nothing has happened yet: the hero, the 4-step progress, Connect Wallet.",
          tags=("base",)),
    Story(title="Widget/Connect", name="Connecting", state=S.connecting,
          description="The wallet prompt is open.",
          path=(Step(event=ev.Connect(), stop_in=S.connecting),), tags=("expected",)),
    Story(title="Widget/Connect", name="Connection cancelled", state=S.disconnected,
          description="The user dismissed the wallet prompt.",
          path=(Step(knobs=(Knob("chain.reject_next", 4001),), event=ev.Connect()),),
          tags=("error",)),
    Story(title="Widget/Connect", name="Unsupported chain", state=S.unsupported_chain,
          description="The wallet is on Ethereum mainnet, not Celo.",
          path=(Step(knobs=(Knob("chain.set_chain_id", 1),), event=ev.Connect()),),
          tags=("base", "error")),
    Story(title="Widget/Connect", name="Switched to Celo", state=S.connected_empty,
          description="Switch to Celo from the wrong network: the wallet moves, the widget loads.",
          path=(Step(knobs=(Knob("chain.set_chain_id", 1),), event=ev.Connect()),
                Step(event=ev.SwitchChain())),
          tags=("feature",)),
    Story(title="Widget/Connect", name="Wrong chain mid-flow", state=S.unsupported_chain,
          description="The wallet moved to another chain while an amount was entered; the amount "
          "is kept.",
          path=(Step(event=ev.Connect()), Step(event=ev.EnterAmount(text="{amount}")),
                Step(knobs=(Knob("chain.set_chain_id", 1),))),
          tags=("error",)),
    Story(title="Widget/Connect", name="Account switched mid-flow", state=S.connected_empty,
          description="The user picked another account in the wallet: the widget reloads it.",
          path=(Step(event=ev.Connect()), Step(event=ev.EnterAmount(text="{amount}")),
                Step(knobs=(Knob("chain.switch_account", "unverified"),))),
          tags=("error",)),
    Story(title="Widget/Connect", name="Bring your own key", state=S.byok,
          description="A developer with a provider key skips buying: the form for base URL, "
          "key and model.",
          path=(Step(event=ev.UseOwnKey()),), tags=("expected",)),
    Story(title="Widget/Connect", name="Bring your own key (saved)", state=S.byok,
          description="Saved: the setup uses their provider, key (masked, copied in full) and "
          "model. No wallet, so no Disconnect.",
          path=(Step(event=ev.UseOwnKey()),
                Step(event=ev.UseOwnKey(base_url="https://api.openai.com/v1", model="gpt-4o",
                                        api_key="sk-proj-0123456789abcdefWXYZ"))),
          tags=("feature",)),
    Story(title="Widget/Connect", name="Bring your own key (invalid)", state=S.byok,
          description="Each problem inline, values kept as typed; nothing is saved.",
          path=(Step(event=ev.UseOwnKey()),
                Step(event=ev.UseOwnKey(base_url="http://api.example.com/v1",
                                        model="gpt 4o"))),
          tags=("error",)),
    Story(title="Widget/Connect", name="Signed out", state=S.disconnected, scenario="verified",
          description="Disconnect clears the wallet and every piece of key material.",
          path=(Step(event=ev.Connect()), Step(event=ev.Disconnect())), tags=("feature",)),
)  # fmt: skip
