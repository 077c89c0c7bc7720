"""Local, stateful emulator of the Huawei Cloud and Alibaba Cloud / Yunxiao APIs wrapped by the collection.

``from tests.emulator import Emulator``; ``emu = Emulator(fixture=None, time_scale=1.0).start()``;
``emu.url``, ``emu.log``, ``emu.add_fault(**rule)``, ``emu.clear_faults()``, ``emu.reset()``, ``emu.stop()``.
"""

from .server import Emulator

__all__ = ['Emulator']
