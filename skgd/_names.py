"""Looking up a hyperparameter given by name, with a hint for typos."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping


def lookup(argument: str, name: str, table: Mapping[str, Callable], alternatives: str):
    """Return ``table[name.lower()]()``, or raise a ValueError with a "did you mean" hint.

    Parameters
    ----------
    argument : str
        The hyperparameter's name, for the message (``"optimizer"``).
    name : str
        What the user passed.
    table : mapping of str to callable
        The known names and the factories that build their objects.
    alternatives : str
        What else the argument accepts, for the message.

    Examples
    --------
    >>> from skgd._names import lookup
    >>> lookup("colour", "red", {"red": lambda: (255, 0, 0)}, "an RGB tuple")
    (255, 0, 0)
    """
    key = name.lower()
    if key in table:
        return table[key]()
    hint = difflib.get_close_matches(key, table, n=1)
    extra = f" Did you mean {hint[0]!r}?" if hint else ""
    raise ValueError(
        f"{argument}={name!r} is not known.{extra} Use one of {sorted(table)} or {alternatives}."
    )
