"""Copy-paste setup snippets for OpenAI-compatible coding tools (PRODUCT.md §7).

Pure text builders: base URL, model and the key (masked unless revealed) go in; each snippet is
plain text that the templates escape on output.  Values are quoted for the shell or Python so a
strange base URL or model name cannot break out of the snippet when pasted.
"""

from __future__ import annotations

import json
import re
import shlex

from ai_credits.views.models import Snippet

__all__ = ["setup_snippets", "shell_value"]

_SHELL_SAFE = re.compile(r"[\w@%+=:,./…-]+")
_JSON = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(…, ensure_ascii=False)`` without building an encoder on every call."""


def shell_value(value: str) -> str:
    """``value`` as one shell word: unchanged when plainly safe, otherwise single-quoted."""
    return value if _SHELL_SAFE.fullmatch(value) else shlex.quote(value)


def _py(value: str) -> str:
    return _JSON.encode(value)


def setup_snippets(base_url: str, model: str, key: str) -> tuple[Snippet, ...]:
    """The setup blocks, in the order shown: env, Cursor, Continue, Cline/Roo, Aider, SDK, curl."""
    base = base_url.rstrip("/") or base_url
    sh_base, sh_key = shell_value(base), shell_value(key)
    py_base, py_key, py_model = _py(base), _py(key), _py(model)
    return (
        Snippet(
            id="gw-setup-env",
            title="Environment variables",
            language="bash",
            code=f"OPENAI_BASE_URL={sh_base}\nOPENAI_API_KEY={sh_key}",
            note="Any OpenAI-compatible tool reads these.",
        ),
        Snippet(
            id="gw-setup-cursor",
            title="Cursor",
            language="text",
            code=(
                "Settings → Models → OpenAI API Key\n"
                f"Override OpenAI Base URL: {base}\n"
                f"OpenAI API Key: {key}\n"
                f"Model: {model}"
            ),
        ),
        Snippet(
            id="gw-setup-continue",
            title="Continue (config.yaml)",
            language="yaml",
            code=(
                "models:\n"
                "  - name: GoodDollar AI credits\n"
                "    provider: openai\n"
                f"    model: {py_model}\n"
                f"    apiBase: {py_base}\n"
                f"    apiKey: {py_key}"
            ),
        ),
        Snippet(
            id="gw-setup-cline",
            title="Cline / Roo Code",
            language="text",
            code=(
                "API Provider: OpenAI Compatible\n"
                f"Base URL: {base}\n"
                f"API Key: {key}\n"
                f"Model ID: {model}"
            ),
        ),
        Snippet(
            id="gw-setup-aider",
            title="Aider",
            language="bash",
            code=(
                f"export OPENAI_API_BASE={sh_base}\n"
                f"export OPENAI_API_KEY={sh_key}\n"
                f"aider --model {shell_value('openai/' + model)}"
            ),
        ),
        Snippet(
            id="gw-setup-python",
            title="OpenAI Python SDK",
            language="python",
            code=(
                "from openai import OpenAI\n\n"
                f"client = OpenAI(base_url={py_base}, api_key={py_key})\n"
                "reply = client.chat.completions.create(\n"
                f"    model={py_model},\n"
                '    messages=[{"role": "user", "content": "Hello"}],\n'
                ")\n"
                "print(reply.choices[0].message.content)"
            ),
        ),
        Snippet(
            id="gw-setup-curl",
            title="curl",
            language="bash",
            code=(
                f"curl {shell_value(base + '/chat/completions')} \\\n"
                f"  -H {shlex.quote('Authorization: Bearer ' + key)} \\\n"
                '  -H "Content-Type: application/json" \\\n'
                "  -d "
                + shlex.quote(
                    _JSON.encode(
                        {"model": model, "messages": [{"role": "user", "content": "Hello"}]}
                    )
                )
            ),
        ),
    )
