"""One source of truth: the YAML schema, and everything generated from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from datasets.features.features import generate_from_arrow_type

from dataset.errors import InputError
from dataset.project import DATACARD_PATH
from dataset.release.datacard import SCHEMA_GENERATORS, card_blocks, render
from dataset.schema import load_schema, portable_features, schema

#: PTC's 18 technique names, transcribed independently from the PTC reference.
PTC_TECHNIQUES = [
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Obfuscation,Intentional_Vagueness,Confusion",
    "Red_Herring",
    "Reductio_ad_hitlerum",
    "Repetition",
    "Slogans",
    "Straw_Men",
    "Thought-terminating_Cliches",
    "Whataboutism",
]
MERGES = {
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
    "Reductio_ad_hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Straw_Men": "Whataboutism,Straw_Men,Red_Herring",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Obfuscation,Intentional_Vagueness,Confusion": None,
}


def test_techniques_have_stable_ids_in_ptc_order() -> None:
    assert schema().techniques.names == PTC_TECHNIQUES
    assert [label.id for label in schema().techniques.labels] == list(range(18))


def test_semeval_mapping_is_the_2020_merge() -> None:
    mapping = schema().technique_to_semeval
    for technique in PTC_TECHNIQUES:
        assert mapping[technique] == MERGES.get(technique, technique)
    assert sorted({c for c in mapping.values() if c}) == schema().semeval_classes.names
    assert len(schema().semeval_classes.names) == 14


def test_ids_must_be_dense(tmp_path: Path) -> None:
    from dataset.schema import schema_path

    broken = tmp_path / "schema.yaml"
    broken.write_text(schema_path().read_text().replace("- id: 17\n", "- id: 18\n"))
    with pytest.raises(InputError, match=r"ids must be 0\.\.17"):
        load_schema(broken)


@pytest.mark.parametrize("name", schema().table_names)
def test_arrow_schema_and_features_follow_the_yaml(name: str) -> None:
    table = schema().tables[name]
    arrow = schema().arrow_schema(name)
    features = schema().features(name)
    assert arrow.names == table.column_names == list(features)
    restored = datasets.Features.from_arrow_schema(arrow)
    for field in table.fields:
        # non-null fields are non-nullable, and datasets restores stored features of
        # nullable fields only (a release's card carries them all)
        assert arrow.field(field.name).nullable is field.nullable
        plain = generate_from_arrow_type(arrow.field(field.name).type)
        assert restored[field.name] == (features[field.name] if field.nullable else plain)
        assert arrow.field(field.name).metadata == {b"description": field.description.encode()}
        feature = features[field.name]
        if field.type == "class_label":
            assert isinstance(feature, datasets.ClassLabel)
            assert feature.names == schema().taxonomies[str(field.labels)].names
        elif field.type == "list":
            assert isinstance(feature, datasets.List)
        else:
            assert feature == datasets.Value(field.type)
        assert arrow.field(field.name).type == features.type.field(field.name).type


@pytest.mark.parametrize("name", schema().table_names)
def test_stored_features_are_those_datasets_writes(name: str) -> None:
    """The schema writes the features out itself (importing datasets would cost more than
    validating a small dataset): byte for byte what datasets serialises, made portable."""
    features = schema().features(name).to_dict()
    written = json.dumps({"info": {"features": portable_features(features)}})
    assert schema().arrow_schema(name).metadata[b"huggingface"] == written.encode()


def test_primary_keys_and_order_name_real_columns() -> None:
    for table in schema().tables.values():
        assert set(table.primary_key) <= set(table.column_names)
        assert set(table.order_by) <= set(table.column_names)
        for field in table.fields:
            if field.references:
                target_table, target_column = field.references.split(".")
                assert target_column in schema().tables[target_table].column_names


def test_datacard_generated_sections_are_current() -> None:
    card = DATACARD_PATH.read_text(encoding="utf-8")
    assert render(card, card_blocks(schema())) == card, (
        "run `python -m dataset card` and commit DATACARD.md"
    )


def test_datacard_drift_is_detected() -> None:
    card = DATACARD_PATH.read_text(encoding="utf-8")
    assert "`num_chars`" in card
    drifted = card.replace("`num_chars`", "`n_chars`", 1)
    assert render(drifted, card_blocks(schema())) != drifted
    assert set(SCHEMA_GENERATORS) >= {"fields", "taxonomy"}


# The schema file is validated: a typo stops everything, with its line


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    from dataset.schema import schema_path

    text = schema_path().read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / "schema.yaml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "problem"),
    [
        (
            "        pattern: '^[0-9a-f]{64}$'",
            "        patern: '^[0-9a-f]{64}$'",
            "patern:",
            "patern",
        ),
        (
            "        nullable: false\n        min: 1",
            "        nullable: nope\n        min: 1",
            "nope",
            "bool",
        ),
        ("references: articles.article_id", "references: articles.id", "articles.id", "references"),
        ("labels: techniques\n", "labels: technique\n", "labels: technique", "taxonomy"),
        ("    order_by: [article_id]\n", "    order_by: [article]\n", "[article]", "order_by"),
        ("type: int32", "type: int64", "int64", "type"),
        (
            "        pattern: '^[0-9]+$'",
            "        pattern: '^[0-9+$'",
            "^[0-9+$",
            "regular expression",
        ),
    ],
)
def test_schema_mistakes_are_errors_with_their_line(
    tmp_path: Path, old: str, new: str, fragment: str, problem: str
) -> None:
    copy = _broken_copy(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        load_schema(copy)
    assert caught.value.path == copy
    assert caught.value.line == _line_of(copy, fragment)
    assert problem in caught.value.problem


def test_invalid_yaml_is_an_error_with_its_line(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path, "  articles:\n", "  articles: [\n")
    with pytest.raises(InputError) as caught:
        load_schema(copy)
    assert "not valid YAML" in caught.value.problem
    assert caught.value.line is not None


def test_a_broken_schema_reaches_the_user_as_a_message(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path, "        pattern: '^[0-9a-f]{64}$'", "        patern: 'x'")
    result = subprocess.run(
        [sys.executable, "-m", "dataset", "card", "--check"],
        env={**os.environ, "PROPAGANDA_SPANS_SCHEMA": str(copy)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{copy}:{_line_of(copy, 'patern')}" in result.stderr
