# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration harness: one emulator per test session (reset before every test) and a runner
that executes real playbooks from ``targets/`` with ``ansible-playbook`` against it.

A playbook gets the emulator URL and the fixture credentials as extra vars (``EMU_VARS`` below)
and may save registered results with ``ansible.builtin.copy`` to ``{{ out_dir }}/<name>.json``;
``PlaybookRun.saved(name)`` reads them back.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
TARGETS = os.path.join(HERE, 'targets')

# Credentials and ids of tests/emulator/fixture.json (docs/design.md).
FIXTURE = dict(
    hw_ak='HWEMUAK000000000001',
    hw_sk='hw-emu-secret-0001',
    hw_sts_ak='HWEMUSTS00000000001',
    hw_sts_sk='hw-emu-sts-secret-0001',
    hw_security_token='hw-emu-security-token-0001',
    hw_token='hw-emu-token-0001',
    hw_project_id='0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    ali_ak='LTAIEMU00000000000001',
    ali_sk='ali-emu-secret-0001',
    ali_sts_ak='STS.EMU0000000000001',
    ali_sts_sk='ali-emu-sts-secret-0001',
    ali_sts_token='ali-emu-sts-token-0001',
    yunxiao_token='pt-emu-token-0001',
    org_id='60d54f3daccf2bbd6659f3ad',
)
# The secrets printed in every failing job's log of the emulator (tests/emulator/logs.py LOG_SECRETS): the secret
# scan covers the log tails of failure reports too.
LOG_SECRETS = ['hunter2-emu', 'emu-log-bearer-0123456789abcdef']
SECRETS = [FIXTURE[k] for k in ('hw_ak', 'hw_sk', 'hw_sts_sk', 'hw_security_token', 'hw_token', 'ali_ak', 'ali_sk',
                                'ali_sts_sk', 'ali_sts_token', 'yunxiao_token')] + LOG_SECRETS


def collections_path():
    """A directory holding ``ansible_collections/devops_cloud/pipelines`` -> this checkout."""
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['devops_cloud', 'pipelines']:
        return os.sep.join(parts[:-3])
    root = tempfile.mkdtemp(prefix='dcp-collections-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'devops_cloud'))
    os.symlink(COLLECTION_ROOT, os.path.join(root, 'ansible_collections', 'devops_cloud', 'pipelines'))
    return root


class PlaybookRun:
    """Result of one ansible-playbook run."""

    def __init__(self, proc, out_dir):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.out_dir = out_dir

    @property
    def output(self):
        return self.stdout + self.stderr

    def saved(self, name):
        with open(os.path.join(self.out_dir, name + '.json')) as handle:
            return json.load(handle)

    def __repr__(self):
        return 'PlaybookRun(rc=%s)\n--- stdout\n%s\n--- stderr\n%s' % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


@pytest.fixture(scope='session')
def emulator():
    sys.path.insert(0, COLLECTION_ROOT)
    from tests.emulator import Emulator  # pylint: disable=import-outside-toplevel
    emu = Emulator(time_scale=float(os.environ.get('EMULATOR_TIME_SCALE', '0.25'))).start()
    yield emu
    emu.stop()


@pytest.fixture
def emu(emulator):
    """The session emulator, reset to its fixture (state, faults, log) for this test."""
    emulator.reset()
    return emulator


@pytest.fixture(scope='session')
def ansible_env(tmp_path_factory):
    home = tmp_path_factory.mktemp('ansible-home')
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_RETRY_FILES_ENABLED='0',
        ANSIBLE_HOST_KEY_CHECKING='0',
        ANSIBLE_LOCAL_TEMP=str(home / 'tmp'),
        ANSIBLE_REMOTE_TEMP=str(home / 'remote'),
        ANSIBLE_ROLES_PATH=os.path.join(COLLECTION_ROOT, 'roles'),
        ANSIBLE_DEPRECATION_WARNINGS='0',
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        HOME=str(home),
    )
    for name in list(env):
        if name.startswith(('HUAWEICLOUD_', 'ALIBABA_CLOUD_', 'YUNXIAO_')):
            del env[name]
    return env


@pytest.fixture
def playbook(emu, ansible_env, tmp_path):
    """``playbook('module_x/start.yml', extra_vars={...}, check=False, env={...}, args=[...])``."""
    bindir = os.path.dirname(sys.executable)

    def run(path, extra_vars=None, check=False, env=None, args=()):
        out_dir = tmp_path / ('out-%d' % len(list(tmp_path.iterdir())))
        out_dir.mkdir()
        variables = dict(FIXTURE, emulator_url=emu.url, out_dir=str(out_dir))
        variables.update(extra_vars or {})
        cmd = [os.path.join(bindir, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               os.path.join(TARGETS, path), '-e', json.dumps(variables)]
        if check:
            cmd.append('--check')
        cmd.extend(args)
        full_env = dict(ansible_env)
        full_env.update(env or {})
        proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=600, check=False)
        return PlaybookRun(proc, str(out_dir))

    return run


def assert_no_secrets(*texts):
    """No fixture secret (and no Authorization value) appears in any of the texts."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, 'secret leaked: %s...' % secret[:4]
