"""The collector tuning both drivers apply: rarer young collections, never more frequent ones."""

import gc

import pytest

from tracker.collector import YOUNG_GENERATION, collect_less_often


@pytest.fixture
def threshold():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_young_collections_become_rarer_and_the_older_generations_keep_their_ratios(threshold):
    gc.set_threshold(700, 10, 10)
    collect_less_often()
    assert gc.get_threshold() == (YOUNG_GENERATION, 10, 10)


def test_a_process_that_collects_less_often_or_never_is_left_alone(threshold):
    for setting in ((50_000, 5, 5), (0, 10, 10)):  # 0: the collector is off
        gc.set_threshold(*setting)
        collect_less_often()
        assert gc.get_threshold() == setting


def test_tracker_run_applies_it(tmp_path, threshold):
    from tracker.config import load_settings
    from tracker.runner import run

    (tmp_path / "seeds").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nseeds_dir = "{tmp_path / "seeds"}"\ndata_dir = "{tmp_path / "data"}"\n')
    gc.set_threshold(700, 10, 10)
    run(load_settings(config))
    assert gc.get_threshold()[0] == YOUNG_GENERATION
