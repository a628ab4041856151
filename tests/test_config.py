from pathlib import Path

import pytest

from tracker.config import ConfigError, load_settings, options, render_default_config, render_settings_doc

REPO = Path(__file__).resolve().parent.parent


def test_repository_config_holds_every_default():
    settings = load_settings(REPO / "config.toml", environ={})
    assert settings.translation.target == "en"
    assert settings.fetch.allow_private == ()
    assert settings.translation.models_dir == REPO / "data" / "models"
    assert settings.database.url == f"sqlite:///{REPO / 'data' / 'tracker.db'}"
    # The shipped file is exactly the documented defaults (regenerate it with render_default_config).
    assert (REPO / "config.toml").read_text() == render_default_config()
    for option in options():
        assert f"\n{option.key} = " in render_default_config(), option.key


def test_environment_overrides_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[translation]\ntarget = "fr"\n[fetch]\nallow_private = ["10.0.0.0/8"]\n')
    settings = load_settings(
        config,
        environ={
            "TRACKER_TARGET": "de",
            "TRACKER_FETCH_ALLOW_PRIVATE": "127.0.0.1, ::1",
            "TRACKER_AUTO_INSTALL": "false",
            "TRACKER_MODELS_DIR": "m",
        },
    )
    assert settings.translation.target == "de"
    assert settings.fetch.allow_private == ("127.0.0.1", "::1")
    assert settings.translation.auto_install is False
    assert settings.translation.models_dir == tmp_path / "m"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "c.toml").write_text('[paths]\nseeds_dir = "my-seeds"\n')
    settings = load_settings(tmp_path / "c.toml", environ={})
    assert settings.paths.seeds_dir == tmp_path / "my-seeds"
    assert settings.database.url == f"sqlite:///{tmp_path / 'data' / 'tracker.db'}"


