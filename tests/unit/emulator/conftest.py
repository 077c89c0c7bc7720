"""Fixtures of the emulator tests: one emulator per test module, reset before each test, and the callers of
``emu_clients`` bound to it."""

import pytest

from emu_clients import SCALE, Huawei, Pop, Yunxiao
from tests.emulator import Emulator


@pytest.fixture(scope='module')
def emulator():
    """One emulator for the module, at time scale SCALE (reset before each test by ``emu``)."""
    with Emulator(time_scale=SCALE) as server:
        yield server


@pytest.fixture
def emu(emulator):  # pylint: disable=redefined-outer-name
    """The module's emulator, reset to the fixture."""
    emulator.reset()
    return emulator


@pytest.fixture
def hw(emu):  # pylint: disable=redefined-outer-name
    """Signed raw Huawei caller."""
    return Huawei(emu.url)


@pytest.fixture
def pop(emu):  # pylint: disable=redefined-outer-name
    """Signed raw POP caller."""
    return Pop(emu.url)


@pytest.fixture
def yx(emu):  # pylint: disable=redefined-outer-name
    """Yunxiao token API caller."""
    return Yunxiao(emu.url)
