"""The pure core: machine, quote engine and models.

Nothing in here performs I/O or reads a clock.
"""
