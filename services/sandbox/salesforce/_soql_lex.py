"""The SOQL tokenizer: keywords stay identifiers (SOQL keywords are not reserved everywhere),
string literals decode SOQL's escapes and carry the pattern they mean after LIKE.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Final

from services.sandbox.salesforce._errors import SalesforceApiError


class Kind(enum.Enum):
    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "<EOF>"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    pos: int
    value: Any = None

    def keyword(self, *words: str) -> bool:
        return self.kind is Kind.IDENT and self.text.upper() in words


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal: its value, and the regular expression it means after LIKE."""

    value: str
    like: str


_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_DATETIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER: Final = re.compile(r"[+-]?\d+(?:\.\d+)?(?![\w.])")
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPERATORS: Final = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION: Final = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA}


def query_error(text: str, pos: int, detail: str, code: str = "MALFORMED_QUERY") -> SalesforceApiError:
    """Salesforce's query error: the offending line, a caret under the spot, row, column, and why."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start + 1
    message = f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"
    return SalesforceApiError.one(400, code, message)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch == "'":
            token = _string(text, pos)
            tokens.append(token)
            pos += len(token.text)
        elif ch in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[ch], ch, pos))
            pos += 1
        elif (op := next((o for o in _OPERATORS if text.startswith(o, pos)), None)) is not None:
            tokens.append(Token(Kind.OP, "!=" if op == "<>" else op, pos))
            pos += len(op)
        elif match := _DATETIME.match(text, pos):
            tokens.append(Token(Kind.DATETIME, match.group(), pos, match.group()))
            pos = match.end()
        elif match := _DATE.match(text, pos):
            tokens.append(Token(Kind.DATE, match.group(), pos, match.group()))
            pos = match.end()
        elif match := _NUMBER.match(text, pos):
            number = match.group()
            tokens.append(Token(Kind.NUMBER, number, pos, float(number) if "." in number else int(number)))
            pos = match.end()
        elif match := _IDENT.match(text, pos):
            tokens.append(Token(Kind.IDENT, match.group(), pos))
            pos = match.end()
        else:
            raise query_error(text, pos, f"line 1:{pos} no viable alternative at character '{ch}'")
    tokens.append(Token(Kind.EOF, "<EOF>", len(text)))
    return tokens


def _string(text: str, start: int) -> Token:
    """A quoted literal with SOQL escapes; ``\\%`` and ``\\_`` stay literal inside a LIKE pattern."""
    value: list[str] = []
    like: list[str] = []
    pos = start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            raw = text[start : pos + 1]
            return Token(Kind.STRING, raw, start, Text("".join(value), "".join(like)))
        if ch == "\\":
            code = text[pos + 1 : pos + 2]
            if code and code.lower() in _ESCAPES:
                decoded = _ESCAPES[code.lower()]
                pos += 2
            elif code in ("%", "_"):
                decoded = code
                pos += 2
            elif code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[pos + 2 : pos + 6]):
                decoded = chr(int(text[pos + 2 : pos + 6], 16))
                pos += 6
            else:
                literal = text[start : pos + 2]
                raise query_error(
                    text,
                    start,
                    f"Invalid string literal '{literal}'. Illegal character sequence "
                    f"'\\{code}' in string literal.",
                )
            value.append(decoded)
            like.append(re.escape(decoded))
            continue
        value.append(ch)
        like.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        pos += 1
    raise query_error(text, start, f"line 1:{start} mismatched character '<EOF>' expecting '''")
