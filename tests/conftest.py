"""Suite-wide plugins."""

pytest_plugins = ["tests.transition_recorder"]
