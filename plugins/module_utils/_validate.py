# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of module options that run before any request (internal use only; may change without notice).

The argument spec converts types; this file adds what it cannot express, in one place for every module:

- A value that becomes one segment of a request path (project, organization, pipeline, run, app,
  workflow and stage ids) must not be empty or blank, must not be ``.`` or ``..`` (a client or gateway
  normalises dot segments away, so ``organization_id: ..`` would drop the organization from the path),
  must not contain ``/`` or ``\\`` (no vendor id has one, and gateways that decode ``%2F`` would
  split the segment), control characters (CR, LF ...) or surrounding blanks, and is at most
  ``MAX_ID`` characters long. Numeric ids of the APIs are positive integers (``pipeline_id`` and
  ``run_id`` of Flow, the execution number of AppStack, the v3 pipeline id of ``stage_review``).
- A name or id sent in a body (task, stage, job, step and branch names, pipeline ids of
  ``pipeline_status_info``) must not be empty, blank or hold control characters. (Which cloud the ids of
  ``pipeline_status_info`` belong to, and so whether they must be numbers, is the module's ``infer``.)
- Free text (comments, JMESPath expressions) may hold line breaks but no other control characters,
  and is at most ``MAX_TEXT`` characters long.
- A list given explicitly must not be empty where the API reads an empty (or absent) list as "all":
  ``selected_tasks: []`` would release every task. Lists and dictionaries hold at most ``MAX_ITEMS``
  entries.
- The wait options: ``wait_timeout >= 0``, ``poll_interval > 0`` (finite), both at most ``MAX_SECONDS``.
- A str option given a list, a dictionary or a boolean, and an int option given a boolean, fail
  instead of being converted to text (``pipeline_id: [1, 2]`` would otherwise become the id ``[1, 2]``).

Modules create ``CheckedModule(RULES, argument_spec=..., ...)`` instead of ``AnsibleModule(...)``, with one
of the tables at the end of this file: it is an ``AnsibleModule`` that, once the argument spec is applied,
ends the module with ``fail_json`` naming the option of the first problem. It also names the option
in the one argument error of ansible-core that does not (a text where a dictionary with sub-options is
expected: "dictionary requested, could not parse JSON or key=value").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
import re

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.validation import check_type_dict

MAX_ID = 256           # ids and names
MAX_URL = 2048         # repository URLs and image addresses used as keys
MAX_TEXT = 4096        # comments, expressions
MAX_VALUE = 65536      # one value of a run variable / params document, in characters of JSON
MAX_ITEMS = 1000       # entries of a list or dictionary option
MAX_PIPELINE_IDS = 5000  # pipeline_status_info: 50 batch reads per poll
MAX_SECONDS = 365 * 24 * 3600

_CONTROL = re.compile(u'[\x00-\x1f\x7f-\x9f\u2028\u2029]')
_CONTROL_IN_TEXT = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')
_REGION = re.compile(r'^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$')


def _kind(value):
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, dict):
        return 'a dictionary'
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, float):
        return 'a number with a fraction'
    return 'a %s' % type(value).__name__


def _text_type(raw, allow_numbers=True):
    """Why ``raw`` (the value as given, before conversion) is not text, or None."""
    if isinstance(raw, bool) or isinstance(raw, (dict, list, tuple)):
        return 'must be a string, not %s' % _kind(raw)
    if isinstance(raw, float) and not allow_numbers:
        return 'must be a string, not %s' % _kind(raw)
    return None


class Rule:
    """A check of one option value. ``check(value, raw)`` returns the problem (a text to put after the
    option name) or None; ``value`` is the converted value, ``raw`` the value as given."""

    def problem(self, name, value, raw):
        """The full message for option ``name``, or None. Unset options (None) are not checked."""
        if value is None:
            return None
        found = self.check(value, raw)
        if found is None:
            return None
        return '%s%s%s' % (name, '' if found.startswith(('[', '.')) else ' ', found)

    def check(self, value, raw):  # pragma: no cover - abstract
        raise NotImplementedError


