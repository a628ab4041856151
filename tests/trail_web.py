"""A loopback web of three hosts that forms a three-hop trail in three languages:

    seed (English) ─cites─> Vietnamese article (127.0.0.1), "theo RT" linking to
        ─> a Russian page (127.0.0.2), linking to the primary statement and back to the article (a cycle)
            ─> the primary statement, in English (127.0.0.3)

The Vietnamese article relays the Russian page's figure of 200 troops as 300: the figure changed
at the Vietnamese hop. Its second claim cites a page that answers 404 (a dead hop). A link far
from every claim is followed only with `[trail] follow = "all"`. The tiny vi→en and ru→en Argos
packages (tests/tiny_argos.py) translate word by word from the glossaries below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from tests.http_server import serve

VI_GLOSSARY = {
    "Theo": "According to",
    "Nga": "Russia",
    "đã": "has",
    "gửi": "sent",
    "quân": "troops",
    "tới": "to",
    "Hai": "Both",
    "bên": "sides",
    "thảo": "discussed",
    "luận": "on",
    "thương": "trade",
    "mại": "and",
    "và": "also",
    "giáo": "on",
    "dục": "education",
}
RU_GLOSSARY = {
    "По": "According",
    "данным": "to",
    "Министерства": "the Ministry",
    "обороны": "of Defence",
    "Россия": "Russia",
    "направила": "has sent",
    "солдат": "troops",
    "Сирии": "to Syria",
    "Стороны": "Both sides",
    "обсудили": "discussed",
    "торговлю": "trade",
}

SEED = (
    "Russia has sent 300 troops to Syria, RT reported.\n"
    "Both sides discussed trade and education, officials said.\n"
    "Source: {vi}\n"
)

HTML = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
    "<body>{body}</body></html>"
)
# A second seed attributes the claim to the ministry with no link at all (as seed 004 does the Kremlin).
ATTRIBUTED_SEED = "Russia has sent 200 troops to Syria, the Ministry of Defence said.\n"

VI_BODY = """<header><a href="/">Báo Tin Nhanh</a> | <a href="/the-gioi">Thế giới</a></header>
<div class="detail-content afcbc-body">
<p>Theo <a href="{ru}/news/syria.html">RT</a>, Nga đã gửi 300 quân tới Syria.</p>
<p>Phóng viên của báo đang theo dõi sát diễn biến mới nhất tại thủ đô Damascus trong những ngày qua.</p>
<p>Hai bên thảo luận thương mại và giáo dục, theo <a href="{ru}/gone.html">Interfax</a>.</p>
<p>Người dân địa phương cho biết cuộc sống hàng ngày vẫn diễn ra bình thường ở nhiều khu vực khác nhau.</p>
<p>Các chuyên gia kinh tế đánh giá thị trường trong nước sẽ còn nhiều biến động trong thời gian tới.</p>
<p>Bạn đọc có thể xem thêm bình luận của <a href="{far}/binh-luan.html">các chuyên gia</a>
trong chuyên mục kinh tế của báo.</p>
</div>
<footer>Bản quyền thuộc về Báo Tin Nhanh.</footer>"""

RU_BODY = """<article>
<p>По данным <a href="{primary}/statement.html">Министерства обороны</a>,
Россия направила 200 солдат Сирии (<a href="{vi}">пересказ</a>).</p>
<p>Стороны обсудили торговлю.</p>
<p>Погода в Москве сегодня была холодной, и жители города готовятся к долгой и снежной зиме.</p>
<p>Мэрия сообщила, что общественный транспорт работает в обычном режиме во всех районах столицы.</p>
</article>"""

PRIMARY_BODY = """<article>
<p>The Ministry of Defence said Russia has sent 200 troops to Syria.</p>
<p>Both sides discussed trade.</p>
<p>The ministry will publish further statements on its website in the coming days.</p>
</article>"""

FAR_BODY = "<article><p>Một bài bình luận dài về thị trường chứng khoán và giá vàng trong tuần này.</p></article>"


@dataclass
class TrailWeb:
    vi: str  # the Vietnamese article the seed cites
    ru: str
    primary: str
    far: str
    gone: str
    bases: list  # the three servers (BaseURL: requests seen)
    ports: list[int]
    routes: list[dict]  # per host, path → response: a test may change a page

    def page_requests(self, url: str) -> int:
        for base in self.bases:
            if url.startswith(base):
                return sum(1 for _, path, _ in base.requests if base + path == url)
        raise ValueError(url)

    def seed(self) -> str:
        return SEED.format(vi=self.vi)


def russian_page(web: TrailWeb, figure: str = "200") -> tuple[int, dict, bytes]:
    """The Russian page, stating `figure` troops."""
    body = RU_BODY.format(primary=web.primary.removesuffix("/statement.html"), vi=web.vi)
    return _page("ru", "Россия и Сирия", body.replace("200 солдат", f"{figure} солдат"))


def _page(lang: str, title: str, body: str, head: str = "") -> tuple[int, dict, bytes]:
    html = HTML.format(lang=lang, title=title, body=body, head=head)
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


@contextmanager
def trail_web() -> Iterator[TrailWeb]:
    """Serve the web on 127.0.0.1 (vi), 127.0.0.2 (ru) and 127.0.0.3 (primary, and the far link)."""
    routes: list[dict] = [{}, {}, {}]
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(r, f"127.0.0.{i + 1}")) for i, r in enumerate(routes)]
        vi, ru, primary = bases
        web = TrailWeb(
            vi=f"{vi}/tin/nga-syria.html",
            ru=f"{ru}/news/syria.html",
            primary=f"{primary}/statement.html",
            far=f"{primary}/binh-luan.html",
            gone=f"{ru}/gone.html",
            bases=bases,
            ports=[b.port for b in bases],
            routes=routes,
        )
        routes[0]["/tin/nga-syria.html"] = _page("vi", "Nga gửi quân tới Syria", VI_BODY.format(ru=ru, far=primary))
        routes[1]["/news/syria.html"] = russian_page(web)
        routes[1]["/gone.html"] = (404, {"Content-Type": "text/html"}, b"<h1>not found</h1>")
        routes[2]["/statement.html"] = _page(
            "en",
            "Statement",
            PRIMARY_BODY,
            '<meta property="og:site_name" content="Ministry of Defence of the Russian Federation">',
        )
        routes[2]["/binh-luan.html"] = _page("vi", "Bình luận", FAR_BODY)
        yield web


def config(web: TrailWeb, extra: str = "") -> str:
    return loopback_config(web.ports, extra)


def loopback_config(ports: list[int], extra: str = "") -> str:
    """config.toml for servers on loopback at `ports`; `extra` goes on in the [translation] table."""
    return (
        '[fetch]\nallow_private = ["127.0.0.0/8"]\n'
        f"allow_ports = {list(ports)}\n"
        "deadline = 5.0\nmax_retries = 0\nbackoff = 0.01\nhost_delay = 0.0\n"
        '[translation]\nauto_install = false\ndevice = "cpu"\n' + extra
    )
