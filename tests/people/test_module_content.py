"""Training modules are content: the shipped ones load, and a broken module is refused with a
message naming the file, the item and the problem."""

from __future__ import annotations

import copy

import pytest
import yaml

from ombuds.people import modules

GENERAL = {
    "general.ai-capabilities-limits",
    "general.automation-bias",
    "general.rights-non-discrimination",
    "general.override-escalate",
}


def test_the_general_modules_ship_with_a_real_check():
    shipped = modules.shipped()
    assert GENERAL <= set(shipped)
    for m in shipped.values():
        assert len(m.questions) >= 3 and 50 <= m.pass_mark <= 100
        assert m.validity_months and m.required_for.high_impact
        assert all(len(part.text) > 200 for part in m.materials), m.id
        # The right answers pass and no answers fail.
        right = {q.id: q.answer for q in m.questions}
        assert m.score(right) == 100 and m.score({}) == 0


def base() -> dict:
    return yaml.safe_load(modules.source_text("general.automation-bias"))


def broken(change):
    data = copy.deepcopy(base())
    change(data)
    return data


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda d: d.pop("title"), "module 'general.automation-bias': 'title'"),
        (lambda d: d.update(version=0), "'version' must be a whole number"),
        (lambda d: d.update(colour="red"), "unknown key(s) colour"),
        (lambda d: d["check"].update(pass_mark=120), "'pass_mark' must be a whole percent"),
        (
            lambda d: d["check"]["questions"][1]["choices"][0].update(correct=True),
            "question 'routine': exactly one choice must be marked correct",
        ),
        (
            lambda d: d["check"]["questions"][2]["choices"].pop(),
            None,  # still two choices: valid
        ),
        (
            lambda d: d["check"]["questions"][0]["choices"][1].update(id="accept"),
            "question 'definition': choice 'accept' is listed twice",
        ),
        (lambda d: d["check"].update(questions=d["check"]["questions"][:2]), "at least three"),
        (lambda d: d.update(validity_months=0), "'validity_months' must be a whole number"),
        (
            lambda d: d["required_for"].update(roles=["pilot"]),
            "required_for: 'roles' must list values among",
        ),
        (lambda d: d["links"][0].update(url="ftp://x"), "link 1: 'url' must start with https://"),
        (lambda d: d["materials"][0].pop("text"), "material 1: 'text' must be a non-empty text"),
    ],
)
def test_errors_name_the_file_the_item_and_the_problem(change, words):
    data = broken(change)
    if words is None:
        modules.parse(data, "mine.yaml")
        return
    with pytest.raises(modules.ModuleError) as exc:
        modules.parse(data, "mine.yaml")
    message = str(exc.value)
    assert message.startswith("mine.yaml")
    assert words in message


def test_a_yes_answer_id_is_caught_not_misread():
    text = modules.source_text("general.override-escalate").replace("id: manager", "id: yes")
    with pytest.raises(modules.ModuleError, match="question 'permission'"):
        modules.load(text, "override.yaml")


def test_two_files_with_one_id_are_refused(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(modules.source_text("general.automation-bias"))
    with pytest.raises(modules.ModuleError, match="b.yaml module 'general.automation-bias'"):
        modules.load_folder(tmp_path)