class Name(Rule):
    """A name or id: not empty, not blank, no control characters, at most ``max_len`` characters.

    ``segment``: the value is one segment of a request path (also no dot segment, no ``/`` or ``\\``,
    no surrounding blanks). ``strip``: surrounding blanks are refused (ids). ``empty_ok``: an empty text
    counts as not set (options that AWX credential types inject as empty environment variables).
    """

    def __init__(self, segment=False, strip=None, max_len=MAX_ID, empty_ok=False):
        self.segment = segment
        self.strip = segment if strip is None else strip
        self.max_len = max_len
        self.empty_ok = empty_ok

    def check(self, value, raw):
        found = _text_type(raw, allow_numbers=False)
        if found:
            return found
        text = str(value)
        if text == '':
            return None if self.empty_ok else 'must not be empty'
        if not text.strip():
            return 'must not be blank (only spaces)'
        if _CONTROL.search(text):
            return 'must not contain control characters such as CR or LF'
        if len(text) > self.max_len:
            return 'is %d characters long; at most %d are allowed' % (len(text), self.max_len)
        if self.strip and text != text.strip():
            return 'must not begin or end with blanks (%r)' % text
        if self.segment:
            if text in ('.', '..'):
                return ("must not be %r: it is a segment of the request path, and a dot segment would change the "
                        "path the request goes to" % text)
            if '/' in text or '\\' in text:
                return 'must not contain "/" or "\\": it is one segment of the request path (%r)' % text
        return None


class Text(Rule):
    """Free text: line breaks and tabs allowed, other control characters not; at most ``max_len`` characters.
    ``required``: an empty or blank text is refused as well."""

    def __init__(self, required=False, max_len=MAX_TEXT):
        self.required = required
        self.max_len = max_len

    def check(self, value, raw):
        found = _text_type(raw)
        if found:
            return found
        text = str(value)
        if self.required and not text.strip():
            return 'must not be empty' if text == '' else 'must not be blank (only spaces)'
        if _CONTROL_IN_TEXT.search(text):
            return 'must not contain control characters (line breaks and tabs are allowed)'
        if len(text) > self.max_len:
            return 'is %d characters long; at most %d are allowed' % (len(text), self.max_len)
        return None


class Region(Name):
    """A cloud region: it becomes part of a host name (``servicestage.{region}.myhuaweicloud.com``). Empty
    counts as not set (AWX credential types inject an empty ``HUAWEICLOUD_SDK_REGION`` when no region is given)."""

    def __init__(self):
        Name.__init__(self, strip=True, max_len=63, empty_ok=True)

    def check(self, value, raw):
        found = Name.check(self, value, raw)
        if found or str(value) == '' or _REGION.match(str(value)):
            return found
        return ('must be a region id such as cn-north-4 (letters, digits and single hyphens; it becomes part '
                'of the host name), not %r' % str(value)[:80])


class Count(Rule):
    """An integer of at least ``minimum``; ``digits``: given as text of digits (str options)."""

    def __init__(self, minimum=1, digits=False):
        self.minimum = minimum
        self.digits = digits

    def check(self, value, raw):
        if isinstance(raw, bool):
            return 'must be an integer, not a boolean'
        if self.digits:
            found = _text_type(raw, allow_numbers=False)
            if found:
                return found
            text = str(value)
            if not text.isdigit():
                return 'must be a positive integer (digits only), not %r' % text[:80]
            if len(text) > 20:
                return 'is %d digits long; at most 20 are allowed' % len(text)
            number = int(text)
        else:
            number = value
        if number < self.minimum:
            return 'must be %s, not %s' % ('a positive integer (1 or more)' if self.minimum == 1
                                           else '%d or more' % self.minimum, number)
        return None


class Seconds(Rule):
    """A duration: finite, at least (or, ``positive``, more than) 0 and at most ``MAX_SECONDS``."""

    def __init__(self, positive=False):
        self.positive = positive

    def check(self, value, raw):
        if isinstance(raw, bool):
            return 'must be a number of seconds, not a boolean'
        if isinstance(value, float) and not math.isfinite(value):
            return 'must be a finite number of seconds, not %s' % value
        if self.positive and value <= 0:
            return 'must be greater than 0'
        if value < 0:
            return 'must not be negative'
        if value > MAX_SECONDS:
            return 'must be at most %d seconds (365 days)' % MAX_SECONDS
        return None


