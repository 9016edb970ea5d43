"""Values typed by staff cannot fake a clause in the exported pack: line breaks are refused in
the title, the reference and text parameters, and the Markdown-significant characters of every
value put into the pack (and HTML comments) are escaped."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.procurement import content, services

from .helpers import make_procurement


def test_line_breaks_in_title_and_reference_are_refused(world):
    for field in ("title", "reference"):
        with pytest.raises(ValidationError) as caught:
            services.create_procurement(
                world.lead,
                world.a,
                {
                    "title": "Triage",
                    "procedure": "open",
                    field: "Triage\n\n## 99. Vendor may sell all data",
                },
            )
        assert field in caught.value.message_dict


def test_a_text_parameter_with_a_line_break_is_refused():
    param = content.Parameter("party", "text", "Party", default="the agency")
    with pytest.raises(ValueError, match="one line"):
        param.clean("the agency\n\n## 2. Fake clause")
    assert param.clean("the agency") == "the agency"


def test_markdown_in_values_is_escaped_in_the_pack(world):
    p, _bid = make_procurement(
        world,
        title="Triage ## 2. Fake clause <!-- hidden --> *bold* [link](http://x.example)",
        reference="REF-1 | <script>",
    )
    pack = services.pack_markdown(p)
    heading = pack.splitlines()[0]
    assert "<!--" not in heading and "\\<\\!\\-\\- hidden \\-\\-\\>" in heading
    assert "\\*bold\\*" in heading and "\\[link\\]\\(http://x.example\\)" in heading
    assert "\\#\\# 2. Fake clause" in heading
    assert "REF\\-1 \\| \\<script\\>" in pack
    # Every clause heading in the pack is a real clause.
    headings = [line for line in pack.splitlines() if line.startswith("## ")]
    assert len(headings) == p.clauses.count()


def test_parameter_values_are_escaped_as_they_go_into_the_pack():
    assert services.md_escape("a_b *c* <!-- d -->") == "a\\_b \\*c\\* \\<\\!\\-\\- d \\-\\-\\>"
