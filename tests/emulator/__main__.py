"""CLI: ``python -m tests.emulator --port 0 [--host 127.0.0.1] [--fixture FILE] [--time-scale F]``."""

import argparse
import signal
import sys
import threading

from .server import Emulator


def main(argv=None):
    """Start the emulator, print ``EMULATOR_URL=...`` and serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog='python -m tests.emulator', description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--fixture', default=None)
    parser.add_argument('--time-scale', type=float, default=1.0)
    args = parser.parse_args(argv)
    emu = Emulator(fixture=args.fixture, time_scale=args.time_scale, host=args.host, port=args.port).start()
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    sys.stdout.write('EMULATOR_URL=%s\n' % emu.url)
    sys.stdout.flush()
    while not done.wait(0.5):
        pass
    emu.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
