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