class ListOf(Rule):
    """A list: not empty unless ``allow_empty`` (``hint`` says why), at most ``max_items`` elements, each
    checked by ``element``. An empty or blank element is reported as "must not contain empty {noun}"."""

    def __init__(self, element, noun='values', allow_empty=False, hint=None, max_items=MAX_ITEMS):
        self.element = element
        self.noun = noun
        self.allow_empty = allow_empty
        self.hint = hint
        self.max_items = max_items

    def check(self, value, raw):
        if not value and not self.allow_empty:
            return 'must not be an empty list' + ('; %s' % self.hint if self.hint else '')
        if len(value) > self.max_items:
            return 'has %d elements; at most %d are allowed' % (len(value), self.max_items)
        raws = raw if isinstance(raw, list) and len(raw) == len(value) else value
        for index, (item, item_raw) in enumerate(zip(value, raws)):
            if item_raw is None or item is None or item == '':
                return 'must not contain empty %s' % self.noun
            if isinstance(item, str) and not item.strip():
                return 'must not contain blank %s (element %d holds only spaces)' % (self.noun, index)
            found = self.element.problem('[%d]' % index, item, item_raw)
            if found:
                return found
        return None


class MapOf(Rule):
    """A dictionary of at most ``max_items`` entries; keys checked by ``key``, values by ``value``."""

    def __init__(self, key, value, key_noun='key', max_items=MAX_ITEMS):
        self.key = key
        self.value = value
        self.key_noun = key_noun
        self.max_items = max_items

    def check(self, value, raw):
        if len(value) > self.max_items:
            return 'has %d entries; at most %d are allowed' % (len(value), self.max_items)
        for key, item in value.items():
            found = self.key.check(key, key)
            if found:
                return 'has an invalid %s %r: it %s' % (self.key_noun, str(key)[:80], found)
            found = self.value.check(item, item) if item is not None else 'must not be empty'
            if found:
                return '[%r] %s' % (str(key)[:80], found)
        return None


class Scalar(Rule):
    """A run variable value: text, a number or a boolean (sent as text); no list, dictionary or null."""

    def check(self, value, raw):
        if isinstance(value, (dict, list, tuple)):
            return 'must be text, a number or a boolean, not %s' % _kind(value)
        if isinstance(value, float) and not math.isfinite(value):
            return 'must be a finite number, not %s' % value
        if len(str(value)) > MAX_VALUE:
            return 'is %d characters long; at most %d are allowed' % (len(str(value)), MAX_VALUE)
        return None


class Document(Rule):
    """A JSON object sent as given: at most ``MAX_ITEMS`` keys, none empty or blank, every value at most
    ``MAX_VALUE`` characters of JSON."""

    def check(self, value, raw):
        if len(value) > MAX_ITEMS:
            return 'has %d keys; at most %d are allowed' % (len(value), MAX_ITEMS)
        for key, item in value.items():
            found = NAME.check(key, key)
            if found:
                return 'has an invalid key %r: it %s' % (str(key)[:80], found)
            try:
                size = len(json.dumps(item, ensure_ascii=False, allow_nan=False))
            except (TypeError, ValueError):
                return '[%r] is not a JSON value' % str(key)[:80]
            if size > MAX_VALUE:
                return '[%r] is %d characters long as JSON; at most %d are allowed' % (str(key)[:80], size, MAX_VALUE)
        return None


class Fields(Rule):
    """A dictionary with sub-options, each checked by its rule (the argument spec checked the names)."""

    def __init__(self, **rules):
        self.rules = rules

    def check(self, value, raw):
        raw = raw if isinstance(raw, dict) else value
        for key, rule in sorted(self.rules.items()):
            found = rule.problem(key, value.get(key), raw.get(key, value.get(key)))
            if found:
                return '.%s' % found
        return None


