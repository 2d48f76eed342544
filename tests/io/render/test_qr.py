from markupsafe import Markup

from pollinate.io.render.qr import qr_svg


def test_qr_code_is_scalable_inline_svg_without_the_url_text():
    svg = qr_svg("https://cafe.example/join/<abc>")
    assert isinstance(svg, Markup)
    assert svg.startswith("<svg")
    assert "viewBox" in svg
    assert "cafe.example" not in svg


def test_different_urls_give_different_codes():
    assert qr_svg("https://cafe.example/a") != qr_svg("https://cafe.example/b")
