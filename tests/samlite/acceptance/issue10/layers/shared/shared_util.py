"""Code a layer shares with its functions (on Lambda: /opt/python/shared_util.py)."""


def greeting(name: str) -> str:
    return f"hello {name}, from the shared layer"
