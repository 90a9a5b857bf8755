"""Placeholder."""


def start_folder(new, ar):
    raise NotImplementedError
