"""ModelHub: one governed place for an organisation's machine-learning models."""

__version__ = "0.1.0"
