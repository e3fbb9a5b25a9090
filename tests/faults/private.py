"""What the private broker and the private database of the fault tests share."""

import os
import socket

import pytest


def unavailable(message):
    """Skip the test, or fail it under CI=true (same policy as tests/conftest.py)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def port_is_free(port):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
