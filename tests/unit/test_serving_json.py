"""The serving workers' JSON: orjson, and the standard library for what orjson refuses, so bodies
and answers mean what they meant before orjson (but for integers past 64 bits, read as floats)."""

from __future__ import annotations

import json

import pytest

from modelhub.errors import BadRequest
from modelhub.serving.inputs import RecordChecker, has_options, parse_json
from modelhub.serving.worker import encode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"records": [{"a": 1.5, "b": null, "c": "x"}]}', {"records": [{"a": 1.5, "b": None, "c": "x"}]}),
        (json.dumps({"records": [{"a": 1}]}).encode("utf-16"), {"records": [{"a": 1}]}),  # with its BOM
        (b'{"records": [{"caf\\u00e9": "\\ud83d\\ude00"}]}', {"records": [{"café": "😀"}]}),
    ],
    ids=["plain", "UTF-16", "escapes"],
)
def test_bodies_parse_as_the_standard_library_parses_them(raw, expected):
    assert parse_json(raw) == expected == json.loads(raw)


def test_integers_past_64_bits_become_floats():
    # orjson's reading (the standard library keeps an int); the model gets a float array anyway
    assert parse_json(b'{"a": 123456789012345678901234567890}') == {"a": 1.2345678901234568e29}


@pytest.mark.parametrize(
    ("raw", "says"),
    [(b'{"records": [{"a": NaN}]}', "NaN is not JSON"), (b'{"records": [', "not valid JSON"), (b"\xff", "")],
)
def test_what_is_not_json_is_400_naming_the_body(raw, says):
    with pytest.raises(BadRequest) as caught:
        parse_json(raw)
    assert caught.value.details == {"field": "body"} and says in caught.value.message


def test_answers_are_compact_json_and_nan_becomes_null():
    assert (
        encode({"predictions": [1, 0.5, "yes"], "model_version": 2})
        == b'{"predictions":[1,0.5,"yes"],"model_version":2}'
    )
    assert json.loads(encode({"predictions": [float("nan")]})) == {"predictions": [None]}
    assert json.loads(encode({"predictions": [2**70]})) == {"predictions": [2**70]}  # the standard library's turn


def test_options_are_top_level_keys_of_an_object():
    assert has_options({"records": [], "version": 2}) and has_options({"probabilities": False})
    assert not has_options({"records": [{"version": 2}]}) and not has_options([{"version": 2}])


@pytest.mark.parametrize(
    ("properties", "additional", "numeric"),
    [
        ({"a": {"type": "number"}, "b": {"type": ["integer", "null"]}}, False, True),
        ({"a": {"type": "number"}, "b": {"type": "string"}}, False, False),
        ({"a": {"type": "number", "minimum": 0}, "b": {"type": "number"}}, False, False),  # not a plain type
        ({"a": {"type": "number"}, "b": {"type": "number"}}, True, False),  # extras kept: anything may come
    ],
)
def test_only_checks_that_leave_nothing_but_numbers_vouch_for_the_model_array(properties, additional, numeric):
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    checker = RecordChecker.compile({**schema, "additionalProperties": additional}, "reject")
    assert checker.numeric is numeric
