"""Messages to people that can be shown in any interface language.

A ``Message`` is a ``str`` holding its English text, so the command line, logs
and every caller that treats it as text see exactly the English message; it
also keeps its text key and values, so the upload page can show the same
message in the user's language (``message.text("zh-CN")``). Values that are
words themselves (the kind of value a column expects, "nothing") are Messages
too and are translated with it; lists are joined with the language's list
separator. The texts live in ``locales/<language>/messages.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .i18n import DEFAULT_LANGUAGE, translate


class Message(str):
    """A text of ``locales/*/messages.toml`` with its values; as a ``str`` it is the English text."""

    key: str
    values: Mapping[str, object]

    def __new__(cls, key: str, /, **values: object) -> Message:
        message = super().__new__(cls, _render(DEFAULT_LANGUAGE, key, values))
        message.key, message.values = key, values
        return message

    def text(self, language: str) -> str:
        """The message in ``language`` (English when the language is unknown)."""
        return _render(language, self.key, self.values)

    def __reduce__(self):
        # str's own pickling would call Message(english_text) and lose the key: keep key and values.
        return _rebuild, (self.key, dict(self.values))


ECHOED_CHARACTERS = 40  # the most characters of a text from the input that a message repeats


def echoed(text: str) -> str:
    """A text from the input (a header cell, a code, a sheet or column name) as a message repeats it: whole up to
    ECHOED_CHARACTERS characters, else its start and "…". Every message that repeats input cuts it here: one
    header cell may hold 100,000 characters, and a problem line must stay a line."""
    return text if len(text) <= ECHOED_CHARACTERS else text[:ECHOED_CHARACTERS] + "…"


def quoted(text: str) -> str | Message:
    """A text from the input in quotes, as a message repeats it (``echoed``), with its length when it is cut:
    ``'North'``, or ``'Nooo…' (100,000 characters)``."""
    if len(text) <= ECHOED_CHARACTERS:
        return repr(text)
    return Message("validation.long_value", start=repr(echoed(text)), length=f"{len(text):,}")


LISTED_NAMES = 10  # names from the input (header cells, sheet names) a message lists before "and N more"


def echoed_names(names: list[str]) -> list:
    """Names from the input as a message lists them: the first LISTED_NAMES, each ``echoed``, then "and N more"
    (a header may have a million columns)."""
    shown: list = [echoed(name) for name in names[:LISTED_NAMES]]
    if len(names) > LISTED_NAMES:
        shown.append(Message("validation.and_more", count=f"{len(names) - LISTED_NAMES:,}"))
    return shown


def _rebuild(key: str, values: dict) -> Message:
    return Message(key, **values)


def in_language(text: str, language: str) -> str:
    """``text`` in ``language`` when it is a Message, else as it is (a text from elsewhere, e.g. a driver error)."""
    return text.text(language) if isinstance(text, Message) else text


def _render(language: str, key: str, values: Mapping[str, object]) -> str:
    return translate(language, key, **{name: _value(language, value) for name, value in values.items()})


def _value(language: str, value: object) -> object:
    if isinstance(value, Message):
        return value.text(language)
    if isinstance(value, (list, tuple)):
        return translate(language, "filters.list_separator").join(str(_value(language, item)) for item in value)
    return value
