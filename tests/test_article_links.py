"""Which links of an HTML page's article are its citations (tracker/seeds/article.py): small pages
made by hand around the news fixture, each with one kind of outside link placed inside the body."""

from __future__ import annotations

from pathlib import Path

from tracker.seeds.article import find_article
from tracker.seeds.files import read_seed_html

NEWS = (Path(__file__).parent / "fixtures" / "seed_pages" / "news_article.html").read_text(encoding="utf-8")
CANONICAL = "https://www.dailyledger.example/world/2025/02/13/syria-talks-resume-damascus/"
INSERT_AT = "<p>The Kremlin spokesman"


def _with_block(block: str) -> list[str]:
    """The hrefs cited by the news page with `block` placed inside its article body."""
    assert INSERT_AT in NEWS
    seed = read_seed_html(NEWS.replace(INSERT_AT, block + INSERT_AT), CANONICAL)
    return [link.href for link in seed.links]


def test_a_list_of_the_sites_own_stories_inside_the_article_is_not_cited_in_any_language():
    teasers = (
        '<p><a href="/world/2025/02/12/lebanon-ceasefire/">Lebanon ceasefire holds</a> Negotiators meet again '
        "in Beirut as the truce enters its third week.</p>"
        '<p><a href="/world/2025/02/12/jordan-aid/">Jordan sends aid convoy</a> Trucks cross the northern '
        "border into Syria with food and medicine.</p>"
        '<p><a href="/world/2025/02/11/gaza-talks/">وقف إطلاق النار في غزة</a> يلتقي المفاوضون مجددا في '
        "القاهرة لبحث المرحلة الثانية من الاتفاق.</p>"
        '<p><a href="/world/2025/02/11/vietnam-trade/">Việt Nam ký hiệp định thương mại</a> Hai bên cam kết '
        "giảm thuế đối với hàng nông sản trong năm nay.</p>"
    )
    hrefs = _with_block(teasers)
    assert not any(part in href for href in hrefs for part in ("lebanon", "jordan", "gaza", "vietnam"))
    # The article's own citations are all still there.
    assert "https://tass.com/politics/1912345" in hrefs and "http://en.kremlin.ru/events/president/news/76312" in hrefs


def test_a_paragraph_that_opens_with_a_link_stays_a_citation_when_it_is_not_one_of_a_list():
    one = (
        '<p><a href="/world/2025/02/12/lebanon-ceasefire/">Our correspondent in Beirut</a> reported that the '
        "negotiators would meet again next week, after the first round ended without a statement.</p>"
    )
    assert "https://www.dailyledger.example/world/2025/02/12/lebanon-ceasefire/" in _with_block(one)
    # Lines that open with a link to another site are sources named first, not the site's stories.
    others = (
        '<p><a href="https://www.afp.com/en/news/3954">Agence France-Presse</a> said the delegation landed '
        "in Damascus on Wednesday morning.</p>"
        '<p><a href="https://sana.sy/en/?p=3412">The state news agency SANA</a> said the foreign minister '
        "received the delegation.</p>"
    )
    hrefs = _with_block(others)
    assert "https://www.afp.com/en/news/3954" in hrefs and "https://sana.sy/en/?p=3412" in hrefs


def test_tag_author_and_share_links_in_the_body_are_not_cited():
    furniture = (
        '<p>By <a href="/authors/jane-doe/">Jane Doe</a>, who covered the earlier rounds of talks in Geneva '
        'and Astana. <a href="/tags/syria/">Syria</a>, <a href="/topics/diplomacy/">diplomacy</a> and '
        '<a href="https://www.facebook.com/sharer/sharer.php?u=x">share this story</a> with your friends.</p>'
    )
    hrefs = _with_block(furniture)
    assert not any(part in href for href in hrefs for part in ("authors", "tags", "topics", "sharer"))


def test_relative_links_resolve_against_the_page_not_the_sites_root():
    page = NEWS.replace(
        INSERT_AT,
        '<p>The first contacts were <a href="../../../01/28/russia-syria-envoy/">described in our earlier '
        "report</a>, written from Damascus in January when the delegation first arrived.</p>" + INSERT_AT,
    )
    article = find_article(page, CANONICAL)
    hrefs = [link.href for link in article.links]
    # From /world/2025/02/13/story/, ../../../01/28/x/ is /world/2025/01/28/x/ (trafilatura alone
    # would make it /01/28/x/ on the site's root).
    assert "https://www.dailyledger.example/world/2025/01/28/russia-syria-envoy/" in hrefs
    assert not any(href.startswith("https://www.dailyledger.example/01/") for href in hrefs)


