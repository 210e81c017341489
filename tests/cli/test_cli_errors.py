"""The command line never shows a traceback unless asked to."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from copilot import cli


def test_unexpected_error_is_one_line_exit_1(monkeypatch, capsys):
    def broken(_args):
        raise TypeError("something of ours broke")

    monkeypatch.setattr(cli, "build_parser", _parser_with(broken))
    assert cli.main(["boom", "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["error"] == "InternalError"
    assert "something of ours broke" in err and "Traceback" not in err and "--verbose" in err


def test_usage_error_is_exit_2(capsys):
    try:
        cli.main(["catalog", "show"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "error:" in capsys.readouterr().err


def test_bad_address_setting_is_usage_error(tmp_path):
    env = {**os.environ, "FLINK_REST": "not a url", "FLINK_COPILOT_STATE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "copilot", "status"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "FLINK_REST" in result.stderr


def _parser_with(handler):
    original = cli.build_parser

    def build():
        parser = original()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        boom = sub.add_parser("boom")
        cli.add_json_flag(boom)
        boom.set_defaults(handler=handler)
        return parser

    return build
