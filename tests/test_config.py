from pathlib import Path

import pytest

from tracker.config import SETTINGS, ConfigError, load_settings, render_default_config

REPO = Path(__file__).resolve().parent.parent


def test_repository_config_holds_every_default():
    settings = load_settings(REPO / "config.toml", environ={})
    assert settings.target == "en"
    assert settings.fetch_allow_private == ()
    assert settings.models_dir == REPO / "data" / "models"
    assert settings.database_url == f"sqlite:///{REPO / 'data' / 'tracker.db'}"
    # The shipped file is exactly the documented defaults (regenerate it with render_default_config).
    assert (REPO / "config.toml").read_text() == render_default_config()
    for setting in SETTINGS:
        assert f"\n{setting.key} = " in render_default_config(), setting.key


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
    assert settings.target == "de"
    assert settings.fetch_allow_private == ("127.0.0.1", "::1")
    assert settings.auto_install is False
    assert settings.models_dir == tmp_path / "m"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "c.toml").write_text('[paths]\nseeds_dir = "my-seeds"\n')
    settings = load_settings(tmp_path / "c.toml", environ={})
    assert settings.seeds_dir == tmp_path / "my-seeds"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'tracker.db'}"


@pytest.mark.parametrize(
    "content, message",
    [
        ("[fetch]\ncolour = 1\n", r"unknown setting \[fetch\] colour"),
        ("[fetch]\nmax_redirects = 'many'\n", "expected int"),
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
