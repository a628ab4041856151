"""Attributions in the forms news writes them (issue 16): sentences written for these tests."""

import pytest

from tracker.seeds.attributions import find_attributions


def found(text: str) -> list[tuple[str, str | None, str, str, str]]:
    """(source as written, resolved name, source kind, cue, cue kind) for each attribution."""
    return [(text[a.start : a.end], a.name, a.source_kind, a.cue, a.cue_kind) for a in find_attributions(text)]


def only(text: str):
    (a,) = find_attributions(text)
    return a


@pytest.mark.parametrize(
    "text, expected",
    [
        # a bare or titled name with a speech verb
        (
            "Donald Trump visited Ohio on Friday. Trump said the plant would reopen.",
            [("Trump", "Donald Trump", "named", "said", "speech verb")],
        ),
        (
            "Sen. Bernie Sanders spoke in Iowa. Mr. Sanders said the primary was close.",
            [("Mr. Sanders", "Bernie Sanders", "named", "said", "speech verb")],
        ),
        (
            "Spokeswoman Haley Morris says the campaign raised $3 million.",
            [("Spokeswoman Haley Morris", "Haley Morris", "named", "says", "speech verb")],
        ),
        # inverted order
        (
            '"Turnout will decide it," said researcher Sylvia Manzano.',
            [("researcher Sylvia Manzano", "Sylvia Manzano", "named", "said", "speech verb")],
        ),
        (
            "The election is a spiritual battle, wrote Wallnau.",
            [("Wallnau", "Wallnau", "named", "wrote", "speech verb")],
        ),
        # descriptions
        (
            "The GOP presidential candidate said the polls were rigged.",
            [("The GOP presidential candidate", None, "description", "said", "speech verb")],
        ),
        (
            "Turnout among young voters fell, according to a Washington Post analysis.",
            [("a Washington Post analysis", "the Washington Post", "description", "according to", "according to")],
        ),
        (
            "A spokesman for the Kremlin said the call was constructive.",
            [("A spokesman for the Kremlin", "the Kremlin", "description", "said", "speech verb")],
        ),
        # passives
        (
            "The meeting was first reported by Politico.",
            [("Politico", "Politico", "named", "reported by", "passive report")],
        ),
        # more cue words
        (
            "Hillary Clinton tweeted that the debate was a win.",
            [("Hillary Clinton", "Hillary Clinton", "named", "tweeted", "speech verb")],
        ),
        (
            "Reuters noted that the talks had stalled.",
            [("Reuters", "Reuters", "named", "noted", "speech verb")],
        ),
        (
            "Paul Ryan warned that the bill would fail.",
            [("Paul Ryan", "Paul Ryan", "named", "warned", "speech verb")],
        ),
        # a party label, an introduced appositive, a relative pronoun
        (
            "Rep. Trey Gowdy (R-S.C.) said the claim was hypocritical.",
            [("Rep. Trey Gowdy", "Trey Gowdy", "named", "said", "speech verb")],
        ),
        (
            "Joe Maloy, a Republican from the Concord area, said the comments hurt.",
            [("Joe Maloy", "Joe Maloy", "named", "said", "speech verb")],
        ),
        (
            "The rules were written by Curly Haugland, who has argued that delegates are free.",
            [("who", "Curly Haugland", "pronoun", "argued", "speech verb")],
        ),
        # headline colon, for a name the story uses
        (
            "Trump: I will release my tax returns\nDonald Trump spoke in Ohio.",
            [("Trump", "Donald Trump", "named", ":", "colon")],
        ),
        # pronouns, resolved to the one person named just before
        (
            "Senator Elizabeth Warren spoke to voters in Boston. She added that the bank rules were too weak.",
            [("She", "Elizabeth Warren", "pronoun", "added", "speech verb")],
        ),
    ],
)
def test_forms_news_writes(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # bylines and credit lines
        "Robert Costa reported from Washington.",
        "Williams reports for the BBC.",
        # idioms
        "All told, the campaign spent $40 million.",
        "I'm told the campaign spent $40 million.",
        "Earnings reports lifted the market on Monday.",
        # a pronoun with no one, or more than one person, to resolve to
        "He said the plan was ready.",
        "Hillary Clinton met Elizabeth Warren in Philadelphia. She said the party was united.",
        # a pronoun inside a clause of someone else's sentence
        "The president praised the deal, which he said was historic.",
        # vague sources are not one source
        "Officials said the plan was ready.",
        "Experts say the plan is ready.",
        # labels before a colon
        "Correction: An earlier version misstated the date.",
        "The Latest: Trump urges supporters to vote",
    ],
)
def test_not_attributions(text):
    assert find_attributions(text) == []