def test_a_link_in_a_recommendation_or_author_block_of_the_page_is_not_cited():
    # trafilatura keeps these blocks' text; their class names say what they are, in any language.
    for name in ("recommended-stories", "trending", "author_bio", "promo"):
        block = (
            f'<div class="{name}"><p>Earlier this month the envoy <a href="/world/2025/02/01/envoy-visit/">'
            "visited Beirut and Amman</a> to prepare the round of talks that began today.</p></div>"
        )
        assert not any("envoy-visit" in href for href in _with_block(block)), name


def test_furniture_is_told_by_the_blocks_a_link_stands_in_not_by_wrappers_around_the_article():
    from tracker.seeds.page_links import page_links

    page = """<html><body><nav><a href="/world/">World</a></nav>
    <div class="article-body pagination-first"><p>Text citing <a href="https://who.int/a">the WHO</a> and
    <a href="/world/">the world desk</a>.</p>
    <div class="social-media-embed"><a href="https://social.example/post/1">a post</a></div>
    <aside class="related"><a href="/world/2025/other/">Other story</a></aside></div>
    <footer class="site-footer"><a href="/about/">About</a></footer></body></html>"""
    links = page_links(page, "https://news.example/world/2025/story/")
    assert links.furniture == {"https://news.example/world/2025/other/", "https://news.example/about/"}
    # Relative hrefs are made absolute against the page; the world desk stands in the text too.
    assert 'href="https://news.example/world/"' in links.html


def test_a_footnote_link_to_the_page_itself_is_not_a_citation():
    note = (
        "<p>The ministry put the number of returnees at 29,000 in January, an estimate that aid groups "
        'dispute.<a href="#note-1">1</a> Officials did not answer questions about the figure on Thursday.</p>'
    )
    assert not any("note-1" in href for href in _with_block(note))


def test_on_a_page_taken_whole_the_links_of_its_menus_are_not_cited_either():
    prose = (
        "The harbour council approved the budget on Tuesday after a long debate about the old railway "
        "bridge and the cost of its repair, which the finance office put at four million. "
    )
    page = (
        '<html><body><nav class="site-menu"><p>Find every story of the week on <a href="/world/">the world '
        "desk</a>, with the latest news from each region.</p></nav>"
        f'<p>{prose}The audit, <a href="https://audit.example/2024/bridge">published by the city</a>, '
        f"explains the figure in detail.</p><p>{prose}</p></body></html>"
    )
    seed = read_seed_html(page, "https://news.example/2024/05/07/harbour.html")
    assert not seed.article  # a short page is taken whole
    assert [link.href for link in seed.links] == ["https://audit.example/2024/bridge"]


def test_hrefs_are_kept_as_written_when_relative_ones_are_made_absolute():
    block = (
        '<p>The ministry <a href="https://bo.example/tin-tức/thông báo">published its notice</a> on Thursday, '
        'and our <a href="../../12/notice/">earlier report</a> explained what it changes for returnees.</p>'
    )
    hrefs = _with_block(block)
    assert "https://bo.example/tin-tức/thông báo" in hrefs  # not percent-encoded on the way
    assert "https://www.dailyledger.example/world/2025/02/12/notice/" in hrefs


def test_the_article_is_the_same_when_only_the_title_is_read_from_the_metadata():
    # Trails read each source with all_metadata=False: the title (og:title here, then JSON-LD,
    # then <title> and <h1> once the tags before them are gone) must be the one trafilatura's
    # whole metadata search gives, since the article's text opens with it.
    fixtures = Path(__file__).parent / "fixtures"
    pages = [
        NEWS,
        NEWS.replace('<meta property="og:title"', '<meta property="og:nothing"'),
        NEWS.replace('<meta property="og:title"', '<meta property="og:nothing"').replace("ld+json", "x-none"),
        NEWS.replace("<title>Syria talks", "<title>  Syria &amp; Russia:\n  talks"),
        *(path.read_text(encoding="utf-8") for path in sorted((fixtures / "pages").glob("*.html"))),
        (fixtures / "seed_pages" / "vi_article.html").read_text(encoding="utf-8"),
    ]
    titles = set()
    for page in pages:
        whole = find_article(page, CANONICAL)
        assert find_article(page, CANONICAL, all_metadata=False) == whole
        if whole is not None:
            titles.add(whole.title)
    assert len(titles) >= 4 and None not in titles
