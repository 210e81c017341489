"""The command line never shows a traceback unless asked to."""

from __future__ import annotations

import json

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
