from datetime import date, time

import pytest
from jinja2 import UndefinedError

from pollinate.io.render.html import environment, render_page, session_heading
from tests.io import hybrid_cafe


def test_templates_escape_by_default():
    template = environment().from_string("<p>{{ name }}</p>")
    assert template.render(name="<script>x</script>") == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_a_misspelt_variable_is_an_error_not_a_blank_on_paper():
    with pytest.raises(UndefinedError):
        render_page("cards.html", heading=session_heading(None))


def test_heading_says_title_event_date_and_start_in_english():
    heading = session_heading(hybrid_cafe.spec(date=date(2025, 6, 23), start_time=time(9, 5)))
    assert (heading.title, heading.event) == ("Data Governance Café", "IGF 2024")
    assert heading.when == "Monday 23 June 2025, 09:05 (Asia/Riyadh)"
    assert heading.chatham_house


def test_heading_without_a_session_file_is_a_world_cafe():
    heading = session_heading(None)
    assert (heading.title, heading.event, heading.when) == ("World Café", None, None)
