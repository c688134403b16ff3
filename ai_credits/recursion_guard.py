"""Imported first by :mod:`ai_credits.backends` and :mod:`ai_credits.chain`: imports ``py_ecc``
(which ``eth_account`` pulls in and whose init raises the recursion limit to 100,000) and puts
the limit back, so no later input can overflow the C stack.  See :mod:`ai_credits.safejson`."""

from ai_credits.safejson import import_chain_stack

import_chain_stack()
