"""Name search that works for Chinese on both backends.

Every searchable node (persons, communities, units, teams, party orgs) stores ``nameGrams``: its
name's letters and digits as single characters and bigrams, space separated (王建国 ->
"王 建 国 王建 建国"). A full-text index over that property matches a query by all of its
bigrams (a one-character query by the character), whatever the backend's own Chinese word
segmentation does; the exact substring is then checked with CONTAINS. FalkorDB's Chinese
tokenizer alone does not find 章源社区 for 章源, nor 张伟 for 张伟.
"""

from __future__ import annotations

SEARCHABLE = ("Person", "Community", "Unit", "VolunteerTeam", "PartyOrg")
MAX_RESULTS = 100


def letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def name_grams(name: str | None) -> str | None:
    """The indexed form of a name: its characters and its bigrams."""
    if not name:
        return None
    chars = letters(name)
    grams = list(dict.fromkeys([*chars, *(chars[i : i + 2] for i in range(len(chars) - 1))]))
    return " ".join(grams)


def query_grams(text: str) -> list[str]:
    """The tokens a query must all match: its bigrams, or its one character."""
    chars = letters(text)
    if len(chars) <= 1:
        return [chars] if chars else []
    return list(dict.fromkeys(chars[i : i + 2] for i in range(len(chars) - 1)))
