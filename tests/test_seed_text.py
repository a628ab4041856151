from pathlib import Path

import pytest

from tracker.seeds.files import SeedError, SeedLink, SeedText, read_seed_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_text_seed_is_kept_as_is():
    path = SEEDS / "000_2c3edb034ccb3b0f.txt"
    seed = read_seed_file(path)
    assert seed == SeedText(text=path.read_text(encoding="utf-8"), format="text", links=())


def test_markdown_seed_is_kept_as_is():
    path = FIXTURES / "links.md"
    seed = read_seed_file(path)
    assert seed.format == "markdown"
    assert seed.text == path.read_text(encoding="utf-8")
    assert "[Kremlin readout](https://en.kremlin.ru/" in seed.text
    assert seed.links == ()


def test_html_seed_becomes_visible_text_with_lines_for_blocks():
    seed = read_seed_file(FIXTURES / "links.html")
    assert seed.format == "html"
    assert seed.text == (
        "Talks in Damascus\n"
        "The talks were first reported by Reuters, and TASS reported the same day.\n"
        "Nguồn: Thanh Niên\n"
        "See about us & write."
    )
    assert "Not visible" not in seed.text and "hidden" not in seed.text and "color" not in seed.text


def test_html_links_point_at_their_anchor_text():
    seed = read_seed_file(FIXTURES / "links.html")
    anchors = [(link.href, seed.text[link.start : link.end]) for link in seed.links]
    assert anchors == [
        ("https://www.reuters.com/world/a.html?utm_source=x#top", "Reuters"),
        ("https://thanhnien.vn/b.htm", "Thanh Niên"),
    ]  # mailto: is never a citation
    assert all(isinstance(link, SeedLink) for link in seed.links)
    # "See about us & write." is not running text around its links: neither is a citation.


def test_html_whitespace_comments_and_line_breaks(tmp_path):
    path = tmp_path / "seed.htm"
    path.write_text(
        "<p>  Theo <a href=' https://x.vn/a '> <i>Báo</i>  X</a>,<!-- hidden --> trời\n\n đẹp."
        "<br>Dòng&nbsp;&nbsp;hai</p>",
        encoding="utf-8",
    )
    seed = read_seed_file(path)
    assert seed.text == "Theo Báo X, trời đẹp.\nDòng hai"
    assert seed.links == (SeedLink("https://x.vn/a", 5, 10),)


def test_html_with_xml_declaration(tmp_path):
    path = tmp_path / "seed.html"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Xin chào.</p></body></html>', encoding="utf-8"
    )
    assert read_seed_file(path).text == "Xin chào."


def test_deeply_nested_html_does_not_overflow_the_stack(tmp_path):
    path = tmp_path / "deep.html"
    # libxml2 drops content nested deeper than 256 levels unless asked for a "huge" tree.
    path.write_text("<div>" * 1000 + "Deep text." + "</div>" * 1000, encoding="utf-8")
    assert read_seed_file(path).text == "Deep text."


def test_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfNgu\xe1\xbb\x93n: https://x.vn/a")
    assert read_seed_file(path).text == "Nguồn: https://x.vn/a"


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Điện Kremlin cho biết cuộc gọi mang tính xây dựng.".encode("utf-16"))
    assert read_seed_file(path).text == "Điện Kremlin cho biết cuộc gọi mang tính xây dựng."


def test_legacy_encoding_falls_back_to_detection(tmp_path):
    path = tmp_path / "latin.txt"
    text = "Le président a déclaré que la réunion était importante pour la région et son économie."
    path.write_bytes(text.encode("cp1252"))
    decoded = read_seed_file(path).text
    assert "président" in decoded and "réunion" in decoded and "économie" in decoded


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("scripts-only.html", b"<html><script>var a = 1;</script></html>", "no text"),
        ("seed.pdf", b"%PDF-1.7", "unsupported seed file type '.pdf'"),
        ("seed", b"text", "unsupported seed file type ''"),
    ],
)
def test_unusable_seed_files_raise_one_line_seed_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SeedError) as excinfo:
        read_seed_file(path)
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_missing_file_raises_seed_error(tmp_path):
    with pytest.raises(SeedError, match="cannot read seed file"):
        read_seed_file(tmp_path / "missing.txt")


def test_seed_error_is_a_value_error():
    assert issubclass(SeedError, ValueError)
