"""Imported first by :mod:`ai_credits.backends` and :mod:`ai_credits.chain` (and by anything that
may import the chain stack): whenever ``py_ecc`` is imported — ``eth_account`` pulls it in, and
its package init raises the recursion limit to 100,000 — the limit is put back right after, so
no later input can overflow the C stack.  See :mod:`ai_credits.safejson`.

Nothing is imported eagerly: a finder at the front of ``sys.meta_path`` wraps ``py_ecc``'s loader,
so the catalogue and the fixtures, which never need the chain stack, never pay for it, and code
that imports ``eth_account`` later (lazily) still gets the limit restored.
"""

from ai_credits.safejson import install_recursion_guard

install_recursion_guard()
