"""hardcoded-region and iam-code-permissions read botocore's data files without importing its
session (start-up): the files are the ones a botocore session reads, or the session is asked."""

from __future__ import annotations

import botocore.session

from tap.rules.common import regions
from tap.rules.common.botocore_data import bundled_data_dir


def test_region_names_are_the_ones_a_botocore_session_knows():
    endpoints = botocore.session.get_session().get_data("endpoints")
    expected = tuple(r for p in endpoints["partitions"] for r in p.get("regions", {}))

    assert regions._ordered_region_names() == expected
    assert regions._builtin_endpoints() == endpoints


def test_any_way_to_point_botocore_elsewhere_means_asking_botocore(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    assert bundled_data_dir() is not None

    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\ndata_path = /opt/models\n")
    assert bundled_data_dir() is None

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    assert bundled_data_dir() is not None
    (tmp_path / ".aws" / "models").mkdir()
    assert bundled_data_dir() is None

    (tmp_path / ".aws" / "models").rmdir()
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    assert bundled_data_dir() is None