class ItemsOf(ListOf):
    """A list of dictionaries with sub-options (``selected_tasks``), not empty unless ``allow_empty``."""

    def __init__(self, noun, hint=None, allow_empty=False, **rules):
        ListOf.__init__(self, Fields(**rules), noun=noun, allow_empty=allow_empty, hint=hint)


def raw_params(module):
    """The options as the task gave them, before type conversion, keyed by option name (aliases resolved).

    Read again from the module's input (``basic._load_params``); empty when it cannot be read.
    """
    try:
        raw = basic._load_params()
    except Exception:  # pylint: disable=broad-exception-caught  # only the extra type checks depend on it
        return {}
    if not isinstance(raw, dict):
        return {}
    aliases = getattr(module, 'aliases', None) or {}
    return dict((aliases.get(key, key), value) for key, value in raw.items())


def find_problem(params, rules, raw=None):
    """The message for the first option (in name order) that breaks its rule, or None."""
    raw = raw or {}
    for name in sorted(rules):
        value = params.get(name)
        found = rules[name].problem(name, value, raw.get(name, value))
        if found:
            return found
    return None


def validate(module, rules, **result):
    """End the module with ``fail_json`` (plus ``result``) when an option breaks its rule; call it before
    any request."""
    found = find_problem(module.params, rules, raw_params(module))
    if found:
        module.fail_json(msg=found, **result)


_BARE_DICT_ERROR = 'dictionary requested, could not parse JSON or key=value'


def dictionary_problem(argument_spec, raw, prefix=''):
    """The option (with sub-options) whose value, or one of whose list elements, is a text that is not a
    dictionary, as a message; None when there is none."""
    for name, spec in sorted(argument_spec.items()):
        options = spec.get('options')
        value = raw.get(name)
        if not options or value is None:
            continue
        label = prefix + name
        if spec.get('type') == 'dict' and isinstance(value, list):
            return '%s must be a dictionary (with %s), not a list' % (label, ', '.join(sorted(options)))
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = label if index is None else '%s[%s]' % (label, index)
            if isinstance(item, str):
                try:
                    item = check_type_dict(item)
                except TypeError:
                    return '%s must be a dictionary (with %s), not the text %r' % (
                        where, ', '.join(sorted(options)), item[:80])
            if isinstance(item, dict):
                found = dictionary_problem(options, item, where + '.')
                if found:
                    return found
    return None


class CheckedModule(AnsibleModule):
    """An ``AnsibleModule`` that also checks ``rules`` (a table below) before the module sends anything;
    ``result``: extra keys of the failure result."""

    def __init__(self, rules, result=None, **kwargs):
        AnsibleModule.__init__(self, **kwargs)
        validate(self, rules, **(result or {}))

    def fail_json(self, msg, **kwargs):
        if msg == _BARE_DICT_ERROR:
            msg = dictionary_problem(self.argument_spec, raw_params(self)) or msg
        AnsibleModule.fail_json(self, msg, **kwargs)


# -- rule tables ------------------------------------------------------------------------------------
SEGMENT = Name(segment=True)
ID = Name(strip=True)
NAME = Name()
URL_KEY = Name(strip=True, max_len=MAX_URL)
TEXT = Text()
EXPRESSION = Text(required=True)
POSITIVE = Count(1)
POSITIVE_DIGITS = Count(1, digits=True)

WAIT = dict(wait_timeout=Seconds(), poll_interval=Seconds(positive=True))
# An empty project_id counts as not set, as an empty region does: the modules that need a project fail on it
# before any request, and the v3 stage review needs none.
HUAWEI = dict(project_id=Name(segment=True, empty_ok=True), region=Region())
ALIBABA = dict(organization_id=SEGMENT)


def _table(*parts, **rules):
    table = {}
    for part in parts:
        table.update(part)
    table.update(rules)
    return table


