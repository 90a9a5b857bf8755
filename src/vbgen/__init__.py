"""vbgen: a nämnd's verksamhetsberättelse as Word and PDF, from one set of data."""

__version__ = "0.1.0"