def test_a_definite_description_resolves_to_the_named_source_with_its_role():
    text = 'Sen. Ted Cruz said the vote was rigged. "We will fight it," said the Texas senator.'
    first, second = find_attributions(text)
    assert (first.name, first.role) == ("Ted Cruz", "Sen.")
    assert (text[second.start : second.end], second.name, second.resolved_by) == (
        "the Texas senator",
        "Ted Cruz",
        "antecedent",
    )
    assert text[second.resolved_start : second.resolved_end] == "Sen. Ted Cruz"


def test_a_place_named_in_between_is_no_person_for_a_pronoun():
    text = "Mike Pence toured a factory in Ohio. Pence met workers from New York. He said the plant would reopen."
    assert found(text)[-1] == ("He", "Mike Pence", "pronoun", "said", "speech verb")


def test_a_pronoun_agrees_with_its_person():
    text = "Hillary Clinton met Bernie Sanders in Philadelphia. She said the party was united."
    assert found(text) == [("She", "Hillary Clinton", "pronoun", "said", "speech verb")]


def test_a_pronoun_records_its_evidence_and_a_lower_confidence():
    text = 'Dmitry Peskov, a spokesman for the Kremlin, said the call was useful. "We are ready," he added.'
    peskov, he = find_attributions(text)
    assert (peskov.role, peskov.organization, peskov.confidence) == ("a spokesman for the Kremlin", "the Kremlin", 0.9)
    assert (he.name, he.resolved_by) == ("Dmitry Peskov", "antecedent")
    assert text[he.resolved_start : he.resolved_end] == "Dmitry Peskov"
    assert he.confidence < peskov.confidence
    assert text[he.content_start : he.content_end] == '"We are ready,"'


def test_an_organisation_before_a_title():
    a = only("Kremlin spokesman Dmitry Peskov said the talks would go on.")
    assert (a.name, a.role, a.organization) == ("Dmitry Peskov", "Kremlin spokesman", "Kremlin")
    a = only("Defense Minister Marhaf Abu Qasara said the talks would go on.")
    assert (a.name, a.role, a.organization) == ("Marhaf Abu Qasara", "Defense Minister", None)


def test_offsets_of_source_cue_and_content():
    text = "The talks stalled on Monday, Reuters reported."
    a = only(text)
    assert text[a.start : a.end] == "Reuters"
    assert text[a.cue_start : a.cue_end] == "reported"
    assert text[a.content_start : a.content_end] == "The talks stalled on Monday"
    text = "RT reported on February 13 that the talks stalled."
    a = only(text)
    assert text[a.content_start : a.content_end] == "the talks stalled"
    text = "According to AFP, the talks stalled."
    a = only(text)
    assert text[a.cue_start : a.cue_end] == "According to"
    assert text[a.content_start : a.content_end] == "the talks stalled"


def test_an_attribution_inside_another_ones_content_is_not_the_seeds():
    text = "According to the Kremlin, Mr. Putin said that Moscow supports the talks."
    assert found(text) == [("the Kremlin", "the Kremlin", "named", "according to", "according to")]


def test_an_attribution_inside_a_quotation_is_not_the_seeds():
    text = '"Reuters said it first," Jane Doe said.'
    assert found(text) == [("Jane Doe", "Jane Doe", "named", "said", "speech verb")]
