"""`python -m tap.local run` on the synthesized dev template: every line aggregated or
rejected, aggregates equal to the test's own computation. GIVEN / WHEN / THEN."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tap.local.run import RunOptions, run_pipeline
from tests.integration.scenario import build, local_aggregates

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    scenario = build(base_ms=(int(time.time()) // 60 - 4) * 60_000)
    path = tmp_path_factory.mktemp("input") / "mixed.jsonl"
    path.write_text("\n".join(scenario.lines) + "\n")
    return scenario, path


@pytest.fixture(scope="module")
def result(mixed, dev_template):
    scenario, path = mixed
    return run_pipeline(
        RunOptions(input=path, template=dev_template, seed=3, redeliver_rate=1.0, throttle_rate=0.3)
    )


def test_aggregates_match_an_independent_computation(mixed, result):
    # GIVEN valid, invalid and duplicated lines, delivered with redeliveries and throttling
    scenario, _ = mixed
    # THEN the aggregates are those of the distinct valid readings, no more, no less
    assert local_aggregates(result) == scenario.expected_aggregates()
    assert result["counts"]["redeliveries"] > 0 and result["counts"]["injected_throttles"] > 0


def test_in_memory_stand_ins_give_the_same_result_as_moto(mixed, dev_template, result):
    # GIVEN the same input, seed, redeliveries and throttling
    _, path = mixed
    # WHEN the processor's AWS calls go to moto instead of the in-memory stand-ins
    on_moto = run_pipeline(
        RunOptions(
            input=path,
            template=dev_template,
            seed=3,
            redeliver_rate=1.0,
            throttle_rate=0.3,
            processor_aws="moto",
        )
    )
    # THEN every output is the same: aggregates, rejects, counts, query results, alerts
    for part in ("aggregates", "rejected", "counts", "queries"):
        assert on_moto[part] == result[part], part
    assert on_moto["alerts"]["messages"] == result["alerts"]["messages"]


def test_every_line_is_aggregated_or_rejected(mixed, result):
    scenario, _ = mixed
    counts = result["counts"]
    # THEN nothing is lost or parked: each line is counted, a duplicate, or rejected
    assert counts["lost"] == 0 and counts["dead_lettered"] == 0
    assert counts["aggregated"] + counts["duplicates"] + counts["rejected"] == len(scenario.lines)
    assert {r["line"] for r in result["rejected"]} == scenario.invalid | scenario.conflicts
    assert all(r["reason"] for r in result["rejected"])
    distinct = {(r["segment_id"], r["sensor_id"], r["ts_ms"]) for r in scenario.valid.values()}
    assert counts["aggregated"] == len(distinct)


def _query(result, short_name):
    return next(rows for name, rows in result["queries"].items() if short_name in name)


def _counted_readings(scenario):
    """The distinct valid readings (first of each identity), as the processor counts them."""
    counted = {}
    for reading in scenario.valid.values():
        counted.setdefault((reading["segment_id"], reading["sensor_id"], reading["ts_ms"]), reading)
    return list(counted.values())


def test_hourly_volume_query_equals_the_sum_of_the_aggregates(mixed, result):
    # GIVEN poison, duplicates, conflicting duplicates and redeliveries in the input
    scenario, _ = mixed
    assert scenario.invalid and scenario.conflicts and result["counts"]["redeliveries"]
    # WHEN the hourly volume named query runs
    rows = _query(result, "hourly-volume")
    # THEN each (segment, hour) row equals the sum of that hour's aggregates
    expected: dict[tuple[str, str, str], list[int]] = {}
    for a in result["aggregates"]:
        key = (a["segment_id"], a["minute"][:10], a["minute"][11:13])
        sums = expected.setdefault(key, [0, 0])
        sums[0] += a["vehicle_count"]
        sums[1] += a["samples"]
    assert {
        (r["segment_id"], r["dt"], r["hour"]): [r["vehicles"], r["readings"]] for r in rows
    } == (expected)


def test_aggregates_query_returns_the_aggregates(result):
    rows = _query(result, "aggregates-from-pitr-export")
    keys = ("segment_id", "minute", "vehicle_count", "samples", "congestion_level")
    assert sorted(tuple(r[k] for k in keys) for r in rows) == sorted(
        tuple(a[k] for k in keys) for a in result["aggregates"]
    )


def test_hotspots_query_counts_the_counted_severe_readings(mixed, result):
    scenario, _ = mixed
    # GIVEN the readings the processor counted, each judged "severe" by the level-3 bounds
    severe: dict[str, int] = {}
    for r in _counted_readings(scenario):
        occ, speed = r["occupancy_pct"], r["avg_speed_kmh"]
        if occ >= 25 or (occ >= 8 and speed < 32):
            severe[r["segment_id"]] = severe.get(r["segment_id"], 0) + 1
    # WHEN the hotspots named query runs
    rows = _query(result, "hotspots")
    # THEN it lists exactly those segments, most severe readings first
    assert {row["segment_id"]: row["severe_readings"] for row in rows} == severe
    assert [row["severe_readings"] for row in rows] == sorted(severe.values(), reverse=True)
    assert severe


def test_speed_percentiles_are_over_the_counted_readings_only(mixed, result):
    scenario, _ = mixed
    counted = _counted_readings(scenario)
    rows = _query(result, "speed-percentiles")
    samples: dict[str, int] = {}
    for a in result["aggregates"]:
        samples[a["segment_id"]] = samples.get(a["segment_id"], 0) + a["samples"]
    # THEN each segment's percentiles are over as many readings as its aggregates' samples,
    # and within the range of the speeds counted (the rejected 999 km/h reading is not)
    assert {r["segment_id"]: r["readings"] for r in rows} == samples
    for row in rows:
        speeds = [r["avg_speed_kmh"] for r in counted if r["segment_id"] == row["segment_id"]]
        assert min(speeds) <= row["p50_kmh"] <= row["p85_kmh"] <= row["p95_kmh"] <= max(speeds)


def test_raw_archive_audit_sees_every_message(mixed, result):
    scenario, _ = mixed
    # THEN the raw archive stays raw: the audit query sees every message with a segment,
    # the rejected and duplicated ones included
    per_segment: dict[str, int] = {}
    for row in _query(result, "raw-archive-audit"):
        if row["segment_id"] is not None:
            per_segment[row["segment_id"]] = per_segment.get(row["segment_id"], 0) + row["messages"]
    assert per_segment == scenario.raw_readings_per_segment()


def test_conflicting_duplicates_are_rejected_with_both_values(mixed, result):
    scenario, _ = mixed
    # THEN each line repeating a counted identity with other values is a reject with its
    # reason and both readings; exact repeats stay silent duplicates
    conflicts = {r["line"]: r for r in result["rejected"] if r["line"] in scenario.conflicts}
    assert set(conflicts) == scenario.conflicts
    assert result["counts"]["conflicting_duplicates"] == len(scenario.conflicts)
    for reject in conflicts.values():
        assert reject["reason"].startswith("conflicting-duplicate")
        assert reject["received"]["vehicle_count"] == reject["counted"]["vehicle_count"] + 1
        assert reject["received"]["ts"] == reject["counted"]["ts"]


def test_congested_segment_is_alerted_once(mixed, result):
    scenario, _ = mixed
    expected = scenario.expected_aggregates()
    latest = {}
    for (segment, _minute), agg in sorted(expected.items()):
        latest[segment] = agg["congestion_level"]
    threshold = result["alerts"]["summary"]["congested"]
    # THEN the alert function saw the latest level per segment and sent one message each
    alerted = sorted(m["segment_id"] for m in result["alerts"]["messages"])
    assert alerted == sorted(threshold)
    assert alerted and all(latest[s] >= 2 for s in alerted)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tap.local", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_input_file_is_one_clear_line(tmp_path, dev_template):
    # GIVEN an input path that does not exist  WHEN the run starts
    done = _cli("run", "--input", str(tmp_path / "nope.jsonl"), "--template", str(dev_template))
    # THEN exit status 2 and one line, no traceback
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "input file not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_template_says_to_synthesize(tmp_path):
    (tmp_path / "in.jsonl").write_text("{}\n")
    done = _cli(
        "run", "--input", str(tmp_path / "in.jsonl"), "--template", str(tmp_path / "x.json")
    )
    assert done.returncode == 2 and "make synth" in done.stderr and "Traceback" not in done.stderr


def test_cli_json_output_has_the_documented_shape(tmp_path, dev_template):
    # GIVEN a small input with one valid, one duplicate and one bad line
    line = json.dumps(
        {
            "sensor_id": "s",
            "segment_id": "g",
            "ts": "2025-03-01T08:15:30Z",
            "vehicle_count": 4,
            "avg_speed_kmh": 72.5,
            "occupancy_pct": 9.5,
        }
    )
    (tmp_path / "in.jsonl").write_text(f"{line}\n{line}\nnope\n")
    # WHEN run with --json
    done = _cli(
        "run", "--input", str(tmp_path / "in.jsonl"), "--template", str(dev_template), "--json"
    )
    # THEN one JSON object with aggregates, rejected (1-based lines), queries and counts
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["aggregates"] == [
        {
            "segment_id": "g",
            "minute": "2025-03-01T08:15Z",
            "vehicle_count": 4,
            "samples": 1,
            "avg_speed_kmh": 72.5,
            "max_occupancy_pct": 9.5,
            "congestion_level": 1,
        }
    ]
    assert out["rejected"] == [{"line": 3, "reason": out["rejected"][0]["reason"]}]
    assert out["rejected"][0]["reason"].startswith("not-json")
    assert set(out) >= {"aggregates", "rejected", "queries", "counts"}
    assert out["counts"]["duplicates"] == 1 and out["counts"]["lines"] == 3


@pytest.mark.parametrize(
    ("option", "value"),
    [("--throttle-rate", "1.5"), ("--redeliver-rate", "-0.1"), ("--throttle-rate", "x")],
)
def test_rate_outside_zero_one_is_one_line_and_exit_2(tmp_path, option, value):
    # GIVEN a rate that is not a share  WHEN the run starts
    done = _cli("run", "--input", str(tmp_path / "in.jsonl"), option, value)
    # THEN exit status 2 and one line naming the option, no traceback
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and option in done.stderr
    assert "Traceback" not in done.stderr


def test_every_option_has_help():
    from tap.local.__main__ import _parser

    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings} has no help text"


def test_blank_lines_are_ignored_and_the_summary_reads_well(tmp_path, dev_template):
    # GIVEN one reading surrounded by blank lines (CRLF and trailing spaces too)
    line = json.dumps(
        {
            "sensor_id": "s",
            "segment_id": "g",
            "ts": "2025-03-01T08:15:30Z",
            "vehicle_count": 4,
            "avg_speed_kmh": 72.5,
            "occupancy_pct": 9.5,
        }
    )
    (tmp_path / "in.jsonl").write_text(f"\n{line}\r\n   \n\r\n")
    # WHEN it runs with the text summary
    done = _cli("run", "--input", str(tmp_path / "in.jsonl"), "--template", str(dev_template))
    # THEN the blank lines are neither messages nor rejects, and counts are plural-correct
    assert done.returncode == 0, done.stderr
    assert "lines 1: 1 aggregated, 0 duplicates, 0 rejected" in done.stdout
    assert "3 blank lines ignored" in done.stdout
    assert "rejected line" not in done.stdout
    assert " 1 rows" not in done.stdout
    # AND no progress bar when stderr is not a terminal
    assert "processing" not in done.stderr


def test_progress_bar_goes_to_stderr_when_asked(tmp_path, dev_template, capsys):
    # GIVEN a run with the progress bar on (what a terminal gets)
    (tmp_path / "in.jsonl").write_text("nope\n")
    run_pipeline(RunOptions(input=tmp_path / "in.jsonl", template=dev_template, progress=True))
    # THEN tqdm drew it on stderr, and stdout stays clean for --json
    captured = capsys.readouterr()
    assert "msg" in captured.err and "msg" not in captured.out
