"""Job / step logs every service serves from the same text: lines that grow while a phase runs, ANSI colour
codes, for a failing phase a long log (several pages) with two secret-looking lines and a byte that is not
UTF-8, and the error at its end. A phase with ``log_error`` (HTTP status) makes its log call fail."""

from .state import FAILED, PENDING, SKIPPED, SUCCESS

# What a client must scrub from what it shows (both appear in every failing job's log).
LOG_SECRETS = ('hunter2-emu', 'emu-log-bearer-0123456789abcdef')
FAILING_LINES = 1200
PASSING_LINES = 12


def _invalid(variant):
    """The non-UTF-8 byte 0xE9 as a surrogate escape (goes out raw), or U+FFFD (switch ``logs.invalid_byte``)."""
    return '\ufffd' if variant == 'replacement' else b'\xe9'.decode('utf-8', 'surrogateescape')


def lines(run_id, phase, now, variant='raw'):
    """The log lines of a phase at emulated time ``now`` (empty before it starts)."""
    if phase['status'] in (PENDING, SKIPPED) or phase['start'] is None:
        return []
    total = FAILING_LINES if phase.get('fail') else PASSING_LINES
    seconds = float(phase.get('seconds', 0))
    done = phase['end'] is not None
    count = total if done or not seconds else max(1, min(total - 2, int(total * (now - phase['start']) / seconds)))
    job = phase['job']
    out = []
    for i in range(count):
        if i == 0:
            out.append('\x1b[36m[emu]\x1b[0m job %s of run %s started' % (job, run_id))
        elif phase.get('fail') and i == 40:
            out.append('+ export DATABASE_URL=postgres://app@db.internal/app password=hunter2-emu')
        elif phase.get('fail') and i == 41:
            out.append("+ curl -sf -H 'Authorization: Bearer emu-log-bearer-0123456789abcdef' https://artifacts.example.com/upload")
        elif phase.get('fail') and i == 42:
            out.append('legacy tool output: caf%s au lait (latin-1)' % _invalid(variant))
        else:
            out.append('\x1b[32m[INFO]\x1b[0m %s: step %d, module-%d compiled' % (job, i, i % 17))
    if done and phase['status'] == FAILED:
        out[-2:] = ['\x1b[31m[ERROR]\x1b[0m %s: 3 tests failed (test_login, test_logout, test_refresh)' % job,
                    '\x1b[31mProcess exited with code 1\x1b[0m']
    elif done and phase['status'] == SUCCESS:
        out[-1] = '\x1b[32m[SUCCESS]\x1b[0m %s finished' % job
    return out


def text(run_id, phase, now, variant='raw'):
    """The whole log as one string (lines ending in a newline)."""
    return ''.join(line + '\n' for line in lines(run_id, phase, now, variant))


def still_writing(phase):
    """True while more log may come (the phase has not ended)."""
    return phase['status'] not in (PENDING, SKIPPED) and phase['end'] is None
