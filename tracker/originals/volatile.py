"""Volatile lines: the parts of a page's text that change on every fetch without the article
changing ("Updated 3 minutes ago", "1,234 views", "Most read now: …").

`comparison_text` drops them, and only that text decides whether a capture is a new version; the
stored text keeps them. A line is dropped only when it is short and is wholly such a stamp: every
word is a time, date, unit, counter or stamp word, so a sentence that merely says "minutes ago"
stays. Every pattern is anchored or a plain token match, with no nested quantifiers, so a long
line costs its length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_LINE = 120  # longer lines are prose, whatever words they use

# A stamp keyword at the start of a line, in the languages we detect.
_STAMP = re.compile(
    r"(?:last |most recently )?(?:updated|modified|edited|published|posted)"
    r"|cập nhật|đăng lúc|đăng ngày|xuất bản"
    r"|обновлено|обновлён|опубликовано|изменено|дата публикации"
    r"|mis à jour|mise à jour|publié|modifié|dernière mise à jour"
    r"|actualizado|última actualización|publicado|modificado"
    r"|aktualisiert|zuletzt aktualisiert|veröffentlicht|geändert|stand"
    r"|آخر تحديث|تم التحديث|تحديث|نشر|تاريخ النشر"
)
# "Most read now: <headline>": a ticker label followed by a separator or nothing.
_TICKER = re.compile(
    r"(?:most read|most popular|most viewed|trending|popular now|đọc nhiều|xem nhiều|tin nóng"
    r"|самое читаемое|самое популярное|les plus lus|lo más leído|lo más visto|meistgelesen"
    r"|الأكثر قراءة|الأكثر مشاهدة)(?: now| nhất| ngay| сейчас| maintenant| ahora| jetzt)?"
    r"(?:\s?[:|\-–—•·>»]|$)"
)
_TOKEN = re.compile(r"\w+|[^\w\s]")
# A number, maybe with an ordinal, clock or magnitude suffix: 3, 2nd, 10h32, 30pm, 12k.
_NUMBER = re.compile(r"\d{1,12}(?:st|nd|rd|th|er|e|h|h\d{2}|am|pm|k|m|b|tr|min)?")

_RELATIVE = frozenset(
    "ago trước назад hace vor منذ قبل il".split()  # "il" from French "il y a"
)
_UNITS = frozenset(
    """
    second seconds sec secs s minute minutes min mins m hour hours hr hrs h day days d week weeks
    month months year years moment moments
    giây phút giờ ngày tuần tháng năm
    секунду секунды секунд минуту минуты минут час часа часов день дня дней неделю недели недель
    месяц месяца месяцев год года лет
    seconde secondes heure heures jour jours semaine semaines mois an ans instant
    segundo segundos minuto minutos hora horas día días semana semanas mes meses año años
    sekunde sekunden minute minuten stunde stunden tag tagen woche wochen monat monaten jahr jahren
    ثانية ثوان ثواني دقيقة دقيقتين دقائق ساعة ساعتين ساعات يوم يومين أيام أسبوع أسابيع شهر أشهر سنة
    """.split()
)
_COUNTERS = frozenset(
    """
    view views read reads reader readers comment comments share shares like likes reply replies
    lượt xem bình luận thích chia sẻ đọc
    просмотр просмотра просмотров просмотры комментарий комментария комментариев комментарии
    vue vues lecture lectures commentaire commentaires partage partages
    visita visitas vista vistas lectura lecturas comentario comentarios
    aufruf aufrufe leser kommentar kommentare
    مشاهدة مشاهدات قراءة تعليق تعليقات
    """.split()
)
_TIME_WORDS = frozenset(
    """
    a an one about over under less than more just now today yesterday at on the of by
    am pm utc gmt est edt cet cest bst pst pdt msk ict ist
    jan january feb february mar march apr april may jun june jul july aug august sep sept september
    oct october nov november dec december
    mon monday tue tues tuesday wed wednesday thu thurs thursday fri friday sat saturday sun sunday
    lúc ngày hôm nay qua vừa xong thứ hai ba tư năm sáu bảy chủ nhật tháng năm sáng chiều tối
    в сегодня вчера только что около более
    января февраля марта апреля мая июня июля августа сентября октября ноября декабря
    y le la à l aujourd hui hier instant environ
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    el las los de a hoy ayer unos unas
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    um uhr am heute gestern etwa über
    januar februar märz april mai juni juli august september oktober november dezember
    اليوم أمس في الساعة حوالي
    """.split()
)
_ALLOWED = _RELATIVE | _UNITS | _COUNTERS | _TIME_WORDS
_NOW = frozenset({("just", "now"), ("vừa", "xong"), ("только", "что"), ("à", "l"), ("gerade", "eben")})


def is_volatile(line: str, extra: Iterable[re.Pattern[str]] = ()) -> bool:
    """Whether `line` is wholly a relative time, an "updated" stamp, a counter or a ticker label,
    or matches one of the `extra` patterns (searched anywhere in the short line)."""
    line = unicodedata.normalize("NFC", line).strip()
    if not line or len(line) > MAX_LINE:
        return False
    if any(pattern.search(line) for pattern in extra):
        return True
    folded = " ".join(line.casefold().split())
    if _TICKER.match(folded):
        return True
    stamp = _STAMP.match(folded)
    if stamp and folded[stamp.end() : stamp.end() + 1].isalnum():
        stamp = None  # "Updatedness", "Standard": a longer word, not the keyword
    tokens = _TOKEN.findall(folded[stamp.end() :] if stamp else folded)
    words = set()
    numbers = False
    for token in tokens:
        if _NUMBER.fullmatch(token):
            numbers = True
        elif token in _ALLOWED:
            words.add(token)
        elif token[0].isalnum() or token == "_":
            return False  # a word that is no part of a stamp: this line says something
    if stamp:
        return True
    if words & _RELATIVE and (words & _UNITS or numbers):
        return True
    if numbers and words & _COUNTERS:
        return True
    pairs = set(zip(tokens, tokens[1:], strict=False))
    return bool(pairs & _NOW) and len(words) <= 3


def comparison_text(text: str, extra: Iterable[re.Pattern[str]] = ()) -> str:
    """`text` without its volatile lines: what decides whether a capture is a new version."""
    extra = tuple(extra)
    return "\n".join(line for line in text.splitlines() if not is_volatile(line, extra))
