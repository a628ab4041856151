"""Translation: installed Argos packages turn an original's sentences into a target language.

Takes original versions; gives `translated` versions (sentence for sentence) with the model's provenance.
"""
