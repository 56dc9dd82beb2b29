"""Files on disk: canonical and lossless round trips, atomic writes, broken files, unsafe ids."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from datastore.errors import InvalidId
from datastore.ids import check_id, is_valid_id, new_id
from datastore.loader import load_repo, read_record
from datastore.models import ACTIVITIES, EXHIBITION, KINDS, Activity, Exhibition
from datastore.records import record_to_text, with_changes
from datastore.save import UNCHECKED, save_record
from datastore.tomlio import atomic_write
from tests.builders import DAY, tiny_repo, write_record


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line.startswith(("+ ", "- "))]


def test_loading_and_writing_every_sample_file_gives_identical_bytes(sample_master: Path):
    data = load_repo(sample_master)
    checked = 0
    for rel, stored in data.stored.items():
        if stored.record is None:
            continue
        assert record_to_text(stored.record) == (sample_master / rel).read_text(encoding="utf-8"), rel
        checked += 1
    assert checked > 150


def test_changing_one_field_changes_only_its_line(sample_master: Path):
    stored = load_repo(sample_master).units["changchun"].items("activities")[0]
    before = (sample_master / stored.path).read_text(encoding="utf-8")
    after = record_to_text(with_changes(stored.record, {"venue": "南湖公园"}))
    assert changed_lines(before, after) == [f"- venue = \"{stored.record.venue}\"",
                                            "+ venue = \"南湖公园\""]


def test_changing_one_paragraph_of_a_long_text_changes_only_that_line(sample_master: Path):
    plan = load_repo(sample_master).units["changchun"].record("work_plan")
    paragraphs = plan.text.split("\n")
    paragraphs[2] = "这一段被改写了。"
    before = record_to_text(plan)
    after = record_to_text(with_changes(plan, {"text": "\n".join(paragraphs)}))
    assert len(changed_lines(before, after)) == 2
    assert '"""' in after and after.count("\n") >= len(paragraphs)


def test_photos_are_written_as_tables_one_per_block():
    record = Exhibition.model_validate({"title": "题目", "photos": [
        {"file": "a.jpg", "caption": "开幕式"}, {"file": "b.jpg", "caption": "讲座"}]})
    text = record_to_text(record)
    assert text.count("[[photos]]") == 2 and "{" not in text


def test_a_value_of_the_wrong_type_is_reported_with_its_line_and_kept_on_save(tmp_path: Path):
    repo = tiny_repo(tmp_path / "repo")
    rel = "units/changchun/activities/abcdefghij.toml"
    path = repo / rel
    path.parent.mkdir(parents=True)
    path.write_text('id = "abcdefghij"\nname = "讲座"\nparticipants = "三十人"\nvenue = "图书馆"\n',
                    encoding="utf-8")
    findings: list = []
    stored = read_record(repo, rel, ACTIVITIES, Activity, "changchun", findings)
    assert [(f.code, f.field, f.line) for f in findings] == [("field.type", "participants", 3)]
    assert "整数" in findings[0].message
    record = stored.record
    assert record.name == "讲座" and record.participants is None
    assert 'participants = "三十人"' in record_to_text(record)
    fixed = with_changes(record, {"participants": 30})
    assert "participants = 30" in record_to_text(fixed)


def test_an_unknown_key_is_reported_and_kept(tmp_path: Path):
    repo = tiny_repo(tmp_path / "repo")
    rel = "units/changchun/exhibition.toml"
    (repo / rel).parent.mkdir(parents=True)
    (repo / rel).write_text('titel = "错拼的题目"\ntext = "内容"\n', encoding="utf-8")
    findings: list = []
    stored = read_record(repo, rel, EXHIBITION, Exhibition, "changchun", findings)
    assert [(f.code, f.field, f.line) for f in findings] == [("field.unknown", "titel", 1)]
    assert 'titel = "错拼的题目"' in record_to_text(stored.record)