# pipeline_action: its ids are checked here as path segments, and against the form of the ids of the backend
# once the options chose one (_action_targets).
PIPELINE_ACTION = _table(
    ALIBABA, HUAWEI, WAIT,
    pipeline_id=SEGMENT,
    run_id=SEGMENT,
    job_id=SEGMENT,
    job_name=NAME,
    stage_name=NAME,
    step_id=SEGMENT,
    step_name=NAME,
    app_name=SEGMENT,
    release_workflow_sn=SEGMENT,
    release_stage_sn=SEGMENT,
    execution_number=POSITIVE_DIGITS,
    selected_tasks=ItemsOf(
        'stages', hint='leave selected_tasks out to release every task, or name the tasks to release',
        stage_name=NAME,
        tasks=ListOf(NAME, 'task names', hint='an empty list would release every task of the stage')),
    task_name=NAME,
    comment=TEXT,
)
# pipeline_run serves both clouds: its ids are checked here as path segments, and against the form of the
# cloud's ids (Flow: a positive integer; CodeArts: 32 letters and digits) once the cloud is known (_run_clouds).
PIPELINE_RUN = _table(
    ALIBABA, HUAWEI, WAIT,
    pipeline_id=SEGMENT,
    run_id=SEGMENT,
    sources=ItemsOf('sources', allow_empty=True, git_url=Name(strip=True, max_len=MAX_URL), branch=NAME, tag=NAME,
                    alias=NAME, codehub_id=ID, endpoint_id=ID, default_branch=NAME,
                    change_request_ids=ListOf(ID, 'change request ids', hint='leave change_request_ids out instead')),
    variables=MapOf(ID, Scalar(), 'variable name'),
    choose_stages=ListOf(NAME, 'stage identifiers', hint='leave choose_stages out to run every stage'),
    choose_jobs=ListOf(NAME, 'job identifiers', hint='leave choose_jobs out to run every job'),
    description=Text(max_len=1024),
    branches=MapOf(URL_KEY, NAME, 'repository URL'),
    tags=MapOf(URL_KEY, NAME, 'repository URL'),
    branch_mode_branches=ListOf(NAME, 'branch names', hint='leave branch_mode_branches out instead'),
    envs=MapOf(ID, Scalar(), 'variable name'),
    pipeline_artifacts=MapOf(ID, NAME, 'artifact ID'),
    acr_artifacts=MapOf(URL_KEY, NAME, 'image address'),
    package_artifacts=MapOf(URL_KEY, NAME, 'artifact path'),
    comment=TEXT,
    params=Document(),
)
STAGE_EXECUTE = _table(
    ALIBABA, WAIT,
    app_name=SEGMENT,
    release_workflow_sn=SEGMENT,
    release_stage_sn=SEGMENT,
    execution_number=POSITIVE_DIGITS,
    params=Document(),
    comment=TEXT,
    branches=MapOf(ID, NAME, 'source ID'),
    release_branch_repo_info=Fields(
        feature_branches=ItemsOf('change requests', hint='leave feature_branches out instead',
                                 branch_name=NAME, change_request_sn=ID),
        repo=Name(strip=True, max_len=MAX_URL),
        base_branch=NAME,
        release_branch=NAME),
)
# stage_review serves both clouds: ids are path segments here; Alibaba's are also checked to be positive integers
# once the cloud is known (_review_clouds).
STAGE_REVIEW = _table(
    ALIBABA, HUAWEI,
    pipeline_id=SEGMENT,
    stage_index=Count(0),
    pipeline_run_id=SEGMENT,
    run_id=SEGMENT,
    execution_number=POSITIVE_DIGITS,
    app_name=SEGMENT,
    release_workflow_sn=SEGMENT,
    release_stage_sn=SEGMENT,
    stage_name=NAME,
    job_name=NAME,
    step_name=NAME,
    job_id=SEGMENT,
    step_id=SEGMENT,
    comment=TEXT,
)
PIPELINE_STATUS_INFO = _table(
    HUAWEI, ALIBABA, WAIT,
    pipeline_ids=ListOf(ID, 'ids', allow_empty=True, max_items=MAX_PIPELINE_IDS),
    query=EXPRESSION,
    wait_until=EXPRESSION,
)
