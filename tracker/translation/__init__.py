"""Translation: installed Argos packages turn an original's sentences into a target language.

Takes original versions; gives `translated` versions (sentence for sentence) with the model's provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tracker.setting import setting


@dataclass(frozen=True)
class TranslationSettings:
    SECTION: ClassVar[str] = "translation"
    ENV_PREFIX: ClassVar[str] = "TRACKER_"

    targets: tuple[str, ...] = setting(
        ("en",),
        "Languages that sources are translated into (ISO 639-1 codes); excerpts use the first. "
        "Comma-separated or a JSON list in the environment.",
        at_least=1,
        pattern=(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$", 'a language code such as "en"'),
    )
    models_dir: Path = setting(Path("data/models"), "Folder of installed Argos Translate packages (never $HOME).")
    auto_install: bool = setting(True, "Let `tracker run` download a missing model from Argos's package index.")
    index_url: str = setting(
        "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json",
        "Argos package index that missing models are downloaded from.",
    )
    device: str = setting(
        "auto",
        'Where `tracker worker` runs translation models: "auto" (CUDA when CTranslate2 sees a GPU), "cpu" or "cuda".',
        env="TRACKER_TRANSLATION_DEVICE",
        choices=("auto", "cpu", "cuda"),
    )
    compute_type: str = setting(
        "auto",
        'CTranslate2 compute type for workers ("auto", "int8", "float16", ...).',
        env="TRACKER_TRANSLATION_COMPUTE_TYPE",
    )
    inter_threads: int = setting(
        1,
        "Batches a worker's model translates at once (keep inter × intra threads <= physical cores).",
        env="TRACKER_TRANSLATION_INTER_THREADS",
        at_least=1,
    )
    intra_threads: int = setting(
        0, "Threads per batch in a worker (0: CTranslate2 picks).", env="TRACKER_TRANSLATION_INTRA_THREADS", at_least=0
    )

    @property
    def target(self) -> str:
        """The first target language: the one excerpts are aligned in."""
        return self.targets[0]