def test_a_broken_file_among_good_ones_is_a_finding_and_the_rest_loads(sample_repo: Path):
    broken = sample_repo / "units/changchun/work_plan.toml"
    broken.write_text('title = "方案\ntext = 1\n', encoding="utf-8")
    (sample_repo / "units/jilin/exhibition.toml").write_bytes("title = '展板'\n".encode("gbk") + b"\xb0\xa1")
    (sample_repo / "units/siping/summary.toml").mkdir()
    data = load_repo(sample_repo)
    by_path = {f.path: f for f in data.findings}
    assert by_path["units/changchun/work_plan.toml"].code == "toml.syntax"
    assert by_path["units/changchun/work_plan.toml"].line == 1
    assert by_path["units/jilin/exhibition.toml"].code == "file.encoding"
    assert by_path["units/siping/summary.toml"].code == "file.is_folder"
    assert len(data.units) == 15
    assert len(data.units["changchun"].items("activities")) == 12
    assert data.units["changchun"].record("work_plan") is None


def test_record_file_names_that_are_not_ids_are_skipped_with_a_finding(tmp_path: Path):
    repo = tiny_repo(tmp_path / "repo")
    folder = repo / "units/changchun/activities"
    folder.mkdir(parents=True)
    (folder / "Bad Name.toml").write_text('id = "x"\n', encoding="utf-8")
    write_record(repo, "units/changchun/activities/goodid0001.toml", Activity(id="goodid0001"))
    data = load_repo(repo)
    assert [s.id for s in data.units["changchun"].items("activities")] == ["goodid0001"]
    assert any(f.code == "file.bad_id" for f in data.findings)


def test_record_whose_id_differs_from_its_file_name_is_an_error(tmp_path: Path):
    repo = tiny_repo(tmp_path / "repo")
    write_record(repo, "units/changchun/cases/caseaaaaaa.toml", KINDS["cases"].model(id="casebbbbbb"))
    data = load_repo(repo)
    assert any(f.code == "record.id_mismatch" for f in data.findings)
    assert data.units["changchun"].items("cases")[0].record.id == "caseaaaaaa"


@pytest.mark.parametrize("bad", ["../etc", "a/b", "A1", "-abc", "x", "", "a" * 65, "长春", "a b", None, 12])
def test_path_like_or_malformed_ids_are_refused(bad):
    assert not is_valid_id(bad)
    with pytest.raises(InvalidId):
        check_id(bad)


def test_saving_a_record_with_a_path_like_id_writes_nothing(sample_repo: Path):
    record = Activity(id="../../campaign", name="x")
    with pytest.raises(InvalidId):
        save_record(sample_repo, ACTIVITIES, "changchun", record, expected=UNCHECKED)
    with pytest.raises(InvalidId):
        save_record(sample_repo, ACTIVITIES, "../changchun", Activity(id=new_id()), expected=UNCHECKED)
    assert not list(sample_repo.rglob("campaign.toml"))[1:]


def test_new_ids_are_random_and_valid():
    ids = {new_id() for _ in range(200)}
    assert len(ids) == 200 and all(is_valid_id(i) and len(i) == 10 for i in ids)


def test_atomic_write_replaces_the_file_and_leaves_no_temp_file(tmp_path: Path):
    target = tmp_path / "a.toml"
    target.write_text("old", encoding="utf-8")
    atomic_write(target, "新内容".encode())
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


def test_a_draft_with_missing_fields_saves_and_reloads(sample_repo: Path):
    draft = Activity(id=new_id(), name="只填了名称", start=DAY)
    result = save_record(sample_repo, ACTIVITIES, "changchun", draft, expected=None)
    assert result.commit is not None
    assert {f.field for f in result.findings if f.code == "field.required"} >= {"venue", "end"}
    reloaded = read_record(sample_repo, result.path, ACTIVITIES, Activity, "changchun", [])
    assert reloaded.record == draft
