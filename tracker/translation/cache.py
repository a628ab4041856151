"""The sentence translation cache in the database: every sentence a package translated, kept by
the sha256 of the sentence, the package (code, version, file checksum), the language and the
decoding options, one row per hop so pivots are cached too."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from tracker.store.tables import utcnow
from tracker.store.work_tables import SentenceTranslation
from tracker.translation.packages import InstalledPackage

_LOOKUP_CHUNK = 500


class DatabaseCache:
    """The sentence cache of tracker.translate, kept in the `sentence_translations` table."""

    def __init__(self, session: Session):
        self.session = session

    def get(
        self, package: InstalledPackage, language: str, decoding: str, sentences: list[str]
    ) -> dict[str, tuple[str, str]]:
        by_hash = {sha256_hex(s): s for s in sentences}
        hashes = list(by_hash)
        found: dict[str, tuple[str, str]] = {}
        for i in range(0, len(hashes), _LOOKUP_CHUNK):
            rows = self.session.exec(
                select(SentenceTranslation).where(
                    SentenceTranslation.sentence_sha256.in_(hashes[i : i + _LOOKUP_CHUNK]),
                    SentenceTranslation.model == package.code,
                    SentenceTranslation.model_version == package.version,
                    SentenceTranslation.model_sha256 == package.sha256,
                    SentenceTranslation.language == language,
                    SentenceTranslation.decoding == decoding,
                )
            ).all()
            for row in rows:
                found[by_hash[row.sentence_sha256]] = (row.translation, row.compute_type)
        return found

    def put(
        self, package: InstalledPackage, language: str, decoding: str, translations: dict[str, str], compute_type: str
    ) -> None:
        if not translations:
            return
        rows = [
            {
                "sentence_sha256": sha256_hex(sentence),
                "model": package.code,
                "model_version": package.version,
                "model_sha256": package.sha256,
                "language": language,
                "decoding": decoding,
                "translation": translation,
                "compute_type": compute_type,
                "created_at": utcnow(),
            }
            for sentence, translation in translations.items()
        ]
        # Another process may have cached the same sentence meanwhile: its text is the same.
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self.session.execute(insert(SentenceTranslation).values(rows).on_conflict_do_nothing())


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