@pytest.mark.parametrize(
    "content, message",
    [
        ("[fetch]\ncolour = 1\n", r"unknown setting \[fetch\] colour"),
        ("[fetch]\nmax_redirects = 'many'\n", r"\[fetch\] max_redirects = \"many\": expected a whole number"),
        ("[fetch]\nread_timeout = -1\n", r"\[fetch\] read_timeout = -1: expected a number greater than 0"),
        ("[fetch]\nconcurrency = 0\n", r"\[fetch\] concurrency = 0: expected a whole number of at least 1"),
        ("[fetch]\nallow_ports = 8080\n", r"allow_ports = 8080: expected a list of whole numbers"),
        ("[translation]\ntargets = []\n", r"targets = \[\]: expected at least 1 item"),
        ('[translation]\ntargets = ["english!"]\n', r"'english!' is not a language code"),
        ('[translation]\nauto_install = "yes"\n', r"auto_install = \"yes\": expected true or false"),
        ("fetch = 1\n", r"'fetch' must be a \[section\]"),
        ("[fetch\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, content, message):
    (tmp_path / "c.toml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path / "c.toml", environ={})


def test_bad_boolean_in_environment(tmp_path):
    with pytest.raises(ConfigError, match="TRACKER_AUTO_INSTALL"):
        load_settings(None, environ={"TRACKER_AUTO_INSTALL": "maybe"})


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("TRACKER_FETCH_ALLOW_PRIVATE", '["127.0.0.1", "::1"]', ("127.0.0.1", "::1")),
        ("TRACKER_FETCH_ALLOW_PRIVATE", "127.0.0.1,::1", ("127.0.0.1", "::1")),
        ("TRACKER_FETCH_ALLOW_PORTS", "[8080, 8443]", (8080, 8443)),
        ("TRACKER_FETCH_ALLOW_PORTS", "8080, 8443", (8080, 8443)),
    ],
)
def test_lists_in_the_environment_as_commas_or_json(name, raw, expected):
    settings = load_settings(None, environ={name: raw})
    assert getattr(settings.fetch, name.removeprefix("TRACKER_FETCH_").lower()) == expected


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("TRACKER_FETCH_ALLOW_PORTS", "abc", "TRACKER_FETCH_ALLOW_PORTS='abc': expected a list of whole numbers"),
        ("TRACKER_FETCH_READ_TIMEOUT", "-3", "TRACKER_FETCH_READ_TIMEOUT='-3': expected a number greater than 0"),
        ("TRACKER_FETCH_ALLOW_PRIVATE", '["a"', "expected a list of strings"),
    ],
)
def test_bad_environment_values_name_the_variable(name, raw, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_settings(None, environ={name: raw})


def test_config_that_is_not_utf8_is_one_line(tmp_path):
    (tmp_path / "c.toml").write_bytes(b'[fetch]\nuser_agent = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(tmp_path / "c.toml", environ={})


def test_a_bad_value_exits_2_with_one_line(tmp_path, tracker):
    (tmp_path / "c.toml").write_text("[fetch]\nread_timeout = -1\n")
    result = tracker("--config", str(tmp_path / "c.toml"), "sources")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "tracker: [fetch] read_timeout = -1: expected a number greater than 0"
    ]


def test_configuration_doc_is_generated_from_the_settings():
    # Regenerate with: python -c "from tracker.config import render_settings_doc; print(render_settings_doc(), end='')"
    assert (REPO / "docs" / "configuration.md").read_text() == render_settings_doc()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[fetch]\nallow_private = ["not-an-ip"]', "'not-an-ip' is not an IP address or CIDR block"),
        (
            '[fetch]\nuser_agent = "tracker/1\\r\\nX-Evil: 1"',
            "is not a User-Agent: printable ASCII, not empty, one line",
        ),
        ('[fetch]\nuser_agent = ""', "is not a User-Agent"),
        ('[fetch]\nuser_agent = "tracker/1\\n"', "is not a User-Agent"),
        ("[fetch]\nallow_ports = [-1, 70000]", "-1 is not a port (1 to 65535)"),
        ("[fetch]\nallow_ports = [8080, 70000]", "70000 is not a port (1 to 65535)"),
        ("[schedule]\nmin_interval = 7200\nmax_interval = 3600", "min_interval (7200) is above max_interval (3600)"),
        ("[fetch]\ndeadline = inf", "[fetch] deadline = inf: expected a finite number"),
        ("[fetch]\nhost_delay = nan", "expected a finite number"),
    ],
)
def test_settings_that_would_fail_later_are_one_line_at_start(tmp_path, tracker, content, message):
    """Issue 27 (item 12): each of these was a traceback, or accepted and failed every source later."""
    (tmp_path / "c.toml").write_text(content + "\n", encoding="utf-8")
    result = tracker("--config", str(tmp_path / "c.toml"), "sources")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and message in result.output, result.output


def test_the_same_checks_apply_to_the_environment(tmp_path):
    with pytest.raises(ConfigError, match="TRACKER_FETCH_ALLOW_PORTS='0': 0 is not a port"):
        load_settings(None, environ={"TRACKER_FETCH_ALLOW_PORTS": "0"})
    with pytest.raises(ConfigError, match="TRACKER_FETCH_USER_AGENT"):
        load_settings(None, environ={"TRACKER_FETCH_USER_AGENT": "a\r\nb"})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--every", "0"), "'0' is not a duration"),
        (("sql", "--timeout", "nan", "SELECT 1"), "'nan' is not a number of seconds"),
        (("sql", "--timeout", "inf", "SELECT 1"), "'inf' is not a number of seconds"),
    ],
)
def test_options_that_would_loop_or_never_stop_are_refused(project, tracker, args, message):
    result = tracker(*args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_missing_seeds_folder_stops_the_run_with_one_line(project, tracker):
    (project / "seeds").rmdir()
    result = tracker("run")
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"tracker: seeds folder not found: {project / 'seeds'} "
        "(create it, or set [paths] seeds_dir or $TRACKER_SEEDS_DIR)\n"
    )
    assert not (project / "data").exists()  # refused before anything was made


@pytest.mark.parametrize("command", [("report", "{id}", "-o", "out.html"), ("export", "prov", "--seed", "{id}")])
def test_an_id_too_large_for_the_database_is_no_such_seed(populated, tracker, command):
    huge = str(2**64)
    result = tracker(*(part.replace("{id}", huge) for part in command))
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "no seed" in result.output and huge in result.output
